"""The demo in one bulk run (`bulk.one_run`): indexes, landmark and full-text triggers lifted for the whole
run and the work they did per chunk done once at the end. What it leaves must be what a plain write leaves:
the schema whole, and the list shapes (categories, item sort keys, full-text rows, landmarks) equal to those
`listing_index.rebuild` computes from the records; a cancel leaves schema and rows as they were."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from oldcomm_desktop.core import demo, listing_index, listings, stored_landmarks, workspace
from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.listings import ListQuery
from oldcomm_desktop.storage.database import Database, open_database


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Database]:
    db = open_database(tmp_path / "demo.sqlite3")
    yield db
    db.close()


def _schema(db: Database) -> list[tuple[Any, ...]]:
    with db.session() as s:
        return [tuple(r) for r in s.execute(text("SELECT type, name, sql FROM sqlite_master ORDER BY type, name"))]


def _shapes(db: Database) -> dict[str, Any]:
    with db.session() as s:
        q = s.execute
        return {
            "categories": sorted(tuple(r) for r in q(text("SELECT community_id, category_id FROM community_category"))),
            "item_sort": sorted(tuple(r) for r in q(text("SELECT id, community_sort FROM renovation_item"))),
            "search_text": sorted(tuple(r) for r in q(text("SELECT kind, record_id, body FROM search_text"))),
            "landmarks": sorted(
                tuple(r) for r in q(text("SELECT item_id, community_sort, community_id, before FROM item_landmark"))
            ),
            "found": {
                word: listings.count(s, "communities", ListQuery(search=word)) for word in ("幸福", "xfl", "和平苑")
            },
        }


def test_the_run_leaves_what_a_rebuild_computes(fresh: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stored_landmarks, "MIN_ROWS", 1)
    monkeypatch.setattr(stored_landmarks, "TARGET", 10)
    monkeypatch.setattr(demo, "CHUNK_PROJECTS", 4)  # several chunks, so several plans in the run
    schema = _schema(fresh)
    with fresh.transaction("演示操作员") as s:
        demo.build(s, communities_count=90, seed=3)
    assert _schema(fresh) == schema  # every index and trigger back, from its own SQL
    after_run = _shapes(fresh)
    assert after_run["categories"] and after_run["landmarks"] and all(n > 0 for n in after_run["found"].values())
    assert all(key is not None for _id, key in after_run["item_sort"])
    with fresh.transaction("测试员") as s:
        conn = s.connection()
        conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')")  # index = rows
        conn.exec_driver_sql("DELETE FROM item_landmark")
        listing_index.rebuild(conn)
    rebuilt = _shapes(fresh)
    assert {k: v for k, v in after_run.items() if k != "search_text"} == {
        k: v for k, v in rebuilt.items() if k != "search_text"
    }
    assert [r[:2] for r in after_run["search_text"]] == [r[:2] for r in rebuilt["search_text"]]
    with fresh.session() as s:
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"


class _Stop(Exception):
    pass


def test_a_cancelled_run_leaves_schema_and_rows_as_they_were(fresh: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "CHUNK_PROJECTS", 3)
    with fresh.transaction("演示操作员") as s:
        workspace.initialise(s, mode=workspace.COUNTY, code=demo.COUNTY[0], name=demo.COUNTY[1], operator="演示操作员")
    schema = _schema(fresh)
    calls = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 3:
            raise _Stop

    with pytest.raises(_Stop), fresh.transaction("演示操作员") as s:
        try:
            demo.build(s, communities_count=60, progress=progress)
        finally:
            # before the rollback: the lifted indexes and triggers are already made again (a caller that
            # committed what was written would still have a whole schema)
            rows = s.execute(text("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")).all()
            assert [tuple(r) for r in rows] == schema
            assert s.execute(text("SELECT count(*) FROM community")).scalar() > 0
    assert _schema(fresh) == schema
    with fresh.session() as s:
        for table in ("community", "renovation_item", "milestone", "search_text", "community_category"):
            assert s.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
        assert s.execute(text("SELECT count(*) FROM search_fts")).scalar() == 0
        assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"


def test_no_run_state_is_left_in_the_session(fresh: Database) -> None:
    """After the run the bulk path in the same session is as before (plans apply their own shapes again)."""
    with fresh.transaction("演示操作员") as s:
        demo.build(s, communities_count=5)
        assert bulk._RUN not in s.info
