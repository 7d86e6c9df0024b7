"""Township ⇄ county exchange end to end: adds, edits, tombstones, field merges, conflicts and their resolution,
receipts, idempotent re-import, rollback, catalogue travelling down, photos byte for byte, dry runs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from oldcomm_desktop.core import attachments, catalogues, communities, items
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.model import Attachment, AuditEntry, Community, ItemType, RenovationItem
from oldcomm_desktop.core.sync import conflicts, history

from .conftest import COUNTY, T1, T2, db_state


def community(node, cid: str) -> Community:
    with node.db.transaction("测试员") as s:
        c = s.get(Community, cid)
        s.expunge(c)
        return c


def open_conflicts(node) -> list[dict]:
    with node.db.transaction("测试员") as s:
        return conflicts.listing(s)


def test_records_travel_up_and_corrections_travel_down(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100, floor_area="8500.5")
    report = county.import_(t1.export().path)
    assert report.tables["community"].added == 1
    assert community(county, cid).floor_area == Decimal("8500.50")
    county.update_community(cid, total_investment="6800000")  # a reviewer's correction in county mode
    down = county.export(T1)
    assert down.counts == {"community": 1}
    assert down.catalogue > 50  # the county's catalogue travels down too
    t1.import_(down.path)
    assert community(t1, cid).total_investment == Decimal("6800000.00")
    with t1.db.transaction("测试员") as s:
        audit = s.query(AuditEntry).filter_by(record_id=cid, field="total_investment").one()
        assert audit.operator == "导入员" and audit.new_value == "6800000.00"


def test_importing_twice_changes_nothing(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    t1.new_community("幸福里小区", households=100)
    path = t1.export().path
    county.import_(path)
    with county.db.transaction("测试员") as s:
        before = s.get(Community, community_id_of(county)).version
    state = {k: v for k, v in db_state(county.db).items() if not k.startswith("sync_") and k != "audit_log"}
    again = county.import_(path)
    assert again.total("added") == again.total("changed") == 0 and again.tables["community"].unchanged == 1
    after = {k: v for k, v in db_state(county.db).items() if not k.startswith("sync_") and k != "audit_log"}
    assert after == state
    with county.db.transaction("测试员") as s:
        assert s.get(Community, community_id_of(county)).version == before


def community_id_of(node) -> str:
    with node.db.transaction("测试员") as s:
        return s.query(Community.id).one()[0]


def test_different_fields_merge_and_the_same_field_conflicts(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100, buildings=5)
    county.import_(t1.export().path)
    county.update_community(cid, buildings=6, households=120)  # county: buildings and households
    t1.update_community(cid, notes="已完成入户调查", households=110)  # township: notes and households
    up = county.import_(t1.export().path)
    assert [(c["field"], c["ours"], c["theirs"]) for c in up.conflicts] == [("households", 120, 110)]
    c = community(county, cid)
    assert (c.buildings, c.households, c.notes) == (6, 120, "已完成入户调查")  # ours kept, theirs recorded
    t1.import_(county.export(T1).path)
    c = community(t1, cid)
    assert (c.buildings, c.households, c.notes) == (6, 110, "已完成入户调查")  # never silently overwritten
    [theirs_side] = open_conflicts(t1)
    assert (theirs_side["ours"], theirs_side["theirs"]) == (110, 120)
    [mine] = open_conflicts(county)
    assert mine["record_id"] == cid and mine["field"] == "households"
    assert mine["ours_at"] and mine["theirs_at"]
    with county.db.transaction("审核员") as s:
        conflicts.resolve(s, mine["id"], "theirs")
    assert community(county, cid).households == 110
    t1.import_(county.export(T1).path)
    assert open_conflicts(t1) == []  # the township's copy of the conflict settles itself
    county.import_(t1.export().path)
    assert community(t1, cid).households == community(county, cid).households == 110
    assert open_conflicts(county) == []


def test_a_conflict_can_be_settled_with_a_new_value(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    county.update_community(cid, name="幸福里")
    t1.update_community(cid, name="幸福里小区（一期）")
    county.import_(t1.export().path)
    [c] = open_conflicts(county)
    with county.db.transaction("测试员") as s:
        conflicts.resolve(s, c["id"], value="幸福里小区一期", edit=True)
        with pytest.raises(OldcommError):
            conflicts.resolve(s, c["id"], "ours")  # decided already
    t1.import_(county.export(T1).path)
    assert community(t1, cid).name == community(county, cid).name == "幸福里小区一期"


def test_deletions_travel_as_tombstones(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    with t1.db.transaction("测试员") as s:
        communities.delete(s, cid)
    report = county.import_(t1.export().path)
    assert report.tables["community"].deleted == 1
    assert community(county, cid).deleted_at is not None  # soft: still there, in the recycle bin


def test_receipts_make_the_next_package_smaller(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    for i in range(5):
        t1.new_community(f"小区{i}", households=10 + i)
    assert t1.export().total == 5
    assert t1.export().total == 5  # not acknowledged yet: sent again
    county.import_(t1.export().path)
    down = county.export(T1)
    assert down.total == 0  # nothing echoed back
    t1.import_(down.path)  # carries the county's receipt
    assert t1.export().total == 0
    assert t1.export(full=True).total == 5


def test_packages_in_any_order_converge(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    first = t1.export().path
    t1.update_community(cid, households=101)
    second = t1.export().path
    county.import_(second)
    county.import_(first)  # older, arrives late: changes nothing
    assert community(county, cid).households == 101
    assert open_conflicts(county) == []


def test_rollback_restores_the_before_images(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    t1.update_community(cid, households=150)
    t1.new_community("和平小区", households=50)
    report = county.import_(t1.export().path)
    with county.db.transaction("测试员") as s:
        [latest, _] = history.history(s)
        assert latest["id"] == report.import_id and latest["added"] == 1 and latest["changed"] == 1
        history.rollback(s, report.import_id)
    assert community(county, cid).households == 100
    with county.db.transaction("测试员") as s:
        assert s.query(Community).count() == 1
        assert history.history(s)[0]["status"] == "rolled_back"
        with pytest.raises(OldcommError, match="已经回滚"):
            history.rollback(s, report.import_id)
    county.import_(t1.export().path)  # the changes come back with the next package
    assert community(county, cid).households == 150


def test_rollback_refuses_when_the_record_changed_since(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    report = county.import_(t1.export().path)
    county.update_community(cid, households=99)
    with county.db.transaction("测试员") as s, pytest.raises(OldcommError, match="又被修改过"):
        history.rollback(s, report.import_id)


def test_dry_run_reports_and_changes_nothing(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    county.update_community(cid, households=120)
    t1.update_community(cid, households=110)
    t1.new_community("和平小区", households=50)
    path = t1.export().path
    before = db_state(county.db)
    preview = county.import_(path, dry_run=True)
    assert db_state(county.db) == before
    assert preview.tables["community"].added == 1 and preview.tables["community"].conflicts == 1
    assert preview.import_id is None
    real = county.import_(path)
    assert real.tables["community"].as_dict() == preview.tables["community"].as_dict()


def test_items_keep_their_catalogue_type_across_databases(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    with t1.db.transaction("测试员") as s:
        item = items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "1200"}, confirm=True)
        iid, local_type = item.id, item.item_type_id
    county.import_(t1.export().path)
    with county.db.transaction("测试员") as s:
        moved = s.get(RenovationItem, iid)
        assert s.get(ItemType, moved.item_type_id).code == "water_pipe"
        assert moved.item_type_id == catalogues.item_type(s, "water_pipe").id
        assert moved.planned_quantity == Decimal("1200.00")
    assert local_type  # the township's own id for the same type stays its own


def test_photos_travel_byte_for_byte(world, tmp_path: Path) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    photo = tmp_path / "开工照片.jpg"
    payload = bytes(range(256)) * 4000 + b"\xff\xd8\xff\xe0 end"
    photo.write_bytes(payload)
    with t1.db.transaction("测试员") as s:
        a = attachments.add(s, s.get(Community, cid), photo, caption="开工")
        sha = a.sha256
    out = t1.export()
    assert out.attachments == 1
    report = county.import_(out.path)
    assert report.attachments_copied == 1
    with county.db.transaction("测试员") as s:
        row = s.query(Attachment).one()
        stored = attachments.stored_path(s, row.sha256)
    assert row.sha256 == sha and stored.read_bytes() == payload


def test_a_county_package_only_carries_its_recipients_records(world) -> None:
    county, t1, t2 = world[COUNTY], world[T1], world[T2]
    a = t1.new_community("城关小区", households=10)
    b = t2.new_community("东关小区", households=20)
    county.import_(t1.export().path)
    county.import_(t2.export().path)
    county.update_community(a, households=11)
    county.update_community(b, households=21)
    down = county.export(T2, full=True)
    t2.import_(down.path)
    with t2.db.transaction("测试员") as s:
        assert {c.id for c in s.query(Community)} == {b}
    assert community(t2, b).households == 21


def test_a_county_inspection_travels_down_with_its_checklist_and_rectification(world) -> None:
    from datetime import date, timedelta

    from oldcomm_desktop.core import inspections
    from oldcomm_desktop.core.model import ChecklistTemplateItem, Inspection, InspectionResult, Rectification

    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    day = date.today() - timedelta(days=3)
    with county.db.transaction("县住建局") as s:
        tmpl = catalogues.template(s, "patrol_default")
        results = [
            {"template_item_id": it.id, "area": it.area, "text": it.text, "result": "fail" if i == 0 else "pass"}
            for i, it in enumerate(tmpl.items)
        ]
        insp = inspections.record(
            s,
            s.get(Community, cid),
            {"kind": "patrol", "inspected_on": day, "inspectors": "县住建局 周工"},
            results,
            [{"problem": "施工围挡破损", "requirement": "三日内修复", "deadline": day + timedelta(days=7)}],
            template="patrol_default",
        )
        iid, n = insp.id, len(results)
    down = county.export(T1)
    assert down.counts["inspection"] == 1 and down.counts["inspection_result"] == n
    t1.import_(down.path)
    with t1.db.transaction("测试员") as s:
        got = s.get(Inspection, iid)
        assert got.inspectors == "县住建局 周工"
        lines = s.query(InspectionResult).filter_by(inspection_id=iid).all()
        assert len(lines) == n
        # each checklist line points at the township's own row of the same template item
        local_items = {i.id for i in s.query(ChecklistTemplateItem)}
        assert {line.template_item_id for line in lines} <= local_items
        assert s.query(Rectification).filter_by(inspection_id=iid).one().problem == "施工围挡破损"


def test_rolling_back_the_import_that_settled_a_conflict_reopens_it(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    county.update_community(cid, households=120)
    t1.update_community(cid, households=110)
    t1.import_(county.export(T1).path)  # the township records the conflict
    assert len(open_conflicts(t1)) == 1
    county.import_(t1.export().path)
    [c] = open_conflicts(county)
    with county.db.transaction("测试员") as s:
        conflicts.resolve(s, c["id"], "ours")
    settling = t1.import_(county.export(T1).path)
    assert open_conflicts(t1) == [] and community(t1, cid).households == 120
    with t1.db.transaction("测试员") as s:
        history.rollback(s, settling.import_id)
    [back] = open_conflicts(t1)
    assert (back["ours"], back["theirs"]) == (110, 120) and community(t1, cid).households == 110


@pytest.mark.parametrize("keep", ["ours", "theirs"])
def test_a_deletion_against_an_edit_is_a_conflict_both_ways(world, keep: str) -> None:
    """The township deletes a community the county corrected meanwhile (a field the township never touched):
    neither side quietly ends deleted with the correction inside; both record a conflict on 删除时间."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    county.update_community(cid, buildings=7)  # the county's correction
    with t1.db.transaction("测试员") as s:
        communities.delete(s, cid)
    up = county.import_(t1.export().path)
    assert [(c["field"], c["ours"], c["theirs"] is not None) for c in up.conflicts] == [("deleted_at", None, True)]
    c = community(county, cid)
    assert c.deleted_at is None and c.buildings == 7  # ours kept until a clerk decides
    down = t1.import_(county.export(T1).path)
    assert [(c["field"], c["ours"] is not None, c["theirs"]) for c in down.conflicts] == [("deleted_at", True, None)]
    c = community(t1, cid)
    assert c.deleted_at is not None and c.buildings == 7  # the correction is kept inside, the deletion stands
    [mine] = open_conflicts(county)
    assert mine["record_id"] == cid and mine["field"] == "deleted_at" and mine["ours_at"] and mine["theirs_at"]
    with county.db.transaction("审核员") as s:
        conflicts.resolve(s, mine["id"], keep)
    t1.import_(county.export(T1).path)
    county.import_(t1.export().path)
    assert open_conflicts(t1) == open_conflicts(county) == []
    deleted = keep == "theirs"
    for node in (county, t1):
        c = community(node, cid)
        assert (c.deleted_at is not None, c.buildings) == (deleted, 7)


