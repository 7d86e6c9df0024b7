"""The figures the 概览 (dashboard), 项目 and 报表 pages show that `summary` does not give directly.

`summary.totals(by="township")` sums each township but cannot say how many of its communities are at
each status; the dashboard's progress chart needs that cross table. Likewise the items-by-category
aggregate, a project's money (its own funding lines plus those of its communities) and the meeting
table (per township: all communities and 完成改造 = completed + accepted). Everything sums in SQL and
comes back as plain values, so a caller may close its session before using them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, summary
from oldcomm_desktop.core.funding import MEASURES
from oldcomm_desktop.core.lifecycle import STATUSES
from oldcomm_desktop.core.model import (
    Category,
    Community,
    Division,
    FundingLine,
    InvestmentEntry,
    ItemType,
    Project,
    RenovationItem,
)

ZERO = Decimal("0.00")


# -- status × township --------------------------------------------------------------------------------
@dataclass
class TownshipStatusRow:
    """One township's communities counted per lifecycle status (every status present, zeros included)."""

    code: str
    name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def status_by_township(session: Session, *, year: int | None = None) -> list[TownshipStatusRow]:
    """Live communities counted by (township, status), ordered by township code.

    Townships registered in the division table but without communities are left out: a chart of
    empty rows says nothing.
    """
    q = select(Community.township_code, Community.status, func.count(Community.id)).where(
        Community.deleted_at.is_(None)
    )
    if year is not None:
        q = q.where(Community.plan_year == year)
    q = q.group_by(Community.township_code, Community.status)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {s: 0 for s in STATUSES})
    for code, status, n in session.execute(q):
        counts[code or ""][status] = counts[code or ""].get(status, 0) + n
    names = _division_names(session, list(counts))
    return [TownshipStatusRow(code, names.get(code, code or "（未填）"), counts[code]) for code in sorted(counts)]


