"""A read never writes: opening to look leaves every byte of the file as it was; read-only media open read-only.

Before this change a `summary` switched a rollback-journal file (an old backup, a file from another PC) to
WAL, an empty file got our whole schema, and an older file was migrated — all by looking at it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from oldcomm_desktop import cli
from oldcomm_desktop.core import communities, summary, workspace
from oldcomm_desktop.core.errors import ReadOnlyDatabase, StorageError, UnreadableTarget
from oldcomm_desktop.core.model import Community
from oldcomm_desktop.storage import database
from oldcomm_desktop.storage.database import open_database
from oldcomm_desktop.storage.migrations import head_revision

TOWNSHIP = "341122001000"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ledger(path: Path, *, journal: str = "WAL") -> Path:
    with open_database(path) as db:
        with db.transaction("测试员") as s:
            workspace.initialise(s, mode=workspace.TOWNSHIP, code=TOWNSHIP, name="城关街道", operator="测试员")
            communities.create(s, {"name": "幸福里小区", "households": 10})
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA journal_mode={journal}")
    conn.close()
    Path(str(path) + ".lock").unlink(missing_ok=True)  # left by the writer that made it
    return path


@pytest.mark.parametrize("journal", ["DELETE", "WAL"])
def test_summary_list_and_check_leave_the_file_byte_for_byte(
    tmp_path: Path, journal: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    path = _ledger(tmp_path / "ledger.sqlite3", journal=journal)
    before = _digest(path)
    for args in (["summary"], ["summary", "--json"], ["list", "communities"], ["check"], ["check", "--deep"]):
        assert cli.main(["--db", str(path), *args]) == 0, capsys.readouterr().err
        assert _digest(path) == before, args
    assert not (path.parent / (path.name + ".lock")).exists()  # no write lock taken to look
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0].upper() == journal  # no switch to WAL
    conn.close()


def test_an_empty_file_opened_to_look_gets_no_schema(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableTarget, match="空的"):
        open_database(empty, write=False)
    assert empty.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.sqlite3"]


def test_an_older_file_opened_to_look_is_not_migrated(tmp_path: Path) -> None:
    path = _ledger(tmp_path / "old.sqlite3", journal="DELETE")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0003'")  # as if made by the previous release
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(StorageError, match="oldcomm upgrade"):
        open_database(path, write=False)
    assert _digest(path) == before


def test_a_read_only_session_refuses_to_write(tmp_path: Path) -> None:
    path = _ledger(tmp_path / "ledger.sqlite3")
    before = _digest(path)
    with open_database(path, write=False) as db:
        assert db.read_only
        with pytest.raises(ReadOnlyDatabase), db.transaction("测试员") as s:
            communities.create(s, {"name": "新小区", "households": 5})
        with db.transaction("测试员") as s:
            assert summary.totals(s).total.communities == 1
    assert _digest(path) == before


def test_a_read_only_medium_opens_read_only_and_a_write_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write-protected USB stick (simulated: as root, chmod does not stop us, so the check is patched)."""
    path = _ledger(tmp_path / "usb.sqlite3")
    before = _digest(path)
    monkeypatch.setattr(database, "_writable", lambda _p: False)
    with open_database(path) as db:  # asked to write, but the medium cannot be written
        assert db.read_only and "只读" in (db.read_only_reason or "")
        with db.transaction("测试员") as s:
            assert [c.name for c in s.query(Community)] == ["幸福里小区"]
        with pytest.raises(ReadOnlyDatabase, match="只读") as info, db.transaction("测试员") as s:
            communities.create(s, {"name": "新小区", "households": 5})
        assert "没有保存" in str(info.value)
    assert _digest(path) == before
    assert not Path(str(path) + ".lock").exists()


def test_cli_write_on_a_read_only_medium_is_exit_1_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    path = _ledger(tmp_path / "usb.sqlite3")
    before = _digest(path)
    monkeypatch.setattr(database, "_writable", lambda _p: False)
    rc = cli.main(["--db", str(path), "edit", "community", "幸福里小区", "households=11"])
    err = capsys.readouterr().err
    assert rc == 1 and "只读" in err and "Traceback" not in err
    assert _digest(path) == before


def test_new_database_on_a_read_only_folder_is_refused_and_nothing_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(database, "_writable", lambda _p: False)
    folder = tmp_path / "usb"
    folder.mkdir()
    rc = cli.main(["--db", str(folder / "new.sqlite3"), "demo", "--communities", "2"])
    assert rc == 1 and "只读" in capsys.readouterr().err
    assert list(folder.iterdir()) == []


def test_the_current_schema_is_read_as_is(tmp_path: Path) -> None:
    path = _ledger(tmp_path / "ledger.sqlite3")
    with open_database(path, write=False) as db, db.transaction("测试员") as s:
        from oldcomm_desktop.storage.migrations import current_revision

        assert current_revision(db.engine) == head_revision()
        assert summary.totals(s).total.households == 10