def test_a_deletion_that_saw_every_edit_is_no_conflict(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    county.update_community(cid, buildings=7)
    t1.import_(county.export(T1).path)  # the township has seen the correction, then deletes
    with t1.db.transaction("测试员") as s:
        communities.delete(s, cid)
    up = county.import_(t1.export().path)
    assert up.conflicts == [] and community(county, cid).deleted_at is not None


def test_both_sides_deleting_the_same_record_agree_quietly(world) -> None:
    """The township and the county each delete the same community before they exchange: both meant the same
    thing, so no clerk is asked about two deletion times; both keep the earlier one and stay in step."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    with t1.db.transaction("测试员") as s:
        communities.delete(s, cid)
    with county.db.transaction("测试员") as s:
        communities.delete(s, cid)
    up = county.import_(t1.export().path)
    down = t1.import_(county.export(T1).path)
    assert up.conflicts == [] and down.conflicts == []
    assert open_conflicts(t1) == open_conflicts(county) == []
    first, second = community(t1, cid).deleted_at, community(county, cid).deleted_at
    assert first is not None and first == second
    county.import_(t1.export().path)  # and nothing goes back and forth afterwards
    assert community(county, cid).deleted_at == first and open_conflicts(county) == []


def test_two_clerks_deciding_one_conflict_differently_at_once_is_a_new_conflict(world) -> None:
    """Both sides hold the same conflict and each keeps its own value before they exchange: neither decision
    saw the other, so neither may overwrite the other. Both are shown again; one more decision on either side
    has seen both and settles it everywhere."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    county.update_community(cid, households=110)
    t1.update_community(cid, households=120)
    county.import_(t1.export().path)
    t1.import_(county.export(T1).path)
    for node in (county, t1):
        [c] = open_conflicts(node)
        with node.db.transaction("审核员") as s:
            conflicts.resolve(s, c["id"], "ours")
    county.import_(t1.export().path)
    t1.import_(county.export(T1).path)
    assert [(c["ours"], c["theirs"]) for c in open_conflicts(county)] == [(110, 120)]
    assert [(c["ours"], c["theirs"]) for c in open_conflicts(t1)] == [(120, 110)]
    [c] = open_conflicts(county)
    with county.db.transaction("审核员") as s:
        conflicts.resolve(s, c["id"], "theirs")
    t1.import_(county.export(T1).path)
    county.import_(t1.export().path)
    assert open_conflicts(county) == open_conflicts(t1) == []
    assert community(county, cid).households == community(t1, cid).households == 120
