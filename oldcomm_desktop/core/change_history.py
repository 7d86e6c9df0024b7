"""The 修改记录 a clerk reads: the audit log of a record put into words (who, when, which field, old → new).

`audit.history` gives raw rows (column names, stored text, UTC times). This turns them into what a person
reads: the field's Chinese label from the service's Field spec, codes shown as their names (a township's
name rather than its 12 digits, 已开工 rather than ``started``), amounts with thousands separators and
units, local time. It can also follow a community's own children (items, milestones, money), because a
clerk asking "who changed this community" means those too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core.fields import Field
from oldcomm_desktop.core.lifecycle import KIND_BY_CODE, STATUS_LABELS
from oldcomm_desktop.core.model import (
    AuditEntry,
    Division,
    FundingLine,
    FundingSource,
    InvestmentEntry,
    ItemType,
    Milestone,
    Project,
    RenovationItem,
)
from oldcomm_desktop.core.money import format_quantity

ACTIONS = {"create": "新建", "update": "修改", "delete": "删除（移入回收站）", "restore": "从回收站恢复"}

# Columns that no Field spec names but a clerk still sees change.
COMMON_LABELS = {
    "status": "状态",
    "township_code": "乡镇（街道）",
    "community_id": "所属小区",
    "project_id": "所属项目",
    "source_id": "资金来源",
    "item_type_id": "改造内容类型",
    "deleted_at": "回收站",
}


def _specs() -> dict[str, tuple[str, Mapping[str, Field]]]:
    """Table name -> (what a record of it is called, its Field spec). Imported late: services import a lot."""
    from oldcomm_desktop.core import communities, funding, inspections, items, milestones, projects

    return {
        "community": ("小区", communities.FIELDS),
        "project": ("项目", projects.FIELDS),
        "renovation_item": ("改造内容", items.FIELDS),
        "milestone": ("进度节点", milestones.FIELDS),
        "funding_line": ("资金", funding.LINE_FIELDS),
        "investment_entry": ("完成投资", funding.ENTRY_FIELDS),
        "inspection": ("检查", inspections.FIELDS),
        "rectification": ("整改", inspections.RECT_FIELDS),
        "reinspection": ("复查", inspections.REINSPECT_FIELDS),
    }


@dataclass(frozen=True)
class HistoryRow:
    at: datetime  # local time
    operator: str
    action: str  # 新建 / 修改 / 删除（移入回收站） / 从回收站恢复
    record: str  # what the record is: 小区, 改造内容·道路硬化/沥青铺设, 进度节点·开工 …
    field: str  # the field's Chinese label ("" for a create, delete or restore)
    old: str
    new: str


def _local(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def _number(text: str, field: Field) -> str:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    shown = f"{value:,.2f}" if field.kind == "money" else format_quantity(value)
    return f"{shown} {field.unit}".strip() if field.unit else shown


def _name_lookup(session: Session, column: str, value: str) -> str:
    """A code or id shown as what it names (kept as is when nothing is found)."""
    if column in ("township_code", "village_code"):
        name = session.scalar(select(Division.name).where(Division.code == value))
    elif column == "project_id":
        name = session.scalar(select(Project.name).where(Project.id == value))
    elif column == "item_type_id":
        name = session.scalar(select(ItemType.name).where(ItemType.id == value))
    elif column == "source_id":
        name = session.scalar(select(FundingSource.name).where(FundingSource.id == value))
    else:
        name = None
    return name or value


def _value(session: Session, table: str, column: str, text: str | None, spec: Mapping[str, Field]) -> str:
    if text is None or text == "":
        return "（空）"
    if column == "status" and table == "community":
        return STATUS_LABELS.get(text, text)
    if column == "kind" and table == "milestone":
        return KIND_BY_CODE[text].label if text in KIND_BY_CODE else text
    field = spec.get(column)
    if field is not None and field.kind == "choice" and field.choices:
        return field.choices.get(text, text)
    if column == "status" and table == "renovation_item":
        from oldcomm_desktop.core.items import ITEM_STATUSES

        return ITEM_STATUSES.get(text, text)
    if column in COMMON_LABELS or column == "village_code":
        return _name_lookup(session, column, text)
    if field is None:
        return text
    if field.kind in ("int", "decimal", "money"):
        return _number(text, field)
    return text


def _record_label(session: Session, table: str, record_id: str, kind: str) -> str:
    """What one record is, for the rows of children: 改造内容·供水管网改造, 资金·中央预算内投资 …"""
    detail = None
    if table == "renovation_item":
        item = session.get(RenovationItem, record_id)
        detail = session.scalar(select(ItemType.name).where(ItemType.id == item.item_type_id)) if item else None
    elif table == "milestone":
        m = session.get(Milestone, record_id)
        detail = KIND_BY_CODE[m.kind].label if m and m.kind in KIND_BY_CODE else None
    elif table == "funding_line":
        line = session.get(FundingLine, record_id)
        detail = session.scalar(select(FundingSource.name).where(FundingSource.id == line.source_id)) if line else None
    elif table == "investment_entry":
        entry = session.get(InvestmentEntry, record_id)
        detail = str(entry.entry_date) if entry else None
    return f"{kind}·{detail}" if detail else kind


def _children_ids(session: Session, community_id: str) -> list[str]:
    ids: list[str] = []
    for cls in (RenovationItem, Milestone, FundingLine, InvestmentEntry):
        ids += session.scalars(select(cls.id).where(cls.community_id == community_id))
    return ids


def history(session: Session, record_id: str, *, with_children: bool = False) -> list[HistoryRow]:
    """The record's changes in words, oldest first; `with_children` adds a community's items, milestones
    and money (their creation, changes, deletion), each row saying which record it was."""
    ids = [record_id] + (_children_ids(session, record_id) if with_children else [])
    entries = list(session.scalars(select(AuditEntry).where(AuditEntry.record_id.in_(ids)).order_by(AuditEntry.seq)))
    specs = _specs()
    labels: dict[str, str] = {}
    rows: list[HistoryRow] = []
    for e in entries:
        kind, spec = specs.get(e.table_name, (e.table_name, {}))
        if e.record_id not in labels:
            labels[e.record_id] = (
                kind if e.record_id == record_id else _record_label(session, e.table_name, e.record_id, kind)
            )
        action = ACTIONS.get(e.action, e.action)
        if e.action in ("delete", "restore", "create") or not e.field:
            rows.append(HistoryRow(_local(e.at), e.operator or "", action, labels[e.record_id], "", "", ""))
            continue
        label = spec[e.field].label if e.field in spec else COMMON_LABELS.get(e.field, e.field)
        rows.append(
            HistoryRow(
                _local(e.at),
                e.operator or "",
                action,
                labels[e.record_id],
                label,
                _value(session, e.table_name, e.field, e.old_value, spec),
                _value(session, e.table_name, e.field, e.new_value, spec),
            )
        )
    return rows
