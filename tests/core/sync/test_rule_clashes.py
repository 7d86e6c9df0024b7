"""Two edits, each valid where it was made, that the rules refuse together: a conflict for a clerk, never a
package refused for good.

The county cuts a line's 批复 to 400 while the township records 到位 700 against the old 1,000; both sides record
the once-only milestone 纳入年度计划 on one community. Before, each side refused the other's package on every
later round, and every other change (the township's 户数) was stuck with it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import communities, funding, funding_dates, milestones
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.model import Community, FundingLine, Milestone, SyncConflict
from oldcomm_desktop.core.sync import conflicts, rule_holds

from .conftest import COUNTY, ORDERS, T1, Node, exchange, first_moves


def _set_money(node: Node, cid: str, day: date, **money: str) -> None:
    with node.db.transaction("录入员") as s, funding_dates.dated(s, day):
        funding.set_lines(s, s.get(Community, cid), {"central_budget": money})


def _line(node: Node, cid: str) -> tuple:
    with node.db.transaction() as s:
        row = s.execute(select(FundingLine.approved, FundingLine.arrived).where(FundingLine.community_id == cid)).one()
    return int(row.approved), int(row.arrived)


def _households(node: Node, cid: str) -> int:
    with node.db.transaction() as s:
        return s.scalar(select(Community.households).where(Community.id == cid))


def _money_clash(world: dict[str, Node]) -> tuple[Node, Node, str]:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100, floor_area="1000", total_investment="1000", plan_year=2026)
    _set_money(t1, cid, date(2026, 3, 1), approved="1000", arrived="100")
    exchange(county, t1, rounds=1)
    with county.db.transaction("审核员") as s, funding_dates.dated(s, date(2026, 5, 1)):  # the county cuts 批复
        communities.update(s, cid, {"total_investment": "400"}, confirm=True)
        funding.set_lines(s, s.get(Community, cid), {"central_budget": {"approved": "400", "arrived": "100"}})
    _set_money(t1, cid, date(2026, 6, 1), approved="1000", arrived="700")  # the township records 到位
    t1.update_community(cid, households=155)  # and something unrelated
    return county, t1, cid


@pytest.mark.parametrize("order", ORDERS)
def test_money_that_clashes_is_held_and_the_rest_applies(world: dict[str, Node], order: str) -> None:
    county, t1, cid = _money_clash(world)
    first_moves(county, t1, order)
    exchange(county, t1)
    assert _households(county, cid) == 155  # the unrelated change travelled
    assert _line(county, cid) == (400, 100) and _line(t1, cid) == (1000, 700)  # each side's own, untouched
    for node in (county, t1):
        assert node.open_conflicts() == [("funding_line", rule_holds.FIELD)], node.code
    with county.db.transaction() as s:
        [c] = conflicts.listing(s)
    assert c["field_label"] == "与本方记录合并后不符合规则"
    assert "超过批复资金" in conflicts.shown(c["theirs"], c["field"])
    assert c["record"] == "资金“中央预算内投资”（小区“幸福里小区”）"  # named as the clerk knows it, not by its id


@pytest.mark.parametrize("where", ["county", "township"])
@pytest.mark.parametrize("keep", ["ours", "theirs"])
def test_one_decision_settles_the_money_on_both_sides(world: dict[str, Node], where: str, keep: str) -> None:
    county, t1, cid = _money_clash(world)
    exchange(county, t1)
    decider = county if where == "county" else t1
    counties = (keep == "ours") == (decider is county)
    with decider.db.transaction("审核员") as s:
        held = s.scalar(select(SyncConflict.id).where(SyncConflict.status == "open"))
        if not counties:  # the clash spans the community's 总投资 too: the clerk puts it back first, as told
            if decider is county:
                with pytest.raises(OldcommError, match="请先修改本方记录.*总投资 400"):
                    with s.begin_nested():
                        conflicts.resolve(s, held, keep)
            communities.update(s, cid, {"total_investment": "1000"}, confirm=True)
        conflicts.resolve(s, held, keep)
    exchange(county, t1)
    expected = (400, 100) if counties else (1000, 700)
    for node in (county, t1):
        assert node.open_conflicts() == [], node.code
        assert _line(node, cid) == expected, node.code


def _plan(node: Node, cid: str, day: str) -> str:
    with node.db.transaction("录入员") as s:
        return milestones.add(s, s.get(Community, cid), {"kind": "plan", "reached_on": day}).id


def _live_plans(node: Node, cid: str) -> list[str]:
    with node.db.transaction() as s:
        q = select(Milestone.id).where(
            Milestone.community_id == cid, Milestone.kind == "plan", Milestone.deleted_at.is_(None)
        )
        return sorted(s.scalars(q))


def test_a_once_only_milestone_recorded_on_both_sides_is_held_and_kept_once(world: dict[str, Node]) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    exchange(county, t1, rounds=1)
    ours = _plan(county, cid, "2026-03-01")
    theirs = _plan(t1, cid, "2026-03-02")
    t1.update_community(cid, households=155)
    exchange(county, t1)
    assert _households(county, cid) == 155
    assert _live_plans(county, cid) == [ours] and _live_plans(t1, cid) == [theirs]
    assert county.open_conflicts() == t1.open_conflicts() == [("milestone", rule_holds.FIELD)]
    with county.db.transaction("审核员") as s:  # taking theirs while ours stands: the rule says why not
        held = s.scalar(select(SyncConflict.id).where(SyncConflict.status == "open"))
        with pytest.raises(OldcommError, match="仍不符合规则|不能重复"):
            conflicts.resolve(s, held, "theirs")
    with county.db.transaction("审核员") as s:  # keep ours: the township's goes into the recycle bin
        conflicts.resolve(s, held, "ours")
    exchange(county, t1)
    for node in (county, t1):
        assert node.open_conflicts() == [], node.code
        assert _live_plans(node, cid) == [ours], node.code


def test_a_package_that_clashes_with_nothing_here_is_still_refused(world: dict[str, Node]) -> None:
    """Nothing unsent here: a record the rules refuse cannot be a clash of two edits (the sender's own rules
    passed it against everything it holds of ours), so the package is refused as before, nothing held."""
    from oldcomm_desktop.core.sync.package import PackageError

    from .conftest import edit_record, rewrite

    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100, floor_area="1000", total_investment="1000", plan_year=2026)
    _set_money(t1, cid, date(2026, 3, 1), approved="1000", arrived="100")
    exchange(county, t1, rounds=1)
    _set_money(t1, cid, date(2026, 6, 1), approved="1000", arrived="700")
    path = t1.export().path
    forged = rewrite(
        path,
        path.with_name("forged.ocpkg"),
        t1,
        members=lambda m: edit_record(m, "funding_line", lambda line: line["v"].update(arrived="1500")),
    )
    with pytest.raises(PackageError, match="超过批复资金"):
        county.import_(forged)
    assert county.open_conflicts() == []
    assert _line(county, cid) == (1000, 100)