def _division_names(session: Session, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(session.execute(select(Division.code, Division.name).where(Division.code.in_(codes))).all())


# -- items by category --------------------------------------------------------------------------------
@dataclass
class CategoryFigures:
    """Renovation items of one category: how many, in how many communities, planned investment, finished."""

    code: str
    name: str
    items: int = 0
    communities: int = 0
    investment: Decimal = ZERO
    completed_items: int = 0


def items_by_category(session: Session, *, year: int | None = None) -> list[CategoryFigures]:
    """Live items of live communities per category (every catalogue category present, in catalogue order).

    Counts the same rows the 改造内容 list shows when filtered by category, so a click on the chart
    lands on a table with the same number.
    """
    q = (
        select(
            Category.id,
            func.count(RenovationItem.id),
            func.count(func.distinct(RenovationItem.community_id)),
            func.sum(RenovationItem.investment),
            func.sum(case((RenovationItem.status == "completed", 1), else_=0)),
        )
        .join(ItemType, ItemType.category_id == Category.id)
        .join(RenovationItem, RenovationItem.item_type_id == ItemType.id)
        .join(Community, Community.id == RenovationItem.community_id)
        .where(RenovationItem.deleted_at.is_(None), Community.deleted_at.is_(None))
        .group_by(Category.id)
    )
    if year is not None:
        q = q.where(Community.plan_year == year)
    found = {cid: (n, nc, inv, done) for cid, n, nc, inv, done in session.execute(q)}
    out = []
    for cat in catalogues.categories(session):
        n, nc, inv, done = found.get(cat.id, (0, 0, None, 0))
        out.append(CategoryFigures(cat.code, cat.name, int(n), int(nc), summary._dec(inv), int(done or 0)))
    return out


# -- money by funding source --------------------------------------------------------------------------
@dataclass
class MoneyNode:
    """A funding source with its measures (approved, annual_plan, arrived, paid) rolled up from below."""

    code: str
    name: str
    amounts: dict[str, Decimal]
    children: list[MoneyNode] = field(default_factory=list)


def funding_tree(session: Session, *, project_id: str | None = None, of: str = "all") -> list[MoneyNode]:
    """The funding-source tree summed over live funding lines, as plain values.

    Without `project_id`: every line (the county's or township's totals, like `funding.tree()`).
    With it, `of` chooses the lines: "project" (recorded on the project itself), "communities" (on the
    project's live communities) or "all" (both: the project's whole money).
    """
    q = select(FundingLine.source_id, *(func.sum(getattr(FundingLine, k)) for k in MEASURES)).where(
        FundingLine.deleted_at.is_(None)
    )
    if project_id is not None:
        members = select(Community.id).where(Community.project_id == project_id, Community.deleted_at.is_(None))
        on_project = FundingLine.project_id == project_id
        on_members = FundingLine.community_id.in_(members)
        q = q.where({"project": on_project, "communities": on_members, "all": on_project | on_members}[of])
    own = {
        row[0]: dict(zip(MEASURES, row[1:], strict=True)) for row in session.execute(q.group_by(FundingLine.source_id))
    }
    sources = catalogues.funding_sources(session)
    nodes = {s.id: MoneyNode(s.code, s.name, {k: ZERO for k in MEASURES}) for s in sources}
    roots: list[MoneyNode] = []
    child_ids: dict[str, list[str]] = defaultdict(list)
    for s in sources:
        if s.parent_id in nodes:
            nodes[s.parent_id].children.append(nodes[s.id])
            child_ids[s.parent_id].append(s.id)
        else:
            roots.append(nodes[s.id])

    def roll(sid: str) -> None:
        node = nodes[sid]
        for k, v in own.get(sid, {}).items():
            node.amounts[k] += summary._dec(v)
        for child_id in child_ids[sid]:
            roll(child_id)
            for k in MEASURES:
                node.amounts[k] += nodes[child_id].amounts[k]

    for s in sources:
        if s.parent_id not in nodes:
            roll(s.id)
    return roots


@dataclass
class ProjectMoney:
    """What the 项目 page shows beside a project's communities."""

    project_total: Decimal | None  # 总投资 recorded on the project
    communities_total: Decimal  # the sum of its live communities' 总投资
    completed_on_project: Decimal  # 累计完成投资 recorded on the project
    completed_on_communities: Decimal  # … and on its communities
    communities: int
    money_split: bool

    @property
    def completed(self) -> Decimal:
        return self.completed_on_project + self.completed_on_communities


def project_money(session: Session, project_id: str) -> ProjectMoney:
    project = session.get(Project, project_id)
    if project is None:
        from oldcomm_desktop.core.errors import NotFound

        raise NotFound(f"找不到编号为 {project_id} 的项目")
    members = select(Community.id).where(Community.project_id == project_id, Community.deleted_at.is_(None))
    n, total = session.execute(
        select(func.count(Community.id), func.sum(Community.total_investment)).where(
            Community.project_id == project_id, Community.deleted_at.is_(None)
        )
    ).one()
    live = InvestmentEntry.deleted_at.is_(None)
    done_project = session.scalar(
        select(func.sum(InvestmentEntry.amount)).where(live, InvestmentEntry.project_id == project_id)
    )
    done_members = session.scalar(
        select(func.sum(InvestmentEntry.amount)).where(live, InvestmentEntry.community_id.in_(members))
    )
    return ProjectMoney(
        project.total_investment,
        summary._dec(total),
        summary._dec(done_project),
        summary._dec(done_members),
        int(n or 0),
        bool(project.money_split),
    )


# -- meeting figures ----------------------------------------------------------------------------------
@dataclass
class MeetingRow:
    """One township (or the total) as a county meeting quotes it."""

    code: str  # "" for the total row
    name: str
    all: summary.Totals
    finished: summary.Totals  # 完成改造 = completed + accepted
    counts: dict[str, int]  # communities per status


def meeting_rows(session: Session, *, year: int | None = None) -> list[MeetingRow]:
    """Per township, then a 合计 row: the same `summary.totals` the CLI prints, so every face agrees.

    Runs one summary per township (a county has a handful to a few dozen), which keeps the project-share
    apportioning in exactly one place (`summary`).
    """
    rows = []
    total = MeetingRow("", "合计", summary.Totals(), summary.Totals(), {s: 0 for s in STATUSES})
    for t in status_by_township(session, year=year):
        result = summary.totals(session, by="status", year=year, township=t.code or None)
        row = MeetingRow(t.code, t.name, result.total, summary.finished(result), dict(t.counts))
        rows.append(row)
        total.all.add(row.all)
        total.finished.add(row.finished)
        for s, n in row.counts.items():
            total.counts[s] = total.counts.get(s, 0) + n
    rows.append(total)
    return rows


def plan_years(session: Session) -> list[int]:
    """Plan years used by live projects or communities, newest first (for year choosers)."""
    years = set(
        session.scalars(
            select(Community.plan_year)
            .where(Community.deleted_at.is_(None), Community.plan_year.is_not(None))
            .distinct()
        )
    )
    years |= set(
        session.scalars(
            select(Project.plan_year).where(Project.deleted_at.is_(None), Project.plan_year.is_not(None)).distinct()
        )
    )
    return sorted((y for y in years if y is not None), reverse=True)  # the queries leave NULLs out


# -- supervision --------------------------------------------------------------------------------------
@dataclass
class SupervisionCounts:
    """What the dashboard counts beside overdue rectifications: missed checks, overdue orders and replies."""

    missed_checks: int  # missed occurrences of inspection schedules this year
    overdue_orders: int  # order targets still 待处理 / 处理中 past their deadline
    overdue_replies: int  # residents' requests unanswered past their reply deadline


def supervision_counts(session: Session, *, township: str | None = None) -> SupervisionCounts:
    from oldcomm_desktop.core.supervision import orders, requests, schedules

    return SupervisionCounts(
        schedules.missed_count(session, township=township),
        orders.overdue_count(session, township=township),
        requests.overdue_count(session, township=township),
    )
