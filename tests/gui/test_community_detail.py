"""The detail half of the 小区台账 page: milestones, items, money and inspections of the selected community."""

# ruff: noqa: F811 - the fixtures imported from community_fixtures are parameters here

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from community_fixtures import (  # noqa: F401 - fixtures
    cell_text,
    core_rows,
    ctx,
    page,
    row_of,
    select_by_name,
)
from PySide6.QtWidgets import QLabel, QMessageBox
from typing_helpers import type_text

from oldcomm_desktop.core import communities, funding, listings, milestones
from oldcomm_desktop.core.money import format_yuan


def _items(ctx, cid: str) -> list[dict]:
    q = listings.ListQuery(filters={"community": cid})
    return ctx.read(lambda s: listings.page(s, "items", q, 0, 1000))


@pytest.fixture
def planned(ctx, page, qtbot):
    """A community in this year's plan with no milestones (status 计划), selected in the page."""
    made = ctx.write(
        lambda s: communities.create(
            s,
            {
                "name": "计划新村",
                "township_code": "341122001000",
                "households": 90,
                "plan_year": date.today().year,
                "total_investment": "500000",
            },
        ),
        table="community",
    )
    qtbot.waitUntil(lambda: page.table.model.rowCount() == 13)
    select_by_name(qtbot, page, "计划新村")
    return made.id


def _status_cell(page, cid: str) -> str:
    return cell_text(page, row_of(page, cid), "status")


def test_master_detail_shows_the_selected_community(qtbot, page, ctx) -> None:
    accepted = next(r for r in core_rows(ctx, status="accepted"))
    cid = select_by_name(qtbot, page, accepted["name"])
    detail = page.detail
    assert detail.title.text() == accepted["name"]
    assert "已验收" in detail.facts.text()
    # items: the core's rows for this community, with units
    core_items = _items(ctx, cid)
    shown = detail.items.rows()
    assert len(shown) == len(core_items) > 0
    assert {r["item_type"] for r in shown} == {r["item_type"] for r in core_items}
    assert all(r["planned_quantity"].endswith(r["unit"]) for r in shown)
    assert detail.items.count_label.text() == f"共 {len(core_items)} 项改造内容"
    # money: completed figures and the source tree, in 万元
    figures = ctx.read(lambda s: funding.completed_figures(s, communities.get(s, cid), date.today()))
    assert detail.money.figure_text("since_start") == f"{format_yuan(figures.since_start, unit='万元')} 万元"
    assert detail.money.figure_text("this_year") == f"{format_yuan(figures.this_year, unit='万元')} 万元"
    lines = ctx.read(lambda s: funding.lines_of(s, cid))
    central = lines["central_budget"]
    assert (
        detail.money.amounts_of("central_budget")["approved"] == f"{format_yuan(central['approved'], unit='万元')} 万元"
    )
    assert detail.money.amounts_of("state") is not None  # parents shown as sums
    # milestones: the timeline in order with Chinese labels, and the status strip
    assert detail.timeline.labels()[:2] == ["入户调查/意愿征询", "纳入年度计划"]
    assert "竣工验收" in detail.timeline.labels()
    assert detail.timeline.strip.labels["accepted"].styleSheet().count("bold") == 1
    # another community replaces all of it
    other = next(r for r in core_rows(ctx, status="reserve"))
    select_by_name(qtbot, page, other["name"])
    assert detail.title.text() == other["name"]
    assert len(detail.items.rows()) == len(_items(ctx, other["id"]))


def test_adding_a_start_moves_the_status(qtbot, page, ctx, planned) -> None:
    assert _status_cell(page, planned) == "计划"
    dialog = page.detail.timeline.add_milestone()
    qtbot.waitUntil(dialog.isVisible)
    kind = dialog.form.widgets["kind"]
    kind.setCurrentIndex(kind.findData("start"))
    type_text(qtbot, dialog.form.widgets["document_no"], "施工许可2026-01\n")
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(lambda: _status_cell(page, planned) == "已开工")
    qtbot.waitUntil(lambda: page.detail.timeline.labels() == ["开工"])
    assert "状态：已开工" in page.detail.facts.text()
    ctx.undo_stack.undo()
    qtbot.waitUntil(lambda: _status_cell(page, planned) == "计划")
    qtbot.waitUntil(lambda: page.detail.timeline.labels() == [])
    ctx.undo_stack.redo()
    qtbot.waitUntil(lambda: _status_cell(page, planned) == "已开工")


