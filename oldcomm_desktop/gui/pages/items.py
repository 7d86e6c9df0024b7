"""改造内容: every renovation item of every community in one list, to find, check and correct them.

The core's "items" listing with search (community, item type, description, pinyin initials) and
filters (category, status, township, plan year); edit and delete are undoable commands over
`items.update/delete/restore`. New items belong to a community: with a community chosen (from the
小区台账 or the dashboard) 新建 adds one to it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QMessageBox, QVBoxLayout, QWidget

from oldcomm_desktop.core import catalogues, communities, items, overview, records
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.model import RenovationItem
from oldcomm_desktop.core.money import format_quantity
from oldcomm_desktop.gui import commands
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.dialogs.record_form import RecordDialog
from oldcomm_desktop.gui.listing_source import ListingSource
from oldcomm_desktop.gui.paged_model import Column
from oldcomm_desktop.gui.pages.base import Page
from oldcomm_desktop.gui.pages.projects import _Keys, ask, fit, is_county, money_text, open_dialog, push_button
from oldcomm_desktop.gui.pages.projects import township_choices as townships
from oldcomm_desktop.gui.record_table import RecordTable


def _quantity(v: Any) -> str:
    return format_quantity(v) if v is not None else ""


def item_type_choices(ctx: AppContext, keep: str | None = None) -> list[tuple[str, str]]:
    """(id, "基础类 · 供水管网改造（米）") for every active item type, in catalogue order (and `keep`, the
    edited item's own type, even when retired)."""
    return ctx.read(lambda s: [(t.id, catalogues.item_type_label(t)) for t in catalogues.item_types(s, keep=keep)])


class ItemsPage(Page):
    title = "改造内容"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.dialog: Any = None
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
        self.table = RecordTable(ctx, self.source, "items", search_hint="搜索：小区、改造内容、具体内容或拼音首字母")
        if ctx.settings.value("tables/items") is None:
            for col, width in ((0, 150), (1, 70), (2, 150), (3, 140), (4, 50), (5, 90), (6, 90), (7, 90), (8, 60)):
                self.table.view.horizontalHeader().resizeSection(col, width)
        self.table.add_filter("category", "类别", lambda: [(c.code, c.name) for c in ctx.read(catalogues.categories)])
        self.table.add_filter("status", "状态", lambda: list(items.ITEM_STATUSES.items()))
        if is_county(ctx):
            self.table.add_filter("township", "乡镇", lambda: townships(ctx))
        self.table.add_filter("year", "年度", lambda: [(y, f"{y} 年") for y in ctx.read(overview.plan_years)])

        self.scope_label = QLabel()
        self.scope_label.setObjectName("community_scope")
        self.scope_label.setTextFormat(Qt.TextFormat.RichText)
        self.scope_label.linkActivated.connect(lambda _h: self.set_community(None))
        self.new_button = push_button("新建", "new_item", "给所选小区添加一项改造内容（Ctrl+N）")
        self.edit_button = push_button("修改…", "edit_item", "修改选中的改造内容（双击或回车）")
        self.delete_button = push_button("删除", "delete_item", "把选中的改造内容移入回收站（可撤销）")
        self.open_button = push_button("查看小区", "open_community", "到小区台账查看这项内容所属的小区")
        self.unit_label = QLabel()
        self.unit_label.setStyleSheet("color: #6b7785;")
        self.new_button.clicked.connect(self.new_record)
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_current)
        self.open_button.clicked.connect(self.open_community)
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

        self.table.current_changed.connect(lambda _id: self._enable())
        self.table.activated.connect(lambda _id: self.edit_current())
        self.table.view.installEventFilter(_Keys(self, self.edit_current, self.delete_current))
        ctx.money_unit_changed.connect(lambda _u: self._show_unit())
        self._show_unit()
        self._show_scope()
        self._enable()

    # -- Page ---------------------------------------------------------------------------------------
    def activate(self) -> None:
        if not self.table.current_id():
            self.table.select_first()

    def select_first(self) -> None:
        self.table.select_first()

    def focus_search(self) -> None:
        self.table.search.setFocus()
        self.table.search.selectAll()

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

    def save_state(self) -> None:
        self.table.save_state()

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
        self._enable()

    def _show_scope(self) -> None:
        if self.community_id:
            self.scope_label.setText(f"小区：<b>{self.community_name}</b>　<a href='clear'>显示全部小区</a>")
        else:
            self.scope_label.setText("<span style='color:#6b7785'>全部小区</span>")

    def _show_unit(self) -> None:
        self.unit_label.setText(f"金额单位：{self.ctx.money_unit}")
        self.table.view.viewport().update()

    def _enable(self) -> None:
        has = bool(self.table.current_id())
        for b in (self.edit_button, self.delete_button, self.open_button):
            b.setEnabled(has)
        self.new_button.setEnabled(True)

    # -- editing ------------------------------------------------------------------------------------
    def _choices(self, keep: str | None = None) -> dict:
        types = item_type_choices(self.ctx, keep)
        return {"item_type_id": lambda: types}

    def new_record(self) -> RecordDialog | None:
        community_id = self.community_id
        if community_id is None:
            row = self.table.current_row()
            if row is None:
                QMessageBox.information(self, "新建改造内容", "请先在小区台账中选择小区，再添加它的改造内容。")
                return None
            community_id, name = str(row["community_id"]), row["community"]
        else:
            name = self.community_name

        def save(values: dict, confirm: bool) -> Any:
            return commands.create(
                self.ctx,
                f"给“{name}”添加改造内容",
                lambda s: items.create(s, community_id, values, confirm=confirm),
                items.delete,
                items.restore,
                table="renovation_item",
            )

        self.dialog = fit(
            RecordDialog(
                f"新建改造内容 — {name}",
                list(items.FIELDS.values()),
                save,
                values={"status": "planned"},
                choices=self._choices(),
                parent=self,
            )
        )
        return open_dialog(self.dialog)

    def _load(self, item_id: str) -> tuple[dict[str, Any], int]:
        """The item as the form shows it and the version it was read at (the save carries it)."""

        def read(s):
            item = records.get(s, RenovationItem, item_id)
            return commands.snapshot(item, items.FIELDS), item.version

        return self.ctx.read(read)

    def edit_dialog(self, item_id: str) -> RecordDialog:
        values, version = self._load(item_id)
        community = self.ctx.read(
            lambda s: communities.get(s, records.get(s, RenovationItem, item_id).community_id).name
        )

        def save(changes: dict, confirm: bool) -> Any:
            return commands.edit(
                self.ctx,
                f"修改“{community}”的改造内容",
                lambda s: records.get(s, RenovationItem, item_id),
                items.update,
                item_id,
                changes,
                table="renovation_item",
                confirm=confirm,
                version=dialog.version,
            )

        dialog = RecordDialog(
            f"修改改造内容 — {community}",
            list(items.FIELDS.values()),
            save,
            values=values,
            choices=self._choices(values.get("item_type_id")),
            only_changed=True,
            version=version,
            reload=lambda: self._load(item_id),
            parent=self,
        )
        return fit(dialog)

    def edit_current(self) -> RecordDialog | None:
        item_id = self.table.current_id()
        if not item_id:
            return None
        self.dialog = self.edit_dialog(item_id)
        return open_dialog(self.dialog)

    def delete_current(self) -> bool:
        row = self.table.current_row()
        if not row:
            return False
        what = f"“{row['community']}”的“{row['item_type']}”"
        if not ask(self, "删除改造内容", f"把{what}移入回收站吗？\n（可以撤销，也可以在回收站中恢复）"):
            return False
        try:
            commands.delete(
                self.ctx,
                f"删除{what}",
                str(row["id"]),
                items.delete,
                items.restore,
                table="renovation_item",
                version=row.get("version"),
            )
        except OldcommError as exc:
            QMessageBox.warning(self, "不能删除", str(exc))
            return False
        return True

    def open_community(self) -> None:
        row = self.table.current_row()
        if row:
            self.ctx.navigate.emit("communities", {"search": row["community"], "community": str(row["community_id"])})

    def sample_dialogs(self) -> list[tuple[str, QDialog]]:
        item_id = self.table.current_id()
        return [("edit", self.edit_dialog(item_id))] if item_id else []
