"""What the 小区台账 page shows about one community, as plain values, plus the few undo steps it needs.

The GUI's sessions close before a widget paints, so everything here returns dataclasses and dicts, never
ORM objects with lazy relations. The choice lists (townships, years, categories, projects, villages, item
types, funding sources) are queries too, so they live here rather than in a widget. The undo helpers
(restore a removed milestone, withdraw an investment entry) re-check the same rules as the forward step,
because an undo or redo is just another change to the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, divisions, funding, records
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.lifecycle import KIND_BY_CODE, STATUS_LABELS, Reached, order_problem
from oldcomm_desktop.core.model import (
    Community,
    Division,
    FundingLine,
    InvestmentEntry,
    Milestone,
    Project,
)
from oldcomm_desktop.core.model.base import utcnow

# -- choice lists --------------------------------------------------------------------------------------


def township_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every township this database knows, in code order."""
    return [(d.code, d.name) for d in divisions.townships(session)]


def village_choices(session: Session, township_code: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of residents' committees and villages (所属社区), optionally of one township."""
    from oldcomm_desktop.core import national_divisions

    q = select(Division.code, Division.name).where(Division.level == "village", Division.deleted_at.is_(None))
    if township_code:
        q = q.where(Division.code.startswith(township_code[:9]))
    found: dict[str, str] = {c: n for c, n in session.execute(q)}
    listed = national_divisions.children(township_code) if township_code else []
    for e in listed:  # the township's 社区/村 from the national list, registered when a community uses one
        found.setdefault(e.code, e.name)
    listed_codes = {e.code for e in listed}
    return [
        (c, n if c in listed_codes or national_divisions.listed(c) else f"{n}（手工添加）")
        for c, n in sorted(found.items())
    ]


def plan_year_choices(session: Session) -> list[int]:
    """The plan years (改造年度) that live communities have, newest first: the 批次年度 filter.

    One index seek per year (the largest year below the last one found) rather than DISTINCT over every
    community: the filter is filled when the 小区台账 page opens, and DISTINCT read all 200,000 index entries."""
    years: list[int] = []
    live = (Community.deleted_at.is_(None), Community.plan_year.is_not(None))
    while len(years) < 200:
        below = () if not years else (Community.plan_year < years[-1],)
        year = session.scalar(select(func.max(Community.plan_year)).where(*live, *below))
        if year is None:
            break
        years.append(int(year))
    return years


def category_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the item categories (基础类 / 完善类 / 提升类 …) from the catalogue."""
    return [(c.code, c.name) for c in catalogues.categories(session)]


def status_choices() -> list[tuple[str, str]]:
    return list(STATUS_LABELS.items())


def project_choices(session: Session, township_code: str | None = None) -> list[tuple[str, str]]:
    """(id, name) of live projects, optionally of one township, newest plan year first."""
    q = select(Project.id, Project.name).where(Project.deleted_at.is_(None))
    if township_code:
        q = q.where(Project.township_code == township_code)
    return [(i, n) for i, n in session.execute(q.order_by(Project.plan_year.desc(), Project.name))]


@dataclass(frozen=True)
class ItemTypeChoice:
    id: str
    code: str
    name: str
    unit: str
    category: str
    retired: bool = False

    @property
    def label(self) -> str:
        return f"{self.category} · {self.name}（{self.unit}）" + ("（已停用）" if self.retired else "")


def item_type_choices(session: Session, keep: str | None = None) -> list[ItemTypeChoice]:
    """Active item types in catalogue order, with their category and natural unit (and `keep`, an item's
    own type, even when retired: catalogues.item_types)."""
    return [
        ItemTypeChoice(t.id, t.code, t.name, t.unit, t.category.name if t.category else "", not t.active)
        for t in catalogues.item_types(session, keep=keep)
    ]


def leaf_source_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of funding sources money can be recorded on (leaves of the tree)."""
    return [(s.code, s.name) for s in catalogues.funding_sources(session) if catalogues.is_leaf(session, s)]


# -- header ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunityHeader:
    id: str
    name: str
    township: str
    project: str
    status: str
    status_label: str
    plan_year: int | None
    households: int | None
    floor_area: Decimal | None
    total_investment: Decimal | None
    progress_percent: int | None


def header(session: Session, community_id: str) -> CommunityHeader:
    """The one-line summary above the detail tabs."""
    c = records.get(session, Community, community_id)
    project = session.get(Project, c.project_id) if c.project_id else None
    return CommunityHeader(
        c.id,
        c.name,
        divisions.name_of(session, c.township_code),
        project.name if project else "",
        c.status,
        STATUS_LABELS.get(c.status, c.status),
        c.plan_year,
        c.households,
        c.floor_area,
        c.total_investment,
        c.progress_percent,
    )


# -- milestones ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    id: str
    kind: str
    label: str
    reached_on: date
    document_no: str | None
    reason: str | None
    notes: str | None
    on_project: bool  # recorded on the project, so it counts for every community of it


def timeline(session: Session, community_id: str) -> list[TimelineEntry]:
    """The community's milestones and its project's, oldest first (what makes its status)."""
    from oldcomm_desktop.core import milestones

    c = records.get(session, Community, community_id)
    return [
        TimelineEntry(
            m.id,
            m.kind,
            KIND_BY_CODE[m.kind].label if m.kind in KIND_BY_CODE else m.kind,
            m.reached_on,
            m.document_no,
            m.reason,
            m.notes,
            m.project_id is not None,
        )
        for m in milestones.milestones_of(session, c)
    ]


def restore_milestone(
    session: Session, milestone_id: str, *, today: date | None = None, expected_version: int | None = None
) -> Milestone:
    """Bring back a removed milestone (undo of a removal, redo of an addition), if it still fits the order.

    Keeping the same record (not adding a copy) keeps its id, documents and photos attached.
    """
    from oldcomm_desktop.core import milestones

    m = records.get(session, Milestone, milestone_id, include_deleted=True, expected_version=expected_version)
    if m.deleted_at is None:
        return m
    target = session.get(Community, m.community_id) if m.community_id else session.get(Project, m.project_id)
    if target is None or target.deleted_at is not None:
        raise ValidationError("该节点所属的小区或项目在回收站中，请先恢复它")
    affected = (
        [target]
        if isinstance(target, Community)
        else list(
            session.scalars(select(Community).where(Community.project_id == target.id, Community.deleted_at.is_(None)))
        )
    )
    new = Reached(m.kind, m.reached_on)
    for community in affected:
        existing = [Reached(x.kind, x.reached_on) for x in milestones.milestones_of(session, community)]
        why = order_problem(existing, new, today or date.today())
        if why:
            raise ValidationError(FieldProblem("reached_on", "日期", why))
    records.restore(session, m)
    m.updated_at = utcnow()
    session.flush()
    for community in affected:
        milestones.refresh_status(session, community)
    session.flush()
    return m


# -- money -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoneyRow:
    """One node of the funding-source tree with its measures (parents are sums of their children)."""

    code: str
    name: str
    depth: int
    leaf: bool
    amounts: dict[str, Decimal]

    @property
    def empty(self) -> bool:
        return not any(self.amounts.values())


@dataclass(frozen=True)
class MoneyView:
    total_investment: Decimal | None
    rows: list[MoneyRow]
    totals: dict[str, Decimal]  # the sum over the root sources, per measure
    this_month: Decimal
    this_year: Decimal
    since_start: Decimal
    as_of: date


def money_view(session: Session, community_id: str, as_of: date | None = None) -> MoneyView:
    """The community's money by source in each measure, and its completed investment figures."""
    c = records.get(session, Community, community_id)
    as_of = as_of or date.today()
    rows: list[MoneyRow] = []

    def walk(node: funding.SourceNode, depth: int) -> None:
        rows.append(MoneyRow(node.source.code, node.source.name, depth, not node.children, dict(node.amounts)))
        for child in node.children:
            walk(child, depth + 1)

    roots = funding.tree(session, c)
    for root in roots:
        walk(root, 0)
    totals = {k: sum((r.amounts[k] for r in roots), Decimal("0.00")) for k in funding.MEASURES}
    figures = funding.completed_figures(session, c, as_of)
    return MoneyView(
        c.total_investment, rows, totals, figures.this_month, figures.this_year, figures.since_start, as_of
    )


@dataclass(frozen=True)
class FundingEditorRow:
    """A row of the funding-table editor: every source, with the values of the target's line on a leaf."""

    code: str
    name: str
    depth: int
    leaf: bool
    needs_note: bool
    values: dict[str, Decimal | None] = field(default_factory=dict)
    source_note: str | None = None


def funding_lines(session: Session, community_id: str) -> dict[str, dict[str, object]]:
    """The community's funding table as `funding.set_lines` takes it ({source code: {measure: amount}})."""
    c = records.get(session, Community, community_id)
    q = (
        select(FundingLine)
        .where(FundingLine.community_id == c.id, FundingLine.deleted_at.is_(None))
        .order_by(FundingLine.created_at)
    )
    codes = {s.id: s.code for s in catalogues.funding_sources(session)}
    out: dict[str, dict[str, object]] = {}
    for line in session.scalars(q):
        code = codes.get(line.source_id)
        if code is None:
            continue
        out[code] = {**{k: getattr(line, k) for k in funding.MEASURES}, "source_note": line.source_note}
    return out


def funding_table_version(session: Session, community_id: str) -> int:
    """What the funding editor passes back as `set_lines(expected_version=…)` when it saves."""
    return funding.table_version(session, records.get(session, Community, community_id))


def funding_editor_rows(session: Session, community_id: str) -> list[FundingEditorRow]:
    """Every source in tree order, leaves carrying the community's current amounts (None when blank)."""
    lines = funding_lines(session, community_id)
    sources = catalogues.funding_sources(session)
    by_parent: dict[str | None, list] = {}
    ids = {s.id for s in sources}
    for s in sources:
        by_parent.setdefault(s.parent_id if s.parent_id in ids else None, []).append(s)
    rows: list[FundingEditorRow] = []

    def walk(s, depth: int) -> None:  # a FundingSource
        children = by_parent.get(s.id, [])
        line = lines.get(s.code, {})
        rows.append(
            FundingEditorRow(
                s.code,
                s.name,
                depth,
                not children,
                bool(s.needs_note),
                {k: line.get(k) for k in funding.MEASURES},  # type: ignore[misc]
                line.get("source_note"),  # type: ignore[arg-type]
            )
        )
        for child in children:
            walk(child, depth + 1)

    for root in by_parent.get(None, []):
        walk(root, 0)
    return rows


def delete_investment(session: Session, entry_id: str, *, expected_version: int | None = None) -> None:
    """Withdraw a completed-investment entry (undo of 登记完成投资): into the recycle bin."""
    records.soft_delete(session, records.get(session, InvestmentEntry, entry_id, expected_version=expected_version))
    session.flush()


def restore_investment(session: Session, entry_id: str, *, expected_version: int | None = None) -> InvestmentEntry:
    """Bring an entry back, unless the running total would then pass the total investment."""
    entry = records.get(session, InvestmentEntry, entry_id, include_deleted=True, expected_version=expected_version)
    if entry.deleted_at is None:
        return entry
    target = (
        session.get(Community, entry.community_id) if entry.community_id else session.get(Project, entry.project_id)
    )
    if target is None or target.deleted_at is not None:
        raise ValidationError("该完成投资所属的小区或项目在回收站中，请先恢复它")
    done = funding.completed_to_date(session, target) + entry.amount
    if target.total_investment is not None and done > target.total_investment:
        raise ValidationError(
            FieldProblem("amount", "完成投资", f"累计完成投资 {done} 元将超过总投资 {target.total_investment} 元")
        )
    records.restore(session, entry)
    entry.updated_at = utcnow()
    session.flush()
    return entry
