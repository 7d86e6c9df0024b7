"""The figures a county meeting quotes: communities, households, floor area, investment — by status,
township, project or year — and the national effect indicators planned and done.

Sums run in SQL. Money recorded on a project rather than split per community (project.money_split is
false) is shared among the project's communities in proportion to floor area (equal shares where areas
are missing), to the fen, by largest remainder — so every grouping adds up to the same totals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core.lifecycle import ACCEPTED, COMPLETED, STATUSES
from oldcomm_desktop.core.model import (
    Community,
    EffectIndicator,
    InvestmentEntry,
    ItemType,
    Project,
    RenovationItem,
)

ZERO = Decimal("0.00")
GROUPS = {
    "status": Community.status,
    "township": Community.township_code,
    "project": Community.project_id,
    "year": Community.plan_year,
}


@dataclass
class Totals:
    communities: int = 0
    households: int = 0
    floor_area_m2: Decimal = ZERO
    investment_yuan: Decimal = ZERO
    investment_completed_yuan: Decimal = ZERO

    def add(self, other: Totals) -> None:
        self.communities += other.communities
        self.households += other.households
        self.floor_area_m2 += other.floor_area_m2
        self.investment_yuan += other.investment_yuan
        self.investment_completed_yuan += other.investment_completed_yuan

    def as_json(self) -> dict[str, Any]:
        return {
            "communities": self.communities,
            "households": self.households,
            "floor_area_m2": float(self.floor_area_m2),
            "investment_yuan": float(self.investment_yuan),
            "investment_completed_yuan": float(self.investment_completed_yuan),
        }


@dataclass
class Summary:
    total: Totals
    groups: dict[Any, Totals] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The stable JSON of `oldcomm summary --json` (documented in the README)."""
        return {**self.total.as_json(), "by_status": {k: v.as_json() for k, v in self.groups.items()}}


def _filtered(q: Select, year: int | None, township: str | None) -> Select:
    q = q.where(Community.deleted_at.is_(None))
    if year is not None:
        q = q.where(Community.plan_year == year)
    if township:
        from oldcomm_desktop.core.listings import township_filter

        q = q.where(Community.township_code == township_filter(township))
    return q


def totals(session: Session, *, by: str = "status", year: int | None = None, township: str | None = None) -> Summary:
    if township:
        from oldcomm_desktop.core.listings import township_filter

        township = township_filter(township)
    key = GROUPS[by]
    completed = (
        select(InvestmentEntry.community_id.label("cid"), func.sum(InvestmentEntry.amount).label("done"))
        .where(InvestmentEntry.deleted_at.is_(None), InvestmentEntry.community_id.is_not(None))
        .group_by(InvestmentEntry.community_id)
        .subquery()
    )
    q = _filtered(
        select(
            key,
            func.count(Community.id),
            func.sum(Community.households),
            func.sum(Community.floor_area),
            func.sum(Community.total_investment),
            func.sum(completed.c.done),
        ).outerjoin(completed, completed.c.cid == Community.id),
        year,
        township,
    ).group_by(key)
    groups: dict[Any, Totals] = {s: Totals() for s in STATUSES} if by == "status" else {}
    for k, n, hh, area, inv, done in session.execute(q):
        groups[k] = Totals(n, int(hh or 0), _dec(area), _dec(inv), _dec(done))
    for k, inv, done in _project_shares(session, key, year, township):
        groups.setdefault(k, Totals())
        groups[k].investment_yuan += inv
        groups[k].investment_completed_yuan += done
    total = Totals()
    for t in groups.values():
        total.add(t)
    return Summary(total, groups)


def _dec(value: Any) -> Decimal:
    return ZERO if value is None else Decimal(value).quantize(ZERO)


def _project_shares(session: Session, key, year: int | None, township: str | None):
    """(group key, investment, completed) for each community's share of unsplit project money."""
    projects = session.execute(
        select(Project.id, Project.total_investment).where(Project.deleted_at.is_(None), Project.money_split.is_(False))
    ).all()
    if not projects:
        return []
    done_by_project = dict(
        session.execute(
            select(InvestmentEntry.project_id, func.sum(InvestmentEntry.amount))
            .where(InvestmentEntry.deleted_at.is_(None), InvestmentEntry.project_id.is_not(None))
            .group_by(InvestmentEntry.project_id)
        ).all()
    )
    out = []
    for pid, total_inv in projects:
        members = session.execute(
            select(Community.id, Community.floor_area, key, Community.plan_year, Community.township_code)
            .where(Community.project_id == pid, Community.deleted_at.is_(None))
            .order_by(Community.id)
        ).all()
        if not members:
            continue
        weights = [m[1] or Decimal(0) for m in members]
        if not any(weights):
            weights = [Decimal(1)] * len(members)
        inv_shares = apportion(total_inv or ZERO, weights)
        done_shares = apportion(_dec(done_by_project.get(pid)), weights)
        for m, inv, done in zip(members, inv_shares, done_shares, strict=True):
            if (year is None or m[3] == year) and (not township or m[4] == township):
                out.append((m[2], inv, done))
    return out


def apportion(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `amount` to the fen in proportion to `weights`; the shares add up to `amount` exactly."""
    fen = int(amount * 100)
    total_w = sum(weights)
    raw = [Decimal(fen) * w / total_w for w in weights]
    floors = [int(r) for r in raw]
    left = fen - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [(Decimal(f) / 100).quantize(ZERO) for f in floors]


def finished(summary: Summary) -> Totals:
    """完成改造 as meetings count it: completed and accepted together."""
    t = Totals()
    for status in (COMPLETED, ACCEPTED):
        if status in summary.groups:
            t.add(summary.groups[status])
    return t


@dataclass
class IndicatorFigure:
    code: str
    name: str
    unit: str
    planned: Decimal
    done: Decimal


def effect_indicators(
    session: Session, *, year: int | None = None, township: str | None = None
) -> list[IndicatorFigure]:
    """Planned and completed quantities of each national effect indicator, in the indicator's unit."""
    q = _filtered(
        select(
            ItemType.indicator_id,
            ItemType.indicator_factor,
            func.sum(RenovationItem.planned_quantity),
            func.sum(RenovationItem.completed_quantity),
        )
        .join(RenovationItem, RenovationItem.item_type_id == ItemType.id)
        .join(Community, Community.id == RenovationItem.community_id)
        .where(RenovationItem.deleted_at.is_(None), ItemType.indicator_id.is_not(None))
        .where(Community.status != "withdrawn"),
        year,
        township,
    ).group_by(ItemType.indicator_id, ItemType.indicator_factor)
    planned: dict[str, Decimal] = defaultdict(Decimal)
    done: dict[str, Decimal] = defaultdict(Decimal)
    for ind_id, factor, p, d in session.execute(q):
        f = Decimal(factor or "1")
        planned[ind_id] += _dec(p) * f
        done[ind_id] += _dec(d) * f
    out = []
    for ind in session.scalars(
        select(EffectIndicator).where(EffectIndicator.deleted_at.is_(None)).order_by(EffectIndicator.sort_order)
    ):
        out.append(
            IndicatorFigure(ind.code, ind.name, ind.unit, planned.get(ind.id, Decimal(0)), done.get(ind.id, Decimal(0)))
        )
    return out
