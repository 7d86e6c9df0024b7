"""改造内容: every renovation item of every community in one list, to find, check and correct them.

The core's "items" listing with search (community, item type, description, pinyin initials) and
filters (category, status, township, plan year); edit and delete are undoable commands over
`items.update/delete/restore`. New items belong to a community: with a community chosen (from the
小区台账 or the dashboard) 新建 adds one to it. Adding and editing use the same item editor as the 小区台账's
改造内容 tab (quantities in the item type's unit).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QMessageBox, QVBoxLayout, QWidget

from oldcomm_desktop.core import catalogues, communities, items, overview, records
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.model import RenovationItem
from oldcomm_desktop.core.money import format_quantity
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui import settings_keys as keys
from oldcomm_desktop.gui.community.record_dialogs import ItemDialog
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.list_page import DELETE_KEYS, EDIT_KEYS, ListPage, delete_record, is_county, township_choices
from oldcomm_desktop.gui.listing_source import ListingSource
from oldcomm_desktop.gui.paged_model import Column
from oldcomm_desktop.gui.record_table import RecordTable
from oldcomm_desktop.gui.widgets import money_text, push_button


def _quantity(v: Any) -> str:
    return format_quantity(v) if v is not None else ""


class ItemsPage(ListPage):
    title = "改造内容"
    page_key = "items"
    noun = "项改造内容"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.community_id: str | None = None
        self.community_name = ""
        money = lambda v: money_text(v, ctx.money_unit, with_unit=False)  # noqa: E731
        columns = [
            Column("community", "小区"),
            Column("category", "类别", sortable=False),
            Column("item_type", "改造内容"),
            Column("description", "具体内容", sortable=False),
            Column("unit", "单位", sortable=False),
            Column("planned_quantity", "计划工程量", align="right", formatter=_quantity),
            Column("completed_quantity", "完成工程量", align="right", sortable=False, formatter=_quantity),
            Column("investment", "投资额", align="right", formatter=money),
            Column("status", "状态", formatter=lambda v: items.ITEM_STATUSES.get(v, v or "")),
            Column("started_on", "开工日期", sortable=False),
            Column("completed_on", "完成日期", sortable=False),
        ]
        self.source = ListingSource(ctx, "items", columns)
        self.set_table(RecordTable(ctx, self.source, "items", search_hint="搜索：小区、改造内容、具体内容或拼音首字母"))
        if ctx.settings.value(keys.table_state("items")) is None:
            for col, width in ((0, 150), (1, 70), (2, 150), (3, 140), (4, 50), (5, 90), (6, 90), (7, 90), (8, 60)):
                self.table.view.horizontalHeader().resizeSection(col, width)
        self.table.add_filter("category", "类别", lambda: [(c.code, c.name) for c in ctx.read(catalogues.categories)])
        self.table.add_filter("status", "状态", lambda: list(items.ITEM_STATUSES.items()))
        if is_county(ctx):
            self.table.add_filter("township", "乡镇", lambda: township_choices(ctx))
        self.table.add_filter("year", "年度", lambda: [(y, f"{y} 年") for y in ctx.read(overview.plan_years)])

        self.scope_label = QLabel()
        self.scope_label.setObjectName("community_scope")
        self.scope_label.setTextFormat(Qt.TextFormat.RichText)
        self.scope_label.linkActivated.connect(lambda _h: self.set_community(None))
        acts = self.row_actions
        edit = acts.add("修改改造内容…", "edit_item_action", self.edit_current, shortcuts=EDIT_KEYS,
                        tip="修改选中的改造内容（双击或回车）")
        delete = acts.add("删除改造内容", "delete_item_action", self.delete_current, shortcuts=DELETE_KEYS,
                          tip="把选中的改造内容移入回收站（Delete；可撤销）")
        acts.separator()
        open_ = acts.add("查看小区", "open_community_action", self.open_community,
                         tip="到小区台账查看这项内容所属的小区")
        self.new_button = push_button("新建", "new_item", "给所选小区添加一项改造内容（Ctrl+N）")
        self.new_button.clicked.connect(self.new_record)
        self.edit_button = acts.button(edit, "edit_item", "修改…")
        self.delete_button = acts.button(delete, "delete_item", "删除")
        self.open_button = acts.button(open_, "open_community")
        self.unit_label = QLabel()
        self.unit_label.setStyleSheet(colours.text_style("muted"))
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for b in (self.new_button, self.edit_button, self.delete_button, self.open_button):
            bar.addWidget(b)
        bar.addSpacing(12)
        bar.addWidget(self.scope_label)
        bar.addStretch(1)
        bar.addWidget(self.unit_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

        self.table.activated.connect(lambda _id: self.edit_current())
        ctx.money_unit_changed.connect(lambda _u: self._show_unit())
        self._show_unit()
        self._show_scope()

    # -- Page ---------------------------------------------------------------------------------------
    def apply_filters(self, filters: dict) -> None:
        """{"community": id} narrows to one community; "category", "status", "township", "year", "search".

        Like the other pages: what is given is set, everything else cleared.
        """
        self.set_community(filters.get("community") or None, requery=False)
        for key, box in self.table.filters.items():
            blocked = box.blockSignals(True)
            box.setCurrentIndex(max(box.findData(filters.get(key)), 0) if key in filters else 0)
            box.blockSignals(blocked)
        self.table.search.setText(str(filters.get("search") or ""))
        self._requery()

    def status_text(self) -> str:
        where = f"（小区“{self.community_name}”）" if self.community_id else ""
        return f"共 {self.table.model.shown_count:,} 项改造内容{where}"

    # -- community scope ----------------------------------------------------------------------------
    def set_community(self, community_id: str | None, *, requery: bool = True) -> None:
        self.community_id = community_id
        self.community_name = ""
        if community_id:
            try:
                self.community_name = self.ctx.read(lambda s: communities.get(s, community_id).name)
            except OldcommError:
                self.community_id = None
        self.source.fixed_filters = {"community": self.community_id} if self.community_id else {}
        self._show_scope()
        if requery:
            self._requery()

    def _requery(self) -> None:
        self.table.search.returnPressed.emit()  # apply search and filters now
        self.table.model.set_query(self.table.model.query)  # and the fixed community filter
        self.row_actions.update()

    def _show_scope(self) -> None:
        if self.community_id:
            self.scope_label.setText(f"小区：<b>{self.community_name}</b>　<a href='clear'>显示全部小区</a>")
        else:
            self.scope_label.setText(colours.span("muted", "全部小区"))

    def _show_unit(self) -> None:
        self.unit_label.setText(f"金额单位：{self.ctx.money_unit}")
        self.table.view.viewport().update()

    # -- editing: the one item editor (units beside the quantities) ---------------------------------------
    def new_record(self) -> ItemDialog | None:
        community_id = self.community_id
        if community_id is None:
            row = self.table.current_row()
            if row is None:
                QMessageBox.information(self, "新建改造内容", "请先在小区台账中选择小区，再添加它的改造内容。")
                return None
            community_id, name = str(row["community_id"]), row["community"]
        else:
            name = self.community_name
        return self.open(
            ItemDialog(self.ctx, community_id, community_name=name, values={"status": "planned"}, parent=self)
        )

    def edit_dialog(self, item_id: str) -> ItemDialog:
        def read(s):
            community = communities.get(s, records.get(s, RenovationItem, item_id).community_id)
            return community.id, community.name

        community_id, community = self.ctx.read(read)
        return ItemDialog(self.ctx, str(community_id), item_id, community_name=community, parent=self)

    def edit_current(self) -> ItemDialog | None:
        item_id = self.table.current_id()
        if not item_id:
            return None
        return self.open(self.edit_dialog(item_id))

    def delete_current(self) -> bool:
        row = self.table.current_row()
        if not row:
            return False
        what = f"“{row['community']}”的“{row['item_type']}”"
        return delete_record(
            self,
            self.ctx,
            title="删除改造内容",
            question=f"把{what}移入回收站吗？\n（可以撤销，也可以在回收站中恢复）",
            undo_text=f"删除{what}",
            record_id=str(row["id"]),
            delete=items.delete,
            restore=items.restore,
            table="renovation_item",
            version=row.get("version"),
        )

    def open_community(self) -> None:
        row = self.table.current_row()
        if row:
            self.ctx.navigate.emit("communities", {"search": row["community"], "community": str(row["community_id"])})

    def sample_dialogs(self) -> list[tuple[str, QDialog]]:
        item_id = self.table.current_id()
        return [("edit", self.edit_dialog(item_id))] if item_id else []
