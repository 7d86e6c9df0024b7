"""Small shared pieces of the 报表 page: the period chooser and a read-only table filler."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QTableWidget, QTableWidgetItem

from oldcomm_desktop.core.returns import KINDS
from oldcomm_desktop.core.returns.periods import Period


def kind_combo() -> QComboBox:
    box = QComboBox()
    box.setObjectName("kind")
    for code, name in KINDS.items():
        box.addItem(name, code)
    return box


def period_combo(today: date | None = None, months: int = 24) -> QComboBox:
    """The last `months` months, newest first (the current month is selected)."""
    box = QComboBox()
    box.setObjectName("period")
    p = Period.of(today or date.today())
    for _ in range(months):
        box.addItem(f"{p.year}年{p.month}月（{p.label}）", p.key)
        p = Period(p.year - 1, 12) if p.month == 1 else Period(p.year, p.month - 1)
    return box


def table(name: str, headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setAlternatingRowColors(True)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    t.horizontalHeader().setStretchLastSection(True)
    for c, text in enumerate(headers):  # every heading readable before the first row arrives
        t.setColumnWidth(c, max(80, t.fontMetrics().horizontalAdvance(text) + 28))
    return t


def fill(t: QTableWidget, rows: list[list[str]], *, editable_column: int | None = None) -> None:
    t.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            item = QTableWidgetItem("" if text is None else str(text))
            if c != editable_column:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            t.setItem(r, c, item)
    t.resizeColumnsToContents()
    for c in range(t.columnCount()):  # never narrower than its heading (an empty table sizes to nothing)
        heading = t.horizontalHeaderItem(c)
        if heading is not None:
            t.setColumnWidth(c, max(t.columnWidth(c), t.fontMetrics().horizontalAdvance(heading.text()) + 28))