def test_out_of_order_milestone_is_refused_in_chinese(qtbot, page, ctx, planned) -> None:
    dialog = page.detail.timeline.add_milestone()
    kind = dialog.form.widgets["kind"]
    kind.setCurrentIndex(kind.findData("acceptance"))
    assert not dialog.try_save()
    error = dialog.form.errors["reached_on"]
    assert error.isVisible()
    assert error.text() == "尚未记录“完工”，不能先记录“竣工验收”"
    assert ctx.undo_stack.count() == 0
    assert _status_cell(page, planned) == "计划"
    # a future date is refused too, under the date
    dialog.form.widgets["reached_on"].set_value(date.today() + timedelta(days=3))
    kind.setCurrentIndex(kind.findData("start"))
    assert not dialog.try_save()
    assert "晚于今天" in error.text()
    dialog.reject()


def test_removing_a_milestone_another_depends_on_is_refused(qtbot, page, ctx, planned, monkeypatch) -> None:
    today = date.today()
    ctx.write(lambda s: milestones.add(s, communities.get(s, planned), {"kind": "start", "reached_on": today}))
    ctx.write(lambda s: milestones.add(s, communities.get(s, planned), {"kind": "completion", "reached_on": today}))
    qtbot.waitUntil(lambda: page.detail.timeline.labels() == ["开工", "完工"])
    assert _status_cell(page, planned) == "已完工"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    tree = page.detail.timeline.tree
    tree.setCurrentItem(tree.topLevelItem(0))
    assert not page.detail.timeline.remove_selected()
    message = page.detail.timeline.message
    assert message.isVisible() and message.text() == "已记录“完工”，须先删除它才能删除“开工”"
    tree.setCurrentItem(tree.topLevelItem(1))
    assert page.detail.timeline.remove_selected()
    qtbot.waitUntil(lambda: _status_cell(page, planned) == "已开工")
    ctx.undo_stack.undo()
    qtbot.waitUntil(lambda: _status_cell(page, planned) == "已完工")


def test_add_and_edit_a_renovation_item(qtbot, page, ctx, planned, monkeypatch) -> None:
    page.detail.tabs.setCurrentWidget(page.detail.items)
    dialog = page.detail.items.add_item()
    qtbot.waitUntil(dialog.isVisible)
    road = next(t for t in dialog.types.values() if t.code == "road")
    box = dialog.form.widgets["item_type_id"]
    box.setCurrentIndex(box.findData(road.id))
    assert dialog.unit_label("planned_quantity").text() == "平方米"
    type_text(qtbot, dialog.form.widgets["planned_quantity"], "1200")
    type_text(qtbot, dialog.form.widgets["investment"], "21.6")  # 万元, the unit chosen: 216,000 元
    type_text(qtbot, dialog.form.widgets["description"], "主干道沥青铺设")
    assert dialog.try_save()
    qtbot.waitUntil(lambda: len(page.detail.items.rows()) == 1)
    row = page.detail.items.rows()[0]
    assert row["item_type"] == "道路硬化/沥青铺设" and row["planned_quantity"] == "1,200 平方米"
    assert _items(ctx, planned)[0]["investment"] == Decimal("216000.00")

    # completed above plan: the core asks, the dialog asks the clerk
    page.detail.items.select_row(0)
    edit = page.detail.items.edit_selected()
    asked: list[str] = []

    def yes(_parent, _title, text, *a, **k):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    edit.form.widgets["status"].setCurrentIndex(edit.form.widgets["status"].findData("started"))
    type_text(qtbot, edit.form.widgets["completed_quantity"], "1300")
    assert edit.try_save()
    assert "超过计划" in asked[0]
    qtbot.waitUntil(lambda: page.detail.items.rows()[0]["completed_quantity"] == "1,300 平方米")
    ctx.undo_stack.undo()
    qtbot.waitUntil(lambda: page.detail.items.rows()[0]["completed_quantity"] == "")
    ctx.undo_stack.undo()
    qtbot.waitUntil(lambda: page.detail.items.rows() == [])


