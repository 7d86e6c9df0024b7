"""Re-inspections entered out of date order (a paper record typed in late): the clerk's own edit and the bulk
path a sync receiver writes through derive the rectification's state the same way — in date order, then id —
so the township and the county hold the same 销号 state and current deadline."""

from __future__ import annotations

from datetime import date

import pytest

from oldcomm_desktop.core import inspections
from oldcomm_desktop.core.model import Rectification

from .conftest import COUNTY, T1, Node, exchange
from .test_inspection_family_decisions import TODAY, _inspection


def _state(node: Node, rid: str) -> tuple:
    with node.db.transaction("测试员") as s:
        r = s.get(Rectification, rid)
        return r.closed, r.closed_on, r.current_deadline


def _enter(node: Node, rid: str, entered: list[tuple[date, bool, date | None]]) -> None:
    for on, passed, new_deadline in entered:
        with node.db.transaction("录入员") as s:
            values = {"inspected_on": on, "passed": passed, "new_deadline": new_deadline, "note": "现场已修复"}
            inspections.reinspect(s, rid, values, today=TODAY)


LATE_FAIL = [(date(2026, 11, 10), False, date(2026, 11, 20)), (date(2026, 11, 9), False, date(2026, 11, 30))]
LATE_PASS = [(date(2026, 11, 10), False, date(2026, 11, 20)), (date(2026, 11, 9), True, None)]
SAME_DAY = [(date(2026, 11, 10), False, date(2026, 11, 20)), (date(2026, 11, 10), False, date(2026, 11, 30))]


def test_a_reinspection_typed_in_late_takes_its_place_by_date(world) -> None:
    """A failed re-inspection dated before the one entered first does not move the deadline: the later one by
    date still stands (it used to be the one entered last: 11-30)."""
    t1 = world[T1]
    _iid, rid = _inspection(t1, t1.new_community("幸福里小区", households=100))
    _enter(t1, rid, LATE_FAIL)
    assert _state(t1, rid) == (False, None, date(2026, 11, 20))


@pytest.mark.parametrize("entered", [LATE_FAIL, LATE_PASS, SAME_DAY], ids=["late-fail", "late-pass", "same-day"])
def test_both_sides_hold_the_same_state(world, entered) -> None:
    county, t1 = world[COUNTY], world[T1]
    _iid, rid = _inspection(t1, t1.new_community("幸福里小区", households=100))
    _enter(t1, rid, entered)
    exchange(county, t1, 2)
    assert _state(county, rid) == _state(t1, rid)
    # the county's next package (a reply recorded there) derives nothing different at the township
    with county.db.transaction("县审核员") as s:
        inspections.reply(s, rid, "县里补录的回复", date(2026, 11, 12))
    exchange(county, t1, 2)
    assert _state(county, rid) == _state(t1, rid)
