"""An item added on one side to a community the other side deleted: a conflict a clerk decides, the rest of the
package applies (core/sync/deleted_parents.py)."""

from __future__ import annotations

import json

import pytest

from oldcomm_desktop.core import communities, items
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.model import Community, RenovationItem
from oldcomm_desktop.core.sync import conflicts, history

from .conftest import COUNTY, T1, db_state


def _item(node, cid: str, quantity: str = "1200") -> str:
    with node.db.transaction("录入员") as s:
        return items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": quantity}, confirm=True).id


def _delete(node, cid: str) -> None:
    with node.db.transaction("测试员") as s:
        communities.delete(s, cid)


def _state(node, cid: str, iids: list[str]) -> tuple:
    with node.db.transaction("测试员") as s:
        c = s.get(Community, cid)
        got = [s.get(RenovationItem, i) for i in iids]
        return (c.deleted_at is not None, [None if i is None else (i.deleted_at is not None) for i in got])


def _open(node) -> list[dict]:
    with node.db.transaction("测试员") as s:
        return conflicts.listing(s)


def _setup(world):
    """The township and the county share a community with one item; the county deletes the community while the
    township adds a second item to it and, in the same package, a new community."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    old = _item(t1, cid)
    county.import_(t1.export().path)
    _delete(county, cid)
    new = _item(t1, cid, "300")
    other = t1.new_community("和平小区", households=80)
    return county, t1, cid, old, new, other


def test_the_package_applies_and_the_held_item_is_a_conflict(world) -> None:
    county, t1, cid, old, new, other = _setup(world)
    report = county.import_(t1.export().path)
    assert report.tables["community"].added == 1  # the rest of the package applied
    with county.db.transaction("测试员") as s:
        assert s.get(Community, other) is not None
        assert s.get(RenovationItem, new) is None  # held, not written under a deleted community
    assert [(c["record_id"], c["field"]) for c in report.conflicts] == [(new, "parent_deleted")]
    [c] = _open(county)
    assert c["record_id"] == new and c["field_label"] == "所属记录已删除" and "幸福里小区" in c["record"]
    assert conflicts.shown(c["ours"], c["field"]).startswith("所属记录已删除（")
    assert conflicts.shown(c["theirs"], c["field"]).startswith("对方新增或修改了这条记录")
    assert c["ours_at"] and c["theirs_at"]
    again = county.import_(t1.export(full=True).path)  # the same record again: the one conflict refreshed
    assert [x["record_id"] for x in again.conflicts] == [new] and len(_open(county)) == 1


@pytest.mark.parametrize("keep", ["ours", "theirs"])
def test_both_decisions_travel_and_both_sides_converge(world, keep: str) -> None:
    county, t1, cid, old, new, other = _setup(world)
    county.import_(t1.export().path)
    t1.import_(county.export(T1).path)  # the county's deletion reaches the township (its new item stays live)
    [c] = _open(county)
    with county.db.transaction("审核员") as s:
        conflicts.resolve(s, c["id"], keep)
    assert _open(county) == []
    if keep == "theirs":  # the community is back with every item, the new one as it arrived
        assert _state(county, cid, [old, new]) == (False, [False, False])
    else:  # it stays deleted; the new item is in the recycle bin with it, deleted at the same time
        assert _state(county, cid, [old, new]) == (True, [True, True])
        with county.db.transaction("测试员") as s:
            assert s.get(RenovationItem, new).deleted_at == s.get(Community, cid).deleted_at
    t1.import_(county.export(T1).path)
    county.import_(t1.export().path)
    assert _open(t1) == _open(county) == []
    assert _state(t1, cid, [old, new]) == _state(county, cid, [old, new])
    with t1.db.transaction("测试员") as s, county.db.transaction("测试员") as k:
        assert s.get(RenovationItem, new).planned_quantity == k.get(RenovationItem, new).planned_quantity


def test_a_township_holds_an_item_the_county_added_to_a_community_it_deleted(world) -> None:
    """The other direction: the county adds an item (a correction) to a community the township deleted."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    _delete(t1, cid)
    iid = _item(county, cid)
    down = t1.import_(county.export(T1).path)
    assert [(c["record_id"], c["field"]) for c in down.conflicts] == [(iid, "parent_deleted")]
    [c] = _open(t1)
    with t1.db.transaction("经办人") as s:
        conflicts.resolve(s, c["id"], "theirs")
    county.import_(t1.export().path)
    t1.import_(county.export(T1).path)
    assert _state(t1, cid, [iid]) == _state(county, cid, [iid]) == (False, [False])


