"""改造内容: filters narrow the list as the core counts; edit, delete and add are undoable."""
# ruff: noqa: F811 - the fixtures imported from overview_pages_fixtures are parameters here

from __future__ import annotations

from decimal import Decimal

import pytest
from overview_pages_fixtures import Navigations, ctx, listing_count, show  # noqa: F401
from PySide6.QtWidgets import QMessageBox
from typing_helpers import type_text

from oldcomm_desktop.core.model import RenovationItem
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.items import ItemsPage


@pytest.fixture
def page(qtbot, ctx: AppContext) -> ItemsPage:
    return show(qtbot, ItemsPage(ctx))


def _item(ctx: AppContext, item_id: str) -> RenovationItem | None:
    def read(s):
        it = s.get(RenovationItem, item_id)
        return None if it is None or it.deleted_at is not None else it

    return ctx.read(read)


def test_filter_by_category_narrows_the_count(page: ItemsPage, ctx: AppContext) -> None:
    total = page.table.model.shown_count
    assert total == listing_count(ctx, "items") > 0
    box = page.table.filters["category"]
    box.setCurrentIndex(box.findData("enhancement"))
    narrowed = page.table.model.shown_count
    assert narrowed == listing_count(ctx, "items", category="enhancement")
    assert 0 < narrowed < total
    assert all(page.table.model.row_mapping(r)["category"] == "提升类" for r in range(narrowed))
    page.table.filters["status"].setCurrentIndex(page.table.filters["status"].findData("completed"))
    assert page.table.model.shown_count == listing_count(ctx, "items", category="enhancement", status="completed")
    page.apply_filters({"category": "basic"})
    assert page.table.model.shown_count == listing_count(ctx, "items", category="basic")
    assert page.table.filters["status"].currentData() is None
    assert f"{page.table.model.shown_count:,}" in page.status_text()


def test_edit_and_delete_with_undo(qtbot, page: ItemsPage, ctx: AppContext, monkeypatch) -> None:
    page.table.select_first()
    item_id = page.table.current_id()
    old = _item(ctx, item_id)
    dialog = page.edit_current()
    field = dialog.form.widgets["description"]
    field.clear()
    type_text(qtbot, field, "南区 3 栋至 8 栋")
    assert dialog.try_save()
    assert _item(ctx, item_id).description == "南区 3 栋至 8 栋"
    ctx.undo_stack.undo()
    assert _item(ctx, item_id).description == old.description

    dialog = page.edit_current()
    dialog.form.widgets["completed_on"].set_value(None)
    dialog.form.widgets["status"].setCurrentIndex(dialog.form.widgets["status"].findData("completed"))
    assert not dialog.try_save()  # completed needs a completion date: the core's message beside the field
    assert "完成日期" in dialog.form.errors["completed_on"].text()
    dialog.reject()

    before = page.table.model.shown_count
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.table.view.selectRow(0)
    deleted = page.table.current_id()
    assert page.delete_current()
    assert page.table.model.shown_count == before - 1 and _item(ctx, deleted) is None
    ctx.undo_stack.undo()
    assert page.table.model.shown_count == before and _item(ctx, deleted) is not None


def test_one_communitys_items_and_adding_to_it(qtbot, page: ItemsPage, ctx: AppContext, monkeypatch) -> None:
    asked: list[str] = []  # the demo's items add up to each community's total: one more asks first
    monkeypatch.setattr(
        QMessageBox, "question", lambda _p, _t, text, *a, **k: asked.append(text) or QMessageBox.StandardButton.Yes
    )
    page.table.select_first()
    row = page.table.current_row()
    cid = str(row["community_id"])
    page.apply_filters({"community": cid})
    n = listing_count(ctx, "items", community=cid)
    assert page.table.model.shown_count == n
    assert row["community"] in page.scope_label.text() and row["community"] in page.status_text()
    dialog = page.new_record()
    types = dialog.form.widgets["item_type_id"]
    types.setCurrentIndex(types.findText("完善类 · 停车位（个）"))
    type_text(qtbot, dialog.form.widgets["planned_quantity"], "24")
    type_text(qtbot, dialog.form.widgets["investment"], "14.4")  # 万元, the unit chosen: 144,000 元
    assert dialog.try_save(), dialog.message.text()
    assert len(asked) == 1 and "超过小区总投资" in asked[0]
    assert page.table.model.shown_count == n + 1
    made = _item(ctx, dialog.result_value.id)
    assert made.community_id == cid and made.planned_quantity == Decimal("24.00")
    ctx.undo_stack.undo()
    assert page.table.model.shown_count == n
    page.scope_label.linkActivated.emit("clear")
    assert page.table.model.shown_count == listing_count(ctx, "items")

    nav = Navigations(ctx)
    page.table.select_first()
    first = page.table.current_row()
    page.open_community()
    assert nav.last == ("communities", {"search": first["community"], "community": str(first["community_id"])})
