"""An import that at least doubles the records here is written with a rollback journal
(`importer._fills_database` → `storage.database.filling_new_file`), and gives exactly what the same import
written in WAL mode gives: the same rows, shadows, search rows, categories and report. The file is a WAL
database again afterwards; a refused package or a dry run leaves it as it was; an import into a database
holding more records than the package brings stays in WAL throughout. (The first test also builds the
shadows' index after them, `bulk.indexes_built_after`, against the twin that keeps it up row by row.)"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.model import Base
from oldcomm_desktop.core.sync import importer
from oldcomm_desktop.core.sync.package import PackageError
from oldcomm_desktop.storage.database import open_database

from .conftest import COUNTY, T1, Node, db_state, rewrite


@pytest.fixture
def small_fill(monkeypatch: pytest.MonkeyPatch) -> None:
    """A package of a few records counts as big (the rule is the same; 5,000 records would be slow here)."""
    monkeypatch.setattr(importer, "FILL_MIN_RECORDS", 1)


@pytest.fixture
def package(world: dict[str, Node]) -> Path:
    t1 = world[T1]
    for i in range(5):
        t1.new_community(f"幸福里{i}号小区", households=100 + i, address=f"人民路{i}号")
    return t1.export().path


def _shell(path: Path, sql: str) -> str:
    return subprocess.run(["sqlite3", str(path), sql], capture_output=True, text=True, check=True).stdout.strip()


def _outcome(node: Node, report: importer.ImportReport) -> dict[str, Any]:
    """What an import wrote, without what differs between any two imports (ids of events, times of now)."""
    with node.db.engine.connect() as conn:

        def rows(sql: str) -> list[tuple]:
            return sorted((tuple(r) for r in conn.execute(text(sql))), key=repr)

        return {
            "report": {k: v for k, v in report.as_json().items() if k != "import_id"},
            "community": sorted(  # created_at travels; updated_at is the import's now (left out below)
                (tuple(r) for r in conn.execute(Base.metadata.tables["community"].select())), key=repr
            ),
            "shadow": rows("SELECT table_name, record_id, township_code, state, clock, seq, echo_of FROM sync_shadow"),
            "search": rows("SELECT kind, record_id, body FROM search_text"),
            "fts": rows("SELECT rowid FROM search_fts WHERE search_fts MATCH '幸福'"),
            "category": rows("SELECT * FROM community_category"),
            "audit": rows(  # the import's event has an id of its own
                "SELECT table_name, CASE WHEN table_name = 'import_event' THEN '' ELSE record_id END,"
                " action, field, old_value, new_value FROM audit_log"
            ),
        }


def _without_times(outcome: dict[str, Any]) -> dict[str, Any]:
    """Communities without their times (the import's now differs between two imports)."""
    timeless = [tuple(v for v in row if not hasattr(v, "isoformat")) for row in outcome["community"]]
    return {**outcome, "community": timeless}


def test_a_first_package_is_written_with_a_rollback_journal_and_gives_what_wal_gives(
    world: dict[str, Node], package: Path, tmp_path: Path, journal_seen: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    county = world[COUNTY]
    path = Path(county.db.engine.url.database or "")
    twin_path = tmp_path / "twin.sqlite3"
    shutil.copy(path, twin_path)  # the same county before the import
    twin = Node(open_database(twin_path), COUNTY, tmp_path / "out-twin")
    try:
        monkeypatch.setattr(importer, "FILL_MIN_RECORDS", 1)
        monkeypatch.setattr(bulk, "BULK_INDEX_ROWS", 1)  # the shadows' and tables' indexes built after, too
        report = county.import_(package)
        assert journal_seen == ["delete"]
        monkeypatch.setattr(importer, "FILL_MIN_RECORDS", 10**9)  # the plain path: WAL throughout,
        monkeypatch.setattr(bulk, "BULK_INDEX_ROWS", 10**9)  # every index kept up row by row
        plain = twin.import_(package)
        assert journal_seen == ["delete", "wal"]
        assert report.tables["community"].added == 5
        assert _without_times(_outcome(county, report)) == _without_times(_outcome(twin, plain))
        schema = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
        with county.db.engine.connect() as conn, twin.db.engine.connect() as twin_conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql(schema).all() == twin_conn.exec_driver_sql(schema).all()
    finally:
        twin.db.close()
    county.db.close()
    assert path.read_bytes()[18:20] == b"\x02\x02"  # WAL in the file's header
    assert not Path(f"{path}-journal").exists()
    if shutil.which("sqlite3"):
        assert _shell(path, "PRAGMA journal_mode") == "wal"
        assert _shell(path, "SELECT count(*) FROM community") == "5"


def test_a_second_import_of_it_changes_nothing(
    world: dict[str, Node], package: Path, journal_seen: list[str], small_fill: None
) -> None:
    county = world[COUNTY]
    county.import_(package)
    before = db_state(county.db)
    again = county.import_(package)  # as many records here as it brings: a rollback journal again
    assert journal_seen == ["delete", "delete"]
    assert again.total("added") == again.total("changed") == 0
    kept = ("sync_import", "sync_import_row", "sync_peer", "sync_identity", "audit_log")
    after = db_state(county.db)
    assert {k: v for k, v in after.items() if k not in kept} == {k: v for k, v in before.items() if k not in kept}
    with county.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_refused_first_package_leaves_the_file_as_it_was(
    world: dict[str, Node], package: Path, tmp_path: Path, journal_seen: list[str], small_fill: None
) -> None:
    county, t1 = world[COUNTY], world[T1]

    def negative(m: dict) -> None:
        lines = m["records/community.jsonl"].splitlines()
        row = json.loads(lines[-1])
        row["v"]["households"] = -5  # well-formed for its column, refused by the single edit's rule
        lines[-1] = json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode()
        m["records/community.jsonl"] = b"\n".join(lines) + b"\n"

    bad = rewrite(package, tmp_path / "bad.ocpkg", t1, members=negative)
    before = db_state(county.db)
    with pytest.raises(PackageError, match="未通过本数据库的校验"):
        county.import_(bad)
    assert journal_seen == ["delete"]
    assert db_state(county.db) == before
    with county.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert not Path(f"{county.db.engine.url.database}-journal").exists()


def test_a_dry_run_rolls_back_and_the_file_is_wal_again(
    world: dict[str, Node], package: Path, journal_seen: list[str], small_fill: None
) -> None:
    county = world[COUNTY]
    before = db_state(county.db)
    report = county.import_(package, dry_run=True)
    assert report.tables["community"].added == 5
    assert journal_seen == ["delete"]
    assert db_state(county.db) == before
    with county.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_database_holding_more_records_than_the_package_stays_in_wal(
    world: dict[str, Node], package: Path, journal_seen: list[str], small_fill: None
) -> None:
    county = world[COUNTY]
    for i in range(6):
        county.new_community(f"县里的{i}号小区", township_code=T1)
    county.import_(package)
    assert journal_seen == ["wal"]
