"""RecordTable: the current row and the selection agree. Qt moves the current row before it selects it (and
Ctrl+arrows or setCurrentIndex move it without selecting at all); whoever hears current_changed must find
that record selected, and a selection emptied under the current row announces that nothing is chosen."""
# ruff: noqa: F811 - the fixtures imported from community_fixtures are parameters here

from __future__ import annotations

from community_fixtures import ctx, page  # noqa: F401
from PySide6.QtCore import QItemSelectionModel


def test_current_changed_always_finds_its_record_selected(qtbot, page) -> None:
    table = page.table
    qtbot.waitUntil(lambda: table.model.rowCount() > 3)
    heard: list[tuple[str, str, bool]] = []
    table.current_changed.connect(lambda rid: heard.append((rid, table.current_id(), table.current_row() is not None)))
    selection = table.view.selectionModel()
    # the current row moves with no selection asked for (as Ctrl+Down does)
    selection.setCurrentIndex(table.model.index(2, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
    third = table.model.row_id(2)
    assert heard[-1] == (third, third, True)
    assert selection.isRowSelected(2) and [i.row() for i in selection.selectedRows()] == [2]
    # Qt's own selectRow: current first, then the selection
    table.view.selectRow(3)
    assert heard[-1] == (table.model.row_id(3), table.model.row_id(3), True)
    # the selection emptied under the current row: nothing is chosen, and it is said
    selection.select(
        table.model.index(3, 0), QItemSelectionModel.SelectionFlag.Deselect | QItemSelectionModel.SelectionFlag.Rows
    )
    assert heard[-1] == ("", "", False)
    assert all(rid == cur for rid, cur, _ in heard)
