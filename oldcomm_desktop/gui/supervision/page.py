"""督办考核 page: tabs for orders, rankings and 通报, the annual assessment and residents' requests.

Each tab reads through the core when shown and again when any data changes (short lists, so a re-read
is cheap); the dashboard's counts of overdue orders and replies lead here.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from oldcomm_desktop.core.supervision import orders, requests
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.base import Page
from oldcomm_desktop.gui.supervision.assessment_tab import AssessmentTab
from oldcomm_desktop.gui.supervision.orders_tab import OrdersTab
from oldcomm_desktop.gui.supervision.ranking_tab import RankingTab
from oldcomm_desktop.gui.supervision.requests_tab import RequestsTab


class SupervisionPage(Page):
    title = "督办考核"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.orders = OrdersTab(ctx)
        self.ranking = RankingTab(ctx)
        self.assessment = AssessmentTab(ctx)
        self.requests = RequestsTab(ctx)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("page_tabs")
        self.tabs.addTab(self.orders, "督办")
        self.tabs.addTab(self.ranking, "排名通报")
        self.tabs.addTab(self.assessment, "年度考核")
        self.tabs.addTab(self.requests, "居民诉求")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.tabs)
        self._stale = False
        ctx.data_changed.connect(self._data_changed)
        self._label_tabs()

    def _data_changed(self, _table: str) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def refresh(self) -> None:
        self._stale = False
        for tab in (self.orders, self.ranking, self.assessment, self.requests):
            tab.refresh()
        self._label_tabs()

    def _label_tabs(self) -> None:
        late_orders, late_replies = self.ctx.read(lambda s: (orders.overdue_count(s), requests.overdue_count(s)))
        self.tabs.setTabText(0, f"督办（逾期 {late_orders}）" if late_orders else "督办")
        self.tabs.setTabText(3, f"居民诉求（逾期 {late_replies}）" if late_replies else "居民诉求")

    def activate(self) -> None:
        if self._stale:
            self.refresh()

    def apply_filters(self, filters: dict) -> None:
        """{"tab": "orders"|"ranking"|"assessment"|"requests", "state": …, "period": "YYYY-MM"}."""
        tab = {
            "orders": self.orders,
            "ranking": self.ranking,
            "assessment": self.assessment,
            "requests": self.requests,
        }.get(filters.get("tab", ""))
        if tab is None:
            return
        self.tabs.setCurrentWidget(tab)
        if "state" in filters and tab in (self.orders, self.requests):
            i = tab.state.findData(filters["state"])
            tab.state.setCurrentIndex(max(i, 0))
        if "period" in filters and tab is self.ranking:
            self.ranking.set_period(filters["period"])

    def edit_actions(self) -> list[QAction]:
        """The row actions of the tab shown (督办: 开始处理, 答复 …; 居民诉求: 答复), for the 编辑 menu."""
        row_actions = getattr(self.tabs.currentWidget(), "row_actions", None)  # RowActions, not QWidget.actions
        return row_actions.actions() if row_actions is not None else []

    def status_text(self) -> str:
        return f"督办 {len(self.orders.table.rows)} 条；居民诉求 {len(self.requests.table.rows)} 条"

    # -- scripts/render_pages.py --------------------------------------------------------------------------
    def sample_views(self) -> list:
        def show(i: int):
            return lambda: self.tabs.setCurrentIndex(i)

        def an_order_with_history() -> None:
            self.tabs.setCurrentIndex(0)
            rows = self.orders.table.rows
            pick = next((r for r in rows if r["opinion"]), rows[0] if rows else None)
            if pick:
                self.orders.table.select_id(pick["id"])

        views = [(name, show(i)) for i, name in enumerate(("orders", "ranking", "assessment", "requests"))]
        return [*views, ("order_detail", an_order_with_history)]

    def sample_dialogs(self) -> list:
        return [("issue_order", self.orders.make_issue_dialog()), ("add_request", self.requests.make_add_dialog())]
