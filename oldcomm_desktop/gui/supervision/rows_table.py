"""A read-only table of plain row dicts from the core, for the supervision lists.

These lists are short by nature (a county's orders of a year, a township's communities in a month's
ranking, a few dozen townships), and several are computed rather than stored (rankings, occurrences),
so they are shown whole instead of through the paged SQL model the ledger tables use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from oldcomm_desktop.gui import colours


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, bool):
        return "是" if value else ""
    return str(value)


class RowsTable(QTableWidget):
    """Columns are (key, Chinese header); `alert(row)` paints a row in the overdue colours."""

    current_changed = Signal(str)

    def __init__(
        self,
        columns: Sequence[tuple[str, str]],
        *,
        alert: Callable[[dict], bool] | None = None,
        id_key: str = "id",
        parent: QWidget | None = None,
    ):
        super().__init__(0, len(columns), parent)
        self.columns = list(columns)
        self.alert = alert
        self.id_key = id_key
        self.rows: list[dict] = []
        self.setHorizontalHeaderLabels([label for _, label in columns])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.itemSelectionChanged.connect(lambda: self.current_changed.emit(self.current_id()))

    def set_rows(self, rows: list[dict]) -> None:
        keep = self.current_id()
        self.rows = rows
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            hot = bool(self.alert and self.alert(row))
            for c, (key, _) in enumerate(self.columns):
                item = QTableWidgetItem(shown(row.get(key)))
                if isinstance(row.get(key), (int, float, Decimal)) and not isinstance(row.get(key), bool):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if hot:
                    item.setBackground(QBrush(colours.qcolor("alert_bg")))
                    item.setForeground(QBrush(colours.qcolor("alert")))
                self.setItem(r, c, item)
        self.resizeColumnsToContents()
        for c in range(self.columnCount()):
            self.setColumnWidth(c, min(self.columnWidth(c) + 12, 320))
        if keep:
            self.select_id(keep)

    def colours_changed(self) -> None:
        """Dark mode switched (colours.apply): overdue rows in the new palette's alert colours."""
        for r, row in enumerate(self.rows):
            if self.alert and self.alert(row):
                for c in range(self.columnCount()):
                    item = self.item(r, c)
                    if item is not None:
                        item.setBackground(QBrush(colours.qcolor("alert_bg")))
                        item.setForeground(QBrush(colours.qcolor("alert")))

    def current_row(self) -> dict | None:
        r = self.currentRow()
        return self.rows[r] if 0 <= r < len(self.rows) and self.selectionModel().hasSelection() else None

    def current_id(self) -> str:
        row = self.current_row()
        return str(row.get(self.id_key) or "") if row else ""

    def select_id(self, ident: str) -> bool:
        for r, row in enumerate(self.rows):
            if str(row.get(self.id_key)) == ident:
                self.selectRow(r)
                return True
        return False
