"""Shared fixtures: a database per test, on SQLite and (where a server is given) on PostgreSQL.

PostgreSQL: set OLDCOMM_TEST_PG_URL (e.g. postgresql+psycopg://oc:oc@127.0.0.1:5432/oc); `.ci/run` starts a
server and sets it. Without it the PostgreSQL variants are skipped with a visible reason — except in CI
(CI=true), where a missing server is an error, so CI can never silently skip them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from oldcomm_desktop.core import workspace
from oldcomm_desktop.storage.database import Database, open_database

TOWNSHIP_CODE = "341122001000"
TOWNSHIP_NAME = "城关街道"
COUNTY_CODE = "341122000000"
PG_ENV = "OLDCOMM_TEST_PG_URL"


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def postgres_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests, but {PG_ENV} is not set")
        pytest.skip(f"PostgreSQL not available here: set {PG_ENV} to run these tests")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def raw_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a database will be made, not yet opened by the program: a new SQLite file or an empty schema."""
    if request.param == "sqlite":
        yield str(tmp_path / "old.sqlite3")
    else:
        url = postgres_url()
        _reset_postgres(url)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A new, migrated, uninitialised database on each backend."""
    if request.param == "sqlite":
        db = open_database(tmp_path / "test.sqlite3")
    else:
        url = postgres_url()
        _reset_postgres(url)
        db = open_database(url)
    yield db
    db.close()


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A database set up for one township (城关街道), with the national catalogues."""
    with empty_db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code=TOWNSHIP_CODE, name=TOWNSHIP_NAME, operator="测试员")
    return empty_db


@pytest.fixture
def session(db: Database):
    """A session on the township database; the test commits when it wants to, the fixture closes."""
    s = db.session("测试员")
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """SQLite only (file-level features: lock, backup, restore, attachments folder)."""
    db = open_database(tmp_path / "ledger.sqlite3")
    with db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code=TOWNSHIP_CODE, name=TOWNSHIP_NAME, operator="测试员")
    yield db
    db.close()


@pytest.fixture
def journal_seen(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The journal mode of the writing connection each time it goes through `bulk.prepare` (a demo's chunks, a
    sync import's bulk write): which of a new file's rollback journal and WAL the write really ran in."""
    from oldcomm_desktop.core.importing import bulk

    seen: list[str] = []
    real = bulk.prepare

    def watching(session: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(session.connection().exec_driver_sql("PRAGMA journal_mode").scalar()))
        return real(session, *args, **kwargs)

    monkeypatch.setattr(bulk, "prepare", watching)
    yield seen
