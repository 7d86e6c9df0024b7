"""A demo that fills a new database file does it with a rollback journal (`database.filling_new_file`): the
pages are written once, not to the -wal and then again into the file. The finished file is a normal WAL
database (checked by the `sqlite3` shell); a failed or cancelled demo leaves nothing behind (the CLI) or the
file as it was (the core); a demo into an existing database keeps the WAL setup throughout."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from oldcomm_desktop import cli
from oldcomm_desktop.core import demo, workspace
from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.storage import database
from oldcomm_desktop.storage.database import Database, open_database

needs_shell = pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 shell is not installed")


def _shell(path: Path, sql: str) -> str:
    return subprocess.run(["sqlite3", str(path), sql], capture_output=True, text=True, check=True).stdout.strip()


def _header_journal(path: Path) -> tuple[int, int]:
    """Bytes 18 and 19 of the file header: (2, 2) for WAL, (1, 1) for a rollback journal."""
    head = path.read_bytes()[:20]
    return head[18], head[19]


def _schema_of(path: Path) -> list[tuple[Any, ...]]:
    db = open_database(path, write=False)
    try:
        with db.session() as s:
            return [tuple(r) for r in s.execute(text("SELECT type, name, sql FROM sqlite_master ORDER BY 1, 2"))]
    finally:
        db.close()


@needs_shell
def test_the_cli_demo_fills_a_new_file_with_a_rollback_journal_and_leaves_it_in_wal(
    tmp_path: Path, journal_seen: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "CHUNK_PROJECTS", 5)
    fresh = tmp_path / "fresh.sqlite3"
    open_database(fresh).close()
    path = tmp_path / "demo.sqlite3"
    assert cli.main(["--db", str(path), "demo", "--communities", "40"]) == 0
    assert journal_seen and set(journal_seen) == {"delete"}, journal_seen
    assert _header_journal(path) == (2, 2)  # WAL again, in the file itself
    assert _shell(path, "PRAGMA journal_mode") == "wal"
    assert _shell(path, "PRAGMA integrity_check") == "ok"
    assert _shell(path, "SELECT count(*) FROM community") == "40"
    assert not Path(str(path) + "-journal").exists()
    assert _schema_of(path) == _schema_of(fresh)  # every index and trigger as in a fresh database
    db = open_database(path)  # opens normally, in WAL, and takes a normal write
    try:
        with db.transaction("测试员") as s:
            assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            workspace.add_operator(s, "测试员")
    finally:
        db.close()
    assert _shell(path, "PRAGMA integrity_check") == "ok"


class _Stop(Exception):
    pass


@pytest.mark.parametrize("fail_in", ["prepare", "apply"])
def test_a_failed_cli_demo_leaves_no_file_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_in: str) -> None:
    monkeypatch.setattr(demo, "CHUNK_PROJECTS", 3)
    real = getattr(bulk, fail_in)
    calls: list[int] = []

    def failing(*a: Any, **k: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:  # after two chunks are written
            raise OSError(28, "No space left on device")
        return real(*a, **k)

    monkeypatch.setattr(bulk, fail_in, failing)
    path = tmp_path / "sub" / "demo.sqlite3"
    assert cli.main(["--db", str(path), "demo", "--communities", "40"]) == 1
    assert len(calls) == 3
    assert not path.exists()
    left = sorted(p.name for p in path.parent.rglob("*")) if path.parent.exists() else []
    assert left == [], left  # no -journal, -wal, -shm, lock file or temporary file


def test_a_cancelled_core_demo_leaves_the_new_file_as_it_was_and_in_wal(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    db = open_database(path)
    try:
        before = _schema_of(path)
        seen: list[str] = []

        def progress(done: int, total: int) -> None:
            seen.append(str(s.connection().exec_driver_sql("PRAGMA journal_mode").scalar()))
            raise _Stop

        with pytest.raises(_Stop), db.transaction("演示操作员") as s:
            demo.build(s, communities_count=2000, progress=progress)
        assert seen == ["delete"]
        with db.session() as s:  # the same pooled connection: WAL again, nothing kept
            assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert s.execute(text("SELECT count(*) FROM community")).scalar() == 0
            assert not workspace.is_initialised(s)
            assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        db.close()
    assert _header_journal(path) == (2, 2)
    assert not Path(str(path) + "-journal").exists()
    assert _schema_of(path) == before


def test_a_demo_into_an_existing_database_keeps_the_wal_setup(tmp_path: Path, journal_seen: list[str]) -> None:
    path = tmp_path / "county.sqlite3"
    db = open_database(path)
    try:
        with db.transaction("演示操作员") as s:
            workspace.initialise(s, mode=workspace.COUNTY, code=demo.COUNTY[0], name=demo.COUNTY[1], operator="x")
    finally:
        db.close()
    assert cli.main(["--db", str(path), "demo", "--communities", "12"]) == 0
    assert journal_seen and set(journal_seen) == {"wal"}


def test_filling_new_file_refuses_inside_an_open_transaction(tmp_path: Path) -> None:
    db: Database = open_database(tmp_path / "x.sqlite3")
    try:
        with db.transaction("测试员") as s:
            s.execute(text("CREATE TABLE scratch (a)"))
            s.execute(text("INSERT INTO scratch VALUES (1)"))
            assert database.filling_new_file(s) is False
            assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        db.close()


def test_a_committed_fill_is_wal_again_in_the_same_connection(tmp_path: Path) -> None:
    db = open_database(tmp_path / "x.sqlite3")
    try:
        with db.transaction("测试员") as s:
            assert database.filling_new_file(s) is True
            assert s.execute(text("PRAGMA journal_mode")).scalar() == "delete"
            s.execute(text("CREATE TABLE scratch (a)"))
            s.execute(text("INSERT INTO scratch VALUES (1)"))
        with db.session() as s:
            assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert s.execute(text("SELECT a FROM scratch")).scalar() == 1
    finally:
        db.close()
