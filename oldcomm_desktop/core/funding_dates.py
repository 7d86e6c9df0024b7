"""Dates the money that arrives (到位) and is paid (拨付), so a past month's return shows it as it was.

A funding line keeps today's totals; every time they are set or changed a row goes into
`funding_line_history` with the day of the change (`as_of`). A session hook does it for every save through
the ORM (the GUI, the command line, a restore …) and `after_bulk` for the Core write path
(importing/bulk.py), in the same transaction as the change. Lines a sync package brings come with the
sender's dated rows (`history_carried`): they are not dated again on the day they arrive.

The day is today unless the caller says otherwise (money recorded late, for the day it really arrived):

    with funding_dates.dated(session, date(2026, 3, 31)):
        funding.set_lines(session, community, {...})

Reading: `measure("arrived", day)` is a column for a query on funding_line — per line, the latest row with
as_of ≤ day; a line with no such row had nothing arrived or paid yet (None, summed as 0).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, event, insert, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from oldcomm_desktop.core.model import FundingLine, FundingLineHistory

AS_OF = "oldcomm_funding_as_of"  # session.info key: the day changes in this session are dated (default today)
CARRIED = "oldcomm_funding_history_carried"  # session.info key: the written lines' history arrives with them
_PENDING = "oldcomm_funding_dates"
MEASURES = ("arrived", "paid")
_CHUNK = 500


def change_day(session: Session) -> date:
    """The day the session's changes to arrived/paid are dated: the caller's, else today."""
    day = session.info.get(AS_OF)
    return day if isinstance(day, date) else date.today()


@contextlib.contextmanager
def scoped_info(session: Session, key: str, value: Any) -> Iterator[None]:
    """`session.info[key]` is `value` inside the block, and what it was before afterwards (also the bulk path's
    sync-merge marker, `bulk_tables.merging`)."""
    before = session.info.get(key)
    session.info[key] = value
    try:
        yield
    finally:
        if before is None:
            session.info.pop(key, None)
        else:
            session.info[key] = before


def dated(session: Session, day: date) -> contextlib.AbstractContextManager[None]:
    """Date the arrived/paid changes flushed inside the block on `day` instead of today."""
    return scoped_info(session, AS_OF, day)


def history_carried(session: Session) -> contextlib.AbstractContextManager[None]:
    """Inside the block the bulk path dates nothing: the lines it writes come with their own dated history.

    A sync import writes a package's funding lines through the bulk path and the sender's funding_line_history
    rows beside them (they travel as records of their own); a row dated the day of the import would claim the
    money arrived here that day, and a past month's return would move with it."""
    return scoped_info(session, CARRIED, True)


def write(conn: Connection, lines: Iterable[Mapping[str, Any]], day: date) -> None:
    """One history row per line (id, township_code, arrived, paid) from `day` on."""
    rows = [
        {
            "funding_line_id": r["id"],
            "township_code": r.get("township_code"),
            "as_of": day,
            "arrived": r.get("arrived"),
            "paid": r.get("paid"),
        }
        for r in lines
    ]
    for start in range(0, len(rows), 5000):
        conn.execute(insert(FundingLineHistory), rows[start : start + 5000])


def write_current(conn: Connection, line_ids: Iterable[str], day: date) -> None:
    """Date the lines' stored totals on `day` (after a Core write that changed them)."""
    ids = sorted(set(line_ids))
    t = FundingLine.__table__
    for start in range(0, len(ids), _CHUNK):
        q = select(t.c.id, t.c.township_code, t.c.arrived, t.c.paid).where(t.c.id.in_(ids[start : start + _CHUNK]))
        write(conn, [dict(r) for r in conn.execute(q).mappings()], day)


def after_bulk(session: Session, conn: Connection, plan: Any) -> None:
    """The bulk path's share (importing/bulk.py apply): lines created with money, or whose arrived or paid
    changed, get a history row dated `change_day`.

    The plan holds those lines whole (a create's row, or the stored row with its changes), so their totals
    are taken from it, not read back; only lines changed by a derived-only update are read."""
    from oldcomm_desktop.core.importing import bulk

    if session.info.get(CARRIED):  # their history arrives with them (`history_carried`)
        return
    outs = {o.id: o for o in plan.outcomes.get("funding_line", [])}
    whole = []
    for r in plan.rows.get("funding_line", []):
        o = outs.get(r["id"])
        if o is not None and (o.action == "create" or (o.action == "update" and set(MEASURES) & set(o.changes))):
            whole.append(r)
    ids = [r["id"] for r in plan.extra_updates.get("funding_line", []) if set(MEASURES) & set(r)]
    day = change_day(session)
    if whole:
        history = [
            {
                "funding_line_id": r["id"],
                "township_code": r.get("township_code"),
                "as_of": day,
                "arrived": r.get("arrived"),
                "paid": r.get("paid"),
            }
            for r in whole
        ]
        bulk.insert_new(conn, FundingLineHistory.__table__, history)  # type: ignore[arg-type]
    if ids:
        write_current(conn, ids, day)


