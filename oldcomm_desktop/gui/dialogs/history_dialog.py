"""修改记录: who changed a record, when, which field, from what to what — for any page's record.

The rows come from core/change_history.py, which already puts field labels, names and units into words;
this dialog only lays them out, newest first, with a filter box for long histories.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import change_history
from oldcomm_desktop.gui.context import AppContext

COLUMNS = ("时间", "操作员", "操作", "记录", "字段", "原值", "新值")


class HistoryDialog(QDialog):
    """Shows `change_history.history(record_id)`; `with_children` adds a community's items, milestones, money."""

    def __init__(
        self,
        ctx: AppContext,
        record_id: str,
        title: str,
        *,
        with_children: bool = False,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(f"修改记录 — {title}")
        self.rows = ctx.read(lambda s: change_history.history(s, record_id, with_children=with_children))
        self.rows.reverse()  # newest first: the clerk usually asks about the last change
        self.filter = QLineEdit()
        self.filter.setObjectName("history_filter")
        self.filter.setPlaceholderText("筛选：操作员、字段或内容")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        self.table = QTableWidget(len(self.rows), len(COLUMNS))
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move within
        self.table.setObjectName("history_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        for r, row in enumerate(self.rows):
            cells = (
                row.at.strftime("%Y-%m-%d %H:%M"),
                row.operator,
                row.action,
                row.record,
                row.field,
                row.old,
                row.new,
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if len(text) > 20:
                    item.setToolTip(text)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel(self._summary(len(self.rows)))
        self.summary.setObjectName("history_summary")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        if not self.rows:
            empty = QLabel("这条记录还没有修改记录。")
            empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(empty)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(980, 520)

    @staticmethod
    def _summary(n: int) -> str:
        return f"共 {n:,} 条修改"

    def visible_rows(self) -> list[list[str]]:
        """The texts of the rows shown (after the filter), for tests and copying."""
        out = []
        for r in range(self.table.rowCount()):
            if not self.table.isRowHidden(r):
                out.append([self.table.item(r, c).text() for c in range(self.table.columnCount())])
        return out

    def _apply_filter(self, text: str) -> None:
        words = text.split()
        shown = 0
        for r in range(self.table.rowCount()):
            line = " ".join(self.table.item(r, c).text() for c in range(self.table.columnCount()))
            hide = any(w not in line for w in words)
            self.table.setRowHidden(r, hide)
            shown += not hide
        self.summary.setText(self._summary(shown))
