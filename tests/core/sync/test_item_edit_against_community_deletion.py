"""The county edits an item while the township deletes the item's community (the item goes with it).

Field by field the community's deletion merges quietly at the county (nobody there touched the community), while
the item's deletion meets the county's edit: a conflict. Before, the county kept the item live under a deleted
community until a clerk decided, and the township, receiving the county's edit of an item it had deleted with its
community, recorded two conflicts for one record. Now the item's conflict holds the community's deletion with it:
both stay live at the county until the clerk decides, and the decision settles both on both sides."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from oldcomm_desktop.core import communities, items
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import Community, RenovationItem, SyncConflict
from oldcomm_desktop.core.sync import conflicts

from .conftest import COUNTY, ORDERS, T1, Node, exchange, first_moves


def _state(node: Node, cid: str, iid: str) -> tuple[bool, bool, str | None]:
    """(community live, item live, item's quantity)."""
    with node.db.transaction("测试员") as s:
        community = s.scalar(select(Community.deleted_at).where(Community.id == cid))
        item = s.execute(
            select(RenovationItem.deleted_at, RenovationItem.planned_quantity).where(RenovationItem.id == iid)
        ).one()
    return community is None, item.deleted_at is None, str(item.planned_quantity)


def _no_live_orphans(node: Node) -> None:
    with node.db.transaction("测试员") as s:
        n = s.scalar(
            select(func.count())
            .select_from(RenovationItem)
            .join(Community, Community.id == RenovationItem.community_id)
            .where(RenovationItem.deleted_at.is_(None), Community.deleted_at.is_not(None))
        )
    assert n == 0, "a live item sits under a deleted community"


@pytest.mark.parametrize("where", ["county", "township"])
@pytest.mark.parametrize("keep", ["ours", "theirs"])
def test_item_edit_holds_the_communitys_deletion(world: dict[str, Node], keep: str, where: str) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("教师新村", households=100)
    with t1.db.transaction("录入员") as s:
        iid = items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "100"}, confirm=True).id
    county.import_(t1.export().path)
    t1.import_(county.export(to=T1).path)
    with t1.db.transaction("录入员") as s:
        communities.delete(s, cid)  # the item goes with it
    with county.db.transaction("审核员") as s:  # meanwhile the county corrects the item
        items.update(s, iid, {"planned_quantity": "120"}, confirm=True)
    up = t1.export().path
    down = county.export(to=T1).path
    county.import_(up)
    t1.import_(down)
    for node in (county, t1):
        _no_live_orphans(node)
    # one decision, on whichever side the clerk takes it up
    decider, other = (county, t1) if where == "county" else (t1, county)
    assert county.open_conflicts() == [("community", "deleted_at"), ("renovation_item", "deleted_at")]
    assert t1.open_conflicts() == [("renovation_item", "deleted_at")]
    with county.db.transaction("测试员") as s:  # the list says they go together
        notes = {(c["table"], c["record"]): c["note"] for c in conflicts.listing(s)}
    assert notes == {
        ("community", "小区“教师新村”"): "其中 1 条记录的删除与它一并处理：处理其中任一条，其余随之处理",
        ("renovation_item", "改造内容“供水管网改造”（小区“教师新村”）"): (
            "与小区“教师新村”的删除一并处理：处理其中任一条，其余随之处理"
        ),
    }
    with decider.db.transaction("审核员") as s, pytest.raises(ValidationError, match="只能选择"):  # no third value
        conflicts.resolve(
            s, s.scalar(select(SyncConflict.id).where(SyncConflict.record_id == iid)), value=None, edit=True
        )
    with decider.db.transaction("审核员") as s:
        first = s.scalar(select(SyncConflict.id).where(SyncConflict.record_id == iid, SyncConflict.status == "open"))
        conflicts.resolve(s, first, keep)
        assert s.scalar(select(func.count()).select_from(SyncConflict).where(SyncConflict.status == "open")) == 0
    other.import_(decider.export(**({"to": T1} if decider is county else {})).path)
    decider.import_(other.export(**({"to": T1} if other is county else {})).path)
    county_keeps = (keep == "ours") == (decider is county)  # the county's edit survives
    expected = (True, True, "120") if county_keeps else (False, False, "120")
    for node in (county, t1):
        _no_live_orphans(node)
        assert _state(node, cid, iid)[:2] == expected[:2]
        if county_keeps:
            assert _state(node, cid, iid)[2].startswith("120")
        assert node.open_conflicts() == []


