"""The recycle bin (回收站): every deleted record of every kind in one list, and restore through its service.

Deletion is a tombstone (`deleted_at`), so the bin is a query, paged in SQL like the other lists: a
UNION of the deleted communities, projects, items, inspections, milestones and completed-investment
entries with what they were, where they belonged, when and by whom (from the audit log) they were
deleted. Records deleted together with their community (same stamp) are not listed on their own: they
come back with the community. Restoring goes through the
owning service, which refuses when the parent is still in the bin (a Chinese message says which).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from oldcomm_desktop.core import (
    communities,
    funding,
    inspections,
    items,
    milestones,
    projects,
    records,
    responsibility,
)
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.lifecycle import MILESTONE_KINDS
from oldcomm_desktop.core.model import (
    AuditEntry,
    Community,
    Division,
    Inspection,
    InvestmentEntry,
    ItemType,
    Milestone,
    Project,
    RenovationItem,
)
from oldcomm_desktop.core.model.base import Fixed2

KINDS: dict[str, str] = {
    "community": "小区",
    "project": "项目",
    "item": "改造内容",
    "inspection": "检查记录",
    "milestone": "进度节点",
    "investment": "完成投资",
    "party": "参建单位",
}
SORT_KEYS = ("deleted_at", "kind", "name")


@dataclass(frozen=True)
class BinQuery:
    search: str = ""
    kind: str | None = None  # one of KINDS, or None for all
    township: str | None = None
    sort_key: str = "deleted_at"
    descending: bool = True


def _deleted() -> CompoundSelect:
    """All deleted records as rows of (kind, id, name, parent, amount, township_code, deleted_at, version)."""
    owner = aliased(Community)
    m_community, m_project = aliased(Community), aliased(Project)
    e_community, e_project = aliased(Community), aliased(Project)
    milestone_label = case({k.code: k.label for k in MILESTONE_KINDS}, value=Milestone.kind, else_=Milestone.kind)
    c_project = aliased(Project)
    i_community = aliased(Community)
    i_project = aliased(Project)
    kind_label = case(inspections.KINDS, value=Inspection.kind, else_=Inspection.kind)
    return union_all(
        select(
            literal("community").label("kind"),
            Community.id,
            Community.name.label("name"),
            c_project.name.label("parent"),
            # the first SELECT types the union's column: fen in SQL (PostgreSQL wants a bigint), Decimal in Python
            type_coerce(cast(null(), BigInteger), Fixed2).label("amount"),
            Community.township_code,
            Community.deleted_at,
            Community.version,
        )
        .outerjoin(c_project, c_project.id == Community.project_id)
        .where(Community.deleted_at.is_not(None)),
        select(
            literal("project"),
            Project.id,
            Project.name,
            null(),
            null(),
            Project.township_code,
            Project.deleted_at,
            Project.version,
        ).where(Project.deleted_at.is_not(None)),
        select(
            literal("item"),
            RenovationItem.id,
            case(
                (RenovationItem.description.is_not(None), ItemType.name + "：" + RenovationItem.description),
                else_=ItemType.name,
            ),
            owner.name,
            RenovationItem.investment,
            RenovationItem.township_code,
            RenovationItem.deleted_at,
            RenovationItem.version,
        )
        .join(ItemType, ItemType.id == RenovationItem.item_type_id)
        .join(owner, owner.id == RenovationItem.community_id)
        .where(
            RenovationItem.deleted_at.is_not(None),
            # deleted with its community (same stamp): it is restored with it, not on its own
            or_(owner.deleted_at.is_(None), owner.deleted_at != RenovationItem.deleted_at),
        ),
        select(
            literal("inspection"),
            Inspection.id,
            kind_label + " " + func.coalesce(cast(Inspection.inspected_on, String), ""),
            func.coalesce(i_community.name, i_project.name),
            null(),
            Inspection.township_code,
            Inspection.deleted_at,
            Inspection.version,
        )
        .outerjoin(i_community, i_community.id == Inspection.community_id)
        .outerjoin(i_project, i_project.id == Inspection.project_id)
        .where(
            Inspection.deleted_at.is_not(None),
            or_(i_community.deleted_at.is_(None), i_community.deleted_at != Inspection.deleted_at),
        ),
        select(
            literal("milestone"),
            Milestone.id,
            milestone_label + " " + cast(Milestone.reached_on, String),
            func.coalesce(m_community.name, m_project.name),
            null(),
            Milestone.township_code,
            Milestone.deleted_at,
            Milestone.version,
        )
        .outerjoin(m_community, m_community.id == Milestone.community_id)
        .outerjoin(m_project, m_project.id == Milestone.project_id)
        .where(
            Milestone.deleted_at.is_not(None),
            or_(m_community.deleted_at.is_(None), m_community.deleted_at != Milestone.deleted_at),
        ),
        select(
            literal("investment"),
            InvestmentEntry.id,
            literal("完成投资 ") + cast(InvestmentEntry.entry_date, String),
            func.coalesce(e_community.name, e_project.name),
            InvestmentEntry.amount,
            InvestmentEntry.township_code,
            InvestmentEntry.deleted_at,
            InvestmentEntry.version,
        )
        .outerjoin(e_community, e_community.id == InvestmentEntry.community_id)
        .outerjoin(e_project, e_project.id == InvestmentEntry.project_id)
        .where(
            InvestmentEntry.deleted_at.is_not(None),
            or_(e_community.deleted_at.is_(None), e_community.deleted_at != InvestmentEntry.deleted_at),
        ),
        responsibility.binned(),
    )


def _select(query: BinQuery) -> Select:
    u = _deleted().subquery("bin")
    township = aliased(Division)
    deleted_by = (
        select(AuditEntry.operator)
        .where(AuditEntry.record_id == u.c.id, AuditEntry.action == "delete")
        .order_by(AuditEntry.seq.desc())
        .limit(1)
        .correlate(u)
        .scalar_subquery()
    )
    q = select(
        u.c.kind,
        u.c.id,
        u.c.name,
        u.c.parent,
        u.c.amount,
        u.c.township_code,
        township.name.label("township"),
        u.c.deleted_at,
        u.c.version,  # a restore from the bin carries the version the clerk saw, like every other save
        deleted_by.label("deleted_by"),
    ).outerjoin(township, township.code == u.c.township_code)
    conditions: list[ColumnElement[bool]] = []
    if query.kind:
        if query.kind not in KINDS:
            raise ValidationError(f"回收站里没有“{query.kind}”这类记录")
        conditions.append(u.c.kind == query.kind)
    if query.township:
        conditions.append(u.c.township_code == query.township)
    for word in query.search.split():
        like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(u.c.name.like(like, escape="\\"), u.c.parent.like(like, escape="\\")))
    if conditions:
        q = q.where(and_(*conditions))
    if query.sort_key not in SORT_KEYS:
        raise ValidationError(f"不能按“{query.sort_key}”排序")
    col = u.c[query.sort_key]
    return q.order_by(col.desc() if query.descending else col.asc(), u.c.id)


def count(session: Session, query: BinQuery = BinQuery()) -> int:
    return session.scalar(select(func.count()).select_from(_select(query).subquery())) or 0


def page(session: Session, query: BinQuery = BinQuery(), offset: int = 0, limit: int = 500) -> list[dict[str, Any]]:
    """Rows with kind, kind_label, id, name, parent, amount (items and investment, yuan), township,
    deleted_at (UTC) and deleted_by."""
    rows = session.execute(_select(query).offset(offset).limit(limit)).mappings().all()
    return [{**r, "kind_label": KINDS.get(r["kind"], r["kind"])} for r in rows]


# -- restore and delete again ---------------------------------------------------------------------------
def restore_inspection(session: Session, inspection_id: str, *, expected_version: int | None = None) -> Inspection:
    """Bring back an inspection (with its rectifications) unless its community or project is in the bin.

    `inspections.restore` does the restoring; the check is here because deleting a community does not
    take its inspections with it, so an inspection can outlive — and be restored without — its community.
    """
    inspection = records.get(
        session, Inspection, inspection_id, include_deleted=True, expected_version=expected_version
    )
    parents: tuple[tuple[Community | Project | None, str], ...] = (
        (session.get(Community, inspection.community_id) if inspection.community_id else None, "小区"),
        (session.get(Project, inspection.project_id) if inspection.project_id else None, "项目"),
    )
    for parent, label in parents:
        if parent is not None and parent.deleted_at is not None:
            raise ValidationError(f"所属{label}“{parent.name}”在回收站中，请先恢复{label}")
    return inspections.restore(session, inspection_id)  # version checked above


RESTORE: dict[str, Callable[..., Any]] = {
    "community": communities.restore,
    "project": projects.restore,
    "item": items.restore,
    "inspection": restore_inspection,
    "milestone": milestones.restore,
    "investment": funding.restore_investment,
    "party": responsibility.restore,
}
DELETE: dict[str, Callable[..., Any]] = {
    "community": communities.delete,
    "project": projects.delete,
    "item": items.delete,
    "inspection": inspections.delete,
    "milestone": milestones.remove,
    "investment": funding.delete_investment,
    "party": responsibility.delete,
}


def restore(session: Session, kind: str, record_id: str, *, expected_version: int | None = None) -> Any:
    """Restore one record of `kind` through its service; ValidationError (Chinese) when refused."""
    if kind not in RESTORE:
        raise ValidationError(f"回收站里没有“{kind}”这类记录")
    restored = RESTORE[kind](session, record_id, expected_version=expected_version)
    from oldcomm_desktop.core.sync import deleted_parents  # records a package brought under it, held meanwhile

    deleted_parents.release(session, deleted_parents.RELEASED_HERE)
    return restored


def delete(session: Session, kind: str, record_id: str, *, expected_version: int | None = None) -> None:
    """Put a record back in the bin through its service (what undoing a restore does)."""
    if kind not in DELETE:
        raise ValidationError(f"回收站里没有“{kind}”这类记录")
    DELETE[kind](session, record_id, expected_version=expected_version)
