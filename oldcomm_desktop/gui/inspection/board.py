"""整改销号看板: rectifications by state — 待整改, 已逾期, 待复查, 已销号 — with reply and re-inspection.

The tabs carry the count of each state (the core's `rectification_counts`, with the same search and
filters as the table); the table is the core's "rectifications" listing with its "state" filter; overdue
rows are drawn in red. The day overdue is measured against is the core's (`inspections.today`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTabBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import inspections
from oldcomm_desktop.core.errors import NotFound
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui import settings_keys as keys
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.inspection.followup_dialogs import ReinspectionDialog, reply_dialog, summary_html
from oldcomm_desktop.gui.inspection.highlight import HighlightDelegate
from oldcomm_desktop.gui.inspection.photos import PhotoStrip, photos_from
from oldcomm_desktop.gui.list_page import EDIT_KEYS, RowActions, remembered_splitter, township_choices
from oldcomm_desktop.gui.listing_source import ListingSource
from oldcomm_desktop.gui.paged_model import Column, PageQuery
from oldcomm_desktop.gui.paper import actions as paper_actions
from oldcomm_desktop.gui.record_table import RecordTable

BOARD_STATES = ("open", "overdue", "awaiting", "closed")  # the tab order the clerks asked for
ALL = "all"


def default_widths(table: RecordTable, widths: Mapping[str, int]) -> None:
    """Column widths for a first start; once the clerk changes them, the remembered layout wins."""
    if table.ctx.settings.value(keys.table_state(table.state_key)):
        return
    header = table.view.horizontalHeader()
    blocked = header.blockSignals(True)  # not a change of the clerk's: do not save it as one
    for key, width in widths.items():
        i = table.model.column_index(key)
        if i >= 0:
            header.resizeSection(i, width)
    header.blockSignals(blocked)


def _days_left(row: Mapping[str, Any]) -> str:
    if row["state"] == "closed":
        return ""
    days = (row["current_deadline"] - inspections.today()).days
    if days < 0:
        return f"逾期 {-days} 天"
    return "今天到期" if days == 0 else f"还剩 {days} 天"


def decorate(row: dict) -> dict:
    """Add the core's state (and its label) to a row of the "rectifications" listing."""
    row["state"] = inspections.row_state(row)
    row["state_label"] = inspections.STATES[row["state"]]
    row["days_left"] = _days_left(row)
    return row


COLUMNS = [
    Column("state_label", "状态", sortable=False),
    Column("notice_no", "通知单编号", sortable=False),
    Column("township", "乡镇", sortable=False),  # in a county, which township's notice this is
    Column("community", "小区"),
    Column("problem", "存在问题", sortable=False),
    Column("current_deadline", "整改期限"),
    Column("days_left", "期限", sortable=False),
    Column("replied_on", "回复日期", sortable=False),
    Column("inspected_on", "检查日期"),
    Column("addressed_to", "整改单位", sortable=False),
    Column("closed_on", "销号日期", sortable=False),
]


