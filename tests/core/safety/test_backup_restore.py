"""Backup and restore keep everything: the database with its -wal content, the attachments, checked first.

Each case here lost data or replaced the database with something that did not open before this change:
a restore that left the source's -wal behind, a restore of a newer release's file, of a file with only the
right table names, a backup without the photos, a half-written file after a full disk.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from oldcomm_desktop.core import attachments, communities, workspace
from oldcomm_desktop.core.errors import DiskFull, NewerSchema, OldcommError, StorageError
from oldcomm_desktop.core.model import Community
from oldcomm_desktop.storage import backup
from oldcomm_desktop.storage.database import open_database
from oldcomm_desktop.storage.paths import attachments_dir_for

TOWNSHIP = "341122001000"


def _ledger(path: Path, names: tuple[str, ...] = ("幸福里小区",)) -> Path:
    with open_database(path) as db:
        with db.transaction("测试员") as s:
            workspace.initialise(s, mode=workspace.TOWNSHIP, code=TOWNSHIP, name="城关街道", operator="测试员")
        with db.transaction("测试员") as s:
            for name in names:
                communities.create(s, {"name": name, "households": 10})
    return path


def _names(path: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM community WHERE deleted_at IS NULL")}
    finally:
        conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.fixture
def current(tmp_path: Path) -> Path:
    folder = tmp_path / "current"
    folder.mkdir()
    return _ledger(folder / "ledger.sqlite3", ("当前小区",))


def _unchanged(path: Path, before: str, folder_before: set[str]) -> None:
    assert _digest(path) == before
    assert _files(path.parent) == folder_before  # no .part, .restoring or kept copy left behind


# ---------------------------------------------------------------- the -wal content comes along


def test_restore_from_a_database_with_pending_wal_content_keeps_that_content(tmp_path: Path, current: Path) -> None:
    colleague = tmp_path / "colleague"
    colleague.mkdir()
    source = _ledger(colleague / "theirs.sqlite3", ("已检查点的小区",))
    # their program committed and was killed before a checkpoint: the commit lives only in -wal
    conn = sqlite3.connect(source)
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("UPDATE community SET name = '只在WAL里的名字'")
    conn.commit()
    copy_dir = tmp_path / "copied"
    shutil.copytree(colleague, copy_dir)  # copied while open: main file + -wal, as a USB stick carries them
    conn.close()
    copied = copy_dir / "theirs.sqlite3"
    assert Path(str(copied) + "-wal").stat().st_size > 0
    backup.restore(current, copied)
    assert _names(current) == {"只在WAL里的名字"}
    assert sqlite3.connect(current).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# ---------------------------------------------------------------- refused before anything is replaced


def _newer(tmp_path: Path) -> Path:
    path = _ledger(tmp_path / "newer.sqlite3")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    return path


def _right_table_names_only(tmp_path: Path) -> Path:
    path = tmp_path / "lookalike.sqlite3"
    conn = sqlite3.connect(path)
    from oldcomm_desktop.storage.migrations import head_revision

    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    conn.execute("INSERT INTO alembic_version VALUES (?)", (head_revision(),))
    conn.execute("CREATE TABLE community (id TEXT PRIMARY KEY, name TEXT)")  # the names, not the columns
    conn.commit()
    conn.close()
    return path


def _missing_one_column(tmp_path: Path) -> Path:
    path = _ledger(tmp_path / "nocol.sqlite3")
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX IF EXISTS ix_community_deleted_at_search_initials_id")
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='index' AND sql LIKE '%search_initials%'"
    ).fetchall():
        conn.execute(f'DROP INDEX "{name}"')
    conn.execute("ALTER TABLE community DROP COLUMN search_initials")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (_newer, NewerSchema, "较新版本"),
        (_right_table_names_only, OldcommError, "缺少"),
        (_missing_one_column, OldcommError, "community.search_initials"),
    ],
    ids=["newer release", "right table names only", "one column missing"],
)
def test_a_refused_restore_leaves_the_current_database_byte_for_byte(
    tmp_path: Path, current: Path, make, error: type, words: str
) -> None:
    source = make(tmp_path)
    before, folder = _digest(current), _files(current.parent)
    with pytest.raises(error) as info:
        backup.restore(current, source)
    assert words in str(info.value)
    _unchanged(current, before, folder)


def test_a_damaged_backup_zip_is_refused_by_its_checksums(tmp_path: Path, current: Path) -> None:
    source = _ledger(tmp_path / "src.sqlite3")
    out = backup.backup(source, tmp_path / "b.zip")
    data = bytearray(out.read_bytes())
    with zipfile.ZipFile(out) as zf:
        info = zf.getinfo("database.sqlite3")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 200
    data[start : start + 50] = bytes(b ^ 0x55 for b in data[start : start + 50])
    out.write_bytes(bytes(data))
    before, folder = _digest(current), _files(current.parent)
    with pytest.raises(OldcommError, match="已损坏"):
        backup.restore(current, out)
    _unchanged(current, before, folder)


def test_restore_onto_a_damaged_current_database_works(tmp_path: Path, current: Path) -> None:
    source = _ledger(tmp_path / "good.sqlite3", ("好的小区",))
    out = backup.backup(source, tmp_path / "good.zip")
    data = bytearray(current.read_bytes())
    data[4096 : 4096 * 3] = b"\x00" * (4096 * 2)  # pages of the current file overwritten
    current.write_bytes(bytes(data))
    kept = backup.restore(current, out)
    assert _names(current) == {"好的小区"}
    assert kept is not None and kept.exists()  # the damaged one is kept aside, as it was
    with open_database(current) as db, db.transaction("测试员") as s:
        assert {c.name for c in s.query(Community)} == {"好的小区"}


# ---------------------------------------------------------------- attachments travel with the database


def test_backup_holds_the_attachments_and_restore_brings_them_back(tmp_path: Path) -> None:
    src = _ledger(tmp_path / "src.sqlite3")
    photo = tmp_path / "井盖.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a photo" * 1000)
    with open_database(src) as db, db.transaction("测试员") as s:
        community = s.query(Community).one()
        sha = attachments.add(s, community, photo, caption="改造前").sha256
    out = backup.backup(src, tmp_path / "b.zip")
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        manifest = zf.read("manifest.json").decode()
    assert {"manifest.json", "database.sqlite3", f"attachments/{sha[:2]}/{sha}"} <= names
    assert sha in manifest  # every member with its checksum
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    target = _ledger(elsewhere / "new.sqlite3", ("别的",))
    backup.restore(target, out)
    restored = attachments_dir_for(target) / sha[:2] / sha
    assert restored.read_bytes() == photo.read_bytes()
    assert _names(target) == {"幸福里小区"}


def test_a_plain_sqlite_backup_of_an_earlier_release_still_restores(tmp_path: Path, current: Path) -> None:
    old = _ledger(tmp_path / "old-style.sqlite3", ("旧备份里的小区",))
    plain = backup.copy_database(old, tmp_path / "old-backup.sqlite3")
    backup.verify(plain)
    backup.restore(current, plain)
    assert _names(current) == {"旧备份里的小区"}


# ---------------------------------------------------------------- the last backup is a fact of the database


def test_the_last_backup_is_recorded_in_the_database_itself(tmp_path: Path) -> None:
    real = _ledger(tmp_path / "real.sqlite3")
    demo = _ledger(tmp_path / "demo.sqlite3")
    out = backup.backup(demo, tmp_path / "demo-backup.zip")
    with open_database(real, write=False) as db, db.transaction("测试员") as s:
        assert backup.last_backup(s) is None  # a demo database's backup is not the real one's
    with open_database(demo, write=False) as db, db.transaction("测试员") as s:
        found = backup.last_backup(s)
    assert found is not None and found.file == str(out.resolve()) and found.size == out.stat().st_size
    assert found.at.tzinfo is not None


# ---------------------------------------------------------------- full disk, read-only medium: nothing left


def test_backup_on_a_full_disk_leaves_no_part_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _ledger(tmp_path / "src.sqlite3")
    outdir = tmp_path / "usb"
    outdir.mkdir()

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup, "_write_package", full)
    with pytest.raises(DiskFull, match="磁盘空间不足"):
        backup.backup(src, outdir / "b.zip")
    assert list(outdir.iterdir()) == []


def test_restore_on_a_full_disk_leaves_the_database_and_no_temporary_file(
    tmp_path: Path, current: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = backup.backup(_ledger(tmp_path / "src.sqlite3"), tmp_path / "b.zip")
    before, folder = _digest(current), _files(current.parent)
    real_extract = backup._extract

    def extract_then_fill(zf, member, to, src):
        real_extract(zf, member, to, src)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backup, "_extract", extract_then_fill)
    with pytest.raises(DiskFull):
        backup.restore(current, source)
    _unchanged(current, before, folder)


def test_backup_to_a_read_only_medium_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _ledger(tmp_path / "src.sqlite3")
    outdir = tmp_path / "locked"
    outdir.mkdir()

    def read_only(*_a, **_k):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(backup, "_snapshot", read_only)
    with pytest.raises(StorageError, match="只读"):
        backup.backup(src, outdir / "b.zip")
    assert list(outdir.iterdir()) == []
