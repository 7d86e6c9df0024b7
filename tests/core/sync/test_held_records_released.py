"""A record held because its parent was deleted here (deleted_parents, conflict parent_deleted) is written by
itself once the parent is back — restored by a later package or by a clerk here — and its conflict closes as
released, saying why; while anything else stands in the way it waits for a clerk. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import communities, items, recycle_bin
from oldcomm_desktop.core.model import AuditEntry, Community, RenovationItem, SyncConflict
from oldcomm_desktop.core.model.base import new_id, utcnow
from oldcomm_desktop.core.sync import conflicts, deleted_parents, history

from .conftest import T1, Node


def _item(node: Node, cid: str, quantity: str) -> str:
    with node.db.transaction("录入员") as s:
        return items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": quantity}, confirm=True).id


def _held(county: Node, t1: Node) -> tuple[str, str, str]:
    """The county deletes a community the township then adds an item to: the item is held at the county."""
    cid = t1.new_community("幸福里小区", households=100)
    old = _item(t1, cid, "1200")
    county.import_(t1.export().path)
    with county.db.transaction("测试员") as s:
        communities.delete(s, cid)
    new = _item(t1, cid, "300")
    report = county.import_(t1.export().path)
    assert [(c["record_id"], c["field"]) for c in report.conflicts] == [(new, deleted_parents.FIELD)]
    return cid, old, new


def _keep_community(node: Node, cid: str) -> None:
    """The county's deletion met an item the township added to the community: held at the township too (never a
    live item under a deleted community); the township keeps the community, and its decision travels up."""
    with node.db.transaction("经办人") as s:
        [c] = [c for c in conflicts.listing(s) if c["record_id"] == cid and c["field"] == "deleted_at"]
        conflicts.resolve(s, c["id"], "ours")


def _conflict(node: Node, record_id: str) -> dict:
    with node.db.transaction("测试员") as s:
        every = conflicts.listing(s, status=None)
        [c] = [c for c in every if c["record_id"] == record_id and c["field"] == deleted_parents.FIELD]
        return c


def _live(node: Node, *ids: str) -> list[bool | None]:
    with node.db.transaction("测试员") as s:
        out: list[bool | None] = []
        for i in ids:
            row = s.get(RenovationItem, i) or s.get(Community, i)
            out.append(None if row is None else row.deleted_at is None)
        return out


def test_a_later_package_that_restores_the_parent_writes_the_held_record(county: Node, world) -> None:
    t1 = world[T1]
    cid, old, new = _held(county, t1)
    t1.import_(county.export(T1).path)  # the deletion reaches the township, where it meets the new item …
    _keep_community(t1, cid)  # … and the township keeps its community (with the item)
    report = county.import_(t1.export().path)
    c = _conflict(county, new)
    assert report.released == [c["id"]]
    assert (c["status"], c["resolved_by"]) == ("released", deleted_parents.RELEASED_BY_PACKAGE)
    assert conflicts.STATUS_LABELS[c["status"]] == "所属记录已恢复，已自动写入"
    assert _live(county, cid, old, new) == [True, True, True]
    with county.db.transaction("测试员") as s:
        assert str(s.get(RenovationItem, new).planned_quantity) == "300.00"
        operators = set(s.scalars(select(AuditEntry.operator).where(AuditEntry.record_id == new)))
        assert deleted_parents.RELEASED_BY_PACKAGE in operators  # the history says why it was written
        assert conflicts.open_count(s) == 0
    t1.import_(county.export(T1).path)
    county.import_(t1.export().path)
    assert _live(t1, cid, old, new) == _live(county, cid, old, new) == [True, True, True]
    with county.db.transaction("测试员") as s:
        assert conflicts.open_count(s) == 0


def test_restoring_the_parent_here_writes_the_held_record(county: Node, world) -> None:
    t1 = world[T1]
    cid, old, new = _held(county, t1)
    with county.db.transaction("审核员") as s:
        recycle_bin.restore(s, "community", cid)
    c = _conflict(county, new)
    assert (c["status"], c["resolved_by"]) == ("released", deleted_parents.RELEASED_HERE)
    assert _live(county, cid, old, new) == [True, True, True]
    t1.import_(county.export(T1).path)  # the restore and the written item travel back as ours
    county.import_(t1.export().path)
    assert _live(t1, cid, old, new) == _live(county, cid, old, new) == [True, True, True]
    with t1.db.transaction("测试员") as s, county.db.transaction("测试员") as k:
        assert conflicts.open_count(s) == conflicts.open_count(k) == 0


def test_a_held_record_waits_while_its_parent_stays_deleted_or_another_conflict_is_open(county: Node, world) -> None:
    t1 = world[T1]
    cid, old, new = _held(county, t1)
    other = t1.new_community("和平小区", households=80)
    county.import_(t1.export().path)
    with county.db.transaction("测试员") as s:  # a restore elsewhere releases nothing
        communities.delete(s, other)
    with county.db.transaction("测试员") as s:
        recycle_bin.restore(s, "community", other)
    assert _conflict(county, new)["status"] == "open" and _live(county, new) == [None]
    with county.db.transaction("测试员") as s:  # another open conflict on the held record itself
        s.add(
            SyncConflict(
                id=new_id(),
                table_name="renovation_item",
                record_id=new,
                field="planned_quantity",
                township_code=T1,
                peer_code=T1,
                ours="1",
                theirs="2",
                theirs_clock="{}",
                status="open",
                created_at=utcnow(),
            )
        )
    with county.db.transaction("审核员") as s:
        recycle_bin.restore(s, "community", cid)
    assert _conflict(county, new)["status"] == "open" and _live(county, new) == [None]


def test_a_parent_restored_here_by_an_undo_releases_its_held_record_at_once(county, world) -> None:
    """A restore that does not pass the recycle bin (the community form's undo, a service's restore): the
    transaction that restores the parent writes the held record when it commits (sync/restored.py)."""
    t1 = world[T1]
    cid, old, new = _held(county, t1)
    with county.db.transaction("审核员") as s:
        communities.restore(s, cid)
    assert (_conflict(county, new)["status"], _conflict(county, new)["resolved_by"]) == (
        "released",
        deleted_parents.RELEASED_HERE,
    )
    assert _live(county, cid, old, new) == [True, True, True]
    t1.import_(county.export(T1).path)
    county.import_(t1.export().path)
    assert _live(t1, cid, old, new) == _live(county, cid, old, new) == [True, True, True]


def test_rolling_back_the_import_that_released_a_record_holds_it_again(county: Node, world) -> None:
    t1 = world[T1]
    cid, old, new = _held(county, t1)
    t1.import_(county.export(T1).path)
    _keep_community(t1, cid)
    path = t1.export().path
    report = county.import_(path)
    assert report.released and _live(county, cid, new) == [True, True]
    with county.db.transaction("审核员") as s:
        history.rollback(s, report.import_id)
    assert _live(county, cid, new) == [False, None]  # the community deleted again, the item held again
    c = _conflict(county, new)
    assert (c["status"], c["resolved_by"], c["resolved_at"]) == ("open", None, None)
    again = county.import_(path)  # the same package again: the same release
    assert again.released == [c["id"]] and _live(county, cid, old, new) == [True, True, True]


def test_a_restore_that_is_rolled_back_releases_nothing(county: Node, world) -> None:
    """The release belongs to the restore's transaction: a restore that fails later (rolled back) leaves the
    community deleted, the item held and its conflict open; the next transaction knows nothing of it."""
    t1 = world[T1]
    cid, old, new = _held(county, t1)
    with pytest.raises(RuntimeError), county.db.transaction("审核员") as s:
        communities.restore(s, cid)
        s.flush()
        raise RuntimeError("something later in the same step failed")
    assert _live(county, cid, new) == [False, None]
    assert _conflict(county, new)["status"] == "open"
    with county.db.transaction("审核员") as s:  # an unrelated edit commits without releasing anything
        communities.update(s, county_other(s, cid), {"households": 7}, confirm=True)
    assert _conflict(county, new)["status"] == "open"


def county_other(s, cid: str) -> str:
    """Some live community other than `cid`."""
    other = s.scalar(select(Community.id).where(Community.id != cid, Community.deleted_at.is_(None)))
    if other is None:
        other = communities.create(
            s, {"name": "另一小区", "township_code": T1, "households": 5, "plan_year": 2026}, confirm=True
        ).id
    return other


def test_a_rollback_that_brings_the_parent_back_releases_its_held_record(county: Node, world, tmp_path) -> None:
    """The county's copy of the community was deleted by a package (the township deleted it); an item then
    arrives under it (here a package without the township's restore of the community): held. Rolling back the
    package that deleted the community brings it back, and the held item is written in the same rollback."""
    from .conftest import rewrite

    t1 = world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    with t1.db.transaction("录入员") as s:
        communities.delete(s, cid)
    deleting = county.import_(t1.export().path)
    assert _live(county, cid) == [False]
    with t1.db.transaction("录入员") as s:
        recycle_bin.restore(s, "community", cid)
    new = _item(t1, cid, "300")

    def without_the_restore(members: dict) -> None:
        del members["records/community.jsonl"]

    forged = rewrite(t1.export().path, tmp_path / "item-only.ocpkg", t1, members=without_the_restore)
    report = county.import_(forged)
    assert [(c["record_id"], c["field"]) for c in report.conflicts] == [(new, deleted_parents.FIELD)]
    with county.db.transaction("审核员") as s:
        history.rollback(s, deleting.import_id)
    assert _live(county, cid, new) == [True, True]
    c = _conflict(county, new)
    assert (c["status"], c["resolved_by"]) == ("released", deleted_parents.RELEASED_HERE)
