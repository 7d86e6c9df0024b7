"""The audit log (who changed which field from what to what) and the recycle bin (soft delete and restore):
a community's deletion takes its items, milestones and money with it, and its restore brings back exactly
those; deleted records leave the lists and come back; every saved change bumps the record's version."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from oldcomm_desktop.core import audit, communities, funding, items, listings, milestones, projects, summary
from oldcomm_desktop.core.errors import NotFound, ValidationError
from oldcomm_desktop.core.model import (
    AuditEntry,
    Base,
    Community,
    FundingLine,
    InvestmentEntry,
    Milestone,
    Project,
    RenovationItem,
)

CHILD_CLASSES = (RenovationItem, Milestone, FundingLine, InvestmentEntry)


def db_state(db) -> dict[str, list[tuple]]:
    """Every row of every table, read on a new connection."""
    with db.engine.connect() as conn:
        return {
            t.name: sorted((tuple(r) for r in conn.execute(t.select())), key=repr) for t in Base.metadata.sorted_tables
        }


def refused(db, call, exc_type=ValidationError):
    """Run `call(session)`, expect `exc_type`, commit the session anyway: nothing may have changed."""
    before = db_state(db)
    with db.session("测试员") as s:
        with pytest.raises(exc_type) as info:
            call(s)
        s.commit()
    assert db_state(db) == before
    return info.value


def history(db, record_id: str) -> list[tuple]:
    with db.session("测试员") as s:
        # a create's new_value is the JSON of what it set (tests/core/safety checks it); here only that it happened
        return [
            (e.action, e.field, e.operator, e.old_value, None if e.action == "create" else e.new_value)
            for e in audit.history(s, record_id)
        ]


def version(db, cls: type, record_id: str) -> int:
    with db.session("测试员") as s:
        return s.get(cls, record_id).version


def live_count(db, name: str, **filters) -> int:
    with db.session("测试员") as s:
        return listings.count(s, name, listings.ListQuery(filters=filters))


def binned_ids(db, name: str) -> set[str]:
    with db.session("测试员") as s:
        return {r["id"] for r in listings.page(s, name, listings.ListQuery(include_deleted=True))}


# ---------------------------------------------------------------- the audit log


def test_create_update_delete_restore_are_logged_field_by_field(db) -> None:
    with db.transaction("张三") as s:
        cid = communities.create(s, {"name": "幸福里小区", "households": 100}).id
    assert history(db, cid) == [("create", None, "张三", None, None)]
    assert version(db, Community, cid) == 1

    with db.transaction("李四") as s:
        communities.update(
            s, cid, {"households": 120, "floor_area": "8000.5", "in_statistics": "是", "planned_start": "2019-05-01"}
        )
    entries = history(db, cid)[1:]
    assert sorted(entries) == sorted(
        [
            ("update", "households", "李四", "100", "120"),
            ("update", "floor_area", "李四", None, "8000.50"),
            ("update", "in_statistics", "李四", "否", "是"),
            ("update", "planned_start", "李四", None, "2019-05-01"),
        ]
    )
    assert version(db, Community, cid) == 2

    with db.transaction("王五") as s:
        communities.delete(s, cid)
    with db.session("测试员") as s:
        stamp = s.get(Community, cid).deleted_at
    assert stamp is not None
    assert history(db, cid)[-1] == ("delete", "deleted_at", "王五", None, str(stamp))
    assert version(db, Community, cid) == 3

    with db.transaction("赵六") as s:
        communities.restore(s, cid)
    assert history(db, cid)[-1] == ("restore", "deleted_at", "赵六", str(stamp), None)
    assert version(db, Community, cid) == 4
    with db.session("测试员") as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.record_id == cid)).all()
        assert {e.table_name for e in entries} == {"community"}
        assert all(e.at is not None for e in entries)
        assert [e.seq for e in entries] == sorted(e.seq for e in entries)


def test_saving_the_same_values_logs_nothing_and_keeps_the_version(db) -> None:
    with db.transaction("张三") as s:
        cid = communities.create(s, {"name": "幸福里小区", "households": 100, "floor_area": "800"}).id
    before = history(db, cid)
    with db.transaction("李四") as s:
        communities.update(s, cid, {"households": "１００", "floor_area": "800.00", "name": "幸福里小区"})
    assert history(db, cid) == before
    assert version(db, Community, cid) == 1


def test_every_kind_of_record_is_audited(db) -> None:
    with db.transaction("张三") as s:
        pid = projects.create(s, {"name": "片区项目", "contractor": "某建设公司"}).id
        c = communities.create(s, {"name": "甲", "project_id": pid, "total_investment": "100"})
        iid = items.create(s, c.id, {"item_type_id": "parking", "planned_quantity": "50"}).id
        mid = milestones.add(s, c, {"kind": "survey", "reached_on": date(2020, 1, 1)}).id
        [line] = funding.set_lines(s, c, {"provincial": {"approved": "100"}})
        entry = funding.add_investment(s, c, {"entry_date": date(2020, 2, 1), "amount": "10"})
    with db.transaction("李四") as s:
        projects.update(s, pid, {"contractor": "另一建设公司"})
        items.update(s, iid, {"planned_quantity": "60"})
        milestones.remove(s, mid)
        funding.set_lines(s, s.get(Community, c.id), {"provincial": {"approved": "100", "arrived": "40"}})
    assert history(db, pid)[-1] == ("update", "contractor", "李四", "某建设公司", "另一建设公司")
    assert history(db, iid)[-1] == ("update", "planned_quantity", "李四", "50.00", "60.00")
    assert history(db, mid)[-1][:3] == ("delete", "deleted_at", "李四")
    assert history(db, line.id)[-1] == ("update", "arrived", "李四", None, "40.00")
    assert history(db, entry.id) == [("create", None, "张三", None, None)]


def test_a_refused_change_leaves_no_trace_in_the_log(db) -> None:
    with db.transaction("张三") as s:
        cid = communities.create(s, {"name": "甲", "households": 100}).id
    refused(db, lambda s: communities.update(s, cid, {"households": 0}))
    refused(
        db, lambda s: communities.update(s, cid, {"planned_start": "2020-05-01", "planned_completion": "2020-04-01"})
    )
    assert history(db, cid) == [("create", None, "张三", None, None)]
    assert version(db, Community, cid) == 1


def test_a_second_clerk_cannot_overwrite_a_newer_version(db) -> None:
    with db.transaction("测试员") as s:
        cid = communities.create(s, {"name": "甲", "households": 100}).id
    first, second = db.session("张三"), db.session("李四")
    try:
        communities.update(first, cid, {"households": 110})
        opened = communities.get(second, cid)  # the second clerk opened the record before the first one saved
        first.commit()
        with pytest.raises(StaleDataError):
            communities.update(second, cid, {"households": 120})
            second.commit()
        second.rollback()
        assert (opened.households, opened.version) == (110, 2)  # after the refusal the first clerk's save shows
    finally:
        first.close()
        second.close()
    with db.session("测试员") as s:
        c = s.get(Community, cid)
        assert (c.households, c.version) == (110, 2)


# ---------------------------------------------------------------- the recycle bin


@pytest.fixture
def ledger(db) -> dict[str, str]:
    """A community with two items (one already in the bin), two milestones, a funding line and an investment
    entry, beside a second community whose records must never be touched."""
    with db.transaction("张三") as s:
        c = communities.create(
            s, {"name": "幸福里小区", "households": 480, "floor_area": "42000", "total_investment": "1000"}
        )
        keep = communities.create(s, {"name": "邻居小区", "households": 50})
        ids = {
            "community": c.id,
            "other": keep.id,
            "road": items.create(s, c.id, {"item_type_id": "road", "planned_quantity": "8500"}).id,
            "parking": items.create(s, c.id, {"item_type_id": "parking", "planned_quantity": "50"}).id,
            "binned_item": items.create(s, c.id, {"item_type_id": "fitness", "planned_quantity": "30"}).id,
            "plan": milestones.add(s, c, {"kind": "plan", "reached_on": date(2021, 1, 10)}).id,
            "start": milestones.add(s, c, {"kind": "start", "reached_on": date(2021, 4, 1)}).id,
            "line": funding.set_lines(s, c, {"provincial": {"approved": "1000", "arrived": "500"}})[0].id,
            "entry": funding.add_investment(s, c, {"entry_date": date(2021, 5, 1), "amount": "300"}).id,
            "other_item": items.create(s, keep.id, {"item_type_id": "road", "planned_quantity": "10"}).id,
        }
    with db.transaction("张三") as s:
        items.delete(s, ids["binned_item"])
    return ids


CASCADED = ("road", "parking", "plan", "start", "line", "entry")
CLASS_OF = {
    "road": RenovationItem,
    "parking": RenovationItem,
    "binned_item": RenovationItem,
    "other_item": RenovationItem,
    "plan": Milestone,
    "start": Milestone,
    "line": FundingLine,
    "entry": InvestmentEntry,
}


def deleted_at(db, ledger: dict[str, str]) -> dict[str, object]:
    with db.session("测试员") as s:
        out = {k: s.get(cls, ledger[k]).deleted_at for k, cls in CLASS_OF.items()}
        out["community"] = s.get(Community, ledger["community"]).deleted_at
        out["other"] = s.get(Community, ledger["other"]).deleted_at
        return out


def test_deleting_a_community_takes_its_records_with_it(db, ledger: dict[str, str]) -> None:
    versions = {k: version(db, CLASS_OF[k], ledger[k]) for k in CASCADED}
    with db.session("测试员") as s:
        binned_stamp = s.get(RenovationItem, ledger["binned_item"]).deleted_at
    with db.transaction("李四") as s:
        communities.delete(s, ledger["community"])
    stamps = deleted_at(db, ledger)
    assert stamps["community"] is not None
    assert all(stamps[k] == stamps["community"] for k in CASCADED)
    assert stamps["binned_item"] == binned_stamp != stamps["community"]  # deleted before, on its own
    assert stamps["other"] is None and stamps["other_item"] is None
    assert {k: version(db, CLASS_OF[k], ledger[k]) for k in CASCADED} == {k: v + 1 for k, v in versions.items()}


def test_restoring_a_community_brings_back_exactly_what_went_with_it(db, ledger: dict[str, str]) -> None:
    with db.session("测试员") as s:
        status_before = s.get(Community, ledger["community"]).status
    with db.transaction("李四") as s:
        communities.delete(s, ledger["community"])
    with db.transaction("王五") as s:
        communities.restore(s, ledger["community"])
    stamps = deleted_at(db, ledger)
    assert all(stamps[k] is None for k in (*CASCADED, "community"))
    assert stamps["binned_item"] is not None  # it was in the bin before the community went: it stays there
    with db.session("测试员") as s:
        c = s.get(Community, ledger["community"])
        assert c.status == status_before == "started"
        assert milestones.status_of(s, c) == "started"
        assert funding.completed_to_date(s, c) == Decimal("300.00")
    assert {k: version(db, CLASS_OF[k], ledger[k]) for k in CASCADED} == {k: 3 for k in CASCADED}


def test_cascaded_deletes_and_restores_are_in_the_audit_log(db, ledger: dict[str, str]) -> None:
    """The log promises that nothing that changes a record can skip it — the cascade included."""
    with db.transaction("李四") as s:
        communities.delete(s, ledger["community"])
    with db.transaction("王五") as s:
        communities.restore(s, ledger["community"])
    for key in CASCADED:
        actions = [(a, f, op) for a, f, op, _, _ in history(db, ledger[key])]
        assert ("delete", "deleted_at", "李四") in actions, key
        assert ("restore", "deleted_at", "王五") in actions, key
    assert [a for a, *_ in history(db, ledger["binned_item"])] == ["create", "delete"]


def test_deleted_records_leave_the_lists_and_come_back(db, ledger: dict[str, str]) -> None:
    assert live_count(db, "communities") == 2
    assert live_count(db, "items") == 3
    assert live_count(db, "items", community=ledger["community"]) == 2
    with db.session("测试员") as s:
        assert summary.totals(s).total.households == 530
    with db.transaction("测试员") as s:
        communities.delete(s, ledger["community"])
    assert live_count(db, "communities") == 1
    assert live_count(db, "items") == 1
    assert binned_ids(db, "communities") == {ledger["community"]}
    assert {ledger["road"], ledger["parking"], ledger["binned_item"]} <= binned_ids(db, "items")
    with db.session("测试员") as s:
        assert summary.totals(s).total.households == 50
        assert [c.name for c in s.scalars(select(Community).where(Community.deleted_at.is_(None)))] == ["邻居小区"]
        with pytest.raises(ValidationError):
            communities.find(s, "幸福里小区")
        with pytest.raises(NotFound):
            communities.get(s, ledger["community"])
        assert milestones.milestones_of(s, s.get(Community, ledger["community"])) == []
    with db.transaction("测试员") as s:
        communities.restore(s, ledger["community"])
    assert live_count(db, "communities") == 2
    assert live_count(db, "items", community=ledger["community"]) == 2
    assert binned_ids(db, "communities") == set()
    with db.session("测试员") as s:
        assert summary.totals(s).total.households == 530
        assert communities.find(s, "幸福里小区").id == ledger["community"]


def test_a_deleted_community_refuses_changes_until_restored(db, ledger: dict[str, str]) -> None:
    with db.transaction("测试员") as s:
        communities.delete(s, ledger["community"])
    refused(db, lambda s: communities.update(s, ledger["community"], {"households": 1}), NotFound)
    refused(db, lambda s: communities.delete(s, ledger["community"]), NotFound)
    refused(db, lambda s: items.update(s, ledger["road"], {"planned_quantity": "1"}), NotFound)
    refused(db, lambda s: items.create(s, ledger["community"], {"item_type_id": "road"}), NotFound)
    refused(db, lambda s: items.restore(s, ledger["road"]))  # the item waits for its community
    refused(db, lambda s: communities.restore(s, "no-such-id"), NotFound)


def test_restoring_a_live_community_changes_nothing(db, ledger: dict[str, str]) -> None:
    before = db_state(db)
    with db.transaction("测试员") as s:
        communities.restore(s, ledger["community"])
    assert db_state(db) == before


def test_two_deletes_and_restores_keep_their_own_records(db, ledger: dict[str, str]) -> None:
    with db.transaction("测试员") as s:
        communities.delete(s, ledger["community"])
    with db.transaction("测试员") as s:
        communities.restore(s, ledger["community"])
    with db.transaction("测试员") as s:
        items.delete(s, ledger["road"])
    with db.transaction("测试员") as s:
        communities.delete(s, ledger["community"])
    with db.transaction("测试员") as s:
        communities.restore(s, ledger["community"])
    stamps = deleted_at(db, ledger)
    assert stamps["road"] is not None and stamps["binned_item"] is not None
    assert all(stamps[k] is None for k in ("parking", "plan", "start", "line", "entry", "community"))


def test_projects_go_to_the_bin_only_when_empty_and_come_back_first(db) -> None:
    with db.transaction("测试员") as s:
        pid = projects.create(s, {"name": "片区项目"}).id
        cid = communities.create(s, {"name": "甲", "project_id": pid}).id
    err = refused(db, lambda s: projects.delete(s, pid))
    assert "下还有小区" in str(err)
    with db.transaction("测试员") as s:
        communities.delete(s, cid)
    with db.transaction("测试员") as s:
        projects.delete(s, pid)
    assert live_count(db, "projects") == 0
    assert binned_ids(db, "projects") == {pid}
    err = refused(db, lambda s: communities.restore(s, cid))
    assert "所属项目“片区项目”在回收站中，请先恢复项目" in str(err)
    with db.transaction("测试员") as s:
        projects.restore(s, pid)
    with db.transaction("测试员") as s:
        communities.restore(s, cid)
    assert live_count(db, "projects") == 1
    assert live_count(db, "communities", project=pid) == 1
    assert [a for a, *_ in history(db, pid)] == ["create", "delete", "restore"]
    assert version(db, Project, pid) == 3


def test_every_database_opened_in_one_process_keeps_its_audit_log() -> None:
    """The GUI may open one ledger after another; each must log its changes, however many came before.

    (The hook used to be skipped when a new session factory's class reused the id() of a collected one.)
    """
    import gc

    from oldcomm_desktop.core.model import Operator
    from oldcomm_desktop.storage.database import Database

    unaudited = []
    for n in range(80):
        db = Database("sqlite://", path=None, lock=None)  # in memory, no migrations: only the hook matters
        with db.session("测试员") as s:
            if audit._before_flush not in list(s.dispatch.before_flush):
                unaudited.append(n)
        db.close()
        del db
        gc.collect()
    assert unaudited == []
    # and the hook, where installed, does log
    db = Database("sqlite://", path=None, lock=None)
    Base.metadata.create_all(db.engine, tables=[Operator.__table__, AuditEntry.__table__])
    with db.transaction("张三") as s:
        s.add(Operator(name="操作员"))
    with db.session("测试员") as s:
        assert [(e.action, e.operator, e.table_name) for e in s.query(AuditEntry)] == [("create", "张三", "operator")]
    db.close()
