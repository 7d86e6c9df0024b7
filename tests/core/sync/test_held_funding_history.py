"""A funding line the township added to a community the county deleted is held (deleted_parents), and so are its
dated arrived/paid rows, which travel beside it: the package applies instead of being refused for a history row
whose line is not written, and the rows follow the line's fate (released with it, or deleted with it)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import communities, funding, funding_dates, recycle_bin
from oldcomm_desktop.core.model import Community, FundingLine, FundingLineHistory
from oldcomm_desktop.core.sync import conflicts, deleted_parents

from .conftest import COUNTY, T1


def _setup(world) -> tuple:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=10, floor_area="1000", total_investment="1000", plan_year=2026)
    county.import_(t1.export().path)
    with county.db.transaction("审核员") as s:
        communities.delete(s, cid)
    with t1.db.transaction("录入员") as s, funding_dates.dated(s, date(2026, 3, 1)):
        funding.set_lines(s, s.get(Community, cid), {"central_budget": {"approved": "1000", "arrived": "100"}})
    report = county.import_(t1.export().path)  # applies: the line and its dated row are held
    assert sorted(c["table"] for c in report.conflicts) == ["funding_line", "funding_line_history"]
    assert {c["field"] for c in report.conflicts} == {deleted_parents.FIELD}
    return county, t1, cid


def _history(node, cid: str) -> list[tuple]:
    with node.db.transaction() as s:
        q = (
            select(FundingLineHistory.as_of, FundingLineHistory.arrived, FundingLineHistory.deleted_at.is_(None))
            .join(FundingLine, FundingLine.id == FundingLineHistory.funding_line_id)
            .where(FundingLine.community_id == cid)
        )
        return [tuple(r) for r in s.execute(q)]


def _open(node) -> list[dict]:
    with node.db.transaction() as s:
        return conflicts.listing(s)


def test_restoring_the_community_writes_the_line_and_then_its_dated_rows(world) -> None:
    county, t1, cid = _setup(world)
    assert _history(county, cid) == []
    with county.db.transaction("审核员") as s:
        recycle_bin.restore(s, "community", cid)
    assert _open(county) == []
    assert _history(county, cid) == _history(t1, cid) == [(date(2026, 3, 1), 100, True)]
    t1.import_(county.export(T1).path)
    county.import_(t1.export().path)
    assert _open(t1) == _open(county) == []
    assert _history(t1, cid) == _history(county, cid)


@pytest.mark.parametrize("keep", ["theirs", "ours"])
def test_the_line_s_decision_takes_its_dated_rows_along(world, keep: str) -> None:
    county, t1, cid = _setup(world)
    [line] = [c for c in _open(county) if c["table"] == "funding_line"]
    with county.db.transaction("审核员") as s:
        conflicts.resolve(s, line["id"], keep)
    assert _open(county) == []
    if keep == "theirs":  # the community is back with the line and its dated row
        assert _history(county, cid) == [(date(2026, 3, 1), 100, True)]
    else:  # the line sits in the recycle bin with its community; its dated row is written deleted with it
        assert _history(county, cid) == [(date(2026, 3, 1), 100, False)]
    t1.import_(county.export(T1).path)
    county.import_(t1.export().path)
    assert _open(t1) == _open(county) == []