@pytest.mark.parametrize("keep", ["ours", "theirs"])
def test_a_record_added_at_the_county_holds_the_deletion_of_its_community(world: dict[str, Node], keep: str) -> None:
    """The county adds a milestone to a community the township deletes. The township never saw it, so it is not
    among the deletions that arrive: before, the county kept it live under the deleted community without a word."""
    from oldcomm_desktop.core import milestones
    from oldcomm_desktop.core.model import Milestone

    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("教师新村", households=100)
    exchange(county, t1, rounds=1)
    t1.delete_community(cid)
    with county.db.transaction("审核员") as s:
        community = s.get(Community, cid)
        mid = milestones.add(s, community, {"kind": "publicity", "reached_on": "2026-11-02"}).id
    county.import_(t1.export().path)
    _no_live_orphans(county)
    assert county.open_conflicts() == [("community", "deleted_at")]
    with county.db.transaction("审核员") as s:
        conflicts.resolve(s, s.scalar(select(SyncConflict.id).where(SyncConflict.status == "open")), keep)
    _no_live_orphans(county)
    t1.import_(county.export(to=T1).path)
    county.import_(t1.export().path)
    for node in (county, t1):
        _no_live_orphans(node)
        assert node.open_conflicts() == []
        with node.db.transaction("测试员") as s:
            live = s.scalar(select(Community.deleted_at).where(Community.id == cid)) is None
            milestone = s.scalar(select(Milestone.deleted_at).where(Milestone.id == mid))
        assert live == (keep == "ours") and (milestone is None) == (keep == "ours")


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("keep", ["ours", "theirs"])
@pytest.mark.parametrize("where", ["township", "county"])
def test_one_decision_on_the_held_record_or_the_held_deletion_settles_both(
    world: dict[str, Node], keep: str, order: str, where: str
) -> None:
    """The county adds a milestone to a community the township deletes. The county holds the community's deletion
    for the milestone; the township holds the milestone under its deleted community. The township decides: taking
    the milestone restores the community; keeping its deletion puts the milestone in the recycle bin with it, and
    sends the community's deletion again as a decision — before, the county's conflict stayed open and its clerk
    had to decide the same thing once more. Or the county decides: keeping the community sends it back live (the
    township's hold is released); taking the deletion sends the milestone deleted, which settles the township's
    hold — before, it stayed open for good."""
    from oldcomm_desktop.core import milestones
    from oldcomm_desktop.core.model import Milestone

    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("教师新村", households=100)
    exchange(county, t1, rounds=1)
    t1.delete_community(cid)
    with county.db.transaction("审核员") as s:
        mid = milestones.add(s, s.get(Community, cid), {"kind": "publicity", "reached_on": "2026-11-02"}).id
    first_moves(county, t1, order, whole_round=True)
    assert county.open_conflicts() == [("community", "deleted_at")]
    assert t1.open_conflicts() == [("milestone", "parent_deleted")]
    decider = t1 if where == "township" else county
    with decider.db.transaction("经办人") as s:
        conflicts.resolve(s, s.scalar(select(SyncConflict.id).where(SyncConflict.status == "open")), keep)
    exchange(county, t1)
    kept = (keep == "theirs") == (decider is t1)  # the county's milestone (and so the community) stays
    for node in (county, t1):
        _no_live_orphans(node)
        assert node.open_conflicts() == [], node.code
        with node.db.transaction("测试员") as s:
            live = s.scalar(select(Community.deleted_at).where(Community.id == cid)) is None
            milestone = s.scalar(select(Milestone.deleted_at).where(Milestone.id == mid))
        assert live == kept and (milestone is None) == kept, node.code


def test_taking_a_held_record_brings_back_every_deleted_ancestor(world: dict[str, Node]) -> None:
    """The township deletes a community, then its project; the county adds a milestone to the community. The
    township takes the milestone: the community comes back, and so does its project (before, the community came
    back live under a deleted project)."""
    from oldcomm_desktop.core import milestones, projects
    from oldcomm_desktop.core.model import Project

    county, t1 = world[COUNTY], world[T1]
    with t1.db.transaction("录入员") as s:
        pid = projects.create(s, {"name": "2026年第一批", "township_code": T1}).id
    cid = t1.new_community("教师新村", households=100, project_id=pid)
    exchange(county, t1, rounds=1)
    t1.delete_community(cid)
    with t1.db.transaction("录入员") as s:
        projects.delete(s, pid)
    with county.db.transaction("审核员") as s:
        milestones.add(s, s.get(Community, cid), {"kind": "publicity", "reached_on": "2026-02-01"})
    up, down = t1.export().path, county.export(to=T1).path
    county.import_(up)
    t1.import_(down)
    with t1.db.transaction("经办人") as s:
        [held] = [c for c in conflicts.listing(s) if c["field"] == "parent_deleted"]
        conflicts.resolve(s, held["id"], "theirs")
    exchange(county, t1)
    for node in (county, t1):
        _no_live_orphans(node)
        with node.db.transaction("测试员") as s:
            assert s.scalar(select(Project.deleted_at).where(Project.id == pid)) is None
            assert s.scalar(select(Community.deleted_at).where(Community.id == cid)) is None
        assert node.open_conflicts() == []


