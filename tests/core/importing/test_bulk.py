"""The bulk write path: the services' rules over a batch, derived columns, one transaction, audit in bulk."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from oldcomm_desktop.core import communities, derived, milestones
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.model import AuditEntry, Community, Milestone
from oldcomm_desktop.core.model.base import new_id
from oldcomm_desktop.storage.database import Database

TODAY = date.today()


def _count(db: Database, model: type) -> int:
    with db.transaction("测试员") as s:
        return s.scalar(select(func.count()).select_from(model))


def test_rows_are_written_with_derived_status_search_keys_and_one_audit_event(db: Database) -> None:
    a, b = new_id(), new_id()
    rows = {
        "community": [
            {"id": a, "name": "幸福里小区", "households": "1,200", "floor_area": "8500.5", "plan_year": 2025},
            {"id": b, "name": "重庆路宿舍", "households": 80},
        ],
        "milestone": [
            {"community_id": a, "kind": "start", "reached_on": TODAY - timedelta(days=30)},
            {"community_id": a, "kind": "completion", "reached_on": TODAY - timedelta(days=3)},
        ],
    }
    with db.transaction("导入员") as s:
        plan = bulk.write(s, rows, source="台账.xlsx")
    assert plan.counts()["community"]["create"] == 2
    with db.transaction("测试员") as s:
        x, y = s.get(Community, a), s.get(Community, b)
        assert (x.status, y.status) == ("completed", "reserve")
        assert x.households == 1200 and x.floor_area == Decimal("8500.50") and x.version == 1
        assert x.township_code == "341122001000"  # township mode: the own township, as a single edit
        assert x.search_initials == derived.community_columns({"name": "幸福里小区"})["search_initials"]
        assert "xflxq" in x.search_initials and "cqlss" in y.search_initials
        assert milestones.status_of(s, x) == x.status  # the single edit's derivation agrees
        events = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "import")))
        assert len(events) == 1 and events[0].new_value == "台账.xlsx" and events[0].operator == "导入员"
        creates = s.scalar(
            select(func.count()).where(AuditEntry.action == "create", AuditEntry.table_name == "community")
        )
        assert creates == 2
        assert s.scalar(select(func.count()).where(AuditEntry.record_id == a, AuditEntry.action == "create")) == 1


def test_a_row_breaking_a_rule_is_refused_with_the_single_edits_message_and_nothing_is_written(db: Database) -> None:
    future = TODAY.year + 1
    with db.transaction("测试员") as s, pytest.raises(ValidationError) as single:
        communities.create(s, {"name": "甲", "year_built": future})
    before = _count(db, Community)
    with db.transaction("测试员") as s, pytest.raises(bulk.BulkRejected) as batch:
        bulk.write(
            s, {"community": [{"name": "乙", "households": 10}, {"name": "甲", "year_built": future}]}, source="x"
        )
    assert [o.index for o in batch.value.rejected] == [1]
    assert [p.message for p in batch.value.rejected[0].problems] == [p.message for p in single.value.problems]
    assert _count(db, Community) == before


def test_every_rule_kind_is_run_over_the_batch(db: Database) -> None:
    cid = new_id()
    rows = {
        "community": [
            {"id": cid, "name": "丙", "planned_start": "2025-05-01", "planned_completion": "2025-01-01"},
            {"name": "丁", "households": "-3"},
            {"name": "戊", "consent_owners_total": 10, "consent_owners_participating": 12},
        ],
        "milestone": [{"community_id": new_id(), "kind": "completion", "reached_on": TODAY}],
    }
    with db.transaction("测试员") as s:
        plan = bulk.prepare(s, rows)
        s.rollback()
    messages = {(o.table, o.index): " ".join(p.message for p in o.problems) for o in plan.rejected}
    assert "早于计划开工日期" in messages[("community", 0)]
    assert "正整数" in messages[("community", 1)]
    assert "不能多于" in messages[("community", 2)]
    assert "不存在" in messages[("milestone", 0)]


def test_milestone_order_rules_are_the_lifecycle_rules(db: Database) -> None:
    cid = new_id()
    with db.transaction("测试员") as s:
        plan = bulk.prepare(
            s,
            {
                "community": [{"id": cid, "name": "己"}],
                "milestone": [{"community_id": cid, "kind": "completion", "reached_on": TODAY}],
            },
        )
        s.rollback()
    assert "尚未记录“开工”" in plan.rejected[0].problems[0].message


def test_reimport_bumps_version_and_audits_changed_fields_only(db: Database) -> None:
    a, b = new_id(), new_id()
    with db.transaction("测试员") as s:
        bulk.write(
            s,
            {"community": [{"id": a, "name": "甲", "households": 10}, {"id": b, "name": "乙", "households": 20}]},
            source="1",
        )
    with db.transaction("测试员") as s:
        stamp_b = s.get(Community, b).updated_at
    with db.transaction("测试员") as s:
        plan = bulk.write(
            s,
            {"community": [{"id": a, "name": "甲", "households": 11}, {"id": b, "name": "乙", "households": 20}]},
            source="2",
        )
    assert plan.counts()["community"] == {"create": 0, "update": 1, "unchanged": 1, "reject": 0}
    with db.transaction("测试员") as s:
        x, y = s.get(Community, a), s.get(Community, b)
        assert (x.version, x.households) == (2, 11)
        assert (y.version, y.updated_at) == (1, stamp_b)
        changes = list(s.scalars(select(AuditEntry).where(AuditEntry.record_id == a, AuditEntry.action == "update")))
        assert [(c.field, c.old_value, c.new_value) for c in changes] == [("households", "10", "11")]
    with db.transaction("测试员") as s:  # the same rows again: nothing at all to write
        plan = bulk.prepare(s, {"community": [{"id": a, "name": "甲", "households": 11}]})
        assert plan.rows["community"] == []


def test_a_milestone_for_a_stored_community_moves_its_status(db: Database) -> None:
    with db.transaction("测试员") as s:
        c = communities.create(s, {"name": "庚", "plan_year": TODAY.year})
        cid = c.id
    with db.transaction("测试员") as s:
        bulk.write(s, {"milestone": [{"community_id": cid, "kind": "start", "reached_on": TODAY}]}, source="x")
    with db.transaction("测试员") as s:
        c = s.get(Community, cid)
        assert c.status == "started" and c.version == 2


def test_cancel_leaves_the_database_as_it_was(db: Database) -> None:
    before = (_count(db, Community), _count(db, AuditEntry))
    rows = {"community": [{"name": f"小区{i}"} for i in range(50)]}
    with pytest.raises(bulk.Cancelled), db.transaction("测试员") as s:
        plan = bulk.prepare(s, rows)
        bulk.apply(s, plan, source="x", batch_size=10, cancelled=lambda: True)
    assert (_count(db, Community), _count(db, AuditEntry)) == before


def test_the_page_cache_is_bigger_for_the_write_and_set_back_after(sqlite_db: Database) -> None:
    """A window keeps its connection after an Excel import: the 128 MB cache is the write's only (SQLite's)."""
    with sqlite_db.transaction("测试员") as s:
        conn = s.connection()
        size = lambda: conn.exec_driver_sql("PRAGMA cache_size").scalar_one()  # noqa: E731
        conn.exec_driver_sql("PRAGMA cache_size=-3000")
        during: list[int] = []
        plan = bulk.prepare(s, {"community": [{"name": f"小区{i}"} for i in range(25)]})
        bulk.apply(s, plan, source="x", batch_size=10, progress=lambda d, t: during.append(size()))
        assert set(during) == {-131072} and size() == -3000
        plan = bulk.prepare(s, {"community": [{"name": f"小区{i}"} for i in range(25, 50)]})
        with pytest.raises(bulk.Cancelled):
            bulk.apply(s, plan, source="x", batch_size=10, cancelled=lambda: True)
        assert size() == -3000  # a cancelled write sets it back too


def test_progress_is_reported_between_batches(db: Database) -> None:
    seen: list[tuple[int, int]] = []
    with db.transaction("测试员") as s:
        plan = bulk.prepare(s, {"community": [{"name": f"小区{i}"} for i in range(25)]})
        bulk.apply(s, plan, source="x", batch_size=10, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(10, 25), (20, 25), (25, 25)]


def test_unknown_fields_and_tables_are_refused(db: Database) -> None:
    with db.transaction("测试员") as s:
        plan = bulk.prepare(s, {"community": [{"name": "甲", "colour": "red"}]})
        assert "不是可以写入的字段" in plan.rejected[0].problems[0].message
        with pytest.raises(Exception, match="不支持"):
            bulk.prepare(s, {"nonsense": [{}]})
        s.rollback()


def test_funding_lines_must_add_up_to_the_total_investment(db: Database) -> None:
    cid = new_id()
    rows = {
        "community": [{"id": cid, "name": "辛", "total_investment": 1000}],
        "funding_line": [{"community_id": cid, "source_id": "central_budget", "approved": 600}],
    }
    with db.transaction("测试员") as s:
        plan = bulk.prepare(s, rows)
        s.rollback()
    assert "不一致" in plan.rejected[0].problems[0].message


def test_milestones_in_the_batch_count_for_new_communities(db: Database) -> None:
    cid = new_id()
    with db.transaction("测试员") as s:
        bulk.write(
            s,
            {
                "community": [{"id": cid, "name": "壬"}],
                "milestone": [{"community_id": cid, "kind": "plan", "reached_on": TODAY}],
            },
            source="x",
        )
    with db.transaction("测试员") as s:
        assert s.get(Community, cid).status == "planned"
        assert s.scalar(select(func.count()).select_from(Milestone)) == 1
