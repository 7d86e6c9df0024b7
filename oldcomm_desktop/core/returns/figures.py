"""The numbers of a community as of a date, read in one streamed query (200,000 rows, flat memory).

"As of" follows the dated records: a milestone reached or an investment entry dated after the day does not
count, so the status, the start and completion dates and the completed investment are what they were then;
so is the money arrived, read from each funding line's dated history (core/funding_dates.py).
Other standing facts (households, floor area, total investment, approved funding, planned quantities) are the
record's current values; an approved return is protected from later changes to them by `review.locking`.

It reuses the core's rules rather than copying them: `lifecycle.derive_status` for the status, and
`summary.apportion` for money kept on a project (project.money_split false), shared among its communities
by floor area to the fen — the same shares `summary.totals` uses, here with the entries up to the day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from oldcomm_desktop.core import funding_dates
from oldcomm_desktop.core.lifecycle import WITHDRAWN, derive_status
from oldcomm_desktop.core.model import (
    Community,
    Division,
    EffectIndicator,
    FundingLine,
    FundingSource,
    InvestmentEntry,
    ItemType,
    Milestone,
    Project,
    RenovationItem,
)
from oldcomm_desktop.core.summary import apportion

ZERO = Decimal("0.00")

# The progress return's funding columns: each leaf source counts under the first of its ancestors listed.
FUND_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("fund_central", "中央资金", ("central",)),
    ("fund_provincial", "省级资金", ("provincial",)),
    ("fund_local", "市县资金", ("city_county",)),
    ("fund_bonds", "地方政府债券", ("general_bonds", "special_bonds")),
    ("fund_social", "社会资本", ("social",)),
    ("fund_other", "贷款及其他", ("bank_loans", "other", "state")),
)
# The progress return's effect-indicator columns: indicator codes summed into one column.
INDICATOR_GROUPS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("ind_elevators", "加装电梯", "部", ("elevators",)),
    ("ind_parking", "停车位", "个", ("parking",)),
    ("ind_pipes_km", "管网", "公里", ("pipes_km",)),
    ("ind_chargers", "充电桩", "个", ("ev_chargers", "ebike_chargers")),
    ("ind_care", "养老托育设施", "个", ("care_facilities",)),
)
MILESTONE_COLUMNS = ("start", "completion", "acceptance", "withdrawal")


@dataclass
class CommunityFigures:
    """One community as of the day; money in yuan, area in m², quantities in the indicator's unit."""

    id: str
    township_code: str
    township: str
    project: str
    name: str
    village: str
    year_built: int | None
    buildings: int | None
    households: int | None
    floor_area: Decimal | None
    plan_year: int | None
    start_kind: str | None
    content: str
    total_investment: Decimal
    funds: dict[str, Decimal]
    arrived: Decimal
    completed_year: Decimal
    completed_month: Decimal
    completed_total: Decimal
    planned_start: date | None
    actual_start: date | None
    planned_completion: date | None
    actual_completion: date | None
    progress_percent: int | None
    status: str
    indicators: dict[str, Decimal]
    notes: str
    extra: dict[str, Any] = field(default_factory=dict)


def _source_groups(session: Session) -> dict[str, str]:
    """Leaf source id → progress column code, following the tree up to the first listed ancestor."""
    sources = {s.id: s for s in session.scalars(select(FundingSource).where(FundingSource.deleted_at.is_(None)))}
    by_code = {code: gcode for gcode, _label, codes in FUND_GROUPS for code in codes}
    out = {}
    for sid, s in sources.items():
        node: FundingSource | None = s
        group: str | None = None
        while node is not None and group is None:
            group = by_code.get(node.code)
            node = sources.get(node.parent_id) if node.parent_id else None
        out[sid] = group or "fund_other"
    return out


def _indicator_types(session: Session) -> dict[str, list[tuple[list[str], Decimal]]]:
    """Column code → [(item type ids, factor)], one entry per distinct factor (so SQL sums stay exact)."""
    ind_codes = {i.id: i.code for i in session.scalars(select(EffectIndicator))}
    col_of = {code: col for col, _l, _u, codes in INDICATOR_GROUPS for code in codes}
    groups: dict[str, dict[Decimal, list[str]]] = defaultdict(lambda: defaultdict(list))
    for t in session.scalars(select(ItemType).where(ItemType.indicator_id.is_not(None))):
        col = col_of.get(ind_codes.get(t.indicator_id or "", ""))
        if col:
            groups[col][t.factor].append(t.id)
    return {col: [(ids, f) for f, ids in by_f.items()] for col, by_f in groups.items()}


