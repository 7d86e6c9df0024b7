"""Renovation items (改造内容) of a community: quantities against plan, investment, dates."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, records
from oldcomm_desktop.core.errors import ConfirmationNeeded, FieldProblem, ValidationError
from oldcomm_desktop.core.fields import Field, problem, spec_of
from oldcomm_desktop.core.model import Community, RenovationItem
from oldcomm_desktop.core.model.base import utcnow

ITEM_STATUSES = {"planned": "未开工", "started": "在建", "completed": "已完成"}

FIELDS = spec_of(
    Field("item_type_id", "改造内容类型", required=True, max_length=36),
    Field("description", "具体内容", max_length=300),
    Field("planned_quantity", "计划工程量", "decimal", minimum=0),
    Field("completed_quantity", "完成工程量", "decimal", minimum=0),
    Field("investment", "投资额", "money", minimum=0, unit="元"),
    Field("status", "状态", "choice", choices=ITEM_STATUSES),
    Field("started_on", "开工日期", "date"),
    Field("completed_on", "完成日期", "date"),
    Field("notes", "备注"),
)


def rules(session: Session, item: Any, confirm: bool) -> list[FieldProblem]:
    """The item's rules on its own values (shared with the bulk write path; `session` is unused)."""
    problems: list[FieldProblem] = []
    if item.started_on and item.completed_on and item.completed_on < item.started_on:
        problems.append(problem(FIELDS, "completed_on", f"完成日期 {item.completed_on} 早于开工日期 {item.started_on}"))
    if item.status == "completed" and not item.completed_on:
        problems.append(problem(FIELDS, "completed_on", "状态为已完成时必须填写完成日期"))
    if item.status == "planned" and (item.completed_quantity or item.completed_on):
        problems.append(problem(FIELDS, "status", "已有完成工程量或完成日期，状态不能是未开工"))
    if problems:
        return problems
    if (
        not confirm
        and item.planned_quantity is not None
        and item.completed_quantity is not None
        and item.completed_quantity > item.planned_quantity
    ):
        raise ConfirmationNeeded(
            "completed_quantity",
            FIELDS["completed_quantity"].label,
            f"完成工程量 {item.completed_quantity} 超过计划 {item.planned_quantity}，确认无误吗？",
        )
    return []


FINISHED_COMMUNITY = {"completed": "已完工", "accepted": "已验收"}


def _against_community(keys: set[str], ask: bool):  # a rule for records.apply
    """Warnings the clerk confirms (and `oldcomm check` lists): the community's items adding up to more than
    its 总投资, an item not finished on a community that is. Asked when the item's money or status is set."""

    def rule(session: Session, item: RenovationItem, _confirm: bool) -> list[FieldProblem]:
        if not ask:
            return []
        community = session.get(Community, item.community_id)
        if community is None:
            return []
        from oldcomm_desktop.core.money import format_yuan

        if "investment" in keys and item.investment and community.total_investment is not None:
            others = session.scalar(
                select(func.sum(RenovationItem.investment)).where(
                    RenovationItem.community_id == community.id,
                    RenovationItem.deleted_at.is_(None),
                    RenovationItem.id != (item.id or ""),
                )
            )
            total = (others or Decimal(0)) + item.investment
            if total > community.total_investment:
                raise ConfirmationNeeded(
                    "investment",
                    FIELDS["investment"].label,
                    f"本小区改造内容投资合计 {format_yuan(total)} 元，超过小区总投资 "
                    f"{format_yuan(community.total_investment)} 元，确认无误吗？",
                )
        if "status" in keys and community.status in FINISHED_COMMUNITY and item.status != "completed":
            raise ConfirmationNeeded(
                "status",
                FIELDS["status"].label,
                f"小区{FINISHED_COMMUNITY[community.status]}，这项改造内容却是"
                f"“{ITEM_STATUSES.get(item.status, item.status)}”，确认无误吗？",
            )
        return []

    return rule


def retired_problem(name: str, active: bool, chosen_id: str, current_id: str | None) -> FieldProblem | None:
    """A retired catalogue entry (停用) is refused for a new item or a change of type; an item that already
    has it keeps it (its type stays readable and it can still be edited). Shared with the bulk write path."""
    if active or chosen_id == current_id:
        return None
    return problem(FIELDS, "item_type_id", f"“{name}”已在改造内容目录中停用，不能再用于改造内容，请选择其他类型")


def _resolve_type(session: Session, data: Mapping[str, Any], current_id: str | None = None) -> dict[str, Any]:
    data = dict(data)
    if data.get("item_type_id"):
        found = catalogues.item_type(session, str(data["item_type_id"]))
        refused = retired_problem(found.name, bool(found.active), found.id, current_id)
        if refused is not None:
            raise ValidationError(refused)
        data["item_type_id"] = found.id
    return data


def create(session: Session, community_id: str, data: Mapping[str, Any], *, confirm: bool = False) -> RenovationItem:
    """Add an item to a live community (InRecycleBin, naming it, when it or its project is in the bin)."""
    community = records.get_writable(session, Community, community_id, "添加改造内容")
    item = RenovationItem(community_id=community.id, township_code=community.township_code, status="planned")
    # the status check asks about a status the clerk chose, not about the default of an item added in passing
    checks = [rules, _against_community({"investment"} | ({"status"} & set(data)), not confirm)]
    records.apply(session, item, FIELDS, _resolve_type(session, data), checks, confirm=confirm)
    session.flush()
    return item


def update(
    session: Session,
    item_id: str,
    changes: Mapping[str, Any],
    *,
    confirm: bool = False,
    expected_version: int | None = None,
) -> RenovationItem:
    # an item live under a community in the bin (as a sync can leave one) is not changed unseen either
    item = records.get_writable(session, RenovationItem, item_id, "修改改造内容", expected_version=expected_version)
    # asked once: an edit that leaves both quantities alone does not ask about them again
    checks = [rules, _against_community({"investment", "status"} & set(changes), not confirm)]
    confirm = confirm or not ({"planned_quantity", "completed_quantity"} & set(changes))
    records.apply(session, item, FIELDS, _resolve_type(session, changes, item.item_type_id), checks, confirm=confirm)
    session.flush()
    return item


def delete(session: Session, item_id: str, *, expected_version: int | None = None) -> None:
    records.soft_delete(session, records.get(session, RenovationItem, item_id, expected_version=expected_version))
    session.flush()


def restore(session: Session, item_id: str, *, expected_version: int | None = None) -> RenovationItem:
    item = records.get(session, RenovationItem, item_id, include_deleted=True, expected_version=expected_version)
    community = session.get(Community, item.community_id)
    if community is not None and community.deleted_at is not None:
        from oldcomm_desktop.core.errors import ValidationError

        raise ValidationError(f"所属小区“{community.name}”在回收站中，请先恢复小区")
    records.restore(session, item)
    item.updated_at = utcnow()
    session.flush()
    return item
