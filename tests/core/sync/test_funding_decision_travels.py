"""A funding table whose money moved from a removed line onto another arrives whole: the removal (a deletion or
restore arriving by sync, never refused itself) counts in the sum of 批复 against the total investment, so the
package is not refused for good (批复合计 600 与总投资 1000 不一致) — neither the township's move of the money nor
the county's decision to keep the removed line (QA round 4, bug G). A clerk's decision that would bring a line
back into a table that no longer adds up is refused with what to fix, not written against the rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import funding, funding_dates
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import Community, FundingLine, FundingSource, SyncConflict
from oldcomm_desktop.core.sync import conflicts

from .conftest import T1, first_moves


def _set(node, cid: str, day: date, lines: dict) -> None:
    with node.db.transaction("录入员") as s, funding_dates.dated(s, day):
        funding.set_lines(s, s.get(Community, cid), lines)


def _lines(node, cid: str) -> dict[str, tuple[Decimal, Decimal | None, bool]]:
    """source code -> (approved, arrived, live)."""
    with node.db.transaction() as s:
        q = (
            select(FundingSource.code, FundingLine.approved, FundingLine.arrived, FundingLine.deleted_at)
            .join(FundingSource, FundingSource.id == FundingLine.source_id)
            .where(FundingLine.community_id == cid)
        )
        return {code: (approved, arrived, gone is None) for code, approved, arrived, gone in s.execute(q)}


def _live_sum(node, cid: str) -> Decimal:
    return sum((a for a, _arr, live in _lines(node, cid).values() if live), Decimal(0))


def _open(node) -> list[tuple[str, str, str]]:
    with node.db.transaction() as s:
        rows = s.execute(
            select(SyncConflict.id, SyncConflict.table_name, SyncConflict.field).where(SyncConflict.status == "open")
        )
        return sorted((t, f, i) for i, t, f in rows)


def _community(county, world) -> tuple:
    t1 = world[T1]
    cid = t1.new_community("幸福里", households=10, floor_area="1000", total_investment="1000", plan_year=2026)
    _set(
        t1,
        cid,
        date(2026, 3, 1),
        {"central_budget": {"approved": "600", "arrived": "100"}, "provincial": {"approved": "400"}},
    )
    county.import_(t1.export().path)
    t1.import_(county.export(T1).path)
    return t1, cid


def test_money_moved_off_a_removed_line_arrives(county, world) -> None:
    """The township moves all money to 中央预算内投资 and removes the 省级 line: one edit the county takes whole."""
    t1, cid = _community(county, world)
    _set(t1, cid, date(2026, 5, 2), {"central_budget": {"approved": "1000", "arrived": "100"}})
    county.import_(t1.export().path)
    assert _lines(county, cid)["central_budget"][0] == 1000
    assert _lines(county, cid)["provincial"][2] is False
    assert _open(county) == []


def _clash(county, world) -> tuple:
    """The township moves the money and removes the 省级 line; the county records 到位 90 on that line meanwhile."""
    t1, cid = _community(county, world)
    _set(county, cid, date(2026, 5, 1), {
        "central_budget": {"approved": "600", "arrived": "100"}, "provincial": {"approved": "400", "arrived": "90"}
    })  # fmt: skip
    _set(t1, cid, date(2026, 5, 2), {"central_budget": {"approved": "1000", "arrived": "100"}})
    first_moves(county, t1, "both_export_first")
    assert [(t, f) for t, f, _ in _open(county)] == [("funding_line", "deleted_at"), ("funding_line", "rules_refused")]
    assert [(t, f) for t, f, _ in _open(t1)] == [("funding_line", "deleted_at")]
    return t1, cid


def test_the_countys_decision_to_keep_the_line_arrives(county, world) -> None:
    t1, cid = _clash(county, world)
    with county.db.transaction("审核员") as s:
        for _t, _f, conflict_id in _open(county):
            if s.get(SyncConflict, conflict_id).status == "open":
                conflicts.resolve(s, conflict_id, "ours")
    county.update_community(cid, notes="县核对")  # an unrelated correction travels with the decision
    t1.import_(county.export(T1).path)  # refused whole before: 批复合计 600.00 元 与总投资 1000.00 元不一致
    with t1.db.transaction() as s:
        assert s.get(Community, cid).notes == "县核对"
    assert _lines(t1, cid) == _lines(county, cid)
    assert _lines(t1, cid)["provincial"] == (Decimal("400.00"), Decimal("90.00"), True)
    assert _live_sum(t1, cid) == 1000
    assert _open(t1) == []  # the township's deletion conflict settled by the county's decision
    county.import_(t1.export().path)
    assert _open(county) == []


def test_taking_the_line_back_where_the_money_moved_is_refused_with_what_to_fix(county, world) -> None:
    """The township takes the county's 省级 line back while its 中央预算内投资 still holds all 1,000: refused with
    what to fix, nothing written (before: the lines added up to 1,400 against a total of 1,000)."""
    t1, cid = _clash(county, world)
    [(_t, _f, conflict_id)] = _open(t1)
    with pytest.raises(ValidationError, match="1400.00") as err, t1.db.transaction("审核员") as s:
        conflicts.resolve(s, conflict_id, "theirs")
    assert "总投资" in str(err.value) and "中央预算内投资" in str(err.value)
    assert _lines(t1, cid)["provincial"][2] is False
    assert _live_sum(t1, cid) == 1000
    assert [(t, f) for t, f, _ in _open(t1)] == [("funding_line", "deleted_at")]
    with t1.db.transaction("审核员") as s:  # keep ours instead: the county's hold is decided by it
        conflicts.resolve(s, conflict_id, "ours")
    county.import_(t1.export().path)  # the 1,000 held there arrives again with the decision and is taken
    t1.import_(county.export(T1).path)
    assert _live_sum(t1, cid) == 1000
    assert _lines(county, cid) == _lines(t1, cid)
    assert _open(county) == [] and _open(t1) == []


def test_taking_the_removal_takes_the_money_moved_with_it(county, world) -> None:
    """The county takes the township's removal of the 省级 line: the 1,000 on 中央预算内投资 held for the rules is
    taken with it (the table adds up only with both), and both sides end alike with nothing open."""
    t1, cid = _clash(county, world)
    deletion = next(i for t, f, i in _open(county) if f == "deleted_at")
    with county.db.transaction("审核员") as s:
        conflicts.resolve(s, deletion, "theirs")
    assert _open(county) == []
    assert _lines(county, cid)["central_budget"][0] == 1000
    assert _lines(county, cid)["provincial"][2] is False
    t1.import_(county.export(T1).path)
    county.import_(t1.export().path)
    assert _lines(t1, cid) == _lines(county, cid)
    assert _open(t1) == [] and _open(county) == []


def test_the_refusal_names_the_lines_and_what_to_do(county, world) -> None:
    t1, cid = _clash(county, world)
    [(_t, _f, conflict_id)] = _open(t1)
    with pytest.raises(ValidationError) as err, t1.db.transaction("审核员") as s:
        conflicts.resolve(s, conflict_id, "theirs")
    message = str(err.value)
    assert "恢复资金“省级资金”" in message or "恢复资金“省级" in message
    assert "中央预算内投资 1000.00 元" in message and "冲突没有处理" in message and "保留本方" in message


def test_taking_the_moved_money_takes_the_removal_with_it(county, world) -> None:
    """The other way round: the county takes the held 1,000 first; refused alone (1,000 + 400 ≠ 1,000) before, it
    now takes the township's removal of the 省级 line with it."""
    t1, cid = _clash(county, world)
    hold = next(i for t, f, i in _open(county) if f == "rules_refused")
    with county.db.transaction("审核员") as s:
        conflicts.resolve(s, hold, "theirs")
    assert _open(county) == []
    assert _lines(county, cid)["central_budget"][0] == 1000
    assert _lines(county, cid)["provincial"][2] is False
    t1.import_(county.export(T1).path)
    county.import_(t1.export().path)
    assert _lines(t1, cid) == _lines(county, cid)
    assert _open(t1) == [] and _open(county) == []
