"""改造内容 of the selected community: the core's items list filtered to it, with add / edit / delete.

Quantities are shown with each type's natural unit; the list is the core's "items" listing (paged SQL),
so sorting by type, status, investment or planned quantity happens in the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.items import ITEM_STATUSES
from oldcomm_desktop.core.money import format_quantity
from oldcomm_desktop.gui.community.record_dialogs import ItemDialog, delete_item
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.list_page import DELETE_KEYS, EDIT_KEYS, RowActions
from oldcomm_desktop.gui.listing_source import ListingSource
from oldcomm_desktop.gui.paged_model import Column, PagedTableModel, PageQuery, setup_table_view
from oldcomm_desktop.gui.widgets import (
    ask,
    error_text,
    message_label,
    money_text,
    open_dialog,
    push_button,
    set_message,
)


def _with_units(row: dict) -> dict:
    unit = row.get("unit") or ""
    for key in ("planned_quantity", "completed_quantity"):
        value = row.get(key)
        row[key] = f"{format_quantity(value)} {unit}" if value is not None else ""
    return row


def item_columns(money: Callable[[Any], str]) -> list[Column]:
    return [
        Column("category", "类别", sortable=False),
        Column("item_type", "改造内容"),
        Column("description", "具体内容", sortable=False),
        Column("planned_quantity", "计划工程量", align="right"),
        Column("completed_quantity", "完成工程量", align="right", sortable=False),
        Column("investment", "投资额", align="right", formatter=money),
        Column("status", "状态", formatter=lambda v: ITEM_STATUSES.get(v, v or "")),
    ]


class ItemsTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.community_id = ""
        self.source = ListingSource(
            ctx,
            "items",
            item_columns(lambda v: money_text(v, ctx.money_unit)),
            fixed_filters={"community": "-"},
            transform=_with_units,
        )
        self.model = PagedTableModel(self.source, self, page_size=200)
        self.view = QTableView()
        self.view.setObjectName("items_table")
        setup_table_view(self.view, self.model)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.verticalHeader().hide()
        self.view.doubleClicked.connect(lambda _i: self.edit_selected())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.row_actions = RowActions(self.view, self, lambda: str((self._selected_row() or {}).get("id") or ""))
        edit = self.row_actions.add("修改改造内容…", "edit_item_action", self.edit_selected, shortcuts=EDIT_KEYS,
                                tip="修改选中的改造内容（双击或回车）")
        delete = self.row_actions.add("删除改造内容", "delete_item_action", self.delete_selected, shortcuts=DELETE_KEYS,
                                  tip="删除选中的改造内容（Delete；移入回收站，可撤销）")
        self.add_button = push_button("添加…", "add_item", "为这个小区添加一项改造内容")
        self.add_button.clicked.connect(self.add_item)
        self.edit_button = self.row_actions.button(edit, "edit_item", "修改…")
        self.delete_button = self.row_actions.button(delete, "delete_item", "删除")
        self.count_label = QLabel()
        self.count_label.setObjectName("items_count")
        self.message = message_label("items_message")
        bar = QHBoxLayout()
        bar.addWidget(self.count_label, 1)
        for b in (self.add_button, self.edit_button, self.delete_button):
            bar.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        self._enable()

    def set_community(self, community_id: str) -> None:
        if community_id != self.community_id:
            set_message(self.message, "")
            self.community_id = community_id
            self.source.fixed_filters = {"community": community_id or "-"}
            self.model.set_query(PageQuery(sort_key=self.model.query.sort_key, descending=self.model.query.descending))
        else:  # the same community re-read after a change: stay on the same item, wherever it sorts now
            chosen = self._selected_row()
            self.model.refresh()
            row = self.model.find_row(str(chosen["id"]), self.view.currentIndex().row()) if chosen else -1
            if row >= 0:
                self.view.selectRow(row)
            elif chosen:
                self.view.selectionModel().clear()  # gone (deleted, undone): nothing selected, not a neighbour
        n = self.model.rowCount()
        self.count_label.setText(f"共 {n:,} 项改造内容" if community_id else "")
        self._enable()

    def rows(self) -> list[dict]:
        """What the table shows, as mappings (tests, copying)."""
        return [dict(self.model.row_mapping(r) or {}) for r in range(self.model.rowCount())]

    def _selected_row(self) -> dict | None:
        idx = self.view.currentIndex()
        if not idx.isValid() or not self.view.selectionModel().hasSelection():
            return None
        row = self.model.row_mapping(idx.row())
        return dict(row) if row else None

    def select_row(self, row: int) -> None:
        self.view.selectRow(row)

    def _enable(self) -> None:
        self.add_button.setEnabled(bool(self.community_id))
        self.row_actions.update()

    def add_item(self) -> ItemDialog | None:
        if not self.community_id:
            return None
        return open_dialog(ItemDialog(self.ctx, self.community_id, parent=self))

    def edit_selected(self) -> ItemDialog | None:
        row = self._selected_row()
        if row is None:
            return None
        return open_dialog(ItemDialog(self.ctx, self.community_id, str(row["id"]), parent=self))

    def delete_selected(self) -> bool:
        row = self._selected_row()
        if row is None:
            return False
        if not ask(self, "删除改造内容", f"删除“{row['item_type']}”吗？\n它将移入回收站，可以按 Ctrl+Z 撤销。"):
            return False
        try:
            delete_item(self.ctx, str(row["id"]), row["item_type"], row.get("version"))
        except OldcommError as exc:
            set_message(self.message, error_text(exc))
            return False
        return True
