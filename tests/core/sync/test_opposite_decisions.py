"""Deletions against edits, decided in ways that meet: both clerks at once, or one taking the other side's record.

The township deletes a community (its funding lines and milestones go with it), or only a funding line, while the
county edits it; they exchange and both hold the conflict. Then each clerk decides before the other's decision
arrives: each keeps their own (the township its deletion, the county its edit), or each takes the other's. The two
decisions are concurrent edits of the same field, so the next exchange raises the conflict again; one clerk decides
it, and after a few ordinary rounds both sides must hold the same records and no open conflict ("QA bug 4"; every
conflict listed on the way can be decided).

The township takes the county's held milestone (所属记录已删除): the community comes back with the lines deleted with
it. The lines' own deletion conflicts, recorded by another import, used to stay open although each line was live
and equal on both sides: nothing was left to decide. They are now decided the county's way with the decision.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import funding, funding_dates, milestones
from oldcomm_desktop.core.model import Community, SyncConflict
from oldcomm_desktop.core.sync import conflicts, tables

from .conftest import COUNTY, ORDERS, T1, Node, exchange, first_moves


def _synced(node: Node) -> dict[str, dict[str, dict[str, Any]]]:
    """The township's shared records as they travel (catalogue references as codes), per table and id."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    with node.db.engine.connect() as conn:
        keymaps = tables.KeyMaps(conn)
        for name in tables.SHARED_TABLES:
            codec = tables.RowCodec(name, keymaps)
            rows = {r._mapping["id"]: codec.encode(r) for r in conn.execute(select(codec.table))}
            if rows:
                out[name] = rows
    return out


def _set_money(node: Node, cid: str, day: date, lines: dict[str, dict[str, str]]) -> None:
    with node.db.transaction("录入员") as s, funding_dates.dated(s, day):
        funding.set_lines(s, s.get(Community, cid), lines)


CENTRAL = {"approved": "600", "arrived": "100"}
PROVINCIAL = {"approved": "400", "arrived": "50"}
CENTRAL_EDITED = {**CENTRAL, "arrived": "300"}  # the county records money arrived
VARIANTS = ("community", "community_with_line_edit", "line")


