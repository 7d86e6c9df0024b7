"""检查整改 page: the inspections recorded (patrols, acceptance, management checks) and the rectification board.

Two tabs: 检查记录 — the core's "inspections" listing with search and filters (kind, township, overdue),
the selected inspection's checklist, findings, rectifications and photos below; 整改销号 — the board of
rectifications by state. Other pages send the clerk here with `apply_filters({"community": id})` or
`apply_filters({"state": "overdue"})`.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import communities, inspections
from oldcomm_desktop.core.errors import NotFound
from oldcomm_desktop.core.money import format_quantity
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.inspection.board import RectificationBoard, ScopeBar, default_widths
from oldcomm_desktop.gui.inspection.highlight import HighlightDelegate
from oldcomm_desktop.gui.inspection.photos import PhotoStrip, photos_from
from oldcomm_desktop.gui.inspection.record_dialog import InspectionDialog
from oldcomm_desktop.gui.list_page import (
    DELETE_KEYS,
    RowActions,
    delete_record,
    remembered_splitter,
    save_splitter,
    township_choices,
)
from oldcomm_desktop.gui.listing_source import ListingSource
from oldcomm_desktop.gui.paged_model import Column, PageQuery
from oldcomm_desktop.gui.pages.base import Page
from oldcomm_desktop.gui.paper import actions as paper_actions
from oldcomm_desktop.gui.record_table import RecordTable
from oldcomm_desktop.gui.widgets import push_button

STATE_ROLES = {"overdue": "alert", "closed": "ok", "awaiting": "info"}  # colours.py roles


def _score_grade(row: dict) -> dict:
    total, grade = row.get("total_score"), row.get("grade")
    row["score_grade"] = " ".join(x for x in (format_quantity(total) if total is not None else "", grade or "") if x)
    return row


COLUMNS = [
    Column("inspected_on", "检查日期"),
    Column("kind", "检查类型", formatter=lambda v: inspections.KINDS.get(v, v or "")),
    Column("community", "小区"),
    Column("project", "项目", sortable=False),
    Column("inspectors", "检查人员", sortable=False),
    Column("score_grade", "得分 / 等级", sortable=False),
    Column("open_rectifications", "未销号整改", align="right", sortable=False),
    Column("overdue_rectifications", "已逾期", align="right", sortable=False),
]


def detail_html(d: dict[str, Any]) -> str:
    """The selected inspection: who, when, the checklist outcome, findings and the rectifications issued."""
    head = f"<b>{d['inspected_on']}　{escape(d['kind_label'])}　{escape(d['community'] or '')}</b>"
    parts = [head]
    if d.get("project"):
        parts.append(f"项目：{escape(d['project'])}")
    if d.get("inspectors"):
        parts.append(f"检查人员：{escape(d['inspectors'])}")
    results = d["results"]
    if d["kind"] == "management":
        if d.get("total_score") is not None:
            parts.append(
                f"总分：<b>{format_quantity(d['total_score'])}</b>　等级：<b>{escape(d.get('grade') or '—')}</b>"
            )
        rows = "".join(
            f"<tr><td>{escape(r['area'] or '')}</td><td>{escape(r['text'])}</td>"
            f"<td align='right'>{format_quantity(r['score'])} / {r['max_score'] or ''}</td></tr>"
            for r in results
        )
        if rows:
            parts.append(f"<table cellspacing='0' cellpadding='2'>{rows}</table>")
    elif results:
        counts = {code: sum(1 for r in results if r["result"] == code) for code in inspections.RESULTS}
        parts.append(
            f"检查 {len(results)} 项：合格 {counts['pass']}，"
            + colours.span("alert", f"不合格 {counts['fail']}")
            + f"，不适用 {counts['na']}"
        )
        failed = [r for r in results if r["result"] == "fail"]
        if failed:
            items = "".join(f"<li>{escape(r['area'] or '')}：{escape(r['text'])}</li>" for r in failed)
            parts.append(f"{colours.span('alert', '不合格项：')}<ul style='margin:0'>{items}</ul>")
    if d.get("findings"):
        parts.append(f"发现问题：{escape(d['findings'])}")
    rects = d["rectifications"]
    if rects:
        lines = []
        for r in rects:
            state = colours.span(STATE_ROLES.get(r["state"], "text"), f"<b>{inspections.STATES[r['state']]}</b>")
            lines.append(
                f"<li>{escape(r['notice_no'] or '')}　{escape(r['problem'])}　期限 {r['deadline']}　{state}</li>"
            )
        parts.append(f"整改通知 {len(rects)} 条：<ul style='margin:0'>{''.join(lines)}</ul>")
    else:
        parts.append(colours.span("muted", "没有下达整改。"))
    return "<br>".join(parts)


class InspectionsPage(Page):
    title = "检查整改"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        # -- tab 1: inspections ---------------------------------------------------------------------
        self.new_button = push_button("记录检查…", "new_inspection", "记录一次检查（Ctrl+N）")
        self.new_button.clicked.connect(self.new_record)
        self._detail: dict | None = None
        self.scope = ScopeBar()
        self.scope.changed.connect(self._requery)
        self.source = ListingSource(ctx, "inspections", COLUMNS, transform=_score_grade)
        self.table = RecordTable(
            ctx, self.source, "inspections/list", search_hint="搜索：小区、项目、检查人员、发现问题或拼音首字母"
        )
        self.table.setObjectName("inspection_table")
        self.row_actions = RowActions.for_table(self.table, self)
        delete = self.row_actions.add("删除检查记录", "delete_inspection_action", self.delete_current,
                                  shortcuts=DELETE_KEYS, enabled_when=lambda: bool(self._detail),
                                  tip="把选中的检查记录及其整改通知移入回收站（Delete；可撤销）")
        self.row_actions.separator()
        rects = self.row_actions.add("查看这次检查的整改", "show_rectifications_action",
                                 self._show_rectifications_of_current,
                                 enabled_when=lambda: bool(self._detail and self._detail["rectifications"]),
                                 tip="到整改销号看板查看这次检查下达的整改")
        self.delete_button = self.row_actions.button(delete, "delete_inspection", "删除")
        self.rects_button = self.row_actions.button(rects, "show_rectifications")
        default_widths(
            self.table,
            {
                "inspected_on": 96,
                "kind": 110,
                "community": 130,
                "project": 260,
                "inspectors": 180,
                "score_grade": 90,
                "open_rectifications": 86,
            },
        )
        self.table.add_filter("kind", "检查类型", lambda: list(inspections.KINDS.items()))
        townships = township_choices(ctx)
        if len(townships) > 1:
            self.table.add_filter("township", "乡镇", lambda: townships)
        self.table.add_filter("overdue", "逾期情况", lambda: [(True, "有逾期整改"), (False, "无逾期整改")])
        self.delegate = HighlightDelegate(lambda row: (row.get("overdue_rectifications") or 0) > 0, self.table.view)
        self.table.view.setItemDelegate(self.delegate)
        self.table.model.set_query(PageQuery(sort_key="inspected_on", descending=True))
        self.detail = QTextBrowser()
        self.detail.setObjectName("inspection_detail")
        self.detail.setOpenLinks(False)
        self.photos = PhotoStrip(wrap=True, empty_text="这次检查没有照片")
        self.table.current_changed.connect(self.show_detail)
        self.table.count_changed.connect(lambda _n: self._changed_status())

        toolbar = QHBoxLayout()
        self.print_button = paper_actions.print_button(
            ctx, self, lambda: paper_actions.inspection_entries(ctx, self.current_id()), batch=True
        )
        for b in (self.new_button, self.delete_button, self.rects_button, self.print_button):
            toolbar.addWidget(b)
        toolbar.addStretch(1)
        photo_pane = QWidget()
        photo_layout = QVBoxLayout(photo_pane)
        photo_layout.setContentsMargins(0, 0, 0, 0)
        photo_layout.addWidget(QLabel("现场照片（双击看大图）："))
        photo_layout.addWidget(self.photos, 1)
        lower = remembered_splitter(
            ctx, "inspections_detail", [self.detail, photo_pane], orientation=Qt.Orientation.Horizontal,
            stretch=(3, 2), sizes=(660, 440),
        )
        split = remembered_splitter(ctx, "inspections", [self.table, lower], stretch=(3, 2), sizes=(400, 260))
        self.splitters = {"inspections": split, "inspections_detail": lower, "rectifications": None}
        first = QWidget()
        first_layout = QVBoxLayout(first)
        first_layout.addLayout(toolbar)
        first_layout.addWidget(self.scope)
        first_layout.addWidget(split, 1)

        # -- tab 2: the board -----------------------------------------------------------------------
        self.board = RectificationBoard(ctx)
        self.board.show_inspection.connect(self.show_inspection)
        self.board.counts_changed.connect(lambda _c: self._changed_status())

        self.tabs = QTabWidget()
        self.tabs.setObjectName("page_tabs")
        self.tabs.addTab(first, "检查记录")
        self.tabs.addTab(self.board, "整改销号")
        from oldcomm_desktop.gui.supervision.schedules_tab import SchedulesTab  # 检查计划: due / missed

        self.schedules = SchedulesTab(ctx)
        self.tabs.addTab(self.schedules, "检查计划")
        self.tabs.currentChanged.connect(lambda _i: self._changed_status())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.tabs)
        self._changed_status()
        self.show_detail("")
        ctx.data_changed.connect(lambda _t: self.show_detail(self.current_id()))  # after the table re-read

    # -- Page ---------------------------------------------------------------------------------------
    def activate(self) -> None:
        self.table.refresh()  # re-read, staying on the same record

    def focus_search(self) -> None:
        search = self.board.table.search if self.tabs.currentWidget() is self.board else self.table.search
        search.setFocus()
        search.selectAll()

    def make_record_dialog(self, kind: str = "patrol") -> InspectionDialog:
        community = self.scope.filters().get("community", "")
        return InspectionDialog(self.ctx, kind=kind, community_id=community, parent=self)

    def new_record(self) -> None:
        dialog = self.make_record_dialog()
        if dialog.exec() and dialog.saved_id:
            self.tabs.setCurrentIndex(0)

    def apply_filters(self, filters: dict) -> None:
        """{"community": id}, {"state": "overdue"}, {"inspection": id}, {"kind"/"township"/"overdue": …}."""
        if "community" in filters:
            cid = filters["community"]
            name = self.ctx.read(lambda s: communities.get(s, cid).name) if cid else ""
            self.scope.set("community", cid, name)
            self.board.set_scope("community", cid, name)
        if "inspection" in filters:
            self.board.set_scope("inspection", filters["inspection"], "本次检查的整改")
        for key in ("kind", "township", "overdue"):
            if key in filters:
                self.table.set_filter(key, filters[key])
        if "search" in filters:
            self.table.search.setText(str(filters["search"]))
        if filters.get("tab") == "schedules":
            self.tabs.setCurrentWidget(self.schedules)
        elif "state" in filters or "inspection" in filters:
            self.board.set_state(filters.get("state") or "all")
            self.tabs.setCurrentWidget(self.board)
        else:
            self.tabs.setCurrentIndex(0)

    def status_text(self) -> str:
        return f"共 {self.table.model.shown_count:,} 条检查记录；{self.board.status_text()}"

    def save_state(self) -> None:
        self.table.save_state()
        self.board.table.save_state()
        self.splitters["rectifications"] = self.board.splitter
        for key, splitter in self.splitters.items():
            if splitter is not None:
                save_splitter(self.ctx, key, splitter)

    def edit_actions(self) -> list[QAction]:
        """What the rows of the tab shown offer: 删除 on the inspections, 回复/复查 on the board."""
        if self.tabs.currentWidget() is self.board:
            return self.board.row_actions.actions()
        if self.tabs.currentWidget() is self.schedules:
            return self.schedules.row_actions.actions()
        return self.row_actions.actions()

    # -- inspections --------------------------------------------------------------------------------
    def _requery(self) -> None:
        self.source.fixed_filters = self.scope.filters()
        self.table.model.set_query(self.table.model.query)

    def _changed_status(self) -> None:
        overdue = self.board.counts.get("overdue", 0)
        self.tabs.setTabText(1, f"整改销号（已逾期 {overdue}）" if overdue else "整改销号")
        self.tabs.tabBar().setTabTextColor(1, colours.qcolor("alert" if overdue else "text"))

    def colours_changed(self) -> None:
        """Dark mode switched (colours.apply): the 整改销号 tab's text in the new palette's colour."""
        self._changed_status()

    def current_id(self) -> str:
        try:
            return self.table.current_id()
        except IndexError:  # the selected row went away with an undo or a delete
            return ""

    def show_detail(self, inspection_id: str) -> None:
        try:
            d = self.ctx.read(lambda s: inspections.detail(s, inspection_id)) if inspection_id else None
        except NotFound:
            d = None
        self._detail = d
        self.detail.setHtml(detail_html(d) if d else colours.span("muted", "选择一条检查记录查看详情。"))
        self.photos.set_photos(photos_from(d["photos"]) if d else [])
        self.row_actions.update()

    def show_inspection(self, inspection_id: str) -> None:
        """Select `inspection_id` in the list when it is loaded, else show it in the detail pane."""
        self.tabs.setCurrentIndex(0)
        model = self.table.model
        for row in range(min(model.rowCount(), model.page_size)):
            if model.row_id(row) == inspection_id:
                self.table.view.selectRow(row)
                return
        self.show_detail(inspection_id)

    def _show_rectifications_of_current(self) -> None:
        iid = self.current_id()
        if iid:
            self.apply_filters({"inspection": iid})

    def delete_current(self) -> bool:
        row = self.table.current_row()
        if not row:
            return False
        what = f"{row['inspected_on']} {inspections.KINDS.get(row['kind'], '')}（{row.get('community') or ''}）"
        return delete_record(
            self,
            self.ctx,
            title="删除检查记录",
            question=f"把 {what} 及其整改通知移到回收站？\n可以撤销（Ctrl+Z）或在回收站恢复。",
            undo_text=f"删除检查记录：{what}",
            record_id=str(row["id"]),
            delete=inspections.delete,
            restore=inspections.restore,
            table="inspection",
            version=row.get("version"),
        )
