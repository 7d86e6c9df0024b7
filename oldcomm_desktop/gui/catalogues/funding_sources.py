"""设置 › 资金来源目录: the county's funding-source tree as a list on the kit, in tree order (indented).

The rows come from `core.funding_catalogue.listing`; adding a source (under the selected one, or at the top),
renaming, retiring (停用: no new money on it or below it; what is recorded stays) and deleting an unused
leaf are the core's functions, run as undoable commands carrying the version
the clerk saw. The core keeps the money adding up: no sub-source under a source that carries money, no
deleting a source with money or sub-sources. The actions are QActions shared by the buttons, the row's
context menu, the 编辑 menu and the keys (Insert adds under the selected source, F2 renames, Delete deletes);
停用 and 启用 undo each other.
A township database reads the county's tree only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from oldcomm_desktop.core import funding_catalogue
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

TABLE = "funding_source"
READ_ONLY = "资金来源目录由县（区）统一维护，乡镇数据库只能查看"


def _read(session: Any, query: PageQuery) -> list[dict]:
    return funding_catalogue.listing(session, search=query.search)


class FundingSourcesPanel(CataloguePanel):
    """The funding-source tree as an indented list with its row actions."""

    title = "资金来源目录"
    page_key = "funding_sources"
    noun = "个资金来源"
    undo_table = TABLE

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.county = is_county(ctx)
        columns = [  # the tree's own order: no column re-sorts it
            Column("shown_name", "资金来源", sortable=False),
            Column("kind", "资金记在", sortable=False),
            Column("needs_note", "说明", sortable=False),
            Column("uses", "已记资金", align="right", sortable=False, formatter=lambda n: f"{n:,} 笔" if n else ""),
            Column("state", "状态", sortable=False),
        ]
        self.source = SmallListSource(ctx, columns, _read)
        self.set_table(RecordTable(ctx, self.source, "funding_sources", search_hint="搜索：来源名称或拼音首字母"))
        self.table.setObjectName("funding_sources")
        if ctx.settings.value(keys.table_state("funding_sources")) is None:
            for col, width in ((0, 260), (1, 130), (2, 100)):
                self.table.view.horizontalHeader().resizeSection(col, width)

        acts = self.row_actions
        self.add_child_action = acts.add(
            "添加下级来源…", "add_child_source_action", self.add_child, shortcuts=[Qt.Key.Key_Insert],
            enabled_when=lambda: self.county and self._is("uses", 0),
            tip="在选中的来源下添加一个下级来源（Insert；可撤销）；已记有资金的来源不能再分",
        )
        self.add_top_action = acts.add("添加一级来源…", "add_top_source_action", self.add_top, needs_row=False,
                                       tip="添加一个一级资金来源（可撤销）")
        rename = acts.add("改名…", "rename_source_action", self.rename_current, shortcuts=[Qt.Key.Key_F2],
                          enabled_when=lambda: self.county, tip="修改选中来源的名称（F2；可撤销）")
        retire = acts.add("停用", "retire_source_action", self.retire_current,
                          enabled_when=lambda: self.county and self._is("active", True),
                          tip="不再用于新的资金；已记的资金照常保留、照常计入报表（可撤销）")
        unretire = acts.add("启用", "unretire_source_action", self.unretire_current,
                            enabled_when=lambda: self.county and self._is("active", False),
                            tip="重新用于新的资金（可撤销）")
        acts.separator()
        delete = acts.add("删除", "delete_source_action", self.delete_current, shortcuts=DELETE_KEYS,
                          enabled_when=lambda: self.county and self._is("uses", 0) and self._is("leaf", True),
                          tip="删除没有记过资金、也没有下级的来源（Delete；可撤销）")
        self.add_top_action.setEnabled(self.county)
        self.buttons = {
            "add_child": acts.button(self.add_child_action, "source_add_child", "添加下级…"),
            "add_top": acts.button(self.add_top_action, "source_add_top", "添加一级…"),
            "rename": acts.button(rename, "source_rename"),
            "retire": acts.button(retire, "source_retire"),
            "unretire": acts.button(unretire, "source_unretire"),
            "delete": acts.button(delete, "source_delete"),
        }
        self.lay_out(
            "资金按末级来源填写，上级来源是下级之和。“其他”须写明具体来源。目录由县（区）维护：可以添加、改名、停用；"
            "已记有资金的来源不能删除（可以停用），也不能再分下级。",
            "source_message",
            READ_ONLY,
        )
        self.table.activated.connect(lambda _id: self.rename_current())
        self.table.model.dataChanged.connect(lambda *_: acts.update())

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        """A new name for the source named `text` (the entry dialog, checked as typed; tests replace this)."""
        dialog = EntryDialog(self, title, where=f"“{text}”{label}" if text else label, name=text,
                             taken=self._all_names())
        return dialog.values()["name"] if dialog.exec() == EntryDialog.DialogCode.Accepted else None

    def ask_entry(self, title: str, where: str) -> dict[str, str] | None:
        """The name of a new source ({name}, or None; tests replace this)."""
        dialog = EntryDialog(self, title, where=where, taken=self._all_names())
        return dialog.values() if dialog.exec() == EntryDialog.DialogCode.Accepted else None

    def _all_names(self) -> list[str]:
        """Every source's name, whatever the search shows (names are unique across the tree)."""
        return [str(r["name"]) for r in self.ctx.read(lambda s: funding_catalogue.listing(s))]

    # -- the actions ------------------------------------------------------------------------------------
    def _add(self, parent: dict | None) -> bool:
        if not self.county:
            return False
        where = f"在“{parent['name']}”下添加一个资金来源" if parent else "添加一个一级资金来源"
        entry = self.ask_entry("添加资金来源", where)
        name = (entry or {}).get("name", "")
        if not name:
            return False
        made: dict[str, str] = {}
        parent_id = str(parent["id"]) if parent else None

        def make(s: Any) -> Any:
            source = funding_catalogue.add(s, parent_id, name)
            made["id"] = source.id
            return source

        try:
            commands.create(self.ctx, f"添加资金来源“{name}”", make, funding_catalogue.delete,
                            funding_catalogue.restore, table=TABLE)
        except OldcommError as exc:
            self._say(f"未添加：{error_text(exc)}", error=True)
            return False
        self.table.clear_filters()
        self.table.select_id(made["id"])  # the selection follows the new source
        self._say(f"已添加“{name}”。（编辑 → 撤销 或 Ctrl+Z 可以恢复）")
        return True

    def add_child(self) -> bool:
        row = self.table.current_row()
        return row is not None and self._add(row)

    def add_top(self) -> bool:
        return self._add(None)

    def rename_current(self) -> bool:
        row = self.table.current_row()
        if row is None or not self.county:
            return False
        name = self.ask_text("改名", "改名为：", row["name"])
        if not name or name == row["name"]:
            return False
        rid, old = str(row["id"]), row["name"]
        do = commands.record_step(self.ctx, rid, lambda s, r, **kw: funding_catalogue.rename(s, r, name, **kw),
                                  first_version=row["version"])
        undo = commands.record_step(self.ctx, rid, lambda s, r, **kw: funding_catalogue.rename(s, r, old, **kw))
        return self._run(f"资金来源“{old}”改名为“{name}”", do, undo, f"已改名为“{name}”。", failed="未改名")

    def _set_active(self, active: bool) -> bool:
        row = self.table.current_row()
        if row is None or not self.county or row["active"] == active:
            return False
        rid, name = str(row["id"]), row["name"]
        on = commands.record_step(self.ctx, rid, funding_catalogue.unretire,
                                  first_version=row["version"] if active else None)
        off = commands.record_step(self.ctx, rid, funding_catalogue.retire,
                                   first_version=None if active else row["version"])
        do, undo = (on, off) if active else (off, on)
        done = f"已启用“{name}”。" if active else f"已停用“{name}”：不再记新的资金，已记的照常保留。"
        return self._run(f"{'启用' if active else '停用'}资金来源“{name}”", do, undo, done)

    def retire_current(self) -> bool:
        return self._set_active(False)

    def unretire_current(self) -> bool:
        return self._set_active(True)

    def delete_current(self) -> bool:
        row = self.table.current_row()
        if row is None or not self.county:
            return False
        done = delete_record(
            self, self.ctx, title="删除资金来源", question=f"删除资金来源“{row['name']}”？",
            undo_text=f"删除资金来源“{row['name']}”", record_id=str(row["id"]),
            delete=funding_catalogue.delete, restore=funding_catalogue.restore, table=TABLE, version=row["version"],
        )
        if done:
            self._say(f"已删除“{row['name']}”。（编辑 → 撤销 或 Ctrl+Z 可以恢复）")
        return done

    # -- Page -------------------------------------------------------------------------------------------
    def new_record(self) -> None:
        if self.table.current_row() is not None and self.add_child_action.isEnabled():
            self.add_child()
        else:
            self.add_top()

    def status_text(self) -> str:
        return f"资金来源目录共 {self.table.model.shown_count:,} 个来源"
