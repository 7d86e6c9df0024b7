"""检查整改 of the selected community: its inspections from the core's "inspections" listing.

Read-only here; a double-click (or the button) takes the clerk to the 检查整改 page filtered to this
community, where inspections are recorded and rectifications followed up.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from oldcomm_desktop.core.inspections import KINDS
from oldcomm_desktop.core.money import format_quantity
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.list_page import EDIT_KEYS, RowActions
from oldcomm_desktop.gui.listing_source import ListingSource
from oldcomm_desktop.gui.paged_model import Column, PagedTableModel, PageQuery, setup_table_view


def _count(v: object) -> str:
    return "" if not v else str(v)


def _score(v: object) -> str:
    return format_quantity(v) if isinstance(v, Decimal) else ""


COLUMNS = [
    Column("inspected_on", "检查日期"),
    Column("kind", "检查类型", formatter=lambda v: KINDS.get(v, v or "")),
    Column("inspectors", "检查人员", sortable=False),
    Column("total_score", "得分", align="right", sortable=False, formatter=_score),
    Column("grade", "等级", sortable=False),
    Column("open_rectifications", "未销号整改", align="right", sortable=False, formatter=_count),
    Column("overdue_rectifications", "其中逾期", align="right", sortable=False, formatter=_count),
]


class InspectionsTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.community_id = ""
        self.source = ListingSource(ctx, "inspections", COLUMNS, fixed_filters={"community": "-"})
        self.model = PagedTableModel(self.source, self, page_size=200, query=PageQuery("", (), "inspected_on", True))
        self.view = QTableView()
        self.view.setObjectName("inspections_table")
        setup_table_view(self.view, self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # 检查人员 takes the spare width
        self.view.doubleClicked.connect(lambda _i: self.open_inspections_page())
        self.count_label = QLabel()
        self.count_label.setObjectName("inspections_count")
        hint = QLabel("双击打开“检查整改”页")
        hint.setStyleSheet(colours.text_style("muted"))
        self.row_actions = RowActions(self.view, self, lambda: self.community_id)
        go = self.row_actions.add(
            "到检查整改页…", "go_inspections_action", self.open_inspections_page, shortcuts=EDIT_KEYS,
            needs_row=False, tip="在“检查整改”页查看、登记这个小区的检查和整改",
        )
        self.go_button = self.row_actions.button(go, "go_inspections")
        bar = QHBoxLayout()
        bar.addWidget(self.count_label)
        bar.addWidget(hint, 1, Qt.AlignmentFlag.AlignRight)
        bar.addWidget(self.go_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

    def set_community(self, community_id: str) -> None:
        if community_id != self.community_id:
            self.community_id = community_id
            self.source.fixed_filters = {"community": community_id or "-"}
            self.model.set_query(self.model.query)
        else:
            self.model.refresh()
        n = self.model.rowCount()
        self.count_label.setText(f"共 {n} 次检查" if community_id else "")
        self.row_actions.actions()[0].setEnabled(bool(community_id))  # the button follows the action

    def open_inspections_page(self) -> None:
        if self.community_id:
            self.ctx.navigate.emit("inspections", {"community": self.community_id})
