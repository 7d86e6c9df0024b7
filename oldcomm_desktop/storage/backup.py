"""Backup and restore: one file that holds the database and its attachments, checked before anything is replaced.

A backup is a zip file (any name; `.zip` opens in any unzipper):

    manifest.json       format, program and schema version, when, and the size and SHA-256 of every member
    database.sqlite3    a consistent copy made through SQLite's online backup API (journal_mode=DELETE,
                        so it is one self-contained file), taken while the program may be writing
    attachments/xx/<sha256>   the photos and scans, content-addressed as in the attachments folder

Restore reads the source through SQLite (a zip's database, or a plain SQLite file — an older backup or a
colleague's database, with whatever its -wal holds) into a temporary file beside the database, verifies
that copy completely (integrity_check, a schema version we know and not newer than ours, every table and
column of our schema) and the attachments' checksums, and only then keeps the current database aside and
swaps. A refused or failed restore leaves the current database byte for byte as it was and no temporary
file behind. Attachments are merged into the folder (content-addressed: nothing is overwritten).

The last backup is a fact of the database: `backup` records when, where and how big in the database's
own `setting` table (`last_backup(session)` reads it), so a demo database's backup never shows as the
real one's.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oldcomm_desktop.core.errors import NewerSchema, OldcommError, StorageError
from oldcomm_desktop.storage.paths import attachments_dir_for

log = logging.getLogger(__name__)

FORMAT = "oldcomm-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "database.sqlite3"
ATTACHMENTS = "attachments/"
LAST_BACKUP_KEY = "last_backup"
SQLITE_HEADER = b"SQLite format 3\x00"

Progress = Callable[[str], None]


def _os_error(exc: OSError, path: Path | str, doing: str) -> StorageError:
    from oldcomm_desktop.storage.database import os_error

    return os_error(exc, path, doing)


@contextlib.contextmanager
def _cleanup(*paths: Path) -> Iterator[None]:
    """Remove `paths` (files or folders) when the block ends, whatever happens: no `.part` file is left."""
    try:
        yield
    finally:
        for p in paths:
            _remove(p)


def _remove(p: Path) -> None:
    try:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(str(p) + suffix).unlink(missing_ok=True)
    except OSError:
        log.warning("could not remove temporary %s", p)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _snapshot(source: Path, out: Path) -> None:
    """A consistent copy of `source` (including what its -wal holds) through SQLite's backup API."""
    from oldcomm_desktop.storage.database import _read_only_uri

    src = sqlite3.connect(_read_only_uri(source), uri=True)
    try:
        dst = sqlite3.connect(out)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            dst.commit()
        finally:
            dst.close()
    finally:
        src.close()
    _fsync(out)


def copy_database(source: Path, out: Path) -> Path:
    """A plain, consistent SQLite copy of `source` at `out` (never overwriting; nothing left on failure)."""
    if out.exists():
        raise OldcommError(f"文件 {out} 已存在，请换一个文件名（不会覆盖已有文件）")
    part = out.with_name(out.name + ".part")
    with _cleanup(part):
        try:
            _snapshot(source, part)
            part.replace(out)
        except OSError as exc:
            raise _os_error(exc, out, "写入") from None
    return out


# -- backup -------------------------------------------------------------------------------------------
def backup(db_file: Path, out: Path, *, progress: Progress | None = None, record: bool = True) -> Path:
    """Write one backup file `out` holding the database at `db_file` and its attachments folder.

    Never overwrites; on any failure (disk full, read-only medium) nothing is left at or beside `out`.
    With `record`, the database remembers this backup (`last_backup`).
    """
    db_file, out = Path(db_file), Path(out)
    say = progress or (lambda _text: None)
    if out.exists():
        raise OldcommError(f"备份文件 {out} 已存在，请换一个文件名（不会覆盖已有文件）")
    if not db_file.is_file():
        raise OldcommError(f"数据库文件 {db_file} 不存在")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(exc, out.parent, "建立文件夹") from None
    part = out.with_name(out.name + ".part")
    snap = out.with_name(f".{out.name}.database.part")
    with _cleanup(part, snap):
        try:
            _remove(part)  # a leftover of a program killed mid-backup
            _remove(snap)
            say("正在复制数据库…")
            _snapshot(db_file, snap)
            revision = _check_database(snap, what=f"数据库 {db_file}")
            say("正在写入备份文件…")
            size, digest = _write_package(part, snap, attachments_dir_for(db_file), revision)
            _fsync(part)
            if out.exists():
                raise OldcommError(f"备份文件 {out} 已存在，请换一个文件名（不会覆盖已有文件）")
            part.replace(out)
            _fsync(out.parent)
        except OSError as exc:
            raise _os_error(exc, out, "写入备份") from None
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"无法读取数据库 {db_file}（{exc}）。可能已损坏，请用 oldcomm check 检查。") from None
    say("正在检查备份文件…")
    verify(out)
    if record:
        _record(db_file, out, size, digest)
    return out


