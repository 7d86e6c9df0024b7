"""The detail half of the 小区台账 page: a summary line and four tabs about the selected community."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from oldcomm_desktop.core import community_detail as cd
from oldcomm_desktop.core.errors import NotFound
from oldcomm_desktop.core.money import format_quantity
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.community.inspections_tab import InspectionsTab
from oldcomm_desktop.gui.community.items_tab import ItemsTab
from oldcomm_desktop.gui.community.money_tab import MoneyTab
from oldcomm_desktop.gui.community.timeline import TimelineTab
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.paper import actions as paper_actions
from oldcomm_desktop.gui.widgets import money_text

EMPTY_TEXT = "在上方表格中选择一个小区，这里显示它的进度节点、改造内容、资金和检查整改。"


class CommunityDetail(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.community_id = ""
        self.head: cd.CommunityHeader | None = None
        self.title = QLabel()
        self.title.setObjectName("detail_title")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.facts = QLabel(EMPTY_TEXT)
        self.facts.setObjectName("detail_facts")
        self.facts.setStyleSheet(colours.text_style("muted"))
        self.facts.setWordWrap(True)
        self.timeline = TimelineTab(ctx)
        self.items = ItemsTab(ctx)
        self.money = MoneyTab(ctx)
        self.inspections = InspectionsTab(ctx)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("detail_tabs")
        self.tabs.addTab(self.timeline, "进度节点")
        self.tabs.addTab(self.items, "改造内容")
        self.tabs.addTab(self.money, "资金")
        self.tabs.addTab(self.inspections, "检查整改")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        self.print_button = paper_actions.print_button(
            ctx, self, lambda: paper_actions.community_entries(self.community_id), name="print_community"
        )
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.print_button)
        layout.addLayout(head)
        layout.addWidget(self.facts)
        layout.addWidget(self.tabs, 1)
        self.show_community("")

    def show_community(self, community_id: str) -> None:
        """Show `community_id` ("" for none); called again after any change to re-read everything."""
        try:
            self.head = self.ctx.read(lambda s: cd.header(s, community_id)) if community_id else None
        except NotFound:  # deleted meanwhile (by this clerk, or another on a shared server)
            self.head, community_id = None, ""
        self.community_id = community_id
        h = self.head
        self.title.setText(h.name if h else "")
        self.title.setVisible(h is not None)
        self.facts.setText(self._facts(h) if h else EMPTY_TEXT)
        self.timeline.set_community(community_id, h.status if h else "")
        self.items.set_community(community_id)
        self.money.set_community(community_id)
        self.inspections.set_community(community_id)
        self.tabs.setEnabled(h is not None)
        self.print_button.setEnabled(h is not None)

    def _facts(self, h: cd.CommunityHeader) -> str:
        parts = [h.township]
        if h.project:
            parts.append(h.project)
        parts.append(f"状态：{h.status_label}")
        if h.plan_year:
            parts.append(f"{h.plan_year} 年度")
        if h.households is not None:
            parts.append(f"{h.households:,} 户")
        if h.floor_area is not None:
            parts.append(f"{format_quantity(h.floor_area)} m²")
        if h.total_investment is not None:
            parts.append(f"总投资 {money_text(h.total_investment, self.ctx.money_unit)}")
        if h.progress_percent is not None:
            parts.append(f"形象进度 {h.progress_percent}%")
        return " · ".join(parts)
