"""A funding line received in a package keeps the sender's dated history (funding_line_history travels with it)
and gets no extra row dated the day it arrived: the receiver did not change the money that day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from oldcomm_desktop.core import funding, funding_dates
from oldcomm_desktop.core.model import Community, FundingLine, FundingLineHistory

from .conftest import COUNTY, T1


def _history(node, cid: str) -> list[tuple]:
    with node.db.transaction() as s:
        q = (
            select(FundingLineHistory.as_of, FundingLineHistory.arrived, FundingLineHistory.paid)
            .join(FundingLine, FundingLine.id == FundingLineHistory.funding_line_id)
            .where(FundingLine.community_id == cid, FundingLineHistory.deleted_at.is_(None))
            .order_by(FundingLineHistory.as_of, FundingLineHistory.created_at)
        )
        return [tuple(r) for r in s.execute(q)]


def _set(node, cid: str, day: date, arrived: str, paid: str | None = None) -> None:
    with node.db.transaction("录入员") as s, funding_dates.dated(s, day):
        line = {"approved": "1000", "arrived": arrived, **({"paid": paid} if paid else {})}
        funding.set_lines(s, s.get(Community, cid), {"central_budget": line})


def test_a_received_line_keeps_the_sender_s_dates_without_a_row_of_today(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=10, floor_area="1000", total_investment="1000", plan_year=2026)
    _set(t1, cid, date(2026, 3, 1), "100")
    _set(t1, cid, date(2026, 9, 10), "200", "50")
    sent = _history(t1, cid)
    assert [h[0] for h in sent] == [date(2026, 3, 1), date(2026, 9, 10)]
    county.import_(t1.export(COUNTY).path)  # the line is new at the county
    assert _history(county, cid) == sent
    _set(t1, cid, date(2026, 10, 8), "300", "50")  # a later change of a line the county holds
    county.import_(t1.export(COUNTY).path)
    assert _history(county, cid) == _history(t1, cid)
    assert all(h[0] != date.today() for h in _history(county, cid))
    t1.import_(county.export(T1).path)  # and back down: the township's history is unchanged too
    assert _history(t1, cid) == _history(county, cid)


def test_a_change_made_at_the_county_is_still_dated_there(world) -> None:
    """The receiver's own edits keep their dates (only what arrives in a package is not dated again)."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=10, floor_area="1000", total_investment="1000", plan_year=2026)
    _set(t1, cid, date(2026, 3, 1), "100")
    county.import_(t1.export(COUNTY).path)
    _set(county, cid, date(2026, 4, 2), "150")
    assert [h[0] for h in _history(county, cid)] == [date(2026, 3, 1), date(2026, 4, 2)]
    t1.import_(county.export(T1).path)
    assert _history(t1, cid) == _history(county, cid)
