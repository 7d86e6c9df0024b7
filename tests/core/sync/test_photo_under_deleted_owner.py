"""A photo one side attaches to a record the other side deletes (QA round 3, bug 6). `attachments.add` refuses a
photo under a record in the recycle bin; a package used to write one there all the same: the item ended deleted on
both sides with the new photo live inside it, and nobody was asked. The photo is held as 所属记录已删除 now, as an
item added to a community deleted here is: its owner is named by two columns (owner_table, owner_id), not a fixed
parent column (core/record_parents.OWNED). Take theirs brings the owner (and what it sits under) back, keep ours
puts the photo in the recycle bin; either way both sides end the same, and the photo's bytes arrive whole."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import attachments, communities, inspections, items, record_names
from oldcomm_desktop.core.model import (
    Attachment,
    Community,
    Inspection,
    Rectification,
    RenovationItem,
    SyncConflict,
)
from oldcomm_desktop.core.sync import conflicts

from .conftest import COUNTY, ORDERS, T1, Node, exchange, first_moves

BYTES = b"\xff\xd8\xff\xe0 site photo \x00\x01\x02" * 200
HELD = [("attachment", "parent_deleted")]


def _photo_file(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "现场.jpg"
    path.write_bytes(BYTES)
    return path


def _attach(node: Node, cls: type, owner_id: str, path: Path, caption: str = "施工照片") -> str:
    with node.db.transaction("录入员") as s:
        return attachments.add(s, s.get(cls, owner_id), path, caption=caption).id


def _live(node: Node, cls: type, rid: str) -> bool | None:
    with node.db.transaction() as s:
        found = s.get(cls, rid)
        return None if found is None else found.deleted_at is None


def _bytes(node: Node, aid: str) -> bytes:
    with node.db.transaction() as s:
        return attachments.stored_path(s, s.get(Attachment, aid).sha256).read_bytes()


def _decide_all(node: Node, keep: str) -> None:
    while True:
        with node.db.transaction("审核员") as s:
            found = s.scalar(
                select(SyncConflict.id).where(SyncConflict.status == "open").order_by(SyncConflict.created_at)
            )
            if found is None:
                return
            conflicts.resolve(s, found, keep)


def _community_with_item(county: Node, t1: Node) -> tuple[str, str]:
    cid = t1.new_community("幸福里", households=100)
    with t1.db.transaction("录入员") as s:
        iid = items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "100"}, confirm=True).id
    exchange(county, t1, rounds=1)
    return cid, iid


def _delete_item(node: Node, iid: str) -> None:
    with node.db.transaction("审核员") as s:
        items.delete(s, iid)


@pytest.mark.parametrize("keep", ["ours", "theirs"])
@pytest.mark.parametrize("deleter", ["county", "township"])
def test_a_photo_added_to_an_item_deleted_there_is_held_and_both_sides_converge(
    world: dict[str, Node], tmp_path: Path, deleter: str, keep: str
) -> None:
    county, t1 = world[COUNTY], world[T1]
    _cid, iid = _community_with_item(county, t1)
    deleting, adding = (county, t1) if deleter == "county" else (t1, county)
    _delete_item(deleting, iid)
    aid = _attach(adding, RenovationItem, iid, _photo_file(tmp_path))
    exchange(county, t1)
    assert deleting.open_conflicts() == HELD  # held where the item is deleted, not written live inside it
    assert adding.open_conflicts() == []
    assert _live(deleting, Attachment, aid) is None
    _decide_all(deleting, keep)
    exchange(county, t1)
    assert county.open_conflicts() == [] and t1.open_conflicts() == []
    for node in (county, t1):
        if keep == "theirs":  # the item comes back with the photo in it
            assert (_live(node, RenovationItem, iid), _live(node, Attachment, aid)) == (True, True)
            assert _bytes(node, aid) == BYTES
        else:  # the item stays deleted, the photo in the recycle bin with it
            assert (_live(node, RenovationItem, iid), _live(node, Attachment, aid)) == (False, False)


@pytest.mark.parametrize("order", ORDERS)
def test_the_photo_is_held_whichever_package_arrives_first(world: dict[str, Node], tmp_path: Path, order: str) -> None:
    county, t1 = world[COUNTY], world[T1]
    _cid, iid = _community_with_item(county, t1)
    _delete_item(county, iid)
    aid = _attach(t1, RenovationItem, iid, _photo_file(tmp_path))
    first_moves(county, t1, order, whole_round=True)
    exchange(county, t1)
    assert county.open_conflicts() == HELD
    _decide_all(county, "theirs")
    exchange(county, t1)
    assert county.open_conflicts() == [] and t1.open_conflicts() == []
    for node in (county, t1):
        assert (_live(node, RenovationItem, iid), _live(node, Attachment, aid)) == (True, True)
        assert _bytes(node, aid) == BYTES


@pytest.mark.parametrize("keep", ["ours", "theirs"])
def test_a_photo_of_an_item_whose_community_the_county_deleted_brings_the_community_back(
    world: dict[str, Node], tmp_path: Path, keep: str
) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid, iid = _community_with_item(county, t1)
    county.delete_community(cid)  # takes the item with it
    aid = _attach(t1, RenovationItem, iid, _photo_file(tmp_path))
    exchange(county, t1)
    assert county.open_conflicts() == HELD
    _decide_all(county, keep)
    exchange(county, t1)
    assert county.open_conflicts() == [] and t1.open_conflicts() == []
    live = keep == "theirs"
    for node in (county, t1):
        assert (_live(node, Community, cid), _live(node, RenovationItem, iid), _live(node, Attachment, aid)) == (
            live,
            live,
            live,
        )


def _inspection(county: Node, t1: Node, cid: str) -> tuple[str, str]:
    day = date.today() - timedelta(days=3)
    with t1.db.transaction("录入员") as s:
        insp = inspections.record(
            s,
            s.get(Community, cid),
            {"kind": "patrol", "inspected_on": day, "inspectors": "街道 王工"},
            [],
            [{"problem": "施工围挡破损", "requirement": "三日内修复", "deadline": day + timedelta(days=7)}],
        )
        rect = s.scalar(select(Rectification.id).where(Rectification.inspection_id == insp.id))
        ids = insp.id, rect
    exchange(county, t1, rounds=1)
    return ids


@pytest.mark.parametrize("owner", ["community", "inspection", "rectification"])
def test_a_photo_of_a_community_or_an_inspection_deleted_there_is_held_too(
    world: dict[str, Node], tmp_path: Path, owner: str
) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里", households=100)
    exchange(county, t1, rounds=1)
    insp, rect = _inspection(county, t1, cid)
    cls, oid = {
        "community": (Community, cid),
        "inspection": (Inspection, insp),
        "rectification": (Rectification, rect),
    }[owner]
    with county.db.transaction("审核员") as s:
        if owner == "community":
            communities.delete(s, cid)
        else:
            inspections.delete(s, insp)  # takes its rectification with it
    aid = _attach(t1, cls, oid, _photo_file(tmp_path), caption="整改前照片")
    exchange(county, t1)
    assert county.open_conflicts() == HELD
    _decide_all(county, "theirs")
    exchange(county, t1)
    assert county.open_conflicts() == [] and t1.open_conflicts() == []
    for node in (county, t1):
        assert (_live(node, cls, oid), _live(node, Attachment, aid)) == (True, True)
        assert _bytes(node, aid) == BYTES


@pytest.mark.parametrize("keep", ["ours", "theirs"])
def test_a_photo_of_a_held_item_waits_for_the_item_and_follows_its_decision(
    world: dict[str, Node], tmp_path: Path, keep: str
) -> None:
    """An item and its photo arrive together under a community the county deleted: both held, the photo under
    the item; deciding the item decides the photo."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里", households=100)
    exchange(county, t1, rounds=1)
    county.delete_community(cid)
    with t1.db.transaction("录入员") as s:
        iid = items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "100"}, confirm=True).id
    aid = _attach(t1, RenovationItem, iid, _photo_file(tmp_path))
    county.import_(t1.export().path)
    assert county.open_conflicts() == sorted([*HELD, ("renovation_item", "parent_deleted")])
    with county.db.transaction("审核员") as s:
        held_item = s.scalar(select(SyncConflict.id).where(SyncConflict.table_name == "renovation_item"))
        conflicts.resolve(s, held_item, keep)
    assert county.open_conflicts() == []
    exchange(county, t1)
    assert county.open_conflicts() == [] and t1.open_conflicts() == []
    live = keep == "theirs"
    for node in (county, t1):
        assert (_live(node, RenovationItem, iid), _live(node, Attachment, aid)) == (live, live)
    if live:
        assert _bytes(county, aid) == BYTES