def settle(conn: Connection, line_ids: Iterable[str]) -> int:
    """Lines whose latest dated row no longer says what the line holds get one row restating the line, dated
    as that latest row (ties on a day: the later written stands), never today. Returns how many were written.

    For sync writes that change a line apart from a dated edit: a conflict decided (keep ours, take theirs or a
    typed value) and a rollback's before-image. Each side's dated rows travel as records of their own, so after
    a decision the other side's row (or ours) may be the latest and say the other value; the money did not
    arrive on the day a clerk settled which figure is right, so no row of that day is made. A line with no
    dated row at all is left as it is (its history has nothing to restate)."""
    ids = sorted(set(line_ids))
    lines, h = FundingLine.__table__, FundingLineHistory.__table__
    history: list[dict[str, Any]] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        q = select(lines.c.id, lines.c.township_code, lines.c.arrived, lines.c.paid).where(
            lines.c.id.in_(chunk), lines.c.deleted_at.is_(None)
        )
        current = {r.id: r for r in conn.execute(q)}
        latest: dict[str, Any] = {}
        q = (
            select(h.c.funding_line_id, h.c.as_of, h.c.arrived, h.c.paid)
            .where(h.c.funding_line_id.in_(chunk), h.c.deleted_at.is_(None))
            .order_by(h.c.funding_line_id, h.c.as_of, h.c.created_at, h.c.id)
        )
        for r in conn.execute(q):
            latest[r.funding_line_id] = r  # the last in order is the one that stands
        for lid, line in current.items():
            last = latest.get(lid)
            if last is not None and (last.arrived, last.paid) != (line.arrived, line.paid):
                history.append(
                    {
                        "funding_line_id": lid,
                        "township_code": line.township_code,
                        "as_of": last.as_of,
                        "arrived": line.arrived,
                        "paid": line.paid,
                    }
                )
    from oldcomm_desktop.core.importing import bulk

    bulk.insert_new(conn, h, history)  # type: ignore[arg-type]
    return len(history)


def measure(name: str, day: date, *, from_history: bool = False) -> ColumnElement[Any]:
    """A funding line's `name` ("arrived" or "paid") as it stood on `day`, as a column of a query on
    funding_line: its latest history row dated on or before `day` (ties on one day: the later written), None
    before any. A correlated subquery that the (funding_line_id, as_of) index answers per line, so a return of
    200,000 communities stays one query (a window over the whole history joined back was 30× slower on SQLite).

    From today on the line's own total is read: the same number (every change leaves its row), and the current
    return stays right even after a writer that bypasses both hooks (a sync rollback's before-images).
    """
    if name not in MEASURES:
        raise ValueError(name)
    if day >= date.today() and not from_history:
        return getattr(FundingLine, name)
    h = FundingLineHistory
    return (
        select(getattr(h, name))
        .where(h.funding_line_id == FundingLine.id, h.as_of <= day, h.deleted_at.is_(None))
        .order_by(h.as_of.desc(), h.created_at.desc(), h.id.desc())
        .limit(1)
        .correlate(FundingLine)
        .scalar_subquery()
    )


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    pending = session.info.setdefault(_PENDING, [])
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, FundingLine):
            continue
        state = inspect(obj)
        if state.pending or state.transient:
            if obj.arrived is not None or obj.paid is not None:
                pending.append(obj)
        elif any(state.attrs[k].history.has_changes() for k in MEASURES):
            pending.append(obj)


def _after_flush(session: Session, _context: Any) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    rows = {o.id: {"id": o.id, "township_code": o.township_code, "arrived": o.arrived, "paid": o.paid} for o in pending}
    write(session.connection(), rows.values(), change_day(session))


def install(factory: sessionmaker) -> None:
    """Hook the factory's sessions (once, as listing_index.install does)."""
    if not getattr(factory, "_oldcomm_funding_dates", False):
        event.listen(factory, "before_flush", _before_flush)
        event.listen(factory, "after_flush", _after_flush)
        factory._oldcomm_funding_dates = True  # type: ignore[attr-defined]
