"""回收站: every deleted record — communities, projects, items, inspections, milestones, completed
investment — with what it was, where it belonged, when and by whom it was deleted; restore brings it back.

The list is the core's `recycle_bin` query (a UNION paged in SQL); restoring goes through the owning
service (which refuses, in Chinese, when the parent is still in the bin) as an undoable command whose
undo puts the record back in the bin.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from oldcomm_desktop.core import recycle_bin
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui import settings_keys as keys
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.list_page import RESTORE_KEYS, ListPage, is_county, restore_record, township_choices
from oldcomm_desktop.gui.paged_model import Column, PageQuery
from oldcomm_desktop.gui.record_table import RecordTable
from oldcomm_desktop.gui.widgets import money_text

TABLES = {
    "community": "community",
    "project": "project",
    "item": "renovation_item",
    "inspection": "inspection",
    "milestone": "milestone",
    "investment": "investment_entry",
}


def local_time(value: datetime | None) -> str:
    """Deletion stamps are UTC; the clerk reads local time."""
    if value is None:
        return ""
    return value.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")


class BinSource:
    """A PageSource over `core.recycle_bin` (search, kind and township filters, sort in SQL)."""

    def __init__(self, ctx: AppContext, columns: list[Column]):
        self.ctx = ctx
        self.columns = columns

    @staticmethod
    def _query(q: PageQuery) -> recycle_bin.BinQuery:
        return recycle_bin.BinQuery(
            search=q.search,
            kind=q.filter_value("kind"),
            township=q.filter_value("township"),
            sort_key=q.sort_key or "deleted_at",
            descending=q.descending if q.sort_key else True,
        )

    def count(self, query: PageQuery) -> int:
        bq = self._query(query)
        return self.ctx.read(lambda s: recycle_bin.count(s, bq))

    def fetch(self, query: PageQuery, offset: int, limit: int) -> list[Mapping[str, Any]]:
        bq = self._query(query)
        return self.ctx.read(lambda s: recycle_bin.page(s, bq, offset, limit))


class RecycleBinPage(ListPage):
    title = "回收站"
    page_key = "recycle_bin"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        columns = [
            Column("kind", "类型", formatter=lambda v: recycle_bin.KINDS.get(v, v or "")),
            Column("name", "名称"),
            Column("parent", "所属小区/项目", sortable=False),
            Column("amount", "金额", align="right", sortable=False, formatter=lambda v: money_text(v, ctx.money_unit)),
            Column("township", "乡镇（街道）", sortable=False),
            Column("deleted_at", "删除时间", formatter=local_time),
            Column("deleted_by", "删除人", sortable=False),
        ]
        self.source = BinSource(ctx, columns)
        self.set_table(RecordTable(ctx, self.source, "recycle_bin", search_hint="搜索：名称或所属小区/项目"))
        if ctx.settings.value(keys.table_state("recycle_bin")) is None:
            for col, width in ((0, 76), (1, 200), (2, 200), (3, 96), (4, 90), (5, 126)):
                self.table.view.horizontalHeader().resizeSection(col, width)
        self.table.add_filter("kind", "类型", lambda: list(recycle_bin.KINDS.items()))
        if is_county(ctx):
            self.table.add_filter("township", "乡镇", lambda: township_choices(ctx))
        self.table.model.set_query(PageQuery(sort_key="deleted_at", descending=True))

        intro = QLabel(
            "删除的记录先放在这里，可以恢复；小区连同它的改造内容、进度节点和资金一起删除、一起恢复。"
            "所属小区或项目也在回收站中时，请先恢复小区或项目。"
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(colours.text_style("secondary"))
        restore = self.row_actions.add(
            "恢复", "restore_action", self.restore_current, shortcuts=RESTORE_KEYS,
            tip="把选中的记录恢复到原处（回车；可撤销）",
        )
        self.restore_button = self.row_actions.button(restore, "restore")
        self.message = QLabel()
        self.message.setObjectName("bin_message")
        self.message.setWordWrap(True)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.restore_button)
        bar.addSpacing(10)
        bar.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(intro)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.table.activated.connect(lambda _id: self.restore_current())

    # -- Page ---------------------------------------------------------------------------------------
    def activate(self) -> None:
        self.table.refresh()  # re-read, staying on the same record
        if not self.table.current_id():
            self.table.select_first()

    def apply_filters(self, filters: dict) -> None:
        for key, box in self.table.filters.items():
            box.setCurrentIndex(max(box.findData(filters.get(key)), 0) if key in filters else 0)

    def status_text(self) -> str:
        return f"回收站中共 {self.table.model.shown_count:,} 条记录"

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(colours.text_style("error" if error else "ok"))
        self.message.setText(text)

    # -- restoring ----------------------------------------------------------------------------------
    def restore_current(self) -> bool:
        row = self.table.current_row()
        if not row:
            return False
        kind, record_id = row["kind"], str(row["id"])
        what = f"{recycle_bin.KINDS.get(kind, kind)}“{row['name']}”"
        try:
            restore_record(
                self.ctx,
                undo_text=f"恢复{what}",
                record_id=record_id,
                restore=lambda s, rid, **kw: recycle_bin.restore(s, kind, rid, **kw),
                delete=lambda s, rid, **kw: recycle_bin.delete(s, kind, rid, **kw),
                table=TABLES.get(kind, "*"),
                version=row.get("version"),
            )
        except OldcommError as exc:
            self._say(f"不能恢复{what}：{exc}", error=True)
            return False
        self._say(f"已恢复{what}。（编辑 → 撤销 或 Ctrl+Z 可以把它放回回收站）")
        return True
