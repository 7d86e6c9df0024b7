"""Two sides re-inspect one rectification before they exchange (QA round 5, bug C): the township's 复查通过 closes
it (销号), the county, not yet knowing, finds the problem still on site a few days later (复查未通过, a new
deadline). The later finding decides on both sides — the rectification is open again with the county's deadline —
and both re-inspections stay on record; the county's failure used to count for nothing, with no conflict either."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import inspections
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import Rectification, Reinspection
from oldcomm_desktop.core.sync import history

from .conftest import ORDERS, T1, Node, exchange, first_moves
from .test_inspection_family_decisions import TODAY, _inspection

PASSED = {"passed": True, "note": "现场已修复"}
FAILED = {"passed": False, "note": "围挡仍破损", "new_deadline": date(2026, 11, 30)}


def _shared(county: Node, t1: Node) -> str:
    """A rectification (deadline 11-08) replied to at the township, known to both sides."""
    _iid, rid = _inspection(t1, t1.new_community("幸福里", households=100))
    with t1.db.transaction("录入员") as s:
        inspections.reply(s, rid, "已修复", date(2026, 11, 5))
    exchange(county, t1, 1)
    return rid


def _reinspect(node: Node, rid: str, on: date, values: dict) -> None:
    with node.db.transaction("复查员") as s:
        inspections.reinspect(s, rid, {"inspected_on": on, **values}, today=TODAY)


def _both_reinspect(county: Node, t1: Node, township_on: date, county_on: date, county_values: dict) -> str:
    """The township's pass and the county's own re-inspection of one shared rectification, neither sent yet."""
    rid = _shared(county, t1)
    _reinspect(t1, rid, township_on, PASSED)
    _reinspect(county, rid, county_on, county_values)
    return rid


def _state(node: Node, rid: str) -> tuple:
    with node.db.transaction("测试员") as s:
        r = s.get_one(Rectification, rid)
        return r.closed, r.closed_on, r.current_deadline


def _live(node: Node, rid: str) -> list[tuple]:
    with node.db.transaction("测试员") as s:
        q = (
            select(Reinspection.inspected_on, Reinspection.passed)
            .where(Reinspection.rectification_id == rid, Reinspection.deleted_at.is_(None))
            .order_by(Reinspection.inspected_on)
        )
        return [tuple(r) for r in s.execute(q)]


@pytest.mark.parametrize("order", ORDERS)
def test_a_later_failed_reinspection_at_the_county_reopens_on_both_sides(county: Node, world, order: str) -> None:
    t1 = world[T1]
    rid = _both_reinspect(county, t1, date(2026, 11, 6), date(2026, 11, 8), FAILED)
    first_moves(county, t1, order)
    exchange(county, t1)
    for node in (county, t1):
        assert _state(node, rid) == (False, None, date(2026, 11, 30))
        assert _live(node, rid) == [(date(2026, 11, 6), True), (date(2026, 11, 8), False)]
        assert node.open_conflicts() == []
    # reopened, the township can re-inspect again; its pass closes it on both sides
    _reinspect(t1, rid, date(2026, 11, 20), PASSED)
    exchange(county, t1)
    assert _state(county, rid) == _state(t1, rid) == (True, date(2026, 11, 20), date(2026, 11, 30))


@pytest.mark.parametrize("order", ORDERS)
def test_an_earlier_failed_reinspection_at_the_county_leaves_it_closed(county: Node, world, order: str) -> None:
    """The county's failure dated before the township's pass is an older finding: the pass closes, and the
    deadline it closed under is the county's new one."""
    t1 = world[T1]
    rid = _both_reinspect(county, t1, date(2026, 11, 7), date(2026, 11, 6), FAILED)
    first_moves(county, t1, order)
    exchange(county, t1)
    for node in (county, t1):
        assert _state(node, rid) == (True, date(2026, 11, 7), date(2026, 11, 30))
        assert len(_live(node, rid)) == 2
        assert node.open_conflicts() == []


@pytest.mark.parametrize("order", ORDERS)
def test_two_passes_close_on_the_first(county: Node, world, order: str) -> None:
    """The county's rectification used to stay closed on its own date: the township's rectification row merged
    to ours (derived columns), so the township's re-inspection arrived alone and nothing derived the state again."""
    t1 = world[T1]
    rid = _both_reinspect(county, t1, date(2026, 11, 6), date(2026, 11, 8), PASSED)
    first_moves(county, t1, order)
    exchange(county, t1)
    assert _state(county, rid) == _state(t1, rid) == (True, date(2026, 11, 6), date(2026, 11, 8))


def test_rolling_back_the_import_puts_the_derived_state_back(county: Node, world) -> None:
    """The rectification derived again for a re-inspection that arrived alone has a before-image: rolling the
    import back takes the township's re-inspection out and puts the county's own 销号 date back."""
    t1 = world[T1]
    rid = _both_reinspect(county, t1, date(2026, 11, 6), date(2026, 11, 8), PASSED)
    before = _state(county, rid)
    report = county.import_(t1.export().path)
    assert _state(county, rid) == (True, date(2026, 11, 6), date(2026, 11, 8))
    assert report.import_id
    with county.db.transaction("审核员") as s:
        history.rollback(s, report.import_id)
    assert _state(county, rid) == before == (True, date(2026, 11, 8), date(2026, 11, 8))
    assert _live(county, rid) == [(date(2026, 11, 8), True)]


def test_the_derivation_follows_the_latest_reinspection() -> None:
    deadline, d = date(2026, 11, 8), date(2026, 11, 1)
    state = inspections.rectification_state
    assert state(deadline, []) == (False, None, deadline)
    fail = (False, d.replace(day=9), date(2026, 11, 30))
    assert state(deadline, [(True, d.replace(day=6), None), fail]) == (False, None, date(2026, 11, 30))
    assert state(deadline, [(True, d.replace(day=6), None), fail, (True, d.replace(day=20), None)]) == (
        True,
        d.replace(day=20),
        date(2026, 11, 30),
    )
    assert state(deadline, [(True, d.replace(day=6), None), (True, d.replace(day=8), None)]) == (
        True,
        d.replace(day=6),
        deadline,
    )


def test_a_clerk_still_cannot_reinspect_a_closed_rectification(world) -> None:
    """Locally, a closed rectification needs no re-inspection (the form is not offered); only two sides that
    re-inspected before they exchanged reach a failure after a pass."""
    t1 = world[T1]
    _iid, rid = _inspection(t1, t1.new_community("幸福里", households=100))
    _reinspect(t1, rid, date(2026, 11, 6), PASSED)
    with pytest.raises(ValidationError, match="已销号"):
        _reinspect(t1, rid, date(2026, 11, 8), FAILED)
    assert _state(t1, rid) == (True, date(2026, 11, 6), date(2026, 11, 8))
    assert len(_live(t1, rid)) == 1
