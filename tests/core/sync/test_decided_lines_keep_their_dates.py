"""A funding line written by a sync rollback or by a conflict's decision gets no arrived/paid row dated the day of
the rollback or the decision: its dated rows say what the before-image or the decided figure says, dated as the
history it belongs to (funding_dates.settle), so a past month's return does not move on the day a clerk decides."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from oldcomm_desktop.core import funding, funding_dates
from oldcomm_desktop.core.model import Community, FundingLine, FundingLineHistory
from oldcomm_desktop.core.sync import conflicts, history

from .conftest import T1


def _set(node, cid: str, day: date, arrived: str) -> None:
    with node.db.transaction("录入员") as s, funding_dates.dated(s, day):
        funding.set_lines(s, s.get(Community, cid), {"central_budget": {"approved": "1000", "arrived": arrived}})


def _days(node, cid: str) -> list[date]:
    with node.db.transaction() as s:
        q = (
            select(FundingLineHistory.as_of)
            .join(FundingLine, FundingLine.id == FundingLineHistory.funding_line_id)
            .where(FundingLine.community_id == cid, FundingLineHistory.deleted_at.is_(None))
        )
        return sorted(s.scalars(q))


def _line_and_dated(node, cid: str, day: date) -> tuple[Decimal, Decimal]:
    """The line's arrived today, and as its dated rows say it stood on `day`."""
    with node.db.transaction() as s:
        q = select(FundingLine.arrived, funding_dates.measure("arrived", day, from_history=True)).where(
            FundingLine.community_id == cid
        )
        now, then = s.execute(q).one()
        return now, then


def _conflict(county, world, county_day: date) -> tuple:
    """arrived changed on both sides since the last exchange: 200 at the township (dated 3 May), 300 at the
    county (dated `county_day`, before or after the township's)."""
    t1 = world[T1]
    cid = t1.new_community("幸福里小区", households=10, floor_area="1000", total_investment="1000", plan_year=2026)
    _set(t1, cid, date(2026, 3, 1), "100")
    county.import_(t1.export().path)
    _set(t1, cid, date(2026, 5, 3), "200")
    _set(county, cid, county_day, "300")
    report = county.import_(t1.export().path)
    assert [c["field"] for c in report.conflicts] == ["arrived"]
    with county.db.transaction() as s:
        [found] = [x for x in conflicts.listing(s) if x["field"] == "arrived"]
    return county, t1, cid, found["id"]


@pytest.mark.parametrize("county_day", [date(2026, 5, 10), date(2026, 4, 20)])
@pytest.mark.parametrize(("keep", "value", "figure"), [("theirs", None, 200), ("ours", None, 300), (None, "250", 250)])
def test_a_decided_line_is_dated_as_its_history_not_today(county, world, keep, value, figure, county_day) -> None:
    county, t1, cid, conflict_id = _conflict(county, world, county_day)
    assert _days(county, cid) == sorted([date(2026, 3, 1), date(2026, 5, 3), county_day])
    with county.db.transaction("审核员") as s:
        if keep:
            conflicts.resolve(s, conflict_id, keep)
        else:
            conflicts.resolve(s, conflict_id, value=value, edit=True)
    assert date.today() not in _days(county, cid)
    assert _line_and_dated(county, cid, date(2026, 6, 1)) == (figure, figure)  # the return of May says the figure
    assert _line_and_dated(county, cid, date(2026, 4, 1))[1] == 100  # April's stays as it was
    t1.import_(county.export(T1).path)  # the decision and its dated row travel down
    assert _line_and_dated(t1, cid, date(2026, 6, 1)) == (figure, figure)
    assert date.today() not in _days(t1, cid)


def test_a_rollback_restores_the_line_without_a_row_of_today(county, world) -> None:
    t1 = world[T1]
    cid = t1.new_community("幸福里小区", households=10, floor_area="1000", total_investment="1000", plan_year=2026)
    _set(t1, cid, date(2026, 3, 1), "100")
    county.import_(t1.export().path)
    _set(t1, cid, date(2026, 5, 3), "200")
    report = county.import_(t1.export().path)
    assert _line_and_dated(county, cid, date(2026, 6, 1)) == (200, 200)
    with county.db.transaction("审核员") as s:
        history.rollback(s, report.import_id)
    assert _days(county, cid) == [date(2026, 3, 1)]
    assert _line_and_dated(county, cid, date(2026, 6, 1)) == (100, 100)
    with county.db.transaction() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(FundingLineHistory).where(FundingLineHistory.as_of == date.today())
            )
            == 0
        )
