"""The dated arrived/paid of a funding line travel with it: the county's return for a past month shows the
money a township had then, not what it has now."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from oldcomm_desktop.core import funding, funding_dates
from oldcomm_desktop.core.model import Community, FundingLineHistory
from oldcomm_desktop.core.returns import figures

from .conftest import COUNTY, T1


def _arrived(node, cid: str, day: date) -> Decimal:
    with node.db.transaction() as s:
        return {f.id: f.arrived for f in figures.communities_as_of(s, day, plan_year=2026)}[cid]


def test_dated_money_goes_up_with_its_line(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=10, floor_area="1000", total_investment="1000", plan_year=2026)
    for day, arrived in ((date(2026, 3, 1), "100"), (date(2026, 9, 10), "200")):
        with t1.db.transaction("录入员") as s, funding_dates.dated(s, day):
            funding.set_lines(s, s.get(Community, cid), {"central_budget": {"approved": "1000", "arrived": arrived}})
    assert (_arrived(t1, cid, date(2026, 8, 31)), _arrived(t1, cid, date(2026, 9, 30))) == (Decimal(100), Decimal(200))
    county.import_(t1.export(COUNTY).path)
    assert _arrived(county, cid, date(2026, 2, 28)) == Decimal(0)
    assert _arrived(county, cid, date(2026, 8, 31)) == Decimal("100.00")
    assert _arrived(county, cid, date(2026, 9, 30)) == Decimal("200.00")
    assert _arrived(county, cid, date.today()) == Decimal("200.00")
    with county.db.transaction() as s:
        assert s.scalar(select(func.count()).where(FundingLineHistory.as_of < date.today())) == 2
