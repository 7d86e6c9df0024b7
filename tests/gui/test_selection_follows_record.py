"""Selection follows the record, not the row: after an edit re-sorts or re-filters a table, after undo and
redo, the table, the detail pane and the next action stay on the record the clerk chose (issue 14, 15)."""

# ruff: noqa: F811 - the fixtures imported from community_fixtures are parameters here

from __future__ import annotations

from community_fixtures import ctx, open_rectifications, page, row_of, select_by_name  # noqa: F401 - fixtures
from PySide6.QtCore import Qt
from typing_helpers import type_text

from oldcomm_desktop.core import communities, inspections, listings
from oldcomm_desktop.gui.paged_model import PagedTableModel, PageQuery


def _names(page) -> list[str]:
    m = page.table.model
    return [m.row_mapping(r)["name"] for r in range(m.rowCount())]


def _core_row(ctx, cid: str) -> int:
    """Where the core's listing (the table's default order) puts the record now."""
    rows = ctx.read(lambda s: listings.page(s, "communities", listings.ListQuery(), 0, 1000))
    return [str(r["id"]) for r in rows].index(cid)


def _rename(qtbot, page, new_name: str) -> None:
    dialog = page.edit_current()
    qtbot.waitUntil(dialog.isVisible)
    field = dialog.form.widgets["name"]
    field.selectAll()
    type_text(qtbot, field, new_name + "\n")
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_edit_that_resorts_keeps_selection_detail_and_next_milestone_on_the_record(qtbot, page, ctx) -> None:
    names = _names(page)
    first = names[0]
    cid = select_by_name(qtbot, page, first)
    assert row_of(page, cid) == 0
    _rename(qtbot, page, "紫竹苑")  # zi zhu yuan: sorts after every demo name by pinyin
    moved_to = _core_row(ctx, cid)
    assert moved_to > 0
    qtbot.waitUntil(lambda: row_of(page, cid) == moved_to)
    assert page.table.current_id() == cid, "the selection moved with the record"
    qtbot.waitUntil(lambda: page.detail.title.text() == "紫竹苑")
    assert page.detail.community_id == cid
    # the next action goes to the same community, not to whichever took row 0
    dialog = page.detail.timeline.add_milestone()
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.community_id == cid
    dialog.reject()
    # undo and redo move it back and forth; the selection stays on it
    ctx.undo_stack.undo()
    qtbot.waitUntil(lambda: row_of(page, cid) == 0)
    assert page.table.current_id() == cid
    qtbot.waitUntil(lambda: page.detail.title.text() == first)
    ctx.undo_stack.redo()
    qtbot.waitUntil(lambda: row_of(page, cid) == moved_to)
    assert page.table.current_id() == cid and page.detail.community_id == cid


def test_sort_keeps_the_record(qtbot, page) -> None:
    names = _names(page)
    cid = select_by_name(qtbot, page, names[2])
    page.table.model.sort(page.table.model.column_index("name"), Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: row_of(page, cid) == len(names) - 3)
    assert page.table.current_id() == cid and page.detail.community_id == cid


def test_edit_that_leaves_the_filter_says_so_and_offers_clear_filter(qtbot, page, ctx) -> None:
    page.table.search.setText("幸福")
    page.table.search.returnPressed.emit()
    cid = select_by_name(qtbot, page, "幸福里小区")
    _rename(qtbot, page, "和平里小区")
    qtbot.waitUntil(lambda: page.table.notice.isVisible())
    assert "和平里小区" in page.table.notice.text() or "幸福里小区" in page.table.notice.text()
    assert "不符合当前的搜索或筛选条件" in page.table.notice.text()
    assert page.table.current_id() == ""
    assert page.detail.community_id == "", "nothing else is shown in its place"
    page.table.notice.button.click()  # 清除筛选
    qtbot.waitUntil(lambda: page.table.current_id() == cid)
    assert page.table.search.text() == ""
    assert page.table.model.rowCount() == 12
    assert not page.table.notice.isVisible()
    qtbot.waitUntil(lambda: page.detail.community_id == cid)


