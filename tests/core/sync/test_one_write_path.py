"""A rollback and a conflict's decision write through the bulk write path (importing/bulk.py), as the import does:
the same rules (a refused one changes nothing), the same list shapes and search text, the same audit entries."""

from __future__ import annotations

import pytest

from oldcomm_desktop.core import catalogue_editing, items
from oldcomm_desktop.core.errors import OldcommError, ValidationError
from oldcomm_desktop.core.model import AuditEntry, Base, Community, RenovationItem
from oldcomm_desktop.core.sync import conflicts, history

from .conftest import COUNTY, T1, db_state

MOVING = {"version", "updated_at"}  # what every write moves, a rollback's too
RECORDS = ("community", "renovation_item", "community_category", "search_text")


def records(node) -> dict[str, list[tuple]]:
    """The records and their list shapes, without the columns every write moves."""
    out = {}
    with node.db.engine.connect() as conn:
        for name in RECORDS:
            t = Base.metadata.tables[name]
            cols = [c for c in t.columns if c.name not in MOVING]
            out[name] = sorted((tuple(r) for r in conn.execute(t.select().with_only_columns(*cols))), key=repr)
    return out


def _item(node, cid: str, kind: str = "water_pipe") -> str:
    with node.db.transaction("录入员") as s:
        return items.create(s, cid, {"item_type_id": kind, "planned_quantity": "1200"}, confirm=True).id


def test_a_rollback_restores_records_shapes_and_search_text_exactly(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100, address="解放路 12 号")
    _item(t1, cid)
    county.import_(t1.export().path)
    before = records(county)
    t1.update_community(cid, households=150, name="和谐家园")  # renamed: its search text and items' sort move
    _item(t1, cid, "gas_pipe")  # a new item: the community's categories move
    report = county.import_(t1.export().path)
    assert records(county) != before
    with county.db.transaction("审核员") as s:
        history.rollback(s, report.import_id)
    assert records(county) == before
    with county.db.transaction("测试员") as s:
        entries = s.query(AuditEntry).filter_by(record_id=cid, field="households", operator="回滚数据包导入").all()
        assert [(e.old_value, e.new_value) for e in entries] == [("150", "100")]  # the bulk path's audit entry


def test_a_rollback_the_rules_now_refuse_changes_nothing(world) -> None:
    """The import moved an item to another type; the county retired the old type since: putting it back would
    be a new use of a retired type, which every write refuses — so the rollback is refused, nothing changed."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    iid = _item(t1, cid)
    county.import_(t1.export().path)
    with t1.db.transaction("录入员") as s:
        items.update(s, iid, {"item_type_id": "gas_pipe"}, confirm=True)
    report = county.import_(t1.export().path)
    with county.db.transaction("目录管理员") as s:
        catalogue_editing.retire(s, "water_pipe")
    before = db_state(county.db)
    with pytest.raises(ValidationError, match="不能回滚这次导入") as caught, county.db.transaction("审核员") as s:
        history.rollback(s, report.import_id)
    assert "改造内容“" in str(caught.value) and "（小区“" in str(caught.value)  # its type and community, not its id
    assert db_state(county.db) == before


def _conflict(world) -> tuple:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    county.update_community(cid, households=120)
    t1.update_community(cid, households=110)
    county.import_(t1.export().path)
    [c] = conflicts.listing(_session(county))
    return county, t1, cid, c


def _session(node):
    s = node.db.session("测试员")
    return s


@pytest.mark.parametrize("keep, value", [("ours", 120), ("theirs", 110), (None, 115)])
def test_a_decision_writes_through_the_bulk_path_and_travels(world, keep, value) -> None:
    county, t1, cid, c = _conflict(world)
    with county.db.transaction("审核员") as s:
        conflicts.resolve(s, c["id"], keep, value=value, edit=keep is None)
    with county.db.transaction("测试员") as s:
        assert s.get(Community, cid).households == value
        if value != 120:  # a change: the bulk path's own audit entry, with the clerk's name
            [e] = s.query(AuditEntry).filter_by(record_id=cid, field="households", operator="审核员").all()
            assert (e.old_value, e.new_value) == ("120", str(value))
    t1.import_(county.export(T1).path)
    county.import_(t1.export().path)
    with t1.db.transaction("测试员") as s:
        assert s.get(Community, cid).households == value
        assert conflicts.listing(s) == []


def test_an_invalid_or_stale_decision_changes_nothing(world) -> None:
    county, t1, cid, c = _conflict(world)
    before = db_state(county.db)
    with pytest.raises(ValidationError, match="没有通过校验") as caught, county.db.transaction("审核员") as s:
        conflicts.resolve(s, c["id"], value=-5, edit=True)  # an integer, but no household count
    assert "户数" in str(caught.value)
    assert db_state(county.db) == before
    with county.db.transaction("审核员") as s:
        conflicts.resolve(s, c["id"], "theirs")
    after = db_state(county.db)
    with pytest.raises(OldcommError, match="已处理"), county.db.transaction("审核员") as s:
        conflicts.resolve(s, c["id"], "ours")  # decided already (a stale list on another screen)
    assert db_state(county.db) == after


def test_a_decision_on_a_deleted_record_restores_it_with_its_children(world) -> None:
    """Taking their side of a deletion conflict restores the record through the bulk path (never refused)."""
    from oldcomm_desktop.core import communities

    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    county.update_community(cid, buildings=7)
    with t1.db.transaction("测试员") as s:
        communities.delete(s, cid)
    t1.import_(county.export(T1).path)
    [c] = conflicts.listing(_session(t1))
    assert c["field"] == "deleted_at"
    with t1.db.transaction("经办人") as s:
        conflicts.resolve(s, c["id"], "theirs")
        assert s.get(Community, cid).deleted_at is None
        assert s.query(RenovationItem).count() == 0
