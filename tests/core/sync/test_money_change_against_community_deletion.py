"""The county records money arrived on a line of a community the township deletes meanwhile.

The line's change (到位) comes with a dated row (funding_line_history) made at the county. At the township the
line went with its community, so the change is a deletion against an edit, and the dated row arrives under a
deleted line. A dated row is not deleted with its line here (a deleted line leaves its rows as they are, as
deleting a community does), so it is written beside the deleted line, not held: before, it was held as a record
under a deleted parent, and when the county took the township's deletion the county's live row came back down
and was held again — the township was left with a conflict nobody could settle. Whatever the clerks decide, on
whichever side, both sides end with the same line and the same dated rows, and no conflict."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import communities, funding, funding_dates
from oldcomm_desktop.core.model import Community, FundingLine, FundingLineHistory, SyncConflict
from oldcomm_desktop.core.sync import conflicts

from .conftest import COUNTY, T1, Node, exchange


def _lines(node: Node, cid: str) -> list[tuple]:
    """(line live, arrived, [(as_of, arrived, row live)]) per line of the community."""
    with node.db.transaction() as s:
        out = []
        for line in s.scalars(select(FundingLine).where(FundingLine.community_id == cid)):
            rows = s.execute(
                select(FundingLineHistory.as_of, FundingLineHistory.arrived, FundingLineHistory.deleted_at.is_(None))
                .where(FundingLineHistory.funding_line_id == line.id)
                .order_by(FundingLineHistory.as_of)
            )
            out.append((line.deleted_at is None, line.arrived, sorted(tuple(r) for r in rows)))
        return out


@pytest.mark.parametrize("where", ["county", "township"])
@pytest.mark.parametrize("keep", ["ours", "theirs"])
def test_dated_rows_follow_their_line_after_the_decision(world: dict[str, Node], where: str, keep: str) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=10, floor_area="1000", total_investment="1000", plan_year=2026)
    with t1.db.transaction("录入员") as s, funding_dates.dated(s, date(2026, 3, 1)):
        funding.set_lines(s, s.get(Community, cid), {"central_budget": {"approved": "1000", "arrived": "100"}})
    exchange(county, t1)
    with t1.db.transaction("录入员") as s:
        communities.delete(s, cid)
    with county.db.transaction("审核员") as s, funding_dates.dated(s, date(2026, 6, 1)):
        funding.set_lines(s, s.get(Community, cid), {"central_budget": {"approved": "1000", "arrived": "400"}})
    exchange(county, t1)
    assert county.open_conflicts() and t1.open_conflicts()
    decider = county if where == "county" else t1
    with decider.db.transaction("审核员") as s:
        while True:
            first = s.scalar(select(SyncConflict.id).where(SyncConflict.status == "open"))
            if first is None:
                break
            conflicts.resolve(s, first, keep)
    exchange(county, t1)
    deleted = (keep == "ours") == (decider is t1)
    assert (county.open_conflicts(), t1.open_conflicts()) == ([], [])
    for node in (county, t1):
        lines = _lines(node, cid)
        assert len(lines) == 1, node.code
        live, arrived, rows = lines[0]
        assert live is not deleted, node.code
        assert arrived == 400, node.code  # the county's figure, kept (inside the deleted line, or live)
        assert rows == [(date(2026, 3, 1), 100, True), (date(2026, 6, 1), 400, True)], node.code
    assert _lines(county, cid) == _lines(t1, cid)