def test_a_photo_arriving_with_its_owners_deletion_by_the_same_side_is_not_held(
    world: dict[str, Node], tmp_path: Path
) -> None:
    """The township photographs an item, then deletes the item (its photos stay as they are, as a deletion leaves
    them): its own state, the same at the county, nothing to ask — also when the county deleted it meanwhile."""
    county, t1 = world[COUNTY], world[T1]
    _cid, iid = _community_with_item(county, t1)
    with t1.db.transaction("录入员") as s:
        i2 = items.create(s, _cid, {"item_type_id": "drain_pipe", "planned_quantity": "10"}, confirm=True).id
    exchange(county, t1, rounds=1)
    _delete_item(county, i2)  # deleted on both sides
    photos = [_attach(t1, RenovationItem, i, _photo_file(tmp_path)) for i in (iid, i2)]
    _delete_item(t1, iid)
    _delete_item(t1, i2)
    exchange(county, t1)
    assert county.open_conflicts() == [] and t1.open_conflicts() == []
    for node in (county, t1):
        assert [_live(node, RenovationItem, i) for i in (iid, i2)] == [False, False]
        assert [_live(node, Attachment, a) for a in photos] == [True, True]


def test_a_held_photo_is_released_when_its_item_comes_back_by_any_route(world: dict[str, Node], tmp_path: Path) -> None:
    county, t1 = world[COUNTY], world[T1]
    _cid, iid = _community_with_item(county, t1)
    _delete_item(county, iid)
    aid = _attach(t1, RenovationItem, iid, _photo_file(tmp_path))
    county.import_(t1.export().path)
    assert county.open_conflicts() == HELD
    with county.db.transaction("审核员") as s:
        items.restore(s, iid)  # not the recycle bin's own call: any restore through the ORM
    assert county.open_conflicts() == []
    assert _live(county, Attachment, aid) is True and _bytes(county, aid) == BYTES
    exchange(county, t1)
    assert county.open_conflicts() == [] and t1.open_conflicts() == []
    for node in (county, t1):
        assert (_live(node, RenovationItem, iid), _live(node, Attachment, aid)) == (True, True)


