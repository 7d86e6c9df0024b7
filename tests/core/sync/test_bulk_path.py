"""The sync import writes through the bulk write path (importing/bulk.py): the same rules as a single edit,
the same derived columns and search index, and one audit event per import with an entry per record."""

from __future__ import annotations

import json
from pathlib import Path

from oldcomm_desktop.core import communities, items
from oldcomm_desktop.core.model import AuditEntry, Community, CommunityCategory, RenovationItem
from oldcomm_desktop.core.model.search import SearchText
from oldcomm_desktop.core.sync import history

from .conftest import COUNTY, T1, edit_record, rewrite
from .test_bad_packages import refused


def test_an_import_is_one_audit_event_with_an_entry_per_record(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    a = t1.new_community("幸福里小区", households=100, address="解放路 12 号")
    b = t1.new_community("和平小区", households=80)
    path = t1.export().path
    county.import_(path)
    with county.db.transaction("测试员") as s:
        [event] = s.query(AuditEntry).filter_by(action="import").all()
        assert event.field == "sync" and path.name in event.new_value and T1 in event.new_value
        assert json.loads(event.old_value)["community"]["added"] == 2
        creates = s.query(AuditEntry).filter_by(table_name="community", action="create").all()
        assert {e.record_id for e in creates} == {a, b} and {e.operator for e in creates} == {"导入员"}
        # the list shapes and the search index the ORM hook keeps for a clerk's save
        c = s.get(Community, a)
        assert c.search_initials and c.name_sort
        assert s.query(SearchText).filter_by(record_id=a).one().body
    county.update_community(a, households=120)
    t1.import_(county.export(T1).path)
    with t1.db.transaction("测试员") as s:
        events = s.query(AuditEntry).filter_by(action="import", field="sync").all()
        assert len(events) == 1
        [entry] = s.query(AuditEntry).filter_by(record_id=a, field="households").all()
        assert (entry.old_value, entry.new_value, entry.operator) == ("100", "120", "导入员")


def test_a_record_that_breaks_a_single_edits_rule_refuses_the_package(world, tmp_path: Path) -> None:
    """Well-formed for its column (an integer) but not for the field's rules: refused, naming the record."""
    county, t1 = world[COUNTY], world[T1]
    t1.new_community("幸福里小区", households=100)
    good = t1.export().path

    def negative(m: dict) -> None:
        row = json.loads(m["records/community.jsonl"].splitlines()[0])
        row["v"]["households"] = -5
        m["records/community.jsonl"] = json.dumps(row, ensure_ascii=False).encode() + b"\n"

    bad = rewrite(good, tmp_path / "bad.ocpkg", t1, members=negative)
    message = refused(county, bad, "未通过本数据库的校验", "户数")
    assert "没有导入任何内容" in message and "数据包内小区“幸福里小区”：户数" in message  # named as the clerk knows it


def test_deletions_and_restores_are_never_refused_by_the_rules(world) -> None:
    """The county deletes a community with its items (an item's parent is then gone: a rule would refuse a
    single edit of it) and restores them: both travel down as the recycle bin does them."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    with t1.db.transaction("测试员") as s:
        iid = items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "1200"}, confirm=True).id
    county.import_(t1.export().path)
    with county.db.transaction("测试员") as s:
        communities.delete(s, cid)
    report = t1.import_(county.export(T1).path)
    assert report.tables["community"].deleted == report.tables["renovation_item"].deleted == 1
    with t1.db.transaction("测试员") as s:
        assert s.get(Community, cid).deleted_at is not None and s.get(RenovationItem, iid).deleted_at is not None
    with county.db.transaction("测试员") as s:
        communities.restore(s, cid)
    report = t1.import_(county.export(T1).path)
    assert report.tables["renovation_item"].restored == 1
    with t1.db.transaction("测试员") as s:
        assert s.get(Community, cid).deleted_at is None and s.get(RenovationItem, iid).deleted_at is None


def test_rolling_back_an_import_takes_its_list_shapes_and_search_entries_too(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    with t1.db.transaction("测试员") as s:
        iid = items.create(
            s, cid, {"item_type_id": "water_pipe", "planned_quantity": "1200", "description": "换管"}, confirm=True
        ).id
    report = county.import_(t1.export().path)
    with county.db.transaction("测试员") as s:
        assert s.query(SearchText).filter(SearchText.record_id.in_([cid, iid])).count() == 2
        history.rollback(s, report.import_id)
    with county.db.transaction("测试员") as s:
        assert s.get(Community, cid) is None and s.get(RenovationItem, iid) is None
        assert s.query(SearchText).filter(SearchText.record_id.in_([cid, iid])).count() == 0
        assert s.query(CommunityCategory).filter_by(community_id=cid).count() == 0


def test_rolling_back_an_item_added_to_a_community_takes_its_category_away(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    with t1.db.transaction("测试员") as s:
        items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "1200"}, confirm=True)
    report = county.import_(t1.export().path)
    with county.db.transaction("测试员") as s:
        assert s.query(CommunityCategory).filter_by(community_id=cid).count() == 1
        history.rollback(s, report.import_id)
    with county.db.transaction("测试员") as s:
        assert s.get(Community, cid) is not None
        assert s.query(CommunityCategory).filter_by(community_id=cid).count() == 0


def test_a_milestone_deleted_at_the_township_moves_the_status_at_the_county(world) -> None:
    from datetime import date

    from oldcomm_desktop.core import milestones

    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100, plan_year=2026)
    with t1.db.transaction("测试员") as s:
        c = s.get(Community, cid)
        mid = milestones.add(s, c, {"kind": "start", "reached_on": date(2026, 3, 1)}, today=date(2026, 6, 1)).id
        with_survey = s.get(Community, cid).status
    county.import_(t1.export().path)
    with county.db.transaction("测试员") as s:
        assert s.get(Community, cid).status == with_survey
    with t1.db.transaction("测试员") as s:
        milestones.remove(s, mid)
        without = s.get(Community, cid).status
    assert without != with_survey
    county.import_(t1.export().path)
    with county.db.transaction("测试员") as s:
        assert s.get(Community, cid).status == without
    assert county.export(T1).counts.get("community") is None  # nothing to send back: both hold the same


def test_a_derived_value_sent_wrong_is_computed_here_and_the_shadow_holds_what_is_stored(world, tmp_path: Path) -> None:
    """A derived column is the county's own computation. The shadow takes the stored value (else the next scan
    would take it for a clerk's edit and send the record straight back) and the package's state otherwise —
    from the state itself, as the states' texts are let go once the first shadows are stored."""
    from oldcomm_desktop.core.pinyin_search import sort_key
    from oldcomm_desktop.core.sync import changes

    county, t1 = world[COUNTY], world[T1]
    ids = [t1.new_community("幸福里小区", households=100), t1.new_community("和平小区", households=80)]
    sent: dict[str, dict] = {}

    def tamper(members: dict) -> None:
        for index in (0, 1):
            edit_record(members, "community", lambda line: sent.setdefault(line["id"], dict(line["v"])), index=index)
            edit_record(members, "community", lambda line: line["v"].update(name_sort="zzz"), index=index)

    path = rewrite(t1.export().path, tmp_path / "derived.ocpkg", t1, members=tamper)
    county.import_(path)
    with county.db.transaction("测试员") as s:
        shadows = changes.load_shadows(s.connection(), "community", ids)
        for cid in ids:
            stored = s.get(Community, cid)
            assert stored.name_sort == sort_key(stored.name) != "zzz"
            assert shadows[cid].state == {**sent[cid], "name_sort": stored.name_sort}
        assert changes.scan(s, full=True) == 0  # nothing is taken for a local edit