class ScopeBar(QWidget):
    """Chips for filters that come from elsewhere (a community, an inspection), each with ✕ to drop it."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.scope: dict[str, tuple[Any, str]] = {}
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.setVisible(False)

    def set(self, key: str, value: Any, label: str) -> None:
        if value in (None, ""):
            self.scope.pop(key, None)
        else:
            self.scope[key] = (value, label)
        self._rebuild()
        self.changed.emit()

    def filters(self) -> dict[str, Any]:
        return {k: v for k, (v, _label) in self.scope.items()}

    def _rebuild(self) -> None:
        while self.row.count():
            item = self.row.takeAt(0)
            if item.widget():
                item.widget().hide()
                item.widget().deleteLater()
        for key, (_value, label) in self.scope.items():
            chip = QLabel(f"只看：{label}")
            chip.setObjectName(f"scope_{key}")
            chip.setStyleSheet(colours.style("background:{chip_bg}; border-radius:3px; padding:2px 6px;"))
            drop = QToolButton()
            drop.setText("✕")
            drop.setToolTip("取消这个筛选")
            drop.setObjectName(f"drop_scope_{key}")
            drop.clicked.connect(lambda _c=False, k=key: self.set(k, None, ""))
            self.row.addWidget(chip)
            self.row.addWidget(drop)
        self.row.addStretch(1)
        self.setVisible(bool(self.scope))


class RectificationBoard(QWidget):
    """State tabs with counts, the table, and a pane with the selected rectification and its actions."""

    show_inspection = Signal(str)  # the clerk wants the inspection that issued a rectification
    counts_changed = Signal(dict)  # state -> count, after every refresh

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.state = "open"
        self.counts: dict[str, int] = {}
        self.tabs = QTabBar()
        self.tabs.setObjectName("state_tabs")
        self.tabs.setExpanding(False)
        self.tabs.setDrawBase(False)
        for state in (*BOARD_STATES, ALL):
            i = self.tabs.addTab(inspections.STATES.get(state, "全部"))
            self.tabs.setTabData(i, state)
        self.scope = ScopeBar()
        self.scope.changed.connect(self._requery)
        self.source = ListingSource(ctx, "rectifications", COLUMNS, fixed_filters={"state": "open"}, transform=decorate)
        self.table = RecordTable(
            ctx, self.source, "inspections/rectifications", search_hint="搜索：小区、存在问题、通知单编号或拼音首字母"
        )
        self.table.setObjectName("rectification_table")
        default_widths(
            self.table,
            {
                "state_label": 64,
                "notice_no": 160,
                "township": 80,
                "community": 110,
                "problem": 220,
                "current_deadline": 92,
                "days_left": 88,
                "replied_on": 92,
                "inspected_on": 92,
                "addressed_to": 180,
            },
        )
        townships = township_choices(ctx)
        if len(townships) > 1:
            self.table.add_filter("township", "乡镇", lambda: townships)
        self.delegate = HighlightDelegate(lambda row: row.get("state") == "overdue", self.table.view)
        self.table.view.setItemDelegate(self.delegate)
        self.table.model.set_query(PageQuery(sort_key="current_deadline"))
        self.table.model.count_changed.connect(lambda _n: self.refresh_counts())
        self.table.current_changed.connect(self.show_detail)
        self.table.clear_filters_hook = self._show_everything  # 清除筛选 also leaves the state tab and scope
        self.table.activated.connect(lambda _id: self.reinspect())  # double-click; Enter is the action's
        self.tabs.currentChanged.connect(lambda i: self.set_state(self.tabs.tabData(i)))

        self.detail = QLabel()
        self.detail.setObjectName("rectification_detail")
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.before = PhotoStrip(empty_text="检查时没有拍照")
        self.after = PhotoStrip(empty_text="还没有整改后照片")
        self._detail: dict[str, Any] | None = None
        self.row_actions = RowActions.for_table(self.table, self)
        still_open = lambda: bool(self._detail) and not self._detail["closed"]  # noqa: E731
        reply = self.row_actions.add("整改回复…", "reply_action", self.reply, enabled_when=still_open,
                                 tip="登记责任单位的整改回复和整改后照片")
        reinspect = self.row_actions.add("复查…", "reinspect_action", self.reinspect, shortcuts=EDIT_KEYS,
                                     enabled_when=still_open, tip="复查并销号或退回（双击或回车）")
        self.row_actions.separator()
        goto = self.row_actions.add("查看检查记录", "goto_inspection_action", self._goto_inspection,
                                enabled_when=lambda: bool(self._detail), tip="到检查记录查看下达这条整改的检查")
        self.reply_button = self.row_actions.button(reply, "reply")
        self.reinspect_button = self.row_actions.button(reinspect, "reinspect")
        self.inspection_button = self.row_actions.button(goto, "goto_inspection")
        pane = QWidget()
        pane_layout = QVBoxLayout(pane)
        buttons = QHBoxLayout()
        self.print_button = paper_actions.print_button(
            ctx, self, lambda: paper_actions.rectification_entries(self.current_id()), blanks=False
        )
        for b in (self.reply_button, self.reinspect_button, self.inspection_button, self.print_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        pane_layout.addLayout(buttons)
        pane_layout.addWidget(self.detail)
        pane_layout.addWidget(QLabel("检查时的照片："))
        pane_layout.addWidget(self.before)
        pane_layout.addWidget(QLabel("整改后照片："))
        pane_layout.addWidget(self.after)
        pane_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(pane)
        scroll.setMinimumWidth(300)
        self.splitter = splitter = remembered_splitter(
            ctx, "rectifications", [self.table, scroll], orientation=Qt.Orientation.Horizontal,
            stretch=(3, 1), sizes=(760, 360),
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        layout.addWidget(self.scope)
        layout.addWidget(splitter, 1)
        self.refresh_counts()
        self.show_detail("")
        ctx.data_changed.connect(lambda _t: self.show_detail(self.current_id()))  # after the table re-read

    # -- state and filters --------------------------------------------------------------------------
    def set_state(self, state: str) -> None:
        """Show one state's rectifications ("all" for every state)."""
        self.state = state
        index = next(i for i in range(self.tabs.count()) if self.tabs.tabData(i) == state)
        if self.tabs.currentIndex() != index:
            self.tabs.setCurrentIndex(index)  # comes back here through currentChanged
            return
        if state == ALL:
            self.source.fixed_filters.pop("state", None)
        else:
            self.source.fixed_filters["state"] = state
        self.table.model.set_query(self.table.model.query)

    def set_scope(self, key: str, value: Any, label: str = "") -> None:
        """Limit the board to a community or an inspection (`key` is a filter of the listing)."""
        self.scope.set(key, value, label)

    def _show_everything(self) -> None:
        """All states, no community or inspection scope: where a rectification that moved on is found again."""
        for key in list(self.scope.scope):
            self.scope.set(key, None, "")
        self.set_state(ALL)

    def _requery(self) -> None:
        state = self.source.fixed_filters.get("state")
        self.source.fixed_filters = {**self.scope.filters(), **({"state": state} if state else {})}
        self.table.model.set_query(self.table.model.query)

    def current_filters(self) -> dict[str, Any]:
        """The table's filters except the state (what the tab counts are counted with)."""
        q = self.table.model.query
        out = {k: v for k, v in self.source.fixed_filters.items() if k != "state"}
        out.update(dict(q.filters))
        return out

    def refresh_counts(self) -> None:
        filters, search = self.current_filters(), self.table.model.query.search
        self.counts = self.ctx.read(lambda s: inspections.rectification_counts(s, filters, search))
        for i in range(self.tabs.count()):
            state = self.tabs.tabData(i)
            n = sum(self.counts.values()) if state == ALL else self.counts.get(state, 0)
            self.tabs.setTabText(i, f"{inspections.STATES.get(state, '全部')}（{n}）")
            self.tabs.setTabTextColor(i, colours.qcolor("alert" if state == "overdue" and n else "text"))
        self.counts_changed.emit(dict(self.counts))

    def colours_changed(self) -> None:
        """Dark mode switched (colours.apply): the overdue tab's text in the new palette's alert colour."""
        self.refresh_counts()

    # -- the selected rectification -----------------------------------------------------------------
    def show_detail(self, rect_id: str) -> None:
        try:
            self._detail = self.ctx.read(lambda s: inspections.rectification_detail(s, rect_id)) if rect_id else None
        except NotFound:  # undone or deleted meanwhile
            self._detail = None
        d = self._detail
        self.detail.setText(summary_html(d) if d else colours.span("muted", "选择一条整改查看详情。"))
        self.before.set_photos(photos_from(d["before_photos"]) if d else [])
        self.after.set_photos(photos_from(d["after_photos"]) if d else [])
        self.row_actions.update()

    def current_id(self) -> str:
        try:
            return self.table.current_id()
        except IndexError:  # the selected row went away with an undo or a delete
            return ""

    def reply(self) -> None:
        rid = self.current_id()
        if rid and reply_dialog(self.ctx, rid, self).exec():
            self.show_detail(self.current_id())

    def reinspect(self) -> None:
        rid = self.current_id()
        if not rid or (self._detail and self._detail["closed"]):
            return
        if ReinspectionDialog(self.ctx, rid, self).exec():
            self.show_detail(self.current_id())

    def _goto_inspection(self) -> None:
        if self._detail:
            self.show_inspection.emit(self._detail["inspection_id"])

    def status_text(self) -> str:
        c = self.counts
        return (
            f"整改：待整改 {c.get('open', 0)}，已逾期 {c.get('overdue', 0)}，"
            f"待复查 {c.get('awaiting', 0)}，已销号 {c.get('closed', 0)}"
        )