def _unsplit_shares(session: Session, day: date, year_start: date) -> dict[str, dict[str, Decimal]]:
    """Each community's share of money kept on its (unsplit) project, as of `day`."""
    projects = session.execute(
        select(Project.id, Project.total_investment).where(Project.deleted_at.is_(None), Project.money_split.is_(False))
    ).all()
    if not projects:
        return {}
    groups = _source_groups(session)
    lines: dict[str, list[tuple[str, Decimal | None, Decimal | None]]] = defaultdict(list)
    arrived_then = funding_dates.measure("arrived", day)
    for pid, sid, approved, arrived in session.execute(  # one query for every project's lines, not one each
        select(FundingLine.project_id, FundingLine.source_id, FundingLine.approved, arrived_then)
        .join(Project, Project.id == FundingLine.project_id)
        .where(FundingLine.deleted_at.is_(None), Project.deleted_at.is_(None), Project.money_split.is_(False))
    ):
        lines[pid].append((sid, approved, arrived))
    out: dict[str, dict[str, Decimal]] = {}
    for pid, total in projects:
        members = session.execute(
            select(Community.id, Community.floor_area)
            .where(Community.project_id == pid, Community.deleted_at.is_(None))
            .order_by(Community.id)
        ).all()
        if not members:
            continue
        weights = [m[1] or Decimal(0) for m in members]
        if not any(weights):
            weights = [Decimal(1)] * len(members)
        amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
        amounts["total_investment"] = total or ZERO
        for sid, approved, arrived in lines.get(pid, []):
            amounts[groups.get(sid, "fund_other")] += approved or ZERO
            amounts["arrived"] += arrived or ZERO
        for entry_date, amount in session.execute(
            select(InvestmentEntry.entry_date, InvestmentEntry.amount).where(
                InvestmentEntry.project_id == pid,
                InvestmentEntry.deleted_at.is_(None),
                InvestmentEntry.entry_date <= day,
            )
        ):
            amounts["completed_total"] += amount
            if entry_date >= year_start:
                amounts["completed_year"] += amount
            if entry_date >= day.replace(day=1):
                amounts["completed_month"] += amount
        shares = {k: apportion(v, weights) for k, v in amounts.items()}
        for i, (cid, _area) in enumerate(members):
            out[cid] = {k: s[i] for k, s in shares.items()}
    return out


def community_query(session: Session, day: date, *, plan_year: int | None, township: str | None):
    """The SELECT behind `communities_as_of` (also counted for progress bars)."""
    year_start = day.replace(month=1, day=1)
    month_start = day.replace(day=1)
    ms = (
        select(
            Milestone.community_id.label("cid"),
            *(func.min(case((Milestone.kind == k, Milestone.reached_on))).label(k) for k in MILESTONE_COLUMNS),
        )
        .where(Milestone.deleted_at.is_(None), Milestone.community_id.is_not(None), Milestone.reached_on <= day)
        .group_by(Milestone.community_id)
        .subquery("ms")
    )
    inv = (
        select(
            InvestmentEntry.community_id.label("cid"),
            func.sum(InvestmentEntry.amount).label("total"),
            func.sum(case((InvestmentEntry.entry_date >= year_start, InvestmentEntry.amount))).label("year"),
            func.sum(case((InvestmentEntry.entry_date >= month_start, InvestmentEntry.amount))).label("month"),
        )
        .where(
            InvestmentEntry.deleted_at.is_(None),
            InvestmentEntry.community_id.is_not(None),
            InvestmentEntry.entry_date <= day,
        )
        .group_by(InvestmentEntry.community_id)
        .subquery("inv")
    )
    groups = _source_groups(session)
    fund_cols = []
    for gcode, _label, _codes in FUND_GROUPS:
        ids = [sid for sid, g in groups.items() if g == gcode]
        fund_cols.append(func.sum(case((FundingLine.source_id.in_(ids or ["-"]), FundingLine.approved))).label(gcode))
    arrived_then = funding_dates.measure("arrived", day)
    funds = (
        select(FundingLine.community_id.label("cid"), *fund_cols, func.sum(arrived_then).label("arrived"))
        .where(FundingLine.deleted_at.is_(None), FundingLine.community_id.is_not(None))
        .group_by(FundingLine.community_id)
        .subquery("funds")
    )
    ind_cols = []
    for col, pairs in _indicator_types(session).items():
        for i, (ids, _f) in enumerate(pairs):
            ind_cols.append(
                func.sum(case((RenovationItem.item_type_id.in_(ids), RenovationItem.planned_quantity))).label(
                    f"{col}__{i}"
                )
            )
    items = (
        select(
            RenovationItem.community_id.label("cid"),
            func.aggregate_strings(ItemType.name, "、").label("content"),
            *ind_cols,
        )
        .join(ItemType, ItemType.id == RenovationItem.item_type_id)
        .where(RenovationItem.deleted_at.is_(None))
        .group_by(RenovationItem.community_id)
        .subquery("items")
    )
    town = aliased(Division)
    village = aliased(Division)
    q = (
        select(
            Community.id,
            Community.township_code,
            town.name.label("township"),
            Project.name.label("project"),
            Community.name,
            village.name.label("village"),
            Community.year_built,
            Community.buildings,
            Community.households,
            Community.floor_area,
            Community.plan_year,
            Community.start_kind,
            Community.total_investment,
            Community.planned_start,
            Community.planned_completion,
            Community.progress_percent,
            Community.notes,
            *(ms.c[k] for k in MILESTONE_COLUMNS),
            inv.c.total.label("inv_total"),
            inv.c.year.label("inv_year"),
            inv.c.month.label("inv_month"),
            *(funds.c[g] for g, _l, _c in FUND_GROUPS),
            funds.c.arrived,
            items.c.content,
            *(items.c[c.name] for c in ind_cols),
        )
        .outerjoin(ms, ms.c.cid == Community.id)
        .outerjoin(inv, inv.c.cid == Community.id)
        .outerjoin(funds, funds.c.cid == Community.id)
        .outerjoin(items, items.c.cid == Community.id)
        .outerjoin(Project, Project.id == Community.project_id)
        .outerjoin(town, and_(town.code == Community.township_code, town.deleted_at.is_(None)))
        .outerjoin(village, and_(village.code == Community.village_code, village.deleted_at.is_(None)))
        .where(Community.deleted_at.is_(None))
    )
    if plan_year is not None:
        q = q.where(Community.plan_year == plan_year)
    if township:
        q = q.where(Community.township_code == township)
    return q.order_by(Community.township_code, Community.name, Community.id)