def test_delete_an_item_goes_to_the_recycle_bin(qtbot, page, ctx, monkeypatch) -> None:
    cid = select_by_name(qtbot, page, "幸福里小区")
    before = len(_items(ctx, cid))
    page.detail.items.select_row(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert page.detail.items.delete_selected()
    qtbot.waitUntil(lambda: len(page.detail.items.rows()) == before - 1)
    ctx.undo_stack.undo()
    qtbot.waitUntil(lambda: len(page.detail.items.rows()) == before)


def test_funding_table_editor_checks_and_undoes(qtbot, page, ctx, planned) -> None:
    dialog = page.detail.money.edit_funding()
    qtbot.waitUntil(dialog.isVisible)
    assert ctx.money_unit == "万元" and "金额单位：万元" in dialog.findChild(QLabel, "funding_hint").text()
    dialog.set_cell("central_budget", "approved", "30")  # 万元, as the window shows money
    dialog.set_cell("central_budget", "arrived", "35")  # more arrived than approved
    dialog.set_cell("residents", "approved", "20")
    assert "一致" in dialog.sum_label.text() and "50.00 万元" in dialog.sum_label.text()
    assert not dialog.try_save()
    assert dialog.message.isVisible() and "到位资金 350000.00 元超过批复资金 300000.00 元" in dialog.message.text()
    assert ctx.read(lambda s: funding.lines_of(s, planned)) == {}
    dialog.set_cell("central_budget", "arrived", "25.000001")  # 万元 to the fen: 250,000.01 元, exactly
    assert dialog.try_save()
    qtbot.waitUntil(lambda: page.detail.money.amounts_of("central_budget") is not None)
    assert page.detail.money.amounts_of("central_budget")["arrived"] == "25.00 万元"
    stored = ctx.read(lambda s: funding.lines_of(s, planned))["central_budget"]
    assert stored["arrived"] == Decimal("250000.01") and stored["approved"] == Decimal("300000.00")
    ctx.undo_stack.undo()
    qtbot.waitUntil(lambda: page.detail.money.amounts_of("central_budget") is None)
    assert ctx.read(lambda s: funding.lines_of(s, planned)) == {}


def test_register_completed_investment(qtbot, page, ctx, planned) -> None:
    dialog = page.detail.money.add_investment()
    qtbot.waitUntil(dialog.isVisible)
    type_text(qtbot, dialog.form.widgets["amount"], "60")  # 万元: above the total investment of 500,000 元
    assert not dialog.try_save()
    assert "超过总投资" in dialog.form.errors["amount"].text()
    dialog.form.widgets["amount"].clear()
    type_text(qtbot, dialog.form.widgets["amount"], "12\n")  # 万元
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(lambda: page.detail.money.figure_text("since_start") == "12.00 万元")
    assert page.detail.money.figure_text("this_month") == "12.00 万元"
    ctx.undo_stack.undo()
    qtbot.waitUntil(lambda: page.detail.money.figure_text("since_start") == "0.00 万元")


def test_inspections_tab_lists_and_navigates(qtbot, page, ctx) -> None:
    q = listings.ListQuery()
    rows = ctx.read(lambda s: listings.page(s, "inspections", q, 0, 1000))
    cid = rows[0]["community_id"]
    name = rows[0]["community"]
    expected = sum(1 for r in rows if r["community_id"] == cid)
    select_by_name(qtbot, page, name)
    tab = page.detail.inspections
    assert tab.model.rowCount() == expected
    assert tab.count_label.text() == f"共 {expected} 次检查"
    with qtbot.waitSignal(ctx.navigate) as signal:
        tab.view.doubleClicked.emit(tab.model.index(0, 0))
    assert signal.args == ["inspections", {"community": cid}]