def _write_package(part: Path, snap: Path, attachments: Path, revision: str | None) -> tuple[int, str]:
    from oldcomm_desktop import __version__

    members: list[dict[str, Any]] = []
    with zipfile.ZipFile(part, "x", allowZip64=True) as zf:
        zf.write(snap, DATABASE, compress_type=zipfile.ZIP_DEFLATED)
        members.append({"name": DATABASE, "size": snap.stat().st_size, "sha256": _sha256(snap)})
        if attachments.is_dir():
            for f in sorted(attachments.rglob("*")):
                if not f.is_file() or f.name.endswith(".part"):
                    continue
                name = ATTACHMENTS + f.relative_to(attachments).as_posix()
                zf.write(f, name, compress_type=zipfile.ZIP_STORED)  # photos are compressed already
                members.append({"name": name, "size": f.stat().st_size, "sha256": _sha256(f)})
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "program_version": __version__,
            "schema_revision": revision,
            "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "members": members,
        }
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return part.stat().st_size, _sha256(part)


def _record(db_file: Path, out: Path, size: int, digest: str) -> None:
    """Store the backup in the database itself; a database that cannot be written just does not record it."""
    value = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "file": str(out.resolve()),
        "size": size,
        "sha256": digest,
    }
    try:
        if not os.access(db_file, os.W_OK) or not os.access(db_file.parent, os.W_OK):
            return
        conn = sqlite3.connect(db_file, timeout=5)
        try:
            with conn:
                conn.execute(
                    "INSERT INTO setting (key, value) VALUES (?, ?)"
                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (LAST_BACKUP_KEY, json.dumps(value, ensure_ascii=False)),
                )
        finally:
            conn.close()
    except (sqlite3.Error, OSError) as exc:
        log.warning("could not record the backup in %s: %s", db_file, exc)


@dataclass(frozen=True)
class LastBackup:
    """The database's own record of its last backup: `at` (aware, UTC), the file, its size and checksum."""

    at: datetime
    file: str
    size: int
    sha256: str | None = None


def last_backup(session: Any) -> LastBackup | None:
    """The last backup of the database `session` reads (None when it was never backed up)."""
    from oldcomm_desktop.core.model import Setting

    row = session.get(Setting, LAST_BACKUP_KEY)
    value = row.value if row is not None else None
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    if not isinstance(value, dict) or "at" not in value:
        return None
    try:
        at = datetime.fromisoformat(str(value["at"]))
    except ValueError:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return LastBackup(at, str(value.get("file") or ""), int(value.get("size") or 0), value.get("sha256"))


# -- checking ------------------------------------------------------------------------------------------
def _kind(path: Path) -> str:
    """'zip', 'sqlite' or refuse: what a file offered for restore is."""
    if not path.exists():
        raise OldcommError(f"文件 {path} 不存在")
    if not path.is_file():
        raise OldcommError(f"{path} 不是文件，不是数据库备份")
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise _os_error(exc, path, "读取") from None
    if head == SQLITE_HEADER:
        return "sqlite"
    if head[:4] == b"PK\x03\x04":
        return "zip"
    raise OldcommError(f"文件 {path} 不是数据库备份（文件头不对）")


def _check_database(path: Path, *, what: str, migrate: bool = False) -> str | None:
    """Verify a database file completely; with `migrate`, carry an older (known) schema forward first.

    Refused: integrity_check not ok, no schema version, a version we do not know (a newer release), or —
    after migrating — any table or column of our schema missing. `path` must be a file of our own.
    """
    from oldcomm_desktop.storage.migrations import head_revision, is_known

    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True) if not migrate else sqlite3.connect(path)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchall()
            if [r[0] for r in result] != ["ok"]:
                raise OldcommError(f"{what}已损坏：{'；'.join(str(r[0]) for r in result[:3])}")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "alembic_version" not in tables:
                raise OldcommError(f"{what}不是老旧小区改造工作台的数据库")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise OldcommError(f"{what}无法读取（已损坏或不完整：{exc}）") from None
    revision = row[0] if row else None
    if revision is None:
        raise OldcommError(f"{what}没有结构版本，不是完整的老旧小区改造工作台数据库")
    if not is_known(revision):
        raise NewerSchema(f"{what}由较新版本的程序建立（结构版本 {revision}），请升级本程序后再恢复。")
    if revision != head_revision() and migrate:
        _migrate_copy(path)
        revision = head_revision()
    if revision == head_revision():
        missing = missing_schema(path)
        if missing:
            raise OldcommError(
                f"{what}不是完整的老旧小区改造工作台数据库（缺少：{'、'.join(missing[:5])}"
                + (f" 等 {len(missing)} 项" if len(missing) > 5 else "")
                + "）"
            )
    return revision


