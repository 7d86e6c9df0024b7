"""A rollback puts a rectification's closed state (销号, closed on, current deadline) back as the before-image holds
it: the database as it was before the import, not the state derived again from the re-inspections left."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import inspections
from oldcomm_desktop.core.model import Rectification, Reinspection
from oldcomm_desktop.core.sync import history

from .conftest import COUNTY, T1, Node, exchange
from .test_inspection_family_decisions import TODAY, _inspection


def _rect(node: Node, rid: str) -> tuple:
    """(closed, closed on, current deadline, reply, [(passed, live) of each re-inspection])."""
    with node.db.transaction("测试员") as s:
        r = s.get(Rectification, rid)
        re = s.scalars(select(Reinspection).where(Reinspection.rectification_id == rid)).all()
        return (
            r.closed,
            r.closed_on,
            r.current_deadline,
            r.reply,
            sorted((x.passed, x.inspected_on, x.deleted_at is None) for x in re),
        )


def _failed(node: Node, rid: str, on: date, new_deadline: date) -> None:
    with node.db.transaction("录入员") as s:
        inspections.reinspect(s, rid, {"inspected_on": on, "passed": False, "new_deadline": new_deadline}, today=TODAY)


def _rolled_back(node: Node, import_id: str | None) -> None:
    assert import_id
    with node.db.transaction("审核员") as s:
        history.rollback(s, import_id)


def test_rolling_back_an_import_that_brought_a_passed_reinspection(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    _iid, rid = _inspection(t1, t1.new_community("幸福里小区", households=100))
    exchange(county, t1, 1)
    before = _rect(county, rid)
    with t1.db.transaction("录入员") as s:
        inspections.reply(s, rid, "已修复", date(2026, 11, 5))
        inspections.reinspect(
            s, rid, {"inspected_on": date(2026, 11, 6), "passed": True, "note": "现场已修复"}, today=TODAY
        )
    report = county.import_(t1.export().path)
    assert _rect(county, rid)[0] is True
    _rolled_back(county, report.import_id)
    assert _rect(county, rid) == before


def test_rolling_back_an_import_that_brought_a_failed_reinspection(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    _iid, rid = _inspection(t1, t1.new_community("幸福里小区", households=100))
    exchange(county, t1, 1)
    before = _rect(county, rid)
    _failed(t1, rid, date(2026, 11, 10), date(2026, 11, 25))
    report = county.import_(t1.export().path)
    assert _rect(county, rid)[2] == date(2026, 11, 25)
    _rolled_back(county, report.import_id)
    assert _rect(county, rid) == before


def test_rolling_back_an_import_that_deleted_the_closing_reinspection(world) -> None:
    """The township deletes the re-inspection that closed it (the rectification opens again); the county's
    rollback of that import puts the re-inspection and the closed state back together."""
    county, t1 = world[COUNTY], world[T1]
    _iid, rid = _inspection(t1, t1.new_community("幸福里小区", households=100))
    with t1.db.transaction("录入员") as s:
        re = inspections.reinspect(
            s, rid, {"inspected_on": date(2026, 11, 6), "passed": True, "note": "现场已修复"}, today=TODAY
        )
        re_id = re.id
    exchange(county, t1, 1)
    before = _rect(county, rid)
    assert before[0] is True
    with t1.db.transaction("录入员") as s:
        inspections.delete_reinspection(s, re_id)
    report = county.import_(t1.export().path)
    assert _rect(county, rid)[0] is False
    _rolled_back(county, report.import_id)
    assert _rect(county, rid) == before


@pytest.mark.parametrize(
    "entered",
    [
        # a later failed one entered first: the deadline is the one entered last, not the one dated last
        [(date(2026, 11, 10), False, date(2026, 11, 20)), (date(2026, 11, 9), False, date(2026, 11, 30))],
        # closed by a pass dated before a failed one entered earlier: its deadline stays the failed one's
        [(date(2026, 11, 10), False, date(2026, 11, 20)), (date(2026, 11, 9), True, None)],
    ],
)
def test_rolling_back_keeps_the_state_the_clerks_entries_made(world, entered) -> None:
    """Re-inspections entered by hand out of date order (each edit now derives the state in date order, as the
    bulk path does; an earlier release set it as each came): an import touching the rectification and its
    rollback leave the state as it was."""
    county, t1 = world[COUNTY], world[T1]
    _iid, rid = _inspection(t1, t1.new_community("幸福里小区", households=100))
    for on, passed, new_deadline in entered:
        with t1.db.transaction("录入员") as s:
            values = {"inspected_on": on, "passed": passed, "new_deadline": new_deadline, "note": "现场已修复"}
            inspections.reinspect(s, rid, values, today=TODAY)
    exchange(county, t1, 1)
    before = _rect(t1, rid)
    with county.db.transaction("县审核员") as s:
        inspections.reply(s, rid, "县里补录的回复", date(2026, 11, 12))
    report = t1.import_(county.export(to=T1).path)
    _rolled_back(t1, report.import_id)
    assert _rect(t1, rid) == before
