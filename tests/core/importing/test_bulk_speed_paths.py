"""The bulk path's speed measures change nothing a clerk or the schema could see.

Big batches into a near-empty SQLite table build the secondary indexes after the rows and add the full-text
rows in one statement, both inside the transaction; a cancel rolls them back with the rows, and afterwards the
schema is exactly as before. Rules run once per distinct combination of the values they read: each row still
gets the single edit's own message. The cycle collector is back on after a batch, however it ends.
"""

from __future__ import annotations

import gc
from datetime import date

import pytest
from sqlalchemy import text

from oldcomm_desktop.core import communities, listings
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.listings import ListQuery
from oldcomm_desktop.core.model.base import new_id
from oldcomm_desktop.storage.database import Database


def _schema(db: Database) -> list[tuple]:
    with db.transaction("测试员") as s:
        return list(s.execute(text("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")))


@pytest.fixture
def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    from oldcomm_desktop.core import listing_index

    monkeypatch.setattr(bulk, "BULK_INDEX_ROWS", 10)
    monkeypatch.setattr(listing_index, "BULK_FTS_ROWS", 10)


def test_a_big_batch_leaves_the_schema_as_it_was_and_is_found_by_search(
    sqlite_db: Database, small_thresholds: None
) -> None:
    before = _schema(sqlite_db)
    rows = {"community": [{"name": f"幸福里{i}号院", "households": 10 + i} for i in range(40)]}
    with sqlite_db.transaction("导入员") as s:
        bulk.write(s, rows, source="台账.xlsx")
    assert _schema(sqlite_db) == before
    with sqlite_db.transaction("测试员") as s:
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        s.execute(text("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')"))  # raises if out of step
        found = listings.page(s, "communities", ListQuery(search="福里"), 0, 100)
        assert len(found) == 40 and "幸福里10号院" in {r["name"] for r in found}
        assert len(listings.page(s, "communities", ListQuery(search="xfl"), 0, 100)) == 40
    with sqlite_db.transaction("测试员") as s:  # the next, small write goes through the restored trigger
        communities.create(s, {"name": "和平新村"})
    with sqlite_db.transaction("测试员") as s:
        assert [r["name"] for r in listings.page(s, "communities", ListQuery(search="和平"), 0, 100)] == ["和平新村"]


def test_a_cancelled_big_batch_leaves_rows_schema_and_collector_as_they_were(
    sqlite_db: Database, small_thresholds: None
) -> None:
    before = _schema(sqlite_db)
    rows = {"community": [{"name": f"小区{i}"} for i in range(40)]}
    assert gc.isenabled()
    with pytest.raises(bulk.Cancelled), sqlite_db.transaction("测试员") as s:
        plan = bulk.prepare(s, rows)
        bulk.apply(s, plan, source="x", batch_size=10, cancelled=lambda: True)
    assert gc.isenabled()
    assert _schema(sqlite_db) == before
    with sqlite_db.transaction("测试员") as s:
        assert s.execute(text("SELECT count(*) FROM community")).scalar() == 0
        assert s.execute(text("SELECT count(*) FROM search_text")).scalar() == 0


def test_rules_run_per_distinct_values_but_every_row_gets_the_single_edits_message(db: Database) -> None:
    late = date.today().year + 9
    rows = {
        "community": [
            {"id": new_id(), "name": f"小区{i}", "plan_year": late if i % 3 == 0 else 2024, "households": i + 1}
            for i in range(30)
        ]
    }
    with db.transaction("测试员") as s, pytest.raises(ValidationError) as single:
        communities.create(s, {"name": "样例", "plan_year": late})
    with db.transaction("测试员") as s:
        plan = bulk.prepare(s, rows)
        s.rollback()
    assert [o.index for o in plan.rejected] == list(range(0, 30, 3))
    assert {o.problems[0].message for o in plan.rejected} == {single.value.problems[0].message}
