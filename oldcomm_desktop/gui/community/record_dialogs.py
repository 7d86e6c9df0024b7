"""Dialogs for one community's parts: a milestone, a renovation item, a completed-investment entry.

Each is a RecordDialog over the core's Field spec, and each save is an undoable command: Ctrl+Z takes a
milestone, an item or an entry back out (into the recycle bin), Ctrl+Y puts the same record back.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from oldcomm_desktop.core import communities, funding, items, milestones, records
from oldcomm_desktop.core import community_detail as cd
from oldcomm_desktop.core.lifecycle import KIND_BY_CODE
from oldcomm_desktop.core.model import RenovationItem
from oldcomm_desktop.gui import commands
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.dialogs.record_form import RecordDialog


def _create(ctx: AppContext, text: str, make, delete, restore, table: str) -> Any:
    return commands.create(ctx, text, make, delete, restore, table=table)


# -- milestones ---------------------------------------------------------------------------------------


class MilestoneDialog(RecordDialog):
    """添加节点: kind, date (today by default), reason (a withdrawal needs one), document number, notes.

    Order problems (completion before start, a date in the future …) come back from the core in Chinese
    and show under the date; the community's status moves as soon as the milestone is saved.
    """

    def __init__(self, ctx: AppContext, community_id: str, *, parent: QWidget | None = None):
        self.ctx = ctx
        self.community_id = community_id
        super().__init__(
            "添加进度节点",
            list(milestones.FIELDS.values()),
            self._add,
            values={"reached_on": date.today()},
            parent=parent,
        )
        self.resize(520, 330)

    def _add(self, values: dict[str, Any], _confirm: bool) -> Any:
        cid = self.community_id
        kind = KIND_BY_CODE.get(values.get("kind") or "")
        return _create(
            self.ctx,
            f"添加节点“{kind.label if kind else ''}”",
            lambda s: milestones.add(s, communities.get(s, cid), values),
            milestones.remove,
            milestones.restore,
            "milestone",
        )


def remove_milestone(ctx: AppContext, milestone_id: str, label: str, version: int | None = None) -> None:
    """Undoably remove a milestone; the core refuses while a later one depends on it.

    `version` is the milestone's as the timeline showed it (None: read now)."""
    if version is None:
        version = commands.current_version(ctx, "milestone", milestone_id)
    commands.delete(
        ctx, f"删除节点“{label}”", milestone_id, milestones.remove, milestones.restore, table="milestone",
        version=version,
    )


# -- renovation items ---------------------------------------------------------------------------------

QUANTITIES = ("planned_quantity", "completed_quantity")


class ItemDialog(RecordDialog):
    """Add or edit a renovation item; the quantities carry the chosen type's natural unit (米, 平方米, 部 …).

    The core asks before accepting a completed quantity above the plan (ConfirmationNeeded): the dialog
    asks the clerk and saves again only if they agree.
    """

    def __init__(
        self,
        ctx: AppContext,
        community_id: str,
        item_id: str | None = None,
        *,
        community_name: str = "",
        values: dict[str, Any] | None = None,
        parent: QWidget | None = None,
    ):
        self.ctx = ctx
        self.community_id = community_id
        self.item_id = item_id
        values = dict(values or {})
        version = None
        if item_id:
            values, version = self._load()
        own = values.get("item_type_id")  # listed even if retired since: the item keeps its type
        self.types = {t.id: t for t in ctx.read(lambda s: cd.item_type_choices(s, own))}
        title = "修改改造内容" if item_id else "添加改造内容"
        if community_name:  # opened from a list of every community's items: say whose
            title += f" — {community_name}"
        # a placeholder unit makes the form put a unit label beside each quantity; it is set per type below
        fields = [replace(f, unit=" ") if f.name in QUANTITIES else f for f in items.FIELDS.values()]
        super().__init__(
            title,
            fields,
            self._save_item,
            values=values,
            choices={"item_type_id": lambda: [(t.id, t.label) for t in self.types.values()]},
            only_changed=item_id is not None,
            version=version,
            reload=self._load if item_id else None,
            parent=parent,
        )
        box = self.form.widgets["item_type_id"]
        assert isinstance(box, QComboBox)
        box.currentIndexChanged.connect(self._show_units)
        self._show_units()
        self.resize(560, 430)

    def _load(self) -> tuple[dict[str, Any], int]:
        """The stored item and its version (what the save carries; 重新载入 reads it again)."""
        iid = self.item_id
        assert iid is not None

        def read(s):
            item = records.get(s, RenovationItem, iid)
            return commands.snapshot(item, items.FIELDS), item.version

        return self.ctx.read(read)

    def unit_label(self, name: str) -> QLabel:
        cell = self.form.widgets[name].parentWidget()
        return next(lb for lb in cell.findChildren(QLabel) if not lb.objectName().startswith("error_"))

    def _show_units(self) -> None:
        chosen = self.types.get(self.form.widgets["item_type_id"].currentData())
        for name in QUANTITIES:
            self.unit_label(name).setText(chosen.unit if chosen else "")

    def _save_item(self, values: dict[str, Any], confirm: bool) -> Any:
        if self.item_id is None:
            cid = self.community_id
            chosen = self.types.get(values.get("item_type_id") or "")
            return _create(
                self.ctx,
                f"添加改造内容“{chosen.name if chosen else ''}”",
                lambda s: items.create(s, cid, values, confirm=confirm),
                items.delete,
                items.restore,
                "renovation_item",
            )
        iid = self.item_id
        return commands.edit(
            self.ctx,
            "修改改造内容",
            lambda s: records.get(s, RenovationItem, iid),
            items.update,
            iid,
            values,
            table="renovation_item",
            confirm=confirm,
            version=self.version,
        )


def delete_item(ctx: AppContext, item_id: str, name: str, version: int | None = None) -> None:
    commands.delete(
        ctx, f"删除改造内容“{name}”", item_id, items.delete, items.restore, table="renovation_item", version=version
    )


# -- completed investment -----------------------------------------------------------------------------


class InvestmentDialog(RecordDialog):
    """登记完成投资: a dated amount (negative to correct an earlier one), optionally by source, in 元."""

    def __init__(self, ctx: AppContext, community_id: str, *, parent: QWidget | None = None):
        self.ctx = ctx
        self.community_id = community_id
        super().__init__(
            "登记完成投资",
            list(funding.ENTRY_FIELDS.values()),
            self._add,
            values={"entry_date": date.today()},
            choices={"source_id": lambda: ctx.read(funding.leaf_source_choices)},
            parent=parent,
        )
        self.resize(520, 300)

    def _add(self, values: dict[str, Any], _confirm: bool) -> Any:
        cid = self.community_id
        return _create(
            self.ctx,
            "登记完成投资",
            lambda s: funding.add_investment(s, communities.get(s, cid), values),
            funding.delete_investment,
            funding.restore_investment,
            "investment_entry",
        )
