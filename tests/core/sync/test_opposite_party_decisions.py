"""Both sides named a different 监理单位 for the same project before they exchanged: each holds the other's party as
a conflict (与本方记录合并后不符合规则). Then both clerks decide it before either decision travels, in opposite ways:
each keeps its own party, or each takes the other's. Each decision retired one party into the recycle bin, and each
side's retirement used to win on the other side quietly, so after the next exchange the role had no live party on
either side (both in the bin) and nothing asked about it.

As for opposite decisions on a deletion (test_opposite_decisions.py), the two decisions now come back as a conflict
on both sides — each side still holding one live party and the column naming its unit — and one decision then
settles it on both sides: one live party, the same on both, the column agreeing, the other party in the bin."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import projects, responsibility
from oldcomm_desktop.core.model import Project, ResponsibleParty, SyncConflict
from oldcomm_desktop.core.sync import conflicts

from .conftest import COUNTY, ORDERS, T1, Node, exchange, first_moves
from .test_opposite_decisions import _decidable, _decide_all  # the deletion precedent's own steps

CONTRACTOR = {"unit_name": "甲建设公司", "leader": "张三", "licence_no": "皖134000001"}
COUNTY_SUPERVISOR = {"unit_name": "丙监理", "leader": "王五", "licence_no": "监123"}
TOWNSHIP_SUPERVISOR = {"unit_name": "丁监理", "leader": "赵六", "licence_no": "监456"}


def _clash(county: Node, t1: Node, order: str) -> str:
    """A project known on both sides, then each side names its own supervisor; they exchange and both hold it."""
    with t1.db.transaction("录入员") as s:
        pid = projects.create(s, {"name": "2026年城关片区改造", "township_code": T1}).id
        responsibility.set_parties(s, pid, {"contractor": CONTRACTOR})
    exchange(county, t1, 1)
    with county.db.transaction("审核员") as s:
        responsibility.set_parties(s, pid, {"supervisor": COUNTY_SUPERVISOR})
    with t1.db.transaction("录入员") as s:
        responsibility.set_parties(s, pid, {"supervisor": TOWNSHIP_SUPERVISOR})
    first_moves(county, t1, order, whole_round=True)
    exchange(county, t1, 1)
    return pid


def _supervisors(node: Node, pid: str) -> tuple[list[str], list[str], str | None]:
    """(units of the live supervisors, units of the binned ones, the project's 监理单位 column)."""
    with node.db.transaction() as s:
        rows = s.execute(
            select(ResponsibleParty.unit_name, ResponsibleParty.deleted_at).where(
                ResponsibleParty.project_id == pid, ResponsibleParty.role == "supervisor"
            )
        ).all()
        column = s.get(Project, pid).supervisor
    live = sorted(u for u, d in rows if d is None)
    binned = sorted(u for u, d in rows if d is not None)
    return live, binned, column


def _one_party_shown(node: Node, pid: str) -> str:
    live, binned, column = _supervisors(node, pid)
    assert len(live) == 1, (node.code, live, binned)
    assert column == live[0], (node.code, column, live)
    assert sorted(live + binned) == ["丁监理", "丙监理"], (node.code, live, binned)  # nothing lost
    return live[0]


@pytest.mark.parametrize("pair", ["each_keeps_own", "each_takes_other"])
@pytest.mark.parametrize("order", ORDERS)
def test_opposite_decisions_on_a_party_clash_come_back_and_one_decision_settles_them(
    world: dict[str, Node], order: str, pair: str
) -> None:
    county, t1 = world[COUNTY], world[T1]
    pid = _clash(county, t1, order)
    assert county.open_conflicts() and t1.open_conflicts()
    keep = "ours" if pair == "each_keeps_own" else "theirs"
    _decide_all(t1, keep)  # both decide before either decision travels
    _decide_all(county, keep)
    first_moves(county, t1, order, whole_round=True)
    for _ in range(2):  # and again: ordinary rounds neither settle the question nor lose a party
        exchange(county, t1, 1)
        for node in (county, t1):  # the two decisions meet: asked again, one live party on each side meanwhile
            _one_party_shown(node, pid)
            assert node.open_conflicts(), node.code
    decider = county if pair == "each_keeps_own" else t1  # holds the county's party now
    _decide_all(decider, "ours")
    exchange(county, t1, 3)
    for node in (county, t1):
        assert node.open_conflicts() == [], node.code
        assert _one_party_shown(node, pid) == "丙监理", node.code


@pytest.mark.parametrize("keep", ["ours", "theirs"])
@pytest.mark.parametrize("first", ["project", "responsible_party"])
@pytest.mark.parametrize("pair", ["each_keeps_own", "each_takes_other"])
def test_one_answer_settles_the_whole_question_again(world: dict[str, Node], pair: str, first: str, keep: str) -> None:
    """The question asked again is one: the project's 监理单位 and both parties' deletions. A clerk answering any
    of them answers all the same way (our party and our column, or theirs), never two live parties or none."""
    county, t1 = world[COUNTY], world[T1]
    pid = _clash(county, t1, "both_export_first")
    both = "ours" if pair == "each_keeps_own" else "theirs"
    _decide_all(t1, both)
    _decide_all(county, both)
    first_moves(county, t1, "both_export_first")
    exchange(county, t1, 1)
    for node in (county, t1):
        _decidable(node)
    held_now = _one_party_shown(county, pid)
    with county.db.transaction("审核员") as s:
        cid = s.scalar(
            select(SyncConflict.id).where(SyncConflict.status == "open", SyncConflict.table_name == first).limit(1)
        )
        conflicts.resolve(s, cid, keep)
    assert county.open_conflicts() == []
    expected = held_now if keep == "ours" else ({"丙监理", "丁监理"} - {held_now}).pop()
    assert _one_party_shown(county, pid) == expected
    exchange(county, t1, 3)
    for node in (county, t1):
        assert node.open_conflicts() == [], node.code
        assert _one_party_shown(node, pid) == expected, node.code


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("county_keeps", ["ours", "theirs"])
def test_agreeing_decisions_at_once_settle_without_asking_and_packages_repeat_harmlessly(
    world: dict[str, Node], order: str, county_keeps: str
) -> None:
    """Both clerks choose the same party at once (the county keeps its own, the township takes the county's; or
    the other way round): nothing is asked again, and importing each package a second time changes nothing."""
    county, t1 = world[COUNTY], world[T1]
    pid = _clash(county, t1, order)
    _decide_all(county, county_keeps)
    _decide_all(t1, "theirs" if county_keeps == "ours" else "ours")
    up, down = t1.export().path, county.export(to=t1.code).path
    for _ in range(2):
        county.import_(up)
        t1.import_(down)
    exchange(county, t1, 2)
    expected = "丙监理" if county_keeps == "ours" else "丁监理"
    for node in (county, t1):
        assert node.open_conflicts() == [], node.code
        assert _one_party_shown(node, pid) == expected, node.code
