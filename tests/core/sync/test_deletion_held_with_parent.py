"""A township deletes a community (its items go with it) while the county edits the community: the deletion is a
conflict at the county, and so are its items' deletions — they stay live with the community until the clerk
decides, and the decision on the community settles them too. Before, the community stayed while everything in
it went, and keeping the community brought none of it back (on either side)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from oldcomm_desktop.core import communities, items
from oldcomm_desktop.core.model import Community, RenovationItem, SyncConflict
from oldcomm_desktop.core.sync import conflicts

from .conftest import COUNTY, T1, Node


def _live(node: Node, cid: str) -> tuple[bool, int]:
    with node.db.transaction("测试员") as s:
        community = s.scalar(select(Community.deleted_at).where(Community.id == cid))
        n = s.scalar(
            select(func.count())
            .select_from(RenovationItem)
            .where(RenovationItem.community_id == cid, RenovationItem.deleted_at.is_(None))
        )
    return community is None, int(n or 0)


@pytest.mark.parametrize(("keep", "after"), [("ours", (True, 2)), ("theirs", (False, 0))])
def test_the_items_deletion_waits_for_the_communitys_and_follows_its_decision(
    world: dict[str, Node], keep: str, after: tuple[bool, int]
) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("教师新村", households=100)
    with t1.db.transaction("录入员") as s:
        for _ in range(2):
            items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "100"}, confirm=True)
    county.import_(t1.export().path)
    t1.import_(county.export(to=T1).path)
    with t1.db.transaction("录入员") as s:
        communities.delete(s, cid)  # the items go with it
    county.update_community(cid, contact_person="王县审")  # meanwhile, at the county
    report = county.import_(t1.export().path)
    held = sorted((c["table"], c["field"]) for c in report.conflicts)
    assert held == [("community", "deleted_at"), ("renovation_item", "deleted_at"), ("renovation_item", "deleted_at")]
    assert _live(county, cid) == (True, 2)  # nothing in it went while its own deletion waits
    with county.db.transaction("审核员") as s:
        parent = s.scalar(select(SyncConflict.id).where(SyncConflict.record_id == cid, SyncConflict.status == "open"))
        conflicts.resolve(s, parent, keep)
        assert s.scalar(select(func.count()).select_from(SyncConflict).where(SyncConflict.status == "open")) == 0
    assert _live(county, cid) == after
    t1.import_(county.export(to=T1).path)
    assert _live(t1, cid) == after  # both sides end alike


@pytest.mark.parametrize(("keep", "after"), [("ours", (False, 0)), ("theirs", (True, 2))])
def test_the_townships_decision_settles_what_the_county_held(
    world: dict[str, Node], keep: str, after: tuple[bool, int]
) -> None:
    """The township decides the same conflict (its own deletion against the county's edit of the community): its
    decision carries the items' deletions (or their restoring) with it, so the county's held items settle
    too, instead of waiting for lines that would never travel again."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("教师新村", households=100)
    with t1.db.transaction("录入员") as s:
        for _ in range(2):
            items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "100"}, confirm=True)
    county.import_(t1.export().path)
    t1.import_(county.export(to=T1).path)
    with t1.db.transaction("录入员") as s:
        communities.delete(s, cid)
    county.update_community(cid, contact_person="王县审")
    up, down = t1.export().path, county.export(to=T1).path
    county.import_(up)
    t1.import_(down)
    with t1.db.transaction("审核员") as s:
        first = s.scalar(select(SyncConflict.id).where(SyncConflict.record_id == cid, SyncConflict.status == "open"))
        conflicts.resolve(s, first, keep)
    assert _live(t1, cid) == after
    county.import_(t1.export().path)
    t1.import_(county.export(to=T1).path)
    for node in (county, t1):
        assert _live(node, cid) == after
        with node.db.transaction("测试员") as s:
            assert s.scalar(select(func.count()).select_from(SyncConflict).where(SyncConflict.status == "open")) == 0
