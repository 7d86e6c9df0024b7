"""设置 › 改造内容目录: the county's catalogue of renovation item types as a list on the kit.

The rows come from `core.catalogue_editing.listing` (retired entries included, said so, with how many items
use each); adding, renaming, retiring, bringing back and deleting an unused entry are the core's functions,
run as undoable commands that carry the version the clerk saw. The actions are QActions: the buttons, the
row's context menu, the window's 编辑 menu and the keys (Insert adds, F2 renames, Delete deletes) share them.
A township database reads the county's catalogue: every action is disabled there and says why.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from oldcomm_desktop.core import catalogue_editing, catalogues
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.gui import commands
from oldcomm_desktop.gui import settings_keys as keys
from oldcomm_desktop.gui.catalogues.entry_dialog import EntryDialog
from oldcomm_desktop.gui.catalogues.panel import CataloguePanel
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.list_page import DELETE_KEYS, SmallListSource, delete_record, is_county
from oldcomm_desktop.gui.paged_model import Column, PageQuery
from oldcomm_desktop.gui.record_table import RecordTable
from oldcomm_desktop.gui.widgets import error_text

TABLE = "item_type"
READ_ONLY = "目录由县（区）统一维护，乡镇数据库只能查看"
STATES = [("active", "在用"), ("retired", "已停用")]


def _read(session: Any, query: PageQuery) -> list[dict]:
    return catalogue_editing.listing(
        session,
        search=query.search,
        state=query.filter_value("state"),
        sort_key=query.sort_key,
        descending=query.descending,
    )


class ItemTypesPanel(CataloguePanel):
    """The item-type catalogue: a RecordTable over the core's listing, with its row actions."""

    title = "改造内容目录"
    page_key = "item_types"
    noun = "个改造内容类型"
    undo_table = TABLE

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.county = is_county(ctx)
        columns = [
            Column("category", "类别"),
            Column("name", "改造内容"),
            Column("unit", "单位"),
            Column("indicator", "对应成效指标"),
            Column("central", "中央预算内投资"),  # 可用: 是/否
            Column("state", "状态"),
            Column("uses", "使用中", align="right", formatter=lambda n: f"{n:,} 项" if n else ""),
        ]
        self.source = SmallListSource(ctx, columns, _read)
        self.set_table(RecordTable(ctx, self.source, "item_types", search_hint="搜索：名称、单位、类别或拼音首字母"))
        self.table.setObjectName("item_types")
        if ctx.settings.value(keys.table_state("item_types")) is None:
            for col, width in ((0, 64), (1, 160), (2, 56), (3, 230), (4, 100), (5, 60)):
                self.table.view.horizontalHeader().resizeSection(col, width)
        self.table.add_filter("state", "状态", lambda: STATES)

        acts = self.row_actions
        row_ok = lambda: self.county  # noqa: E731 - a township reads only
        self.add_action = acts.add(
            "添加类型…", "add_item_type_action", self.add_item_type, shortcuts=[Qt.Key.Key_Insert],
            needs_row=False, tip="在目录中添加一个改造内容类型（Insert；可撤销）",
        )
        rename = acts.add("改名…", "rename_item_type_action", self.rename_item_type, shortcuts=[Qt.Key.Key_F2],
                          enabled_when=row_ok, tip="修改选中类型的名称和单位（F2；可撤销）")
        retire = acts.add("停用", "retire_item_type_action", self.retire_item_type,
                          enabled_when=lambda: self.county and self._is("active", True),
                          tip="不再用于新的改造内容；已录入的保持不变（可撤销）")
        unretire = acts.add("启用", "unretire_item_type_action", self.unretire_item_type,
                            enabled_when=lambda: self.county and self._is("active", False),
                            tip="重新用于新的改造内容（可撤销）")
        acts.separator()
        delete = acts.add("删除", "delete_item_type_action", self.delete_item_type, shortcuts=DELETE_KEYS,
                          enabled_when=lambda: self.county and self._is("uses", 0),
                          tip="删除没有使用过的类型（Delete；可撤销）；已使用的请停用")
        self.add_action.setEnabled(self.county)
        self.buttons = {
            "add": acts.button(self.add_action, "item_type_add", "添加…"),
            "rename": acts.button(rename, "item_type_rename"),
            "retire": acts.button(retire, "item_type_retire"),
            "unretire": acts.button(unretire, "item_type_unretire"),
            "delete": acts.button(delete, "item_type_delete"),
        }
        self.lay_out(
            "改造内容的类型、自然单位和对应的国家成效指标（汇总时按换算关系折算）。中央预算内投资只支持配套基础设施"
            "和公共服务设施，不支持楼栋本体改造。目录由县（区）维护：可以添加、改名、停用；已使用的类型不能删除。",
            "catalogue_message",
            READ_ONLY,
        )
        self.table.activated.connect(lambda _id: self.rename_item_type())
        self.table.current_changed.connect(lambda _id: acts.update())
        self.table.model.dataChanged.connect(lambda *_: acts.update())  # retired or back, by undo too

    # -- asking the clerk (tests replace these) ---------------------------------------------------------
    def _all_names(self) -> list[str]:
        """Every entry's name, retired ones too, whatever the search and filter show."""
        return [str(r["name"]) for r in self.ctx.read(lambda s: catalogue_editing.listing(s))]

    def ask_rename(self, name: str, unit: str) -> dict[str, str] | None:
        """A new name and unit for the entry (one dialog, checked as typed; {name, unit}, or None)."""
        dialog = EntryDialog(self, "改名", where=f"“{name}”改为：", name=name, unit=True, unit_text=unit,
                             taken=self._all_names())
        return dialog.values() if dialog.exec() == EntryDialog.DialogCode.Accepted else None

    def ask_entry(self, title: str, categories: list[str]) -> dict[str, str] | None:
        """Category, name and unit of a new entry in one dialog ({category, name, unit}, or None)."""
        dialog = EntryDialog(self, title, categories=categories, unit=True, taken=self._all_names())
        return dialog.values() if dialog.exec() == EntryDialog.DialogCode.Accepted else None

    # -- the actions ------------------------------------------------------------------------------------
    def add_item_type(self) -> bool:
        if not self.county:
            return False
        categories = self.ctx.read(lambda s: [c.name for c in catalogues.categories(s)])
        entry = self.ask_entry("添加改造内容类型", categories)
        if not entry or not entry.get("name") or not entry.get("unit"):
            return False
        category, name, unit = entry["category"], entry["name"], entry["unit"]
        made: dict[str, str] = {}

        def make(s: Any) -> Any:
            t = catalogue_editing.add(s, category, name, unit)
            made["id"] = t.id
            return t

        try:
            commands.create(self.ctx, f"添加改造内容类型“{name}”", make, catalogue_editing.delete,
                            catalogue_editing.restore, table=TABLE)
        except OldcommError as exc:
            self._say(f"未添加：{error_text(exc)}", error=True)
            return False
        self.table.clear_filters()
        self.table.select_id(made["id"])  # the selection follows the new record
        self._say(f"已添加“{name}”。（编辑 → 撤销 或 Ctrl+Z 可以恢复）")
        return True

    def rename_item_type(self) -> bool:
        row = self.table.current_row()
        if row is None or not self.county:
            return False
        entry = self.ask_rename(str(row["name"]), str(row["unit"]))
        if not entry or not entry.get("name"):
            return False
        name, unit = entry["name"], entry.get("unit") or str(row["unit"])
        if name == row["name"] and unit == row["unit"]:
            return False
        rid, old, old_unit = str(row["id"]), str(row["name"]), str(row["unit"])
        do = commands.record_step(
            self.ctx, rid, lambda s, r, **kw: catalogue_editing.rename(s, r, name, unit, **kw),
            first_version=row["version"])
        undo = commands.record_step(
            self.ctx, rid, lambda s, r, **kw: catalogue_editing.rename(s, r, old, old_unit, **kw))
        said = f"“{name}”（单位：{unit}）" if unit != old_unit else f"“{name}”"
        return self._run(f"改造内容类型“{old}”改为{said}", do, undo, f"已改为{said}。")

    def _set_active(self, active: bool) -> bool:
        row = self.table.current_row()
        if row is None or not self.county or row["active"] == active:
            return False
        rid = str(row["id"])
        on = commands.record_step(self.ctx, rid, catalogue_editing.unretire,
                                  first_version=row["version"] if active else None)
        off = commands.record_step(self.ctx, rid, catalogue_editing.retire,
                                   first_version=None if active else row["version"])
        if active:
            return self._run(f"启用“{row['name']}”", on, off, f"已启用“{row['name']}”。")
        return self._run(f"停用“{row['name']}”", off, on, f"已停用“{row['name']}”，不再用于新的改造内容。")

    def retire_item_type(self) -> bool:
        return self._set_active(False)

    def unretire_item_type(self) -> bool:
        return self._set_active(True)

    def delete_item_type(self) -> bool:
        row = self.table.current_row()
        if row is None or not self.county:
            return False
        done = delete_record(
            self, self.ctx, title="删除改造内容类型", question=f"删除目录中的“{row['name']}”？",
            undo_text=f"删除改造内容类型“{row['name']}”", record_id=str(row["id"]),
            delete=catalogue_editing.delete, restore=catalogue_editing.restore, table=TABLE,
            version=row["version"],
        )
        if done:
            self._say(f"已删除“{row['name']}”。（编辑 → 撤销 或 Ctrl+Z 可以恢复）")
        return done

    # -- Page -------------------------------------------------------------------------------------------
    def new_record(self) -> None:
        self.add_item_type()

    def status_text(self) -> str:
        return f"改造内容目录共 {self.table.model.shown_count:,} 个类型"


