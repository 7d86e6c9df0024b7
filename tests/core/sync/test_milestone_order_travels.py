"""The milestone-order rules judge a merged log alike on both sides, whichever side recorded first.

The township undoes its 开工 while the county records 完工: the removal arriving at the county is judged by the rule
`milestones.remove` applies (a 完工 depends on the 开工), so the county holds it for a clerk as the township holds
the county's 完工 — never a county with 完工 but no 开工 and nothing to decide. A 退出计划 on one side and a 完工
dated before it on the other fit together on both sides (the withdrawal is dated last either way)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import milestones
from oldcomm_desktop.core.model import Community, Milestone, SyncConflict
from oldcomm_desktop.core.sync import conflicts, rule_holds

from .conftest import COUNTY, ORDERS, T1, Node, exchange, first_moves

TODAY = date(2026, 11, 30)


def _add(node: Node, cid: str, kind: str, day: str, **extra: str) -> str:
    with node.db.transaction("录入员") as s:
        values = {"kind": kind, "reached_on": day, **extra}
        return milestones.add(s, s.get(Community, cid), values, today=TODAY).id


def _log(node: Node, cid: str) -> tuple[list[str], str]:
    with node.db.transaction() as s:
        q = select(Milestone.kind).where(Milestone.community_id == cid, Milestone.deleted_at.is_(None))
        return sorted(s.scalars(q)), s.get_one(Community, cid).status


def _started(world: dict[str, Node]) -> tuple[Node, Node, str, str]:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里", households=100, plan_year=2026)
    start = _add(t1, cid, "start", "2026-05-01")
    exchange(county, t1, rounds=1)
    return county, t1, cid, start


def _start_undone_against_completion(world: dict[str, Node]) -> tuple[Node, Node, str]:
    """Both sides hold 开工; the county adds 完工 while the township removes 开工, before they exchange."""
    county, t1, cid, start = _started(world)
    _add(county, cid, "completion", "2026-06-01")
    with t1.db.transaction("录入员") as s:
        milestones.remove(s, start)
    return county, t1, cid


@pytest.mark.parametrize("order", ORDERS)
def test_a_start_undone_against_a_completion_is_held_on_both_sides(world: dict[str, Node], order: str) -> None:
    county, t1, cid = _start_undone_against_completion(world)
    first_moves(county, t1, order)
    exchange(county, t1)
    assert _log(county, cid) == (["completion", "start"], "completed")  # the removal waits for a clerk
    assert _log(t1, cid) == ([], "planned")
    assert county.open_conflicts() == t1.open_conflicts() == [("milestone", rule_holds.FIELD)]
    with county.db.transaction() as s:
        [c] = conflicts.listing(s)
    assert "须先删除它才能删除“开工”" in conflicts.shown(c["theirs"], c["field"])


def test_the_county_keeping_its_start_settles_both_sides(world: dict[str, Node]) -> None:
    county, t1, cid = _start_undone_against_completion(world)
    exchange(county, t1)
    with county.db.transaction("审核员") as s:
        held = s.scalar(select(SyncConflict.id).where(SyncConflict.status == "open"))
        conflicts.resolve(s, held, "ours")
    exchange(county, t1)
    for node in (county, t1):
        assert node.open_conflicts() == [], node.code
        assert _log(node, cid) == (["completion", "start"], "completed"), node.code


@pytest.mark.parametrize("order", ORDERS)
def test_a_withdrawal_and_an_earlier_completion_fit_on_both_sides(world: dict[str, Node], order: str) -> None:
    county, t1, cid, _start = _started(world)
    _add(county, cid, "completion", "2026-06-01")
    _add(t1, cid, "withdrawal", "2026-06-02", reason="居民意见不一")
    first_moves(county, t1, order)
    exchange(county, t1)
    for node in (county, t1):
        assert node.open_conflicts() == [], node.code
        assert _log(node, cid) == (["completion", "start", "withdrawal"], "withdrawn"), node.code


def test_a_withdrawal_dated_before_the_other_sides_completion_is_held_on_both_sides(world: dict[str, Node]) -> None:
    county, t1, cid, _start = _started(world)
    _add(county, cid, "completion", "2026-06-05")
    _add(t1, cid, "withdrawal", "2026-06-02", reason="居民意见不一")
    exchange(county, t1)
    assert county.open_conflicts() == t1.open_conflicts() == [("milestone", rule_holds.FIELD)]


def test_a_completion_and_its_start_undone_together_travel(world: dict[str, Node]) -> None:
    """Each removal is judged against the log as the package leaves it, not in the order its rows come."""
    county, t1, cid, start = _started(world)
    completion = _add(t1, cid, "completion", "2026-06-01")
    exchange(county, t1)
    with t1.db.transaction("录入员") as s:
        milestones.remove(s, completion)
        milestones.remove(s, start)
    exchange(county, t1)
    for node in (county, t1):
        assert node.open_conflicts() == [], node.code
        assert _log(node, cid) == ([], "planned"), node.code


@pytest.mark.parametrize("order", ORDERS)
def test_the_township_keeping_its_removal_settles_both_sides(world: dict[str, Node], order: str) -> None:
    """The township decides the clash (keep ours: its 开工 stays removed, the county's 完工 goes): the county's own
    hold of the removal closes as settled with the township's package — no second decision at the county."""
    county, t1, cid = _start_undone_against_completion(world)
    first_moves(county, t1, order)
    exchange(county, t1)
    assert county.open_conflicts() == t1.open_conflicts() == [("milestone", rule_holds.FIELD)]
    with t1.db.transaction("录入员") as s:
        held = s.scalar(select(SyncConflict.id).where(SyncConflict.status == "open"))
        conflicts.resolve(s, held, "ours")
    exchange(county, t1)
    for node in (county, t1):
        assert node.open_conflicts() == [], node.code
        assert _log(node, cid) == ([], "planned"), node.code


def _two_held(world: dict[str, Node]) -> tuple[Node, Node, str]:
    """The county records 开工 on 6-20; the township, before they exchange, 开工 on 6-01 and 完工 on 6-10. At the
    county both of the township's milestones are refused — a second 开工, and a 完工 before the county's 开工 — one
    clash spanning two records."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里", households=100, plan_year=2026)
    exchange(county, t1, rounds=1)
    _add(county, cid, "start", "2026-06-20")
    _add(t1, cid, "start", "2026-06-01")
    _add(t1, cid, "completion", "2026-06-10")
    exchange(county, t1)
    return county, t1, cid


def test_a_clash_spanning_two_milestones_is_listed_as_one_question(world: dict[str, Node]) -> None:
    county, _t1, _cid = _two_held(world)
    assert county.open_conflicts() == [("milestone", rule_holds.FIELD)] * 2
    with county.db.transaction() as s:
        notes = [c["note"] for c in conflicts.listing(s)]
    assert all("幸福里" in n and "一并处理" in n for n in notes), notes


@pytest.mark.parametrize("keep", ["ours", "theirs"])
def test_one_decision_settles_a_clash_spanning_two_milestones(world: dict[str, Node], keep: str) -> None:
    county, t1, cid = _two_held(world)
    with county.db.transaction("审核员") as s:
        first = s.scalar(select(SyncConflict.id).where(SyncConflict.status == "open").order_by(SyncConflict.id))
        if keep == "theirs":  # the county's own 开工 stands in the way: the clerk removes it first, as told
            ours = s.scalar(
                select(Milestone.id).where(Milestone.community_id == cid, Milestone.deleted_at.is_(None))
            )
            milestones.remove(s, ours)
        conflicts.resolve(s, first, keep)
        assert s.scalar(select(SyncConflict.id).where(SyncConflict.status == "open")) is None  # one decision
    exchange(county, t1)
    expected = (["start"], "started") if keep == "ours" else (["completion", "start"], "completed")
    for node in (county, t1):
        assert node.open_conflicts() == [], node.code
        assert _log(node, cid) == expected, node.code
