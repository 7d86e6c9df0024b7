"""What a package did to a rectification's 销号, told to the clerk in the import's result.

A rectification's state is derived from all its live re-inspections in date order on both sides
(`inspections.rectification_state`), so a township that closed one with a passed re-inspection finds it open again
once the county's later failed re-inspection arrives — with nothing in the package that says "rectification
changed" by itself. The clerk must hear it, with the new deadline, or the reopened work is noticed only when it
is overdue. One the package closed is told too: a clerk who still has it on the to-do list can cross it off.
The state is read before the package is written and after (dry run included: it is written and rolled back).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from oldcomm_desktop.core import record_names
from oldcomm_desktop.core.sync import tables

CHUNK = 500
SHOWN = 5  # rectifications named in one line of the result; the rest are counted

Closed = dict[str, bool]  # a live stored rectification's id → whether it was closed


def states(conn: Connection, ids: Iterable[str]) -> Closed:
    """Whether each live stored rectification of `ids` is closed (ids not stored yet are left out: a rectification
    the package brings is new to the clerk, not reopened)."""
    rt = tables.table("rectification")
    wanted = sorted(set(ids))
    out: Closed = {}
    for k in range(0, len(wanted), CHUNK):
        q = select(rt.c.id, rt.c.closed).where(rt.c.id.in_(wanted[k : k + CHUNK]), rt.c.deleted_at.is_(None))
        out.update({rid: bool(closed) for rid, closed in conn.execute(q)})
    return out


def changed(conn: Connection, before: Closed) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(reopened, closed) since `before`: each {"record_id", "name", "deadline" | "closed_on", "failed"}; a
    reopened one says whether its latest live re-inspection failed (else the pass was withdrawn there)."""
    rt, re_t = tables.table("rectification"), tables.table("reinspection")
    reopened: list[dict[str, Any]] = []
    closed: list[dict[str, Any]] = []
    ids = sorted(before)
    for k in range(0, len(ids), CHUNK):
        q = select(rt.c.id, rt.c.closed, rt.c.closed_on, rt.c.current_deadline).where(
            rt.c.id.in_(ids[k : k + CHUNK]), rt.c.deleted_at.is_(None)
        )
        for rid, now_closed, closed_on, deadline in conn.execute(q):
            if bool(now_closed) == before[rid]:
                continue
            name = record_names.named(conn, "rectification", rid)
            if now_closed:
                closed.append({"record_id": rid, "name": name, "closed_on": _day(closed_on)})
                continue
            latest = conn.execute(
                select(re_t.c.passed)
                .where(re_t.c.rectification_id == rid, re_t.c.deleted_at.is_(None))
                .order_by(re_t.c.inspected_on.desc())
                .limit(1)
            ).scalar()
            reopened.append({"record_id": rid, "name": name, "deadline": _day(deadline), "failed": latest is False})
    return reopened, closed


def _day(value: Any) -> str | None:
    return str(value)[:10] if value is not None else None


def lines(reopened: list[dict[str, Any]], closed: list[dict[str, Any]], *, dry_run: bool = False) -> list[str]:
    """The result's sentences for the clerk (command line and the packages page say the same)."""
    out: list[str] = []
    verb = "将" if dry_run else ""
    failed = [r for r in reopened if r["failed"]]
    withdrawn = [r for r in reopened if not r["failed"]]
    if failed:
        out.append(
            f"有 {len(failed)} 条已销号的整改因对方的复查未通过而{verb}重新打开："
            f"{_names(failed, '新的整改期限', 'deadline')}"
        )
    if withdrawn:
        out.append(
            f"有 {len(withdrawn)} 条已销号的整改因对方撤回了通过的复查而{verb}重新打开："
            f"{_names(withdrawn, '整改期限', 'deadline')}"
        )
    if closed:
        out.append(f"有 {len(closed)} 条整改因对方的复查通过而{verb}销号：{_names(closed, '销号日期', 'closed_on')}")
    return out


def _names(found: list[dict[str, Any]], label: str, key: str) -> str:
    shown = "、".join(f"{r['name']}（{label} {r[key]}）" for r in found[:SHOWN])
    return shown + ("等" if len(found) > SHOWN else "")
