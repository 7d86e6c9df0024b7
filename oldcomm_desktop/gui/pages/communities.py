"""小区台账: the ledger of communities, searchable and filterable, with the selected one's details below.

The table is the core's "communities" listing (sorted, searched and filtered in SQL, pinyin initials
included); the detail panel shows the selected community's milestones, items, money and inspections.
Every change — new, edit, delete, a milestone, an item, the funding table — is an undoable command.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from oldcomm_desktop.core import communities
from oldcomm_desktop.core import community_detail as cd
from oldcomm_desktop.core.lifecycle import STATUS_LABELS
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.list_page import DELETE_KEYS, EDIT_KEYS, ListPage, delete_record, township_choices
from oldcomm_desktop.gui.listing_source import ListingSource
from oldcomm_desktop.gui.paged_model import Column
from oldcomm_desktop.gui.record_table import RecordTable
from oldcomm_desktop.gui.widgets import money_text, push_button

if TYPE_CHECKING:  # imported when first used: neither is needed to show the ledger
    from oldcomm_desktop.gui.community.community_dialog import CommunityDialog
    from oldcomm_desktop.gui.community.detail import CommunityDetail

FILTER_KEYS = ("township", "status", "year", "category", "overdue")
OVERDUE_CHOICES = ((True, "有逾期整改"), (False, "无逾期整改"))


def _households(v: Any) -> str:
    return "" if v is None else f"{v:,} 户"


def _area(v: Any) -> str:
    return "" if v is None else f"{v:,.2f} m²"


class _AfterFirstPaint(QObject):
    """Calls `then` once, from the event loop, a moment (`delay` ms) after the watched widget's first paint:
    time for the frame to reach the screen before more work holds the GUI thread."""

    def __init__(self, watched: QWidget, then: Callable[[], object], delay: int = 50):
        super().__init__(watched)
        self._then, self._delay = then, delay
        watched.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(self._delay, self, self._then)
        return False


def community_columns(ctx: AppContext) -> list[Column]:
    """The ledger's columns; sortable only where the core's listing has a sort key (and an index)."""

    def money(v: Decimal | None) -> str:
        return money_text(v, ctx.money_unit)  # read at paint time, so a unit change re-renders

    return [
        Column("name", "小区名称"),
        Column("township", "乡镇（街道）"),
        Column("project", "所属项目", sortable=False),
        Column("status", "状态", formatter=lambda v: STATUS_LABELS.get(v, v or "")),
        Column("plan_year", "改造年度", align="right"),
        Column("households", "户数", align="right", formatter=_households),
        Column("floor_area", "建筑面积", align="right", formatter=_area),
        Column("total_investment", "总投资", align="right", formatter=money),
        Column("address", "地址", sortable=False),
    ]


class CommunitiesPage(ListPage):
    title = "小区台账"
    page_key = "communities"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.source = ListingSource(ctx, "communities", community_columns(ctx))
        self.set_table(RecordTable(ctx, self.source, "communities"))
        self.table.add_filter("township", "乡镇", lambda: township_choices(ctx))
        self.table.add_filter("status", "状态", cd.status_choices)
        self.table.add_filter("year", "年度", self._year_choices)
        self.table.add_filter("category", "改造类别", lambda: ctx.read(cd.category_choices))
        self.table.add_filter("overdue", "整改情况", lambda: OVERDUE_CHOICES)
        # the detail pane (four tabs, each reading the selected community) is built just after the table's
        # first paint, or at once when something asks for it (`detail`): the window shows the ledger sooner
        self._detail: CommunityDetail | None = None
        self._detail_slot = QWidget()

        acts = self.row_actions
        edit = acts.add("修改小区…", "edit_community_action", self.edit_current, shortcuts=EDIT_KEYS,
                        tip="修改选中的小区（双击或回车）")
        delete = acts.add("删除小区", "delete_community_action", self.delete_current, shortcuts=DELETE_KEYS,
                          tip="把选中的小区移入回收站（Delete；可撤销）")
        acts.separator()
        history = acts.add("修改记录", "community_history_action", self.show_history,
                           tip="谁在什么时候改了这个小区的什么")
        self.new_button = push_button("新建小区", "new_community", "新建一个小区（Ctrl+N）")
        self.new_button.clicked.connect(self.new_record)
        self.edit_button = acts.button(edit, "edit_community", "修改…")
        self.delete_button = acts.button(delete, "delete_community", "删除")
        self.history_button = acts.button(history, "community_history")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for b in (self.new_button, self.edit_button, self.delete_button, self.history_button):
            bar.addWidget(b)
        bar.addStretch(1)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(bar)
        top_layout.addWidget(self.table, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.split(top, self._detail_slot, stretch=(3, 2)))
        self._after_paint = _AfterFirstPaint(self.table.view.viewport(), self._build_detail)

        self.table.current_changed.connect(self._current_changed)
        self.table.activated.connect(lambda _id: self.edit_current())
        self.table.count_changed.connect(lambda _n: self._status_changed())
        self._sync_timer = QTimer(self, singleShot=True, interval=0)
        self._sync_timer.timeout.connect(self._sync_detail)
        ctx.data_changed.connect(self._data_changed)

    # -- Page ---------------------------------------------------------------------------------------
    def status_text(self) -> str:
        n = self.table.model.shown_count
        narrowed = bool(self.table.search.text().strip() or self.table.extra_filters) or any(
            b.currentData() is not None for b in self.table.filters.values()
        )
        return f"共 {n:,} 个小区" + ("（已按条件筛选）" if narrowed else "")

    def apply_filters(self, filters: dict) -> None:
        """Show what the dashboard asked for: the given filters, every other one cleared."""
        for box in self.table.filters.values():
            blocked = box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(blocked)
        for key in FILTER_KEYS:
            if key not in filters or filters[key] in (None, ""):
                continue
            value = filters[key]
            if key == "year":
                value = int(value)
                self._ensure_year(value)
            elif key == "overdue":
                value = bool(value)
            self.table.set_filter(key, value)
        self.table.set_extra_filters({"project": filters.get("project")})
        self.table.search.setText(str(filters.get("search") or ""))
        self.table.search.returnPressed.emit()  # apply now, not after the typing pause
        self._status_changed()

    # -- editing ------------------------------------------------------------------------------------
    def new_record(self) -> CommunityDialog:
        from oldcomm_desktop.gui.community.community_dialog import CommunityDialog

        defaults: dict[str, Any] = {}
        township = self.table.filters["township"].currentData()
        choices = township_choices(self.ctx)
        if township:
            defaults["township_code"] = township
        elif len(choices) == 1:
            defaults["township_code"] = choices[0][0]
        dialog = CommunityDialog(self.ctx, defaults=defaults, parent=self)
        dialog.accepted.connect(lambda: self._select_id(dialog.saved_id))
        return self.open(dialog)

    def edit_current(self) -> CommunityDialog | None:
        cid = self.table.current_id()
        if not cid:
            return None
        from oldcomm_desktop.gui.community.community_dialog import CommunityDialog

        return self.open(CommunityDialog(self.ctx, cid, parent=self))

    def delete_current(self) -> bool:
        row = self.table.current_row()
        if not row:
            return False
        name = row["name"]
        return delete_record(
            self,
            self.ctx,
            title="删除小区",
            question=f"确定删除小区“{name}”吗？\n\n它和它的改造内容、进度节点、资金记录将一起移入回收站，"
            "可以在“回收站”中恢复，也可以马上按 Ctrl+Z 撤销。",
            undo_text=f"删除小区“{name}”",
            record_id=str(row["id"]),
            delete=communities.delete,
            restore=communities.restore,
            table="community",
            version=row.get("version"),
        )

    def show_history(self) -> Any:
        row = self.table.current_row()
        if not row:
            return None
        from oldcomm_desktop.gui.community.community_dialog import open_history

        self.dialog = open_history(self.ctx, str(row["id"]), row["name"], self, with_children=True)
        return self.dialog

    # -- selection and refresh ----------------------------------------------------------------------
    @property
    def detail(self) -> CommunityDetail:
        """The selected community's milestones, items, money and inspections (built on first use)."""
        if self._detail is None:
            from oldcomm_desktop.gui.community.detail import CommunityDetail

            self._detail = CommunityDetail(self.ctx)
            sizes = self.splitter.sizes()  # as laid out (or restored) with the placeholder: kept
            self.splitter.replaceWidget(self.splitter.indexOf(self._detail_slot), self._detail)
            if sum(sizes):
                self.splitter.setSizes(sizes)
            self._detail_slot.deleteLater()
            current = self.table.current_id()
            if current:
                self._detail.show_community(current)
        return self._detail

    def _build_detail(self) -> None:
        if not self.ctx.reads_paused:  # else the window closed (or the database is being replaced) meanwhile
            self.detail  # noqa: B018 - built on first use

    def _current_changed(self, cid: str) -> None:
        if self._detail is None:
            return  # shown when the pane is built
        if cid != self.detail.community_id:
            self.detail.show_community(cid)

    def _data_changed(self, table: str) -> None:
        if table in ("community", "*"):
            self._reload_years()
        self._sync_timer.start()  # once the table has refreshed, re-read the detail

    def _sync_detail(self) -> None:
        self.detail.show_community(self.table.current_id())
        self._status_changed()

    def _select_id(self, record_id: str | None) -> None:
        """Select a record wherever the table's order puts it (a new one may be filtered out: then say so)."""
        if record_id and not self.table.select_id(record_id):
            self.table.announce_lost(record_id, "刚才新建的小区不符合当前的搜索或筛选条件，所以不在列表中。")

    def _status_changed(self) -> None:
        window = self.window()
        if hasattr(window, "update_status"):
            window.update_status()

    # -- the year filter follows the data -----------------------------------------------------------
    def _year_choices(self) -> list[tuple[int, str]]:
        return [(y, f"{y} 年度") for y in self.ctx.read(cd.plan_year_choices)]

    def _reload_years(self) -> None:
        box: QComboBox = self.table.filters["year"]
        keep = box.currentData()
        blocked = box.blockSignals(True)
        while box.count() > 1:
            box.removeItem(1)
        for value, text in self._year_choices():
            box.addItem(text, value)
        if keep is not None and box.findData(keep) < 0:
            box.addItem(f"{keep} 年度", keep)  # the filter in force stays what it says
        box.setCurrentIndex(max(box.findData(keep), 0) if keep is not None else 0)
        box.blockSignals(blocked)

    def _ensure_year(self, year: int) -> None:
        box = self.table.filters["year"]
        if box.findData(year) < 0:
            box.addItem(f"{year} 年度", year)