def _migrate_copy(path: Path) -> None:
    """Carry our own temporary copy forward to the current schema (never the clerk's file)."""
    from sqlalchemy import create_engine

    from oldcomm_desktop.storage.migrations import upgrade

    engine = create_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def missing_schema(path: Path) -> list[str]:
    """Every table and `table.column` of our schema that the SQLite file at `path` lacks."""
    from oldcomm_desktop.core.model import Base

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        missing = []
        for table in Base.metadata.sorted_tables:
            columns = {r[1] for r in conn.execute(f'PRAGMA table_info("{table.name}")')}
            if not columns:
                missing.append(table.name)
                continue
            missing += [f"{table.name}.{c.name}" for c in table.columns if c.name not in columns]
        return missing
    finally:
        conn.close()


def _manifest(zf: zipfile.ZipFile, path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except (KeyError, ValueError, UnicodeDecodeError):
        raise OldcommError(f"文件 {path} 不是本程序的备份（缺少清单 manifest.json）") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise OldcommError(f"文件 {path} 不是本程序的备份")
    if int(manifest.get("format_version") or 0) > FORMAT_VERSION:
        raise NewerSchema(
            f"备份 {path} 由较新版本的程序制作（格式版本 {manifest.get('format_version')}），请升级本程序。"
        )
    members = manifest.get("members")
    if not isinstance(members, list) or not any(m.get("name") == DATABASE for m in members):
        raise OldcommError(f"备份 {path} 的清单不完整（没有数据库）")
    for m in members:
        name = str(m.get("name", ""))
        if name != DATABASE and (not name.startswith(ATTACHMENTS) or ".." in name.split("/") or name.endswith("/")):
            raise OldcommError(f"备份 {path} 的清单中有不允许的文件名：{name}")
    return manifest


def _extract(zf: zipfile.ZipFile, member: dict[str, Any], to: Path, source: Path) -> None:
    """Extract one member to `to`, checking its size and SHA-256 against the manifest."""
    digest = hashlib.sha256()
    size = 0
    try:
        with zf.open(str(member["name"])) as src, to.open("wb") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
                dst.write(chunk)
    except KeyError:
        raise OldcommError(f"备份 {source} 不完整：缺少 {member['name']}") from None
    except (zipfile.BadZipFile, EOFError, ValueError, zlib.error) as exc:
        raise OldcommError(f"备份 {source} 已损坏（{member['name']}：{exc}）") from None
    if size != member.get("size") or digest.hexdigest() != member.get("sha256"):
        raise OldcommError(f"备份 {source} 已损坏：{member['name']} 的校验和不符")


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise OldcommError(f"备份 {path} 已损坏或不完整，无法读取（{exc}）") from None


def verify(path: Path) -> None:
    """Refuse anything that is not an intact backup (or database) of this program; reads `path` only."""
    path = Path(path)
    kind = _kind(path)
    work = Path(tempfile.mkdtemp(prefix="oldcomm-verify-"))
    with _cleanup(work):
        try:
            copy = work / DATABASE
            if kind == "zip":
                with _open_zip(path) as zf:
                    manifest = _manifest(zf, path)
                    for m in manifest["members"]:
                        _extract(zf, m, copy if m["name"] == DATABASE else work / "member", path)
            else:
                try:
                    _snapshot(path, copy)
                except sqlite3.DatabaseError as exc:
                    raise OldcommError(f"文件 {path} 无法读取（已损坏或不完整：{exc}）") from None
            _check_database(copy, what=f"备份文件 {path} ", migrate=True)
        except OSError as exc:
            raise _os_error(exc, path, "检查") from None


# -- restore -------------------------------------------------------------------------------------------
def restore(db_file: Path, source: Path, *, progress: Progress | None = None) -> Path | None:
    """Replace `db_file` by the backup (or database) `source`; return where the replaced one was kept.

    Everything is read and verified into temporary files beside `db_file` first; only then is the current
    database copied aside (never deleted) and the verified copy swapped in. The caller must hold the
    database's write lock (and, in the window, have closed every connection).
    """
    db_file, source = Path(db_file), Path(source)
    say = progress or (lambda _text: None)
    check_target(db_file)
    kind = _kind(source)
    if source.resolve() == db_file.resolve():
        raise OldcommError("不能用数据库自己恢复自己：请选择一个备份文件")
    staging = db_file.with_name(f".{db_file.name}.restoring")
    files = db_file.with_name(f".{db_file.stem}-attachments.restoring")
    with _cleanup(staging, files):
        try:
            _remove(staging)
            _remove(files)
            say("正在读取并检查备份…")
            attachments: list[tuple[Path, str]] = []
            if kind == "zip":
                with _open_zip(source) as zf:
                    manifest = _manifest(zf, source)
                    files.mkdir()
                    for n, m in enumerate(manifest["members"]):
                        if m["name"] == DATABASE:
                            _extract(zf, m, staging, source)
                        else:
                            to = files / str(n)
                            _extract(zf, m, to, source)
                            attachments.append((to, m["name"][len(ATTACHMENTS) :]))
            else:
                try:
                    _snapshot(source, staging)  # the source's -wal content comes along
                except sqlite3.DatabaseError as exc:
                    raise OldcommError(f"文件 {source} 无法读取（已损坏或不完整：{exc}）") from None
            _check_database(staging, what=f"备份文件 {source} ", migrate=True)
            _new_clock_node(staging)
            _fsync(staging)
            if attachments:
                # before the swap: extra content-addressed files harm nothing if the swap then fails
                say("正在恢复附件…")
                _merge_attachments(attachments, attachments_dir_for(db_file))
            say("正在替换数据库…")
            kept = _keep_aside(db_file) if db_file.exists() else None
            for suffix in ("-wal", "-shm"):
                Path(str(db_file) + suffix).unlink(missing_ok=True)
            staging.replace(db_file)
            _fsync(db_file.parent)
        except OSError as exc:
            raise _os_error(exc, db_file, "恢复") from None
    return kept


CLOCK_NODE = "sync_clock_node"  # core.sync.changes.CLOCK_NODE (storage does not load the sync package)


def _new_clock_node(path: Path) -> None:
    """A restored file is a new installation to its sync peers (same key, same code): its edits after the backup
    was taken live on at the other side under numbers the restored file would hand out again.

    - It counts its sync edits under a new mark (core.sync.changes.node), random, so restoring the same backup
      twice gives two.
    - It gets a new installation id: a receipt the peer wrote for the old series is then not taken for the new one
      (else the restored file's next edits would look held already and never be sent), and the peer, seeing the
      new id under the same key, starts counting afresh (core.sync.importer._receipt) and, at the county, gives
      the township back what it had sent after the backup."""
    import uuid

    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(
                "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (CLOCK_NODE, json.dumps(uuid.uuid4().hex[:8])),
            )
            conn.execute("UPDATE sync_identity SET installation_id = ?", (str(uuid.uuid4()),))
    finally:
        conn.close()


def check_target(db_file: Path) -> None:
    """Restore replaces our database, damaged or not; never a folder, a text file or another program's file."""
    from oldcomm_desktop.storage.database import DamagedDatabase, inspect_file

    if not db_file.exists():
        return
    try:
        inspect_file(db_file)
    except DamagedDatabase:
        return  # exactly when restore is needed; it is kept aside as it is


def _keep_aside(db_file: Path) -> Path:
    """Copy the database being replaced to a new `.replaced-<time>` file; a damaged one is copied as it is."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = db_file.with_name(f"{db_file.stem}.replaced-{stamp}{db_file.suffix}")
    n = 1
    while kept.exists():  # two restores within a second: keep both copies
        n += 1
        kept = db_file.with_name(f"{db_file.stem}.replaced-{stamp}-{n}{db_file.suffix}")
    part = kept.with_name(kept.name + ".part")
    with _cleanup(part):
        try:
            _snapshot(db_file, part)  # a consistent copy, including what is still in the -wal file
        except sqlite3.DatabaseError:
            # damaged (exactly when restore is needed): keep its bytes, and its -wal beside them
            _remove(part)
            shutil.copyfile(db_file, part)
            wal = Path(str(db_file) + "-wal")
            if wal.exists():
                shutil.copyfile(wal, Path(str(kept) + "-wal"))
        _fsync(part)
        part.replace(kept)
    return kept


def _merge_attachments(found: list[tuple[Path, str]], folder: Path) -> None:
    """Move the verified attachments into the folder; a file already there (same content, same name) stays."""
    try:
        for tmp, rel in found:
            target = folder / rel
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp.replace(target)
    except OSError as exc:
        raise _os_error(exc, folder, "恢复附件到") from None
