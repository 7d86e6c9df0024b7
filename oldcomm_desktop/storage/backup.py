"""Backup and restore of a SQLite database through SQLite's online backup API.

The backup is consistent even while the program is writing; a restore first checks the file it is given,
then keeps the database it replaces aside (never deletes it), so a wrong restore can itself be undone.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from oldcomm_desktop.core.errors import OldcommError


def backup(db_file: Path, out: Path) -> Path:
    out = Path(out)
    if out.exists():
        raise OldcommError(f"备份文件 {out} 已存在，请换一个文件名（不会覆盖已有文件）")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    src = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            dst.close()
    finally:
        src.close()
    tmp.replace(out)
    return out


def verify(path: Path) -> None:
    """Refuse anything that is not an intact database of this program."""
    path = Path(path)
    if not path.is_file():
        raise OldcommError(f"文件 {path} 不存在")
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise OldcommError(f"文件 {path} 不是数据库备份（文件头不对）")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise OldcommError(f"备份文件 {path} 已损坏：{result}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"alembic_version", "community"} <= tables:
            raise OldcommError(f"文件 {path} 不是老旧小区改造工作台的数据库")
    except sqlite3.DatabaseError as exc:
        raise OldcommError(f"文件 {path} 无法读取：{exc}") from None
    finally:
        conn.close()


def restore(db_file: Path, source: Path) -> Path | None:
    """Replace `db_file` by `source`; return where the replaced database was kept (None if there was none).

    The caller must hold the database's write lock.
    """
    verify(source)
    db_file = Path(db_file)
    kept = None
    if db_file.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = db_file.with_name(f"{db_file.stem}.replaced-{stamp}{db_file.suffix}")
        n = 1
        while kept.exists():  # two restores within a second: keep both copies
            n += 1
            kept = db_file.with_name(f"{db_file.stem}.replaced-{stamp}-{n}{db_file.suffix}")
        backup(db_file, kept)  # a consistent copy, including what is still in the -wal file
    tmp = db_file.with_name(db_file.name + ".restoring")
    shutil.copyfile(source, tmp)
    for suffix in ("-wal", "-shm"):
        Path(str(db_file) + suffix).unlink(missing_ok=True)
    tmp.replace(db_file)
    return kept