def _race(world: dict[str, Node], variant: str) -> tuple[Node, Node, str]:
    """A community with two funding lines and a milestone, known on both sides; then the township deletes (the
    community, or one line) while the county edits (the community's 户数, or the line's 到位)."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    _set_money(t1, cid, date(2026, 3, 1), {"central_budget": CENTRAL, "provincial": PROVINCIAL})
    with t1.db.transaction("录入员") as s:
        milestones.add(s, s.get(Community, cid), {"kind": "publicity", "reached_on": "2026-03-02"})
    exchange(county, t1, rounds=1)
    if variant == "line":
        _set_money(t1, cid, date(2026, 4, 1), {"provincial": PROVINCIAL})  # the central line is deleted
    else:
        t1.delete_community(cid)
    if variant == "community":
        county.update_community(cid, households=120)
    else:
        _set_money(county, cid, date(2026, 5, 1), {"central_budget": CENTRAL_EDITED, "provincial": PROVINCIAL})
    return county, t1, cid


def _decide_all(node: Node, keep: str) -> None:
    """Decide every open conflict here (a family's decision may close others on the way)."""
    for _ in range(20):
        with node.db.transaction("审核员") as s:
            first = s.scalar(
                select(SyncConflict.id)
                .where(SyncConflict.status == "open")
                .order_by(SyncConflict.created_at, SyncConflict.table_name, SyncConflict.record_id)
            )
            if first is None:
                return
            conflicts.resolve(s, first, keep)
    raise AssertionError(f"{node.code}: conflicts keep coming back")


def _decidable(node: Node) -> None:
    """Every listed open conflict can be decided (tried and rolled back, each on its own)."""
    with node.db.transaction("测试员") as s:
        listed = [c["id"] for c in conflicts.listing(s)]
    for cid in listed:
        for keep in ("ours", "theirs"):
            session = node.db.session("审核员")
            try:
                conflicts.resolve(session, cid, keep)
            except Exception as exc:
                raise AssertionError(f"{node.code}: conflict {cid} cannot be decided ({keep}): {exc}") from exc
            finally:
                session.rollback()
                session.close()


@pytest.mark.parametrize("pair", ["each_keeps_own", "each_takes_other"])
@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_opposite_decisions_at_once_then_one_side_decides(
    world: dict[str, Node], variant: str, order: str, pair: str
) -> None:
    county, t1, _cid = _race(world, variant)
    first_moves(county, t1, order)
    exchange(county, t1)
    assert county.open_conflicts() and t1.open_conflicts()
    keep = "ours" if pair == "each_keeps_own" else "theirs"
    _decide_all(t1, keep)  # both decide before either decision travels
    _decide_all(county, keep)
    first_moves(county, t1, order)
    exchange(county, t1)
    for node in (county, t1):  # the two decisions meet: a conflict again, which either side can decide
        _decidable(node)
    _decide_all(county if pair == "each_keeps_own" else t1, "ours")  # then one clerk decides, on one side only
    exchange(county, t1, rounds=3)
    assert county.open_conflicts() == [], "county"
    assert t1.open_conflicts() == [], "township"
    assert _synced(county) == _synced(t1)


@pytest.mark.parametrize("takes", ["held", "deletion"])
@pytest.mark.parametrize("edit", ["households", "line"])
@pytest.mark.parametrize("order", ORDERS)
def test_taking_the_countys_side_leaves_no_stale_conflict(
    world: dict[str, Node], order: str, edit: str, takes: str
) -> None:
    """The township deletes a community with its lines and milestone; the county adds a milestone under it (held at
    the township: 所属记录已删除) and edits the community or a line. The township takes the county's side on one of
    its conflicts: the community comes back with everything deleted with it, so no conflict about those records
    may stay open (before, the line's deletion conflict did, the line live and equal on both sides)."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    _set_money(t1, cid, date(2026, 3, 1), {"central_budget": CENTRAL, "provincial": PROVINCIAL})
    with t1.db.transaction("录入员") as s:
        milestones.add(s, s.get(Community, cid), {"kind": "publicity", "reached_on": "2026-03-02"})
    exchange(county, t1, rounds=1)
    t1.delete_community(cid)
    with county.db.transaction("审核员") as s:
        milestones.add(s, s.get(Community, cid), {"kind": "plan", "reached_on": "2026-04-02"})
    if edit == "households":
        county.update_community(cid, households=120)
    else:
        _set_money(county, cid, date(2026, 5, 1), {"central_budget": CENTRAL_EDITED, "provincial": PROVINCIAL})
    first_moves(county, t1, order, whole_round=True)
    exchange(county, t1, rounds=1)
    with t1.db.transaction("经办人") as s:
        listed = conflicts.listing(s)
        wanted = "parent_deleted" if takes == "held" else "deleted_at"
        chosen = next((c for c in listed if c["field"] == wanted), None)
        assert chosen is not None, [(c["table"], c["field"]) for c in listed]
        conflicts.resolve(s, chosen["id"], "theirs")
    for node in (county, t1):
        _decidable(node)
    exchange(county, t1, rounds=3)
    assert county.open_conflicts() == [], "county"
    assert t1.open_conflicts() == [], "township"
    assert _synced(county) == _synced(t1)
    with t1.db.transaction() as s:
        assert s.scalar(select(Community.deleted_at).where(Community.id == cid)) is None


@pytest.mark.parametrize("last", ["ours", "theirs"])
@pytest.mark.parametrize("decisions", ["township_only", "both_at_once"])
@pytest.mark.parametrize("order", ORDERS)
def test_the_community_ends_with_one_status_on_both_sides(
    world: dict[str, Node], order: str, decisions: str, last: str
) -> None:
    """The county records 纳入年度计划 on a community the township deletes: its status is derived from the milestones
    live on each side (已纳入计划 at the county, 储备 at the township), under the same vector once they exchanged.
    The township keeps its deletion (the milestone goes into its bin with the community), the county perhaps keeps
    the community at the same time; then the township decides again. Kept deleted, each side used to keep its own
    status for good: the merged one now stands on both. Taken back, the township's community came back with the
    milestone but still 储备: the status now follows the milestones brought back."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    exchange(county, t1, rounds=1)
    t1.delete_community(cid)
    with county.db.transaction("审核员") as s:
        milestones.add(s, s.get(Community, cid), {"kind": "plan", "reached_on": "2026-04-02"})
    first_moves(county, t1, order, whole_round=True)
    exchange(county, t1)
    if decisions == "both_at_once":
        _decide_all(county, "ours")
    _decide_all(t1, "ours")
    first_moves(county, t1, order, whole_round=True)
    _decide_all(t1, last)
    exchange(county, t1, rounds=3)
    assert county.open_conflicts() == t1.open_conflicts() == []
    with county.db.transaction() as s:
        community = s.get(Community, cid)
        assert (community.deleted_at is None) == (decisions == "both_at_once" and last == "theirs")
        if community.deleted_at is None:
            assert community.status == "planned"
    assert _synced(county) == _synced(t1)
