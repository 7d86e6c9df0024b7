"""A package whose records are valid together is applied, though a rule that looks across sibling records
(running totals, once-only milestones, milestone order, one party per role) would refuse one of them against the
stored rows alone: the rules see each table as it will be once the package is written — what the same package
deletes, restores or adds counts.

Before, the township's correction of a completed-investment entry (withdrawn and recorded again with another
date) arrived at the county as 600 stored + 600 new against a total of 1,000, and the package was refused for
good — unless an unsent edit of the county's happened to sit on the same community (then the entry was held and
released again within the import). Each case runs with nothing unsent at the county, an unsent edit on the same
community, and one on another community; a package its own rules refuse stays refused beside an unrelated edit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import funding, milestones, projects, responsibility
from oldcomm_desktop.core.model import Community, InvestmentEntry, Milestone, ResponsibleParty

from .conftest import COUNTY, T1, Node, exchange

TODAY = date(2026, 11, 30)
COUNTY_EDITS = ("nothing", "same_community", "other_community")
FIRST = {"unit_name": "甲建设公司", "leader": "张三", "licence_no": "皖134000001"}
SECOND = {"unit_name": "乙建设公司", "leader": "李四", "licence_no": "皖134000002"}


def _county_edits(county: Node, t1: Node, what: str, cid: str, other: str) -> None:
    """The county's own unsent change, beside the township's package: none, one on the record's community (a
    sibling change: a refused record there would be held as a clash), or one on another community."""
    if what == "same_community":
        county.update_community(cid, notes="县里核对过")
    elif what == "other_community":
        county.update_community(other, notes="县里核对过")


def _world(world: dict[str, Node], **extra: object) -> tuple[Node, Node, str, str]:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100, plan_year=2026, **extra)
    other = t1.new_community("和平里小区", households=80, plan_year=2026)
    return county, t1, cid, other


def _invest(node: Node, cid: str, day: str, amount: str) -> str:
    with node.db.transaction("录入员") as s:
        return funding.add_investment(s, s.get_one(Community, cid), {"entry_date": day, "amount": amount}).id


def _entries(node: Node, cid: str) -> list[tuple[str, int]]:
    with node.db.transaction() as s:
        q = select(InvestmentEntry.entry_date, InvestmentEntry.amount).where(
            InvestmentEntry.community_id == cid, InvestmentEntry.deleted_at.is_(None)
        )
        return sorted((str(d), int(a)) for d, a in s.execute(q))


def _settled(county: Node, t1: Node) -> None:
    for node in (county, t1):
        assert node.open_conflicts() == [], node.code


@pytest.mark.parametrize("county_edit", COUNTY_EDITS)
def test_an_investment_entry_recorded_again_with_another_date_travels(world: dict[str, Node], county_edit: str) -> None:
    county, t1, cid, other = _world(world, total_investment="1000")
    first = _invest(t1, cid, "2026-03-01", "600")
    exchange(county, t1, rounds=1)
    with t1.db.transaction("录入员") as s:
        funding.delete_investment(s, first)
    _invest(t1, cid, "2026-04-01", "600")
    _county_edits(county, t1, county_edit, cid, other)
    exchange(county, t1)
    _settled(county, t1)
    for node in (county, t1):
        assert _entries(node, cid) == [("2026-04-01", 600)], node.code


@pytest.mark.parametrize("county_edit", COUNTY_EDITS)
def test_a_total_lowered_after_its_entry_was_withdrawn_travels(world: dict[str, Node], county_edit: str) -> None:
    county, t1, cid, other = _world(world, total_investment="1000")
    first = _invest(t1, cid, "2026-03-01", "800")
    exchange(county, t1, rounds=1)
    with t1.db.transaction("录入员") as s:
        funding.delete_investment(s, first)
    t1.update_community(cid, total_investment="500")
    _county_edits(county, t1, county_edit, cid, other)
    exchange(county, t1)
    _settled(county, t1)
    with county.db.transaction() as s:
        assert int(s.get_one(Community, cid).total_investment) == 500
    assert _entries(county, cid) == []


def _add(node: Node, cid: str, kind: str, day: str) -> str:
    with node.db.transaction("录入员") as s:
        return milestones.add(s, s.get(Community, cid), {"kind": kind, "reached_on": day}, today=TODAY).id


def _log(node: Node, cid: str) -> list[tuple[str, str]]:
    with node.db.transaction() as s:
        q = select(Milestone.kind, Milestone.reached_on).where(
            Milestone.community_id == cid, Milestone.deleted_at.is_(None)
        )
        return sorted((k, str(d)) for k, d in s.execute(q))


@pytest.mark.parametrize("county_edit", COUNTY_EDITS)
def test_a_once_only_milestone_recorded_again_with_another_date_travels(
    world: dict[str, Node], county_edit: str
) -> None:
    county, t1, cid, other = _world(world)
    start = _add(t1, cid, "start", "2026-05-01")
    exchange(county, t1, rounds=1)
    with t1.db.transaction("录入员") as s:
        milestones.remove(s, start)
    _add(t1, cid, "start", "2026-05-10")
    _county_edits(county, t1, county_edit, cid, other)
    exchange(county, t1)
    _settled(county, t1)
    for node in (county, t1):
        assert _log(node, cid) == [("start", "2026-05-10")], node.code


@pytest.mark.parametrize("county_edit", COUNTY_EDITS)
def test_start_and_completion_moved_together_travel(world: dict[str, Node], county_edit: str) -> None:
    county, t1, cid, other = _world(world)
    start = _add(t1, cid, "start", "2026-05-01")
    completion = _add(t1, cid, "completion", "2026-06-01")
    exchange(county, t1, rounds=1)
    with t1.db.transaction("录入员") as s:
        milestones.remove(s, completion)
        milestones.remove(s, start)
    _add(t1, cid, "start", "2026-07-01")
    _add(t1, cid, "completion", "2026-08-01")
    _county_edits(county, t1, county_edit, cid, other)
    exchange(county, t1)
    _settled(county, t1)
    for node in (county, t1):
        assert _log(node, cid) == [("completion", "2026-08-01"), ("start", "2026-07-01")], node.code


@pytest.mark.parametrize("county_edit", COUNTY_EDITS)
def test_a_party_replaced_travels(world: dict[str, Node], county_edit: str) -> None:
    county, t1, cid, other = _world(world)
    with t1.db.transaction("录入员") as s:
        pid = projects.create(s, {"name": "2026年城关片区改造", "township_code": T1}).id
        responsibility.set_parties(s, pid, {"contractor": FIRST})
    exchange(county, t1, rounds=1)
    with t1.db.transaction("录入员") as s:
        responsibility.set_parties(s, pid, {"contractor": SECOND})
    _county_edits(county, t1, county_edit, cid, other)
    exchange(county, t1)
    _settled(county, t1)
    for node in (county, t1):
        with node.db.transaction() as s:
            q = select(ResponsibleParty.unit_name).where(
                ResponsibleParty.project_id == pid, ResponsibleParty.deleted_at.is_(None)
            )
            assert list(s.scalars(q)) == ["乙建设公司"], node.code


def test_a_damaged_package_stays_refused_beside_an_unrelated_unsent_edit(world: dict[str, Node]) -> None:
    """An unsent edit here on another community is no clash with the record the rules refuse: the package is
    refused as a whole, nothing held, nothing written."""
    from oldcomm_desktop.core.sync.package import PackageError

    from .conftest import edit_record, rewrite

    county, t1, cid, other = _world(world, total_investment="1000")
    _invest(t1, cid, "2026-03-01", "600")
    exchange(county, t1, rounds=1)
    _invest(t1, cid, "2026-04-01", "100")
    county.update_community(other, notes="县里核对过")
    path = t1.export().path
    forged = rewrite(
        path,
        path.with_name("forged.ocpkg"),
        t1,
        members=lambda m: edit_record(m, "investment_entry", lambda e: e["v"].update(amount="900.00")),
    )
    with pytest.raises(PackageError, match="超过总投资"):
        county.import_(forged)
    assert county.open_conflicts() == []
    assert _entries(county, cid) == [("2026-03-01", 600)]
