"""A record held because it arrived new and the rules refuse it, or because its parent is deleted here, is named
from the values it came with, as every message names a record, not by the end of its id (QA round 3, bug 7)."""

from __future__ import annotations

from datetime import date

from oldcomm_desktop.core import funding, funding_dates
from oldcomm_desktop.core.model import Community
from oldcomm_desktop.core.sync import conflicts

from .conftest import COUNTY, T1, Node, exchange


def _set_lines(node: Node, cid: str, day: date, lines: dict) -> None:
    with node.db.transaction("录入员") as s, funding_dates.dated(s, day):
        funding.set_lines(s, s.get(Community, cid), lines)


def test_held_money_is_named_by_its_source_and_community(world: dict[str, Node]) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里", households=100, floor_area="1000", total_investment="1000", plan_year=2026)
    both = {"central_budget": {"approved": "600"}}
    _set_lines(t1, cid, date(2026, 3, 1), {**both, "provincial": {"approved": "400"}})
    exchange(county, t1, rounds=1)
    # the township moves 400 to 市县 (a new line, with money arrived); the county records money on 省级 meanwhile
    _set_lines(t1, cid, date(2026, 5, 2), {**both, "city_county": {"approved": "400", "arrived": "10"}})
    _set_lines(county, cid, date(2026, 5, 1), {**both, "provincial": {"approved": "400", "arrived": "100"}})
    county.import_(t1.export().path)
    with county.db.transaction() as s:
        named = {c["field"]: c["record"] for c in conflicts.listing(s)}
    assert named["rules_refused"] == "资金“市县及以下资金”（小区“幸福里”）"
    assert named["parent_deleted"] == "资金“市县及以下资金”（小区“幸福里”）的资金到位拨付记录（2026-05-02）"
