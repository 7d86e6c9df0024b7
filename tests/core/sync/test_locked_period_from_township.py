"""A township's change that would alter a return the county approved and locked, made before the approval reached the
township (QA round 5, bug G): held as a conflict naming the locked period, never written silently; the rest of the
package is taken. After 重新打开 a clerk takes theirs; keeping ours sends the county's figures back down. A change
made after the reopening reached the township arrives as any other."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import milestones
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import Community, Milestone, SyncConflict
from oldcomm_desktop.core.returns import review
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.core.sync import conflicts

from .conftest import T1, Node, exchange

MAY = Period(2026, 5)
LOCKED = "2026年1–5月进度月报表已审核通过并锁定"


def _approved_before_the_township_knows(county: Node, t1: Node) -> str:
    """T1 submits May's return with 幸福里小区 (plan year 2026, 10 households); the county approves it."""
    cid = t1.new_community("幸福里小区", households=10, floor_area="1000", total_investment="1000", plan_year=2026)
    with t1.db.transaction("城关街道填报员") as s:
        review.submit(s, "progress", MAY, operator="城关街道填报员")
    exchange(county, t1, 1)
    with county.db.transaction("县审核员") as s:
        review.approve(s, "progress", MAY, township=T1, operator="县审核员")
    return cid


def _start(node: Node, cid: str, on: date) -> None:
    with node.db.transaction("城关街道填报员") as s:
        milestones.add(s, s.get(Community, cid), {"kind": "start", "reached_on": on}, today=date(2026, 6, 1))


def _state(node: Node, cid: str) -> tuple:
    with node.db.transaction("测试员") as s:
        c = s.get(Community, cid)
        live = select(Milestone.reached_on).where(Milestone.community_id == cid, Milestone.deleted_at.is_(None))
        starts = s.scalars(live)
        return c.households, c.status, sorted(starts)


def _holds(node: Node) -> dict[str, str]:
    with node.db.transaction("测试员") as s:
        found = s.scalars(select(SyncConflict).where(SyncConflict.status == "open"))
        return {c.table_name: c.id for c in found if c.field == "rules_refused"}


def _decide(node: Node, conflict_id: str, keep: str) -> None:
    with node.db.transaction("县审核员") as s:
        conflicts.resolve(s, conflict_id, keep)


def _early_edit(county: Node, t1: Node) -> tuple[str, str]:
    """The township corrects 户数 10 → 12 and records 开工 on 05-10, not yet knowing of the approval; in the same
    package a community of another plan year."""
    cid = _approved_before_the_township_knows(county, t1)
    t1.update_community(cid, households=12)
    _start(t1, cid, date(2026, 5, 10))
    other = t1.new_community("和平里小区", households=20, total_investment="500", plan_year=2027)
    report = county.import_(t1.export().path)
    assert {c["table"] for c in report.conflicts} == {"community", "milestone"}
    assert all(LOCKED in c["ours"] and "重新打开" in c["ours"] for c in report.conflicts)
    return cid, other


def test_the_early_edit_is_held_and_the_rest_taken(world, county: Node) -> None:
    t1 = world[T1]
    cid, other = _early_edit(county, t1)
    assert _state(county, cid) == (10, "planned", [])
    with county.db.transaction("测试员") as s:
        assert s.get(Community, other).households == 20  # the rest of the package is taken
    with pytest.raises(ValidationError, match=LOCKED):  # taking theirs while locked is refused too
        _decide(county, _holds(county)["community"], "theirs")


def test_after_reopening_the_clerk_takes_theirs(world, county: Node) -> None:
    t1 = world[T1]
    cid, _other = _early_edit(county, t1)
    with county.db.transaction("县审核员") as s:
        review.reopen(s, "progress", MAY, township=T1, operator="县审核员", reason="乡镇更正户数和开工")
    holds = _holds(county)
    _decide(county, holds["community"], "theirs")
    _decide(county, holds["milestone"], "theirs")
    assert _state(county, cid) == (12, "started", [date(2026, 5, 10)])
    exchange(county, t1)
    assert _state(t1, cid) == _state(county, cid) and not _holds(county)


def test_keeping_ours_sends_the_approved_figures_back(world, county: Node) -> None:
    t1 = world[T1]
    cid, _other = _early_edit(county, t1)
    holds = _holds(county)
    _decide(county, holds["community"], "ours")
    _decide(county, holds["milestone"], "ours")
    exchange(county, t1)
    assert _state(county, cid) == (10, "planned", [])
    assert _state(t1, cid) == _state(county, cid)


def test_a_change_after_the_reopening_reached_the_township_arrives(world, county: Node) -> None:
    """Once the approval reaches the township its own lock refuses the edit there; after the county reopens the
    period and the township hears of it, its correction is imported as any other."""
    t1 = world[T1]
    cid = _approved_before_the_township_knows(county, t1)
    t1.import_(county.export(T1).path)
    with pytest.raises(ValidationError, match=LOCKED):
        t1.update_community(cid, households=12)
    with county.db.transaction("县审核员") as s:
        review.reopen(s, "progress", MAY, township=T1, operator="县审核员", reason="户数更正")
    t1.import_(county.export(T1).path)
    t1.update_community(cid, households=12)
    report = county.import_(t1.export().path)
    assert not report.conflicts and _state(county, cid)[0] == 12
