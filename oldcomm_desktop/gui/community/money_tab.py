"""资金 of the selected community: each funding source in each measure, and completed investment to date.

The figures come from funding.tree (parents are sums of their children) and funding.completed_figures
(this month, this year, since start) through core/community_detail.py; amounts follow the window's
money unit (元 or 万元). Editing opens the whole funding table; 登记完成投资 adds a dated amount.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import funding
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.community.funding_dialog import FundingDialog
from oldcomm_desktop.gui.community.record_dialogs import InvestmentDialog
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.widgets import money_text, open_dialog, push_button

MEASURE_KEYS = tuple(funding.MEASURES)
FIGURES = (
    ("total_investment", "总投资"),
    ("this_month", "本月完成投资"),
    ("this_year", "本年完成投资"),
    ("since_start", "累计完成投资"),
)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class MoneyTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.community_id = ""
        self.view: funding.MoneyView | None = None
        self.figures: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        for i, (key, title) in enumerate(FIGURES):
            caption = QLabel(title)
            caption.setStyleSheet(colours.text_style("muted"))
            value = QLabel("—")
            value.setObjectName(f"figure_{key}")
            font = value.font()
            font.setPointSizeF(font.pointSizeF() * 1.25)
            font.setBold(True)
            value.setFont(font)
            self.figures[key] = value
            grid.addWidget(caption, 0, i)
            grid.addWidget(value, 1, i)
        grid.setColumnStretch(len(FIGURES), 1)
        self.tree = QTreeWidget()
        self.tree.setObjectName("money_tree")
        self.tree.setColumnCount(1 + len(MEASURE_KEYS))
        self.tree.setHeaderLabels(["资金来源", *funding.MEASURES.values()])
        self.tree.setAlternatingRowColors(True)
        self.tree.setStyleSheet("QTreeWidget::item { padding: 3px 0; }")
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for c in range(1, 1 + len(MEASURE_KEYS)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch)
            self.tree.headerItem().setTextAlignment(c, _RIGHT)
        self.show_empty = QCheckBox("显示没有金额的来源")
        self.show_empty.setObjectName("show_empty_sources")
        self.show_empty.toggled.connect(lambda _on: self._fill_tree())
        self.edit_button = push_button("编辑资金来源…", "edit_funding", "按来源填写批复、年度计划、到位和拨付资金")
        self.entry_button = push_button("登记完成投资…", "add_investment", "登记某日完成的投资额（可为负数以冲减）")
        self.edit_button.clicked.connect(self.edit_funding)
        self.entry_button.clicked.connect(self.add_investment)
        bar = QHBoxLayout()
        bar.addLayout(grid, 1)
        bar.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignBottom)
        bar.addWidget(self.entry_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.note = QLabel()
        self.note.setObjectName("money_note")
        self.note.setStyleSheet(colours.text_style("muted"))
        foot = QHBoxLayout()
        foot.addWidget(self.note, 1)
        foot.addWidget(self.show_empty)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        layout.addLayout(foot)
        self._enable()

    def set_community(self, community_id: str) -> None:
        self.community_id = community_id
        self.view = self.ctx.read(lambda s: funding.money_view(s, community_id)) if community_id else None
        unit = self.ctx.money_unit
        v = self.view
        values = {
            "total_investment": v.total_investment if v else None,
            "this_month": v.this_month if v else None,
            "this_year": v.this_year if v else None,
            "since_start": v.since_start if v else None,
        }
        for key, label in self.figures.items():
            label.setText(money_text(values[key], unit, blank="—"))
        if v:
            self.note.setText(f"完成投资截至 {v.as_of}；金额单位：{unit}")
        else:
            self.note.setText("")
        self._fill_tree()
        self._enable()

    def figure_text(self, key: str) -> str:
        return self.figures[key].text()

    def _fill_tree(self) -> None:
        self.tree.clear()
        v = self.view
        if v is None:
            return
        unit = self.ctx.money_unit
        show_all = self.show_empty.isChecked()
        stack: list[QTreeWidgetItem] = []
        bold = QFont()
        bold.setBold(True)
        for row in v.rows:
            del stack[row.depth :]
            if row.empty and not show_all:
                stack.append(None)  # keep depths aligned for the children (all empty too)
                continue
            cells = [row.name, *(money_text(row.amounts[k], unit, blank="") for k in MEASURE_KEYS)]
            item = QTreeWidgetItem(cells)
            item.setData(0, Qt.ItemDataRole.UserRole, row.code)
            for c in range(1, len(cells)):
                item.setTextAlignment(c, _RIGHT)
            if not row.leaf:
                item.setFont(0, bold)
            parent = stack[-1] if stack else None
            if parent is None:
                self.tree.addTopLevelItem(item)
            else:
                parent.addChild(item)
            stack.append(item)
        if self.tree.topLevelItemCount() == 0:
            empty = QTreeWidgetItem(["尚未填写资金来源，点“编辑资金来源…”填写"])
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.tree.addTopLevelItem(empty)
        else:
            total = QTreeWidgetItem(["合计", *(money_text(v.totals[k], unit) for k in MEASURE_KEYS)])
            for c in range(len(MEASURE_KEYS) + 1):
                total.setFont(c, bold)
                if c:
                    total.setTextAlignment(c, _RIGHT)
            total.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.tree.addTopLevelItem(total)
        self.tree.expandAll()

    def amounts_of(self, code: str) -> dict[str, str] | None:
        """The shown texts of one source's row (tests)."""
        found = self.tree.findItems("", Qt.MatchFlag.MatchContains | Qt.MatchFlag.MatchRecursive)
        for item in found:
            if item.data(0, Qt.ItemDataRole.UserRole) == code:
                return {k: item.text(i) for i, k in enumerate(MEASURE_KEYS, start=1)}
        return None

    def _enable(self) -> None:
        self.edit_button.setEnabled(bool(self.community_id))
        self.entry_button.setEnabled(bool(self.community_id))

    def edit_funding(self) -> FundingDialog | None:
        if not self.community_id:
            return None
        return open_dialog(FundingDialog(self.ctx, self.community_id, parent=self))

    def add_investment(self) -> InvestmentDialog | None:
        if not self.community_id:
            return None
        return open_dialog(InvestmentDialog(self.ctx, self.community_id, parent=self))