def test_the_held_photo_is_named_by_its_caption_and_its_item(world: dict[str, Node], tmp_path: Path) -> None:
    county, t1 = world[COUNTY], world[T1]
    _cid, iid = _community_with_item(county, t1)
    _delete_item(county, iid)
    _attach(t1, RenovationItem, iid, _photo_file(tmp_path))
    county.import_(t1.export().path)
    with county.db.transaction() as s:
        (held,) = conflicts.listing(s)
        item = record_names.named(s.connection(), "renovation_item", iid)
    assert item.startswith("改造内容“") and "小区“幸福里”" in item
    assert held["record"] == f"照片“施工照片”（{item}）"


def test_our_deletion_echoed_in_a_full_package_does_not_let_the_photo_through(
    world: dict[str, Node], tmp_path: Path
) -> None:
    """The county took the township's deletion of the item first and then sent everything (a county's full
    package carries the township's own records back): the item's deletion in it is the township's, echoed, not
    the county deleting an item after photographing it."""
    county, t1 = world[COUNTY], world[T1]
    _cid, iid = _community_with_item(county, t1)
    _delete_item(t1, iid)
    aid = _attach(county, RenovationItem, iid, _photo_file(tmp_path))
    county.import_(t1.export().path)
    t1.import_(county.export(to=T1, full=True).path)
    assert t1.open_conflicts() == HELD
    _decide_all(t1, "ours")
    exchange(county, t1)
    assert county.open_conflicts() == [] and t1.open_conflicts() == []
    for node in (county, t1):
        assert (_live(node, RenovationItem, iid), _live(node, Attachment, aid)) == (False, False)
