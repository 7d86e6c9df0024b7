"""Storage: migrations (empty → head, first release → head), refusing foreign or newer files, the one-writer
lock, the SQLite pragmas, and the sqlite3 shell's own verdict on a demo database."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from oldcomm_desktop.core import demo, listings, workspace
from oldcomm_desktop.core.errors import DatabaseBusy, OldcommError
from oldcomm_desktop.core.model import Base, Community, Project
from oldcomm_desktop.core.pinyin_search import search_text
from oldcomm_desktop.storage.database import acquire_write_lock, open_database
from oldcomm_desktop.storage.migrations import current_revision, head_revision, upgrade

try:
    from tests.conftest import TOWNSHIP_CODE, TOWNSHIP_NAME, _reset_postgres, postgres_url
except ModuleNotFoundError:  # bare `pytest` does not put the repository root on sys.path
    import importlib.util

    _spec = importlib.util.spec_from_file_location("_oldcomm_conftest", Path(__file__).parents[1] / "conftest.py")
    _conftest = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_conftest)
    TOWNSHIP_CODE, TOWNSHIP_NAME = _conftest.TOWNSHIP_CODE, _conftest.TOWNSHIP_NAME
    _reset_postgres, postgres_url = _conftest._reset_postgres, _conftest.postgres_url


def _url(target: str) -> str:
    return target if "://" in target else f"sqlite:///{target}"


# ---------------------------------------------------------------- migrations


def test_empty_database_is_migrated_to_head_and_matches_the_model(empty_db) -> None:
    assert current_revision(empty_db.engine) == head_revision()
    with empty_db.engine.connect() as conn:
        # the FTS5 index over search_text (SQLite only, migration 0006) is no table of the model
        fts = {
            "include_name": lambda name, kind, _parent: not (kind == "table" and (name or "").startswith("search_fts"))
        }
        diff = compare_metadata(MigrationContext.configure(conn, opts=fts), Base.metadata)
    assert diff == [], f"the migrations and the model disagree: {diff}"
    tables = set(inspect(empty_db.engine).get_table_names())
    assert {"community", "project", "rectification", "audit_log", "alembic_version"} <= tables


def test_reopening_at_head_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    with open_database(path) as db, db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code=TOWNSHIP_CODE, name=TOWNSHIP_NAME)
    with open_database(path) as db:
        assert current_revision(db.engine) == head_revision()
        with db.transaction("测试员") as s:
            assert workspace.own_code(s) == TOWNSHIP_CODE


def _insert_first_release_rows(target: str) -> dict[str, str]:
    """A ledger as release 0001 wrote it: settings, a project and two communities, via raw SQL."""
    engine = create_engine(_url(target))
    try:
        upgrade(engine, "0001")
        assert current_revision(engine) == "0001"
        cols = {c["name"] for c in inspect(engine).get_columns("community")}
        assert "search_initials" not in cols  # really the first schema
        now = datetime(2024, 3, 1, 8, 30)
        ids = {"project": str(uuid.uuid4()), "xfl": str(uuid.uuid4()), "hpy": str(uuid.uuid4())}
        common = {"created_at": now, "updated_at": now, "version": 1, "tc": TOWNSHIP_CODE}
        with engine.begin() as conn:
            for key, value in (
                ("mode", '"township"'),
                ("own_division_code", f'"{TOWNSHIP_CODE}"'),
                ("own_division_name", f'"{TOWNSHIP_NAME}"'),
            ):
                conn.execute(text("INSERT INTO setting (key, value) VALUES (:k, :v)"), {"k": key, "v": value})
            conn.execute(
                text(
                    "INSERT INTO project (id, name, plan_year, money_split, total_investment, created_at, updated_at,"
                    " version, township_code) VALUES (:id, :name, 2023, :split, 123456789, :created_at, :updated_at,"
                    " :version, :tc)"
                ),
                {"id": ids["project"], "name": "城关街道2023年老旧小区改造项目", "split": True, **common},
            )
            for key, name, households, area in (("xfl", "幸福里小区", 320, 2456789), ("hpy", "和平苑", 88, 701050)):
                conn.execute(
                    text(
                        "INSERT INTO community (id, name, project_id, households, floor_area, plan_year, status,"
                        " in_statistics, livelihood_project, created_at, updated_at, version, township_code)"
                        " VALUES (:id, :name, :pid, :hh, :area, 2023, 'planned', :f, :f, :created_at, :updated_at,"
                        " :version, :tc)"
                    ),
                    {
                        "id": ids[key],
                        "name": name,
                        "pid": ids["project"],
                        "hh": households,
                        "area": area,
                        "f": False,
                        **common,
                    },
                )
    finally:
        engine.dispose()
    return ids


def test_first_release_database_is_carried_forward_with_its_rows(raw_target: str) -> None:
    ids = _insert_first_release_rows(raw_target)
    with open_database(raw_target) as db:
        assert current_revision(db.engine) == head_revision()
        with db.transaction("测试员") as s:
            assert workspace.own_code(s) == TOWNSHIP_CODE
            xfl = s.get(Community, ids["xfl"])
            assert (xfl.name, xfl.households, xfl.floor_area) == ("幸福里小区", 320, Decimal("24567.89"))
            assert xfl.project_id == ids["project"]
            hpy = s.get(Community, ids["hpy"])
            assert (hpy.households, hpy.floor_area) == (88, Decimal("7010.50"))
            project = s.get(Project, ids["project"])
            assert project.total_investment == Decimal("1234567.89")
            # the pinyin column added by 0002 is back-filled for the rows that were already there
            assert xfl.search_initials == search_text("幸福里小区")
            assert "xflxq" in xfl.search_initials.split()
            assert "hpy" in hpy.search_initials.split()
            assert project.search_initials == search_text(project.name)
            found = listings.page(s, "communities", listings.ListQuery(search="xfl"))
            assert [r["name"] for r in found] == ["幸福里小区"]


# ---------------------------------------------------------------- files the program must not open


def test_database_from_a_newer_release_is_refused(raw_target: str) -> None:
    with open_database(raw_target):
        pass
    engine = create_engine(_url(raw_target))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(OldcommError, match="较新版本") as excinfo:
        open_database(raw_target)
    assert "9999" in str(excinfo.value)
    assert "升级本程序" in str(excinfo.value)
    engine = create_engine(_url(raw_target))
    assert current_revision(engine) == "9999"  # left exactly as it was
    engine.dispose()
    if "://" not in raw_target:  # the refused open let go of the file
        acquire_write_lock(Path(raw_target)).release()


def _foreign_file(tmp_path: Path) -> Path:
    path = tmp_path / "photos.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photo (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO photo (name) VALUES ('a.jpg')")
    conn.commit()
    conn.close()
    return path


def test_foreign_sqlite_file_is_refused_and_its_tables_left_alone(tmp_path: Path) -> None:
    path = _foreign_file(tmp_path)
    with pytest.raises(OldcommError, match="不是老旧小区改造工作台的数据库"):
        open_database(path)
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    rows = conn.execute("SELECT name FROM photo").fetchall()
    conn.close()
    assert tables == {"photo"}  # no alembic_version, nothing created
    assert rows == [("a.jpg",)]
    acquire_write_lock(path).release()  # the refused open let go of the lock


def test_foreign_sqlite_file_is_not_even_rewritten(tmp_path: Path) -> None:
    path = _foreign_file(tmp_path)
    before = path.read_bytes()
    with pytest.raises(OldcommError):
        open_database(path)
    assert path.read_bytes() == before
    assert not Path(str(path) + "-wal").exists()


def test_missing_file_with_create_false_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nothing.sqlite3"
    with pytest.raises(OldcommError, match="不存在"):
        open_database(path, create=False)
    assert not path.exists()


# ---------------------------------------------------------------- one writer


def test_second_writer_is_refused_with_a_clear_message(sqlite_db) -> None:
    with pytest.raises(DatabaseBusy) as excinfo:
        open_database(sqlite_db.path)
    message = str(excinfo.value)
    assert str(sqlite_db.path) in message
    assert "正由另一个程序" in message and "请先关闭" in message
    # a reader is fine beside the writer, and sees what the writer committed
    with open_database(sqlite_db.path, write=False) as reader, reader.transaction("测试员") as s:
        assert workspace.own_code(s) == TOWNSHIP_CODE
    # the writer still works after the refusal
    with sqlite_db.transaction("测试员") as s:
        workspace.add_operator(s, "李四")


def test_lock_is_released_on_close(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    first = open_database(path)
    first.close()
    second = open_database(path)  # no DatabaseBusy
    second.close()


def test_writer_can_open_while_a_reader_is_open(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    open_database(path).close()
    with open_database(path, write=False), open_database(path) as writer, writer.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code=TOWNSHIP_CODE, name=TOWNSHIP_NAME)


# ---------------------------------------------------------------- SQLite settings


def test_sqlite_pragmas_on_every_connection(sqlite_db) -> None:
    for _ in range(2):  # a fresh DB-API connection gets them too, not only the first
        with sqlite_db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        sqlite_db.engine.dispose()


def test_none_and_bool_parameters_bind_as_the_driver_binds_them_without_adapters(sqlite_db) -> None:
    """storage.database registers adapters for None and bool (a bulk write's cheapest path); what is stored
    must be what the driver stores without them: NULL, and the integers 1 and 0 (SQLite has no bool type)."""
    key = (type(None), sqlite3.PrepareProtocol)
    assert key in sqlite3.adapters and (bool, sqlite3.PrepareProtocol) in sqlite3.adapters
    kept = {k: sqlite3.adapters.pop(k) for k in (key, (bool, sqlite3.PrepareProtocol))}
    rows = [(None, True, False, 0, "", None)] * 3
    read = []
    try:
        for adapted in (False, True):
            if adapted:
                sqlite3.adapters.update(kept)
            conn = sqlite3.connect(":memory:")
            conn.execute("CREATE TABLE t (a, b, c, d, e, f)")
            conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", rows)
            conn.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", rows[0])
            read.append(conn.execute("SELECT typeof(a), a, typeof(b), b, c, typeof(c), d, e, f FROM t").fetchall())
            conn.close()
    finally:
        sqlite3.adapters.update(kept)
    assert read[0] == read[1] == [("null", None, "integer", 1, 0, "integer", 0, "", None)] * 4
    with sqlite_db.transaction("测试") as s:  # and through the program's own connection
        got = s.connection().exec_driver_sql("SELECT ? IS NULL, typeof(?), ?", (None, True, False)).one()
    assert tuple(got) == (1, "integer", 0)


def test_page_cache_is_bigger_for_the_work_and_set_back_after(sqlite_db) -> None:
    from oldcomm_desktop.storage.database import page_cache

    with sqlite_db.transaction("测试") as s:
        conn = s.connection()
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        with page_cache(s):
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -131072
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == before
        with pytest.raises(RuntimeError), page_cache(s):  # set back when the work fails too
            raise RuntimeError("失败")
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == before
        conn.exec_driver_sql("PRAGMA cache_size=0")  # any size is set back as it was, the smallest too
        with page_cache(s):
            pass
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == 0


def test_foreign_keys_are_enforced(sqlite_db) -> None:
    from sqlalchemy.exc import IntegrityError

    now = datetime(2025, 1, 1)
    with pytest.raises(IntegrityError), sqlite_db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO community (id, name, project_id, status, in_statistics, livelihood_project,"
                " created_at, updated_at, version) VALUES ('c1', '孤儿小区', 'no-such-project', 'reserve', 0, 0,"
                " :now, :now, 1)"
            ),
            {"now": now},
        )


def test_wal_file_mode_survives_in_the_file(sqlite_db) -> None:
    conn = sqlite3.connect(sqlite_db.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 command-line shell is not installed")
def test_sqlite3_shell_finds_a_demo_database_intact(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    with open_database(path) as db, db.transaction("演示操作员") as s:
        demo.build(s, communities_count=12, seed=3)
    out = subprocess.run(
        [shutil.which("sqlite3"), str(path), "PRAGMA integrity_check;", "PRAGMA foreign_key_check;"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"  # integrity ok, and foreign_key_check prints nothing
    count = subprocess.run(
        [shutil.which("sqlite3"), str(path), "SELECT count(*) FROM community WHERE deleted_at IS NULL;"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert count.stdout.strip() == "12"
