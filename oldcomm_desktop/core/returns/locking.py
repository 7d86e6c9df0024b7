"""An approved period is locked: a change that would alter a locked return is refused until it is reopened.

A session hook (installed next to the audit hook) looks at what a flush would write. A return for period P
shows, for the communities of plan year P.year, standing facts (households, area, investment, funding,
planned quantities) and dated facts up to P.end (milestones, investment entries, completions, inspections).
So a change is refused when a return of its township (or the county's own) for P is approved and:
- a dated record (milestone, investment entry, inspection, rectification, item completion) is created,
  changed or deleted with a date (before or after the change) on or before P.end in P's scope; or
- a standing field shown in the return changes on a community (or its funding line or item) of plan year P.year;
  a funding line's arrived/paid are dated (core/funding_dates.py), so they count only when dated on or before P.end.
Undated running figures the returns do not freeze (形象进度, the derived status) stay editable: what was
sent is in the archive. Reopening (review.reopen) lifts the lock; the reason is in the audit log.
The bulk path writes through Core, past the hook: a township's package merged at the county and the Excel ledger
import ask the same rule (`locked_by`) of each planned row (importing/period_locks.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from oldcomm_desktop.core import funding_dates
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import (
    Community,
    FundingLine,
    Inspection,
    InvestmentEntry,
    Milestone,
    Project,
    Rectification,
    RenovationItem,
    ReturnSubmission,
)

COMMUNITY_FIELDS = {
    "name",
    "project_id",
    "village_code",
    "year_built",
    "buildings",
    "households",
    "floor_area",
    "plan_year",
    "start_kind",
    "total_investment",
    "planned_start",
    "planned_completion",
    "township_code",
    "deleted_at",
}
FUNDING_FIELDS = {"approved", "annual_plan", "arrived", "paid", "source_id", "community_id", "project_id", "deleted_at"}
ITEM_STANDING = {"item_type_id", "planned_quantity", "investment", "community_id", "deleted_at"}
DATED = {Milestone: "reached_on", InvestmentEntry: "entry_date", Inspection: "inspected_on"}
WATCHED = (Community, FundingLine, RenovationItem, Milestone, InvestmentEntry, Inspection, Rectification, Project)


def _values(obj: Any, attr: str) -> list[Any]:
    """The attribute's value now and before this flush's change."""
    hist = inspect(obj).attrs[attr].history
    vals = [getattr(obj, attr)]
    vals += list(hist.deleted or [])
    return [v for v in vals if v is not None]


def _changed(obj: Any, fields: set[str]) -> bool:
    state = inspect(obj)
    if state.pending or obj in state.session.deleted if state.session else False:
        return True
    return any(state.attrs[f].history.has_changes() for f in fields if f in state.attrs)


def _plan_years(session: Session, obj: Any) -> set[int]:
    years: set[int] = set()
    with session.no_autoflush:
        if isinstance(obj, Community):
            return set(_values(obj, "plan_year"))
        cid = getattr(obj, "community_id", None)
        if cid:
            c = session.get(Community, cid)
            if c is not None and c.plan_year is not None:
                years.add(c.plan_year)
        pid = getattr(obj, "project_id", None)
        if pid:
            p = session.get(Project, pid)
            if p is not None and p.plan_year is not None:
                years.add(p.plan_year)
        if isinstance(obj, Rectification):
            i = session.get(Inspection, obj.inspection_id)
            if i is not None:
                years |= _plan_years(session, i)
    return years


def _dates(session: Session, obj: Any) -> list[date]:
    if type(obj) in DATED:
        return _values(obj, DATED[type(obj)])
    if isinstance(obj, Rectification):
        with session.no_autoflush:
            i = session.get(Inspection, obj.inspection_id)
        return [i.inspected_on] if i is not None else []
    if isinstance(obj, RenovationItem):
        return _values(obj, "completed_on")
    return []


def approved(session: Session) -> list[tuple[str, str, str]]:
    """(kind, period, township) of every approved return: the locks in force."""
    with session.no_autoflush:
        return [
            (s.kind, s.period, s.township_code or "")
            for s in session.scalars(
                select(ReturnSubmission).where(
                    ReturnSubmission.status == "approved", ReturnSubmission.deleted_at.is_(None)
                )
            )
        ]


def conflict(session: Session, obj: Any, locks: list[tuple[str, str, str]]) -> str | None:
    """Why changing `obj` would alter a locked return, or None."""
    found = locked_by(
        session,
        locks,
        type(obj),
        obj.township_code or "",
        years=lambda: _plan_years(session, obj),
        dates=lambda: _dates(session, obj),
        changed=lambda fields: _changed(obj, fields),
    )
    return None if found is None else refused(*found)


def refused(kind: str, period: Any) -> str:
    """The lock's reason as a clerk's own change meets it: by a single edit (`conflict`) or a row of the Excel
    ledger import (importing/period_locks.py), so both ways in say the same."""
    return (
        f"{period.label}{kind}已审核通过并锁定，这一修改会改变已上报的数字。"
        f"如确需修改，请县里先重新打开该期（写明原因）"
    )


def locked_by(
    session: Session,
    locks: list[tuple[str, str, str]],
    model: type,
    town: str,
    *,
    years: Callable[[], set[int]],
    dates: Callable[[], list[date]],
    changed: Callable[[set[str]], bool],
) -> tuple[str, Any] | None:
    """(the return's name, its period) of the first lock that a change of a `model` record of `town` alters, or
    None: the one rule, asked of an ORM object at flush (`conflict`) and of a bulk plan's row (the township's
    acts a sync merge writes at the county, a ledger import's rows: importing/period_locks.py). `years`: the
    plan years the record counts in; `dates`: its dates before and after the change; `changed(fields)`: whether
    any of them changes (a new or deleted record: True)."""
    from oldcomm_desktop.core.returns import KINDS
    from oldcomm_desktop.core.returns.periods import Period

    # each asked at most once, and only of a lock of this township (a bulk row's plan years are lookups)
    years = functools.cache(years)
    dates = functools.cache(dates)
    for kind, key, owner in locks:
        if owner != town and not (owner.endswith("000000") and town.startswith(owner[:6])):
            continue
        period = Period.parse(key)
        hit = False
        if model in (Milestone, InvestmentEntry):
            hit = period.year in years() and any(d <= period.end for d in dates())
        elif model in (Inspection, Rectification):
            hit = any(period.start <= d <= period.end for d in dates())
        elif model is Community:
            hit = period.year in years() and changed(COMMUNITY_FIELDS)
        elif model is FundingLine:
            # arrived/paid are dated (core/funding_dates.py): money dated after the period leaves it as it was
            standing = changed(FUNDING_FIELDS - set(funding_dates.MEASURES))
            dated = changed(set(funding_dates.MEASURES)) and funding_dates.change_day(session) <= period.end
            hit = period.year in years() and (standing or dated)
        elif model is RenovationItem:
            hit = period.year in years() and (
                changed(ITEM_STANDING)
                or (any(d <= period.end for d in dates()) and changed({"completed_on", "completed_quantity"}))
            )
        if hit:
            return KINDS.get(kind, kind), period
    return None


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get("returns_unlocked"):
        return
    touched = [
        o
        for o in (*session.new, *session.dirty, *session.deleted)
        if isinstance(o, WATCHED) and not isinstance(o, Project)
    ]
    if not touched:
        return
    locks = approved(session)
    if not locks:
        return
    for obj in touched:
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        why = conflict(session, obj, locks)
        if why:
            raise ValidationError(why)


def install(factory: sessionmaker) -> None:
    if not getattr(factory, "_oldcomm_returns_locked", False):
        event.listen(factory, "before_flush", _before_flush)
        factory._oldcomm_returns_locked = True  # type: ignore[attr-defined]