def test_the_townships_decision_settles_a_project_deleted_after_the_community(world: dict[str, Node]) -> None:
    """The township deletes a community, then its project; the county edits an item in it: the project's deletion is
    held at the county too. The township keeps its deletions: its decision sends the project's deletion again, so
    the county's held project settles instead of staying live and waiting."""
    from oldcomm_desktop.core import projects
    from oldcomm_desktop.core.model import Project

    county, t1 = world[COUNTY], world[T1]
    with t1.db.transaction("录入员") as s:
        pid = projects.create(s, {"name": "2026年第一批", "township_code": T1}).id
    cid = t1.new_community("教师新村", households=100, project_id=pid)
    with t1.db.transaction("录入员") as s:
        iid = items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "100"}, confirm=True).id
    exchange(county, t1, rounds=1)
    t1.delete_community(cid)
    with t1.db.transaction("录入员") as s:
        projects.delete(s, pid)
    with county.db.transaction("审核员") as s:
        items.update(s, iid, {"planned_quantity": "120"}, confirm=True)
    county.import_(t1.export().path)
    t1.import_(county.export(to=T1).path)
    assert ("project", "deleted_at") in county.open_conflicts()
    with t1.db.transaction("经办人") as s:
        [c] = conflicts.listing(s)
        conflicts.resolve(s, c["id"], "ours")
    exchange(county, t1)
    for node in (county, t1):
        _no_live_orphans(node)
        assert node.open_conflicts() == []
        with node.db.transaction("测试员") as s:
            assert s.scalar(select(Project.deleted_at).where(Project.id == pid)) is not None


def test_a_record_the_deletion_leaves_on_its_side_does_not_hold_it(world: dict[str, Node]) -> None:
    """A resident's request outlives its community's deletion at the township (a deletion takes items, milestones,
    money and inspections, not requests), so it is not among the deletions that arrive: that is no sign of a
    record the township never saw, and the county takes the deletion without a conflict."""
    from datetime import date

    from oldcomm_desktop.core.supervision import requests

    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("教师新村", households=100)
    day = date(2026, 6, 1)
    with t1.db.transaction("录入员") as s:
        values = {"community_id": cid, "topic": "停车难", "channel": "hotline", "raised_on": day, "raised_by": "张女士"}
        requests.add(s, values, today=day)
    county.import_(t1.export().path)
    with t1.db.transaction("录入员") as s:
        communities.delete(s, cid)
    report = county.import_(t1.export().path)
    assert report.conflicts == [] and county.open_conflicts() == []


@pytest.mark.parametrize("keep", ["ours", "theirs"])
def test_the_projects_decision_settles_a_record_under_both_project_and_community(
    world: dict[str, Node], keep: str
) -> None:
    """An inspection names both its community and its project. The township deletes the community, then the
    project; the county corrects the community's 户数: the county holds all of them. Deciding the project decides
    the community and, with it, the inspection — which the project's own list of held records names too. Before,
    the inspection was decided a second time in the same go and the whole decision was refused as 这个冲突已处理."""
    from datetime import date

    from oldcomm_desktop.core import inspections, projects

    county, t1 = world[COUNTY], world[T1]
    with t1.db.transaction("录入员") as s:
        pid = projects.create(s, {"name": "2026年第一批", "township_code": T1}).id
    cid = t1.new_community("教师新村", households=100, project_id=pid)
    with t1.db.transaction("录入员") as s:
        values = {"kind": "patrol", "inspected_on": date(2026, 2, 3), "inspectors": "张工"}
        inspections.record(s, s.get(Community, cid), values)
    exchange(county, t1, rounds=1)
    t1.delete_community(cid)
    with t1.db.transaction("录入员") as s:
        projects.delete(s, pid)
    county.update_community(cid, households=150)
    up, down = t1.export().path, county.export(to=T1).path
    county.import_(up)
    t1.import_(down)
    held = [("community", "deleted_at"), ("inspection", "deleted_at"), ("project", "deleted_at")]
    assert county.open_conflicts() == held
    with county.db.transaction("审核员") as s:
        project = s.scalar(select(SyncConflict.id).where(SyncConflict.status == "open", SyncConflict.record_id == pid))
        conflicts.resolve(s, project, keep)
    assert county.open_conflicts() == []
    exchange(county, t1)
    for node in (county, t1):
        _no_live_orphans(node)
        assert node.open_conflicts() == [], node.code
        with node.db.transaction("测试员") as s:
            live = s.scalar(select(Community.deleted_at).where(Community.id == cid)) is None
        assert live == (keep == "ours"), node.code