def test_an_edit_or_a_second_decision_is_refused_and_changes_nothing(world) -> None:
    county, t1, cid, old, new, other = _setup(world)
    county.import_(t1.export().path)
    [c] = _open(county)
    before = db_state(county.db)
    with pytest.raises(OldcommError, match="只能选择"), county.db.transaction("审核员") as s:
        conflicts.resolve(s, c["id"], value=5, edit=True)
    assert db_state(county.db) == before
    with county.db.transaction("审核员") as s:
        conflicts.resolve(s, c["id"], "ours")
    after = db_state(county.db)
    with pytest.raises(OldcommError, match="已处理"), county.db.transaction("审核员") as s:
        conflicts.resolve(s, c["id"], "theirs")
    assert db_state(county.db) == after


def test_rolling_back_the_import_removes_the_held_record(world) -> None:
    county, t1, cid, old, new, other = _setup(world)
    before = db_state(county.db)
    report = county.import_(t1.export().path)
    with county.db.transaction("审核员") as s:
        history.rollback(s, report.import_id)
    assert _open(county) == []
    with county.db.transaction("测试员") as s:
        assert s.get(Community, other) is None and s.get(RenovationItem, new) is None
    again = county.import_(t1.export().path)  # the township sends it again: held again
    assert [x["record_id"] for x in again.conflicts] == [new]
    assert set(before) <= set(db_state(county.db))


def test_the_conflict_in_json_names_the_parent(world) -> None:
    county, t1, cid, old, new, other = _setup(world)
    county.import_(t1.export().path)
    [c] = _open(county)
    assert c["theirs"]["community_id"] == cid and json.dumps(c, ensure_ascii=False, default=str)


def test_a_chain_of_held_records_is_decided_parent_first(world) -> None:
    """The county deletes an empty project; the township adds a community to it and an item to that community:
    both are held (the item's parent is not written), the item can only be decided after its community, and once
    its community is taken it follows by itself."""
    from oldcomm_desktop.core import projects

    county, t1 = world[COUNTY], world[T1]
    with t1.db.transaction("录入员") as s:
        pid = projects.create(s, {"name": "老旧小区改造一期", "plan_year": 2026}).id
    county.import_(t1.export().path)
    with county.db.transaction("审核员") as s:
        projects.delete(s, pid)
    cid = t1.new_community("幸福里小区", households=100, project_id=pid)
    iid = _item(t1, cid)
    report = county.import_(t1.export().path)
    assert sorted((c["record_id"], c["field"]) for c in report.conflicts) == sorted(
        [(cid, "parent_deleted"), (iid, "parent_deleted")]
    )
    held = {c["record_id"]: c for c in _open(county)}
    with pytest.raises(OldcommError, match="先处理所属记录"), county.db.transaction("审核员") as s:
        conflicts.resolve(s, held[iid]["id"], "theirs")
    with county.db.transaction("审核员") as s:
        conflicts.resolve(s, held[cid]["id"], "theirs")
    with county.db.transaction("测试员") as s:  # the item's community is live now: the item is written by itself
        [item] = [c for c in conflicts.listing(s, status=None) if c["record_id"] == iid]
        assert item["status"] == "released"
        assert s.get(Community, cid).deleted_at is None and s.get(RenovationItem, iid).deleted_at is None
    t1.import_(county.export(T1).path)
    county.import_(t1.export().path)
    assert _open(county) == _open(t1) == []


def test_a_dry_run_shows_the_held_record_and_changes_nothing(world) -> None:
    county, t1, cid, old, new, other = _setup(world)
    path = t1.export().path
    before = db_state(county.db)
    preview = county.import_(path, dry_run=True)
    assert [(c["record_id"], c["field"]) for c in preview.conflicts] == [(new, "parent_deleted")]
    assert preview.tables["community"].added == 1
    assert db_state(county.db) == before
