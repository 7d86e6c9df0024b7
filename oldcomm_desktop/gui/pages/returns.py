"""报表: the monthly returns (check, export, submit, review, history), the meeting briefing, the county's
completeness view and the meeting figures — each a panel of `gui/reporting/`, all thin faces over
`core/returns/`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from oldcomm_desktop.core import workspace
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.base import Page
from oldcomm_desktop.gui.reporting.briefing_panel import BriefingPanel
from oldcomm_desktop.gui.reporting.completeness_panel import CompletenessPanel
from oldcomm_desktop.gui.reporting.meeting_figures import MeetingFiguresPanel
from oldcomm_desktop.gui.reporting.return_panel import ReturnPanel


class ReturnsPage(Page):
    title = "报表"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("returns_tabs")
        self.returns = ReturnPanel(ctx)
        self.briefing = BriefingPanel(ctx)
        self.completeness = CompletenessPanel(ctx)
        self.meeting = MeetingFiguresPanel(ctx)
        self.tabs.addTab(self.returns, "月报表")
        self.tabs.addTab(self.briefing, "工作汇报")
        self._completeness_index = self.tabs.addTab(self.completeness, "报送情况")
        self.tabs.addTab(self.meeting, "会议数字")
        self.completeness.open_return = self._open_return
        self.tabs.currentChanged.connect(lambda _i: self._tab_shown())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(QLabel("<h2 style='margin:0'>报表</h2>"))
        layout.addWidget(self.tabs)
        self._loaded = False

    def activate(self) -> None:
        if not self._loaded:
            county = self.ctx.read(workspace.mode) == workspace.COUNTY
            self.tabs.setTabVisible(self._completeness_index, county)
            self.returns.load()
            self.briefing.load()
            self._loaded = True
        self.meeting.activate()  # cheap; its figures are what the other pages link here for
        self._tab_shown()

    def _tab_shown(self) -> None:
        w = self.tabs.currentWidget()
        if w is self.meeting:
            self.meeting.activate()
        elif w is self.completeness:
            self.completeness.refresh()
        elif w is self.returns:
            self.returns.refresh_state()
        show_actions = getattr(self.window(), "_show_page_actions", None)  # the 编辑 menu follows the tab
        if callable(show_actions) and self.isVisible():
            show_actions(self)

    def _open_return(self, kind: str, period: str, township: str) -> None:
        """报送情况 → one township's return on the 月报表 tab."""
        self.tabs.setCurrentWidget(self.returns)
        self.returns.select(kind, period, township)

    def edit_actions(self) -> list[QAction]:
        """The current tab's row actions (its tables' context menus offer the same)."""
        actions = getattr(self.tabs.currentWidget(), "edit_actions", None)
        return list(actions()) if callable(actions) else []

    def apply_filters(self, filters: dict) -> None:
        """{"year": 2025} shows the meeting figures of that year; {"kind", "period"} a return."""
        if "kind" in filters:
            self.activate()
            self.tabs.setCurrentWidget(self.returns)
            self.returns.select(filters["kind"], filters.get("period") or self.returns.period.currentData())
            return
        self.tabs.setCurrentWidget(self.meeting)
        self.meeting.apply_filters(filters)

    def status_text(self) -> str:
        return self.meeting.status_text()

    def sample_views(self) -> list[tuple[str, Any]]:
        """For scripts/render_pages.py: a checked return, the county's 报送情况, the meeting figures."""

        def checked() -> None:
            self.tabs.setCurrentWidget(self.returns)
            self.returns.run_check()

        views: list[tuple[str, Any]] = [("checked", checked)]
        if self.tabs.isTabVisible(self._completeness_index):
            views.append(("completeness", lambda: self.tabs.setCurrentWidget(self.completeness)))
        views.append(("meeting", lambda: self.tabs.setCurrentWidget(self.meeting)))
        return views

    # the meeting figures, as the page offered them before (tests, the clipboard button)
    def __getattr__(self, name: str) -> Any:
        if name in ("status_table", "scale_table", "indicator_table", "sentence", "copy_tables", "figures", "rows"):
            return getattr(self.meeting, name)
        raise AttributeError(name)
