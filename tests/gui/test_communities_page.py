"""The 小区台账 page driven as a clerk would: search, edit with validation, undo/redo, delete, filters."""

# ruff: noqa: F811 - the fixtures imported from community_fixtures are parameters here

from __future__ import annotations

from datetime import date

from community_fixtures import (  # noqa: F401 - fixtures
    cell_text,
    core_count,
    core_rows,
    ctx,
    page,
    row_of,
    select_by_name,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from typing_helpers import type_text

from oldcomm_desktop.core import communities, listings
from oldcomm_desktop.core.pinyin_search import initials
from oldcomm_desktop.gui.pages.communities import CommunitiesPage


def _households(ctx, cid: str) -> int:
    return ctx.read(lambda s: communities.get(s, cid).households)


def _search(qtbot, page, text: str) -> None:
    page.table.search.clear()
    qtbot.keyClicks(page.table.search, text)
    qtbot.waitUntil(lambda: page.table.model.query.search == text, timeout=3000)


def test_pinyin_initials_find_the_community(qtbot, page) -> None:
    assert page.table.model.rowCount() == 12
    _search(qtbot, page, "xfl")
    names = [page.table.model.row_mapping(r)["name"] for r in range(page.table.model.rowCount())]
    assert "幸福里小区" in names
    assert all("xfl" in initials(n) for n in names) and len(names) < 12  # each name's pinyin initials hold it
    assert page.status_text().startswith(f"共 {len(names)} 个小区") and "筛选" in page.status_text()


def test_edit_households_validation_undo_redo(qtbot, page, ctx) -> None:
    _search(qtbot, page, "xfl")
    cid = select_by_name(qtbot, page, "幸福里小区")
    before = _households(ctx, cid)
    dialog = page.edit_current()
    qtbot.waitUntil(dialog.isVisible)
    field = dialog.form.widgets["households"]
    error = dialog.form.errors["households"]

    field.selectAll()
    type_text(qtbot, field, "0\n")  # Enter saves
    assert dialog.isVisible(), "a rejected save keeps the dialog open"
    assert error.isVisible() and error.text() == "必须是正整数"
    assert field.text() == "0", "what the clerk typed stays"
    assert _households(ctx, cid) == before
    assert ctx.undo_stack.count() == 0

    field.selectAll()
    type_text(qtbot, field, "1234\n")
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert _households(ctx, cid) == 1234
    qtbot.waitUntil(lambda: cell_text(page, row_of(page, cid), "households") == "1,234 户")
    qtbot.waitUntil(lambda: "1,234 户" in page.detail.facts.text())

    ctx.undo_stack.undo()
    assert _households(ctx, cid) == before
    qtbot.waitUntil(lambda: cell_text(page, row_of(page, cid), "households") == f"{before:,} 户")
    ctx.undo_stack.redo()
    assert _households(ctx, cid) == 1234
    qtbot.waitUntil(lambda: cell_text(page, row_of(page, cid), "households") == "1,234 户")


def _activate(qtbot, win) -> None:
    """Make `win` the active window, as the window manager does when the clerk clicks it or closes a dialog.

    Qt fires a shortcut (even an application-wide one) only while one of the program's windows is active; the
    offscreen platform of the tests activates nothing by itself, so without this a test's shortcuts work only
    when an earlier test happened to leave some window of its own active."""
    qtbot.waitUntil(lambda: win.windowHandle().isExposed())  # a window not yet on screen is not activated
    win.windowHandle().requestActivate()
    qtbot.waitUntil(win.isActiveWindow)


def test_ctrl_z_and_ctrl_y_in_the_main_window(qtbot, ctx) -> None:
    from oldcomm_desktop.gui.main_window import MainWindow

    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    _activate(qtbot, win)
    page = win.go_to("communities")
    assert isinstance(page, CommunitiesPage)
    cid = select_by_name(qtbot, page, "幸福里小区")
    before = _households(ctx, cid)
    qtbot.keyClick(page.table.view, Qt.Key.Key_Return)  # Enter edits
    dialog = page.dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.form.widgets["households"].selectAll()
    type_text(qtbot, dialog.form.widgets["households"], "77\n")
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert _households(ctx, cid) == 77
    assert win.undo_action.text().startswith("撤销")
    _activate(qtbot, win)  # the closed dialog hands the keyboard back to the main window
    qtbot.keyClick(page.table.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _households(ctx, cid) == before
    qtbot.keyClick(page.table.view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert _households(ctx, cid) == 77
    assert "小区" in win.page_status.text()


def test_new_community_through_the_form(qtbot, page, ctx) -> None:
    dialog = page.new_record()
    qtbot.waitUntil(dialog.isVisible)
    form = dialog.form
    type_text(qtbot, form.widgets["name"], "测试新村")
    township = form.widgets["township_code"]
    township.setCurrentIndex(township.findData("341122001000"))
    type_text(qtbot, form.widgets["households"], "80")
    form.setCurrentIndex(1)  # 改造计划
    type_text(qtbot, form.widgets["plan_year"], str(date.today().year))
    assert dialog.try_save()
    new_id = dialog.saved_id
    qtbot.waitUntil(lambda: page.table.current_id() == new_id)
    assert page.table.model.rowCount() == 13
    assert cell_text(page, row_of(page, new_id), "status") == "计划"
    ctx.undo_stack.undo()
    qtbot.waitUntil(lambda: page.table.model.rowCount() == 12)


def test_delete_asks_then_goes_to_the_recycle_bin_and_undo_restores(qtbot, page, ctx, monkeypatch) -> None:
    cid = select_by_name(qtbot, page, "幸福里小区")
    asked: list[str] = []

    def no(_parent, _title, text, *a, **k):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", no)
    assert not page.delete_current()
    assert "回收站" in asked[0] and "幸福里小区" in asked[0]
    assert page.table.model.rowCount() == 12

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert page.delete_current()
    qtbot.waitUntil(lambda: page.table.model.rowCount() == 11)
    binned = ctx.read(
        lambda s: [r["id"] for r in listings.page(s, "communities", listings.ListQuery(include_deleted=True))]
    )
    assert cid in binned
    qtbot.waitUntil(lambda: page.detail.community_id != cid)

    ctx.undo_stack.undo()
    qtbot.waitUntil(lambda: page.table.model.rowCount() == 12)
    assert ctx.read(lambda s: communities.get(s, cid).name) == "幸福里小区"


def test_filters_narrow_the_count(qtbot, page, ctx) -> None:
    total = page.table.model.shown_count
    assert page.status_text() == f"共 {total} 个小区"
    page.table.set_filter("status", "accepted")
    accepted = core_count(ctx, status="accepted")
    assert 0 < accepted < total
    assert page.table.model.shown_count == accepted
    assert all(cell_text(page, r, "status") == "已验收" for r in range(page.table.model.rowCount())), (
        "the status column reads in Chinese"
    )
    page.table.set_filter("township", "341122001000")
    both = core_count(ctx, status="accepted", township="341122001000")
    assert page.table.model.shown_count == both <= accepted
    assert page.status_text() == f"共 {both} 个小区（已按条件筛选）"

    page.table.set_filter("status", None)
    page.table.set_filter("township", None)
    page.table.set_filter("overdue", True)
    overdue = core_count(ctx, overdue=True)
    assert page.table.model.shown_count == overdue < total
    page.table.set_filter("overdue", False)
    assert page.table.model.shown_count == total - overdue


def test_apply_filters_from_the_dashboard(qtbot, page, ctx) -> None:
    year = core_rows(ctx, status="accepted")[0]["plan_year"]
    page.table.set_filter("township", "341122002000")  # cleared by apply_filters
    page.apply_filters({"status": "accepted", "year": str(year)})
    assert page.table.filters["township"].currentData() is None
    assert page.table.model.shown_count == core_count(ctx, status="accepted", year=year)
    page.apply_filters({"category": "enhancement"})
    assert page.table.model.shown_count == core_count(ctx, category="enhancement")
    page.apply_filters({"overdue": 1, "search": "小区"})
    assert page.table.search.text() == "小区"
    q = listings.ListQuery(search="小区", filters={"overdue": True})
    assert page.table.model.shown_count == ctx.read(lambda s: listings.count(s, "communities", q))


def test_money_unit_rerenders_the_table(qtbot, page, ctx) -> None:
    cid = select_by_name(qtbot, page, "幸福里小区")
    total = ctx.read(lambda s: communities.get(s, cid).total_investment)
    assert cell_text(page, row_of(page, cid), "total_investment") == f"{total / 10000:,.2f} 万元"
    ctx.set_money_unit("元")
    qtbot.waitUntil(lambda: cell_text(page, row_of(page, cid), "total_investment") == f"{total:,.2f} 元")
    qtbot.waitUntil(lambda: page.detail.money.figure_text("total_investment") == f"{total:,.2f} 元")


def test_sorting_happens_in_sql_on_sortable_columns(qtbot, page, ctx) -> None:
    model = page.table.model
    model.sort(model.column_index("households"), Qt.SortOrder.DescendingOrder)
    shown = [model.row_mapping(r)["households"] for r in range(model.rowCount())]
    assert shown == sorted(shown, reverse=True)
    assert model.query.sort_key == "households"
    sort_keys = set(listings.LISTINGS["communities"].sort_keys)
    assert {c.key for c in model.columns if c.sortable} <= sort_keys
    model.sort(model.column_index("address"), Qt.SortOrder.AscendingOrder)  # not sortable: ignored
    assert model.query.sort_key == "households"


def test_history_shows_who_changed_what(qtbot, page, ctx) -> None:
    cid = select_by_name(qtbot, page, "幸福里小区")
    before = _households(ctx, cid)
    dialog = page.edit_current()
    dialog.form.widgets["households"].selectAll()
    type_text(qtbot, dialog.form.widgets["households"], "321")
    assert dialog.try_save()
    history = page.show_history()
    qtbot.waitUntil(history.isVisible)
    rows = history.visible_rows()
    assert rows[0][1:] == ["测试员", "修改", "小区", "户数", f"{before:,} 户", "321 户"]
    assert any(r[3].startswith("改造内容·") for r in rows), "the community's items are in its history"
    type_text(qtbot, history.filter, "测试员")
    assert len(history.visible_rows()) == 1
    history.close()


def test_splitter_and_columns_are_remembered(qtbot, page, ctx) -> None:
    page.splitter.setSizes([500, 200])
    sizes = page.splitter.sizes()
    page.save_state()
    again = CommunitiesPage(ctx)
    qtbot.addWidget(again)
    again.resize(page.size())
    again.show()
    assert again.splitter.sizes() == sizes
    assert ctx.settings.value("tables/communities") is not None


def test_problems_on_another_tab_bring_it_forward(qtbot, page, ctx) -> None:
    cid = select_by_name(qtbot, page, "幸福里小区")
    dialog = page.edit_current()
    year_built = ctx.read(lambda s: communities.get(s, cid).year_built)
    assert dialog.form.widgets["year_built"].text() == str(year_built), "a year is not written 1,995"
    plan_year = dialog.form.widgets["plan_year"]
    plan_year.selectAll()
    type_text(qtbot, plan_year, "1980")  # below the field's minimum (the core's bound, whatever it is)
    assert dialog.form.currentIndex() == 0
    assert not dialog.try_save()
    assert dialog.form.currentIndex() == 1  # 改造计划, where the message is
    minimum = communities.FIELDS["plan_year"].minimum
    assert dialog.form.errors["plan_year"].text() == f"不能小于 {minimum}"
    dialog.reject()


def test_township_database_starts_empty_and_defaults_the_township(qtbot, sqlite_db, tmp_path) -> None:
    from PySide6.QtCore import QSettings

    from oldcomm_desktop.gui.context import AppContext

    context = AppContext(sqlite_db, "测试员", QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat))
    empty = CommunitiesPage(context)
    qtbot.addWidget(empty)
    empty.show()
    empty.activate()
    assert empty.status_text() == "共 0 个小区"
    assert "选择一个小区" in empty.detail.facts.text()
    assert not empty.edit_button.isEnabled() and empty.edit_current() is None
    dialog = empty.new_record()
    assert dialog.form.widgets["township_code"].currentData() == "341122001000"
    type_text(qtbot, dialog.form.widgets["name"], "幸福里小区")
    type_text(qtbot, dialog.form.widgets["households"], "120\n")
    qtbot.waitUntil(lambda: empty.table.model.rowCount() == 1)
    qtbot.waitUntil(lambda: empty.detail.title.text() == "幸福里小区")
    assert empty.status_text() == "共 1 个小区"
    assert cell_text(empty, 0, "status") == "储备"



def test_project_filter_from_another_page_shows_only_its_communities(page, ctx) -> None:
    """项目 → 在小区台账中查看 sends {"project": id}: the table narrows to that project's communities."""
    project_id = ctx.read(lambda s: listings.page(s, "projects", listings.ListQuery(), 0, 1)[0]["id"])
    expected = core_count(ctx, project=project_id)
    page.apply_filters({"project": project_id})
    assert page.table.model.shown_count == expected < core_count(ctx)
    assert "已按条件筛选" in page.status_text()
    page.apply_filters({"status": "started"})
    assert "project" not in page.table.extra_filters
    assert page.table.model.shown_count == core_count(ctx, status="started")