def test_deleted_record_hands_over_to_its_successor(qtbot, page, ctx, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    names = _names(page)
    select_by_name(qtbot, page, names[3])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert page.delete_current()
    qtbot.waitUntil(lambda: page.table.model.rowCount() == len(names) - 1)
    assert page.table.current_row()["name"] == names[4]
    qtbot.waitUntil(lambda: page.detail.title.text() == names[4])
    assert not page.table.notice.isVisible()


def test_a_write_elsewhere_does_not_move_the_selection(qtbot, page, ctx) -> None:
    """Another page (or window) adds a community that sorts before the selected one."""
    names = _names(page)
    cid = select_by_name(qtbot, page, names[1])
    ctx.write(
        lambda s: communities.create(s, {"name": "A区新村", "township_code": "341122001000", "households": 5}),
        table="community",
    )
    qtbot.waitUntil(lambda: page.table.model.rowCount() == len(names) + 1)
    assert page.table.current_id() == cid
    assert row_of(page, cid) == _core_row(ctx, cid) == 2
    qtbot.waitUntil(lambda: page.detail.community_id == cid)


class _ListSource:
    """An in-memory source without `position`: the model scans its pages."""

    columns = ()

    def __init__(self, ids: list[str]):
        self.ids = ids

    def count(self, _q: PageQuery) -> int:
        return len(self.ids)

    def fetch(self, _q: PageQuery, offset: int, limit: int) -> list[dict]:
        return [{"id": i} for i in self.ids[offset : offset + limit]]


def test_find_row_scans_pages_of_a_source_without_position(qtbot) -> None:
    ids = [f"r{i}" for i in range(1200)]
    model = PagedTableModel(_ListSource(ids), page_size=100)
    assert model.find_row("r1100") == 1100
    assert model.find_row("r5", hint=5) == 5
    assert model.find_row("nope") == -1


def test_board_detail_follows_the_record_through_undo_redo(qtbot, ctx) -> None:
    """Issue 15: after undo/redo on the rectification board the pane and its buttons acted on another row."""
    from oldcomm_desktop.gui.inspection.board import RectificationBoard

    open_rectifications(ctx)
    board = RectificationBoard(ctx)
    qtbot.addWidget(board)
    board.resize(1200, 700)
    board.show()
    board.set_state("all")
    model = board.table.model
    assert model.rowCount() >= 3
    target = model.row_id(2)
    board.table.select_id(target)
    qtbot.waitUntil(lambda: board._detail is not None and board._detail["id"] == target)
    # an undoable change that re-sorts the board: the record at row 0 is deleted (its inspection)
    first = model.row_id(0)
    inspection_id = ctx.read(lambda s: inspections.rectification_detail(s, first)["inspection_id"])
    from oldcomm_desktop.gui import commands

    commands.delete(ctx, "删除检查", inspection_id, inspections.delete, inspections.restore, table="inspection")
    qtbot.waitUntil(lambda: board.current_id() == target)
    assert board._detail["id"] == target
    ctx.undo_stack.undo()
    qtbot.waitUntil(lambda: model.rowCount() >= 3 and board.current_id() == target)
    assert board._detail["id"] == target
    ctx.undo_stack.redo()
    qtbot.waitUntil(lambda: board.current_id() == target)
    assert board._detail["id"] == target
    assert listings  # the listing the board reads


def test_board_reinspection_moves_the_record_out_of_its_tab_and_clear_filter_finds_it(qtbot, ctx) -> None:
    from oldcomm_desktop.gui.inspection.board import RectificationBoard

    open_rectifications(ctx)
    board = RectificationBoard(ctx)
    qtbot.addWidget(board)
    board.resize(1200, 700)
    board.show()
    model = board.table.model
    for state in ("open", "overdue"):  # whichever the demo has today (a reply moves both to 待复查)
        board.set_state(state)
        if model.rowCount():
            break
    assert model.rowCount() > 0
    rid = model.row_id(0)
    board.table.select_id(rid)
    from oldcomm_desktop.gui import commands

    passed = {"inspected_on": inspections.today(), "inspector": "王五", "passed": True, "note": "现场核实已整改"}
    commands.create(  # a passing re-inspection closes it: it leaves the 待整改/已逾期 tab
        ctx,
        "复查合格",
        lambda s: inspections.reinspect(s, rid, passed),
        inspections.delete_reinspection,
        inspections.restore_reinspection,
        table="rectification",
    )
    qtbot.waitUntil(lambda: board.table.notice.isVisible())
    assert board.current_id() == "" and board._detail is None
    board.table.notice.button.click()
    qtbot.waitUntil(lambda: board.current_id() == rid)
    assert board.state == "all" and board._detail["id"] == rid


def test_a_read_that_fails_is_said_in_chinese_not_an_empty_table(qtbot, page, monkeypatch) -> None:
    from oldcomm_desktop.core.errors import OldcommError

    def broken(*_a, **_k):
        raise OldcommError("无法连接数据库服务器 10.0.0.5（连接超时）")

    monkeypatch.setattr(page.source, "fetch", broken)
    monkeypatch.setattr(page.source, "fetch_near", broken)  # the model reads pages through it (keyset seeks)
    page.table.refresh()
    page.table.view.viewport().repaint()
    qtbot.waitUntil(lambda: "读取失败" in page.table.notice.text())
    assert page.table.notice.isVisible() and "连接超时" in page.table.notice.text()
    assert "不符合" not in page.table.notice.text(), "a failed read is not a record that left the filter"
    assert not page.table.notice.button.isVisible()