def count(session: Session, day: date, *, plan_year: int | None, township: str | None) -> int:
    q = select(func.count(Community.id)).where(Community.deleted_at.is_(None))
    if plan_year is not None:
        q = q.where(Community.plan_year == plan_year)
    if township:
        q = q.where(Community.township_code == township)
    return session.scalar(q) or 0


def communities_as_of(
    session: Session,
    day: date,
    *,
    plan_year: int | None = None,
    township: str | None = None,
    include_withdrawn: bool = False,
) -> Iterator[CommunityFigures]:
    """Every live community (of `plan_year`, of `township`) as it stood on `day`, ordered by township and name.

    Communities withdrawn from the plan on or before `day` are left out unless asked for.
    """
    factors = {col: [f for _ids, f in pairs] for col, pairs in _indicator_types(session).items()}
    shares = _unsplit_shares(session, day, day.replace(month=1, day=1))
    q = community_query(session, day, plan_year=plan_year, township=township)
    for r in session.execute(q.execution_options(yield_per=2000)):
        m = r._mapping
        reached = [k for k in MILESTONE_COLUMNS if m[k] is not None]
        status = derive_status(reached, m["plan_year"] is not None)
        if status == WITHDRAWN and not include_withdrawn:
            continue
        share = shares.get(m["id"], {})
        funds = {g: (m[g] or ZERO) + share.get(g, ZERO) for g, _l, _c in FUND_GROUPS}
        indicators = {}
        for col, _label, _unit, _codes in INDICATOR_GROUPS:
            total = Decimal(0)
            for i, f in enumerate(factors.get(col, [])):
                total += (m[f"{col}__{i}"] or ZERO) * f
            indicators[col] = total
        progress = m["progress_percent"]
        if m["start"] is None:
            progress = 0 if progress is not None else None
        elif m["completion"] is not None:
            progress = 100
        yield CommunityFigures(
            id=m["id"],
            township_code=m["township_code"] or "",
            township=m["township"] or (m["township_code"] or ""),
            project=m["project"] or "",
            name=m["name"],
            village=m["village"] or "",
            year_built=m["year_built"],
            buildings=m["buildings"],
            households=m["households"],
            floor_area=m["floor_area"],
            plan_year=m["plan_year"],
            start_kind=m["start_kind"],
            content=_dedup(m["content"]),
            total_investment=(m["total_investment"] or ZERO) + share.get("total_investment", ZERO),
            funds=funds,
            arrived=(m["arrived"] or ZERO) + share.get("arrived", ZERO),
            completed_year=(m["inv_year"] or ZERO) + share.get("completed_year", ZERO),
            completed_month=(m["inv_month"] or ZERO) + share.get("completed_month", ZERO),
            completed_total=(m["inv_total"] or ZERO) + share.get("completed_total", ZERO),
            planned_start=m["planned_start"],
            actual_start=m["start"],
            planned_completion=m["planned_completion"],
            actual_completion=m["completion"],
            progress_percent=progress,
            status=status,
            indicators=indicators,
            notes=m["notes"] or "",
        )


def _dedup(text: str | None) -> str:
    if not text:
        return ""
    seen: dict[str, None] = {}
    for part in text.split("、"):
        seen.setdefault(part, None)
    return "、".join(seen)
