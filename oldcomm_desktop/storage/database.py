"""Open a database: SQLite (WAL, foreign keys, synchronous=FULL, one writer) or a PostgreSQL server.

Opening to write migrates the schema forward, so a database made by an earlier release simply opens.
Opening to look (`write=False`) never changes the file: SQLite reads it mode=ro, with no journal-mode
switch, no schema created, no migration. Whatever is wrong with the target (a folder, a text file, a
damaged or foreign file, a newer release's database, an unreachable server) is a StorageError in Chinese.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from filelock import FileLock, Timeout
from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from oldcomm_desktop.core.errors import (
    DamagedDatabase,
    DatabaseBusy,
    DiskFull,
    ForeignFile,
    NewerSchema,
    OldcommError,
    ReadOnlyDatabase,
    ReadOnlyMedium,
    ServerUnreachable,
    StaleRecord,
    StorageError,
    UnreadableTarget,
)
from oldcomm_desktop.storage.paths import attachments_dir_for, default_database, is_url
from oldcomm_desktop.storage.secrets import complete_url, hide, mask_url

# Python's sqlite3 binds int, float, str and bytes directly; any other parameter (None, True/False) first looks
# for an adapter, and finding none costs a failed attribute lookup that builds an AttributeError message
# (~0.3 µs a value; None is most of a bulk write's cells: 5 % of the demo's CPU). These adapters give the same
# bound values as the driver's own fallback (None binds NULL, a bool its integer), found in one dict lookup.
# Registering them for these two types leaves the driver's fast path for the basic types as it is.
_NO_ADAPTER: dict = {}
sqlite3.register_adapter(type(None), _NO_ADAPTER.get)  # `{}.get(None)`, in C: None, which binds NULL
sqlite3.register_adapter(bool, int)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # DB-API connection
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def filling_new_file(session: Session) -> bool:
    """Let the session's open SQLite write fill a database file that was created empty (no data yet) with a
    rollback journal instead of the write-ahead log, until its transaction ends; then the file is in WAL
    mode again. Returns whether the switch was made (False on PostgreSQL, or when SQLite cannot switch now:
    a transaction already open, another connection on the file).

    Why: in WAL mode every page a transaction writes is written twice (to the -wal, then checkpointed into
    the file) and a transaction bigger than the page cache spills its pages into an ever longer -wal, which
    every later page read must look up. A rollback journal keeps only the original content of pages that
    existed when the transaction began: for a file that held only the schema that is a few pages, and the
    new pages are written once, straight into the file. Safety is unchanged: with synchronous=FULL the
    journal is synced before the file is touched, a failure or cancel rolls the file back to as it was, a
    crash is rolled back by the next open (the hot journal). Only the journal mode differs, and only while
    the one writer (the lock file) fills the new file; this module stays the one place that chooses it.
    The caller decides the file is new (demo: a workspace not yet initialised)."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        return False
    raw = conn.connection.dbapi_connection
    if raw is None or raw.in_transaction:
        return False
    try:
        mode = raw.execute("PRAGMA journal_mode=DELETE").fetchone()
    except sqlite3.Error:
        return False
    if not mode or str(mode[0]).lower() != "delete":
        return False

    pending = [True]

    def back_to_wal(_session: Session) -> None:
        if not pending:
            return
        pending.clear()
        try:  # a failure here leaves a sound rollback-journal file; the next open sets WAL (_sqlite_pragmas)
            raw.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error:
            pass

    event.listen(session, "after_commit", back_to_wal)
    event.listen(session, "after_rollback", back_to_wal)
    return True


PAGE_CACHE_KIB = 131_072  # page_cache's size (also what bench_sync.py gives its fair baseline)


@contextmanager
def page_cache(session: Session, kib: int = PAGE_CACHE_KIB) -> Iterator[None]:
    """A bigger SQLite page cache (128 MB at most) for one long pass over a big database, set back after.

    Why: SQLite's default cache is 2 MB. A full sync export reads every record twice in an order its table
    is not stored in (by id, then the shadows by sequence joined to their rows), so with the default the same
    pages are read from the file again and again (the reads were 15 % of an export's CPU at 100,000
    records). Set back, SQLite frees what is over the old size, so a window that keeps its connection does
    not keep the memory. PostgreSQL: nothing changes."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    old = int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
    conn.exec_driver_sql(f"PRAGMA cache_size=-{int(kib)}")
    try:
        yield
    finally:
        try:
            conn.exec_driver_sql(f"PRAGMA cache_size={old}")
        except DBAPIError:  # a connection that failed under the work: its own error is the one to see
            pass


def _sqlite_read_pragmas(dbapi_connection, _record) -> None:
    """A read-only connection: no journal-mode switch (that would rewrite the file's header), no writes."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def _read_only_uri(path: Path) -> str:
    """SQLite's URI for opening `path` without ever writing it (mode=ro), any character in the path escaped."""
    return f"file:{quote(str(path))}?mode=ro"


def _refuse_writes(session: Session, _context, _instances) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlyDatabase(session.info.get("read_only_reason") or READ_ONLY_TEXT)


READ_ONLY_TEXT = "数据库是只读打开的（只读的文件、文件夹或U盘，或打开来查看），不能修改。没有保存任何内容。"


FLUSHING = "oldcomm_flushing_versions"


def _remember_versions(session: Session, _context, _instances) -> None:
    """Before each flush, note (class, id, version as loaded) of every changed record.

    A failed flush expires the session's objects, so this is the only moment the versions we based the
    UPDATEs on can still be read — needed to say which record someone else changed.
    """
    from oldcomm_desktop.core.model import Record

    found = []
    for obj in [*session.dirty, *session.deleted]:
        if isinstance(obj, Record):
            state = inspect(obj)
            found.append((type(obj), state.dict.get("id"), state.dict.get("version")))
    session.info[FLUSHING] = found


def _stale_candidates(session: Session) -> list[tuple[type, str, int | None]]:
    """What `_remember_versions` noted for the flush that failed."""
    return list(session.info.get(FLUSHING, []))


class Database:
    """An open database: the engine, a session factory that audits every change, the attachments folder."""

    def __init__(
        self,
        url: str,
        *,
        path: Path | None,
        lock: FileLock | None,
        echo: bool = False,
        read_only: bool = False,
        read_only_reason: str | None = None,
    ):
        self.url = url
        self.path = path
        self._lock = lock
        #: True when opened to look (a read) or when the file, its folder or the medium cannot be written:
        #: then every session refuses to flush a change (ReadOnlyDatabase) and SQLite opens the file mode=ro.
        self.read_only = read_only
        self.read_only_reason = read_only_reason
        if self.is_sqlite and path is not None and read_only:
            uri = _read_only_uri(path)
            self.engine: Engine = create_engine(
                url,
                echo=echo,
                creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
            )
            event.listen(self.engine, "connect", _sqlite_read_pragmas)
        else:
            self.engine = create_engine(url, echo=echo, future=True)
            if self.is_sqlite:
                event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "before_flush", _remember_versions)
        if read_only:
            event.listen(self._sessions, "before_flush", _refuse_writes)
        from oldcomm_desktop.core import audit  # the core's session hook: every change is logged

        audit.install(self._sessions)
        from oldcomm_desktop.core import listing_index  # and the lists' sort keys and search index follow it

        listing_index.install(self._sessions)
        from oldcomm_desktop.core import funding_dates  # arrived/paid changes leave a dated row

        funding_dates.install(self._sessions)
        from oldcomm_desktop.core.sync import restored  # a parent restored by any route frees its held records

        restored.install(self._sessions)

        from oldcomm_desktop.core.returns import locking  # an approved return's period is locked

        locking.install(self._sessions)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def where(self) -> str:
        """The database file, or the server's URL without its password: what any face may show."""
        return str(self.path) if self.path is not None else mask_url(self.url)

    @property
    def attachments_dir(self) -> Path:
        if self.path is not None:
            return attachments_dir_for(self.path)
        from oldcomm_desktop.storage.paths import data_dir

        return data_dir() / "server-attachments"

    # who a session without a named operator writes as: the command line sets its login here, so every
    # command's writes are attributed; the window always names the clerk who chose an operator
    default_operator: str | None = None

    def session(self, operator: str | None = None) -> Session:
        """A new session; `operator` is written into the audit log of what it changes."""
        session = self._sessions()
        session.info["operator"] = operator or self.default_operator
        if self.read_only:
            session.info["read_only_reason"] = self.read_only_reason
        session.info["attachments_dir"] = self.attachments_dir
        return session

    @contextmanager
    def transaction(self, operator: str | None = None) -> Iterator[Session]:
        """All or nothing: commits when the block ends normally, rolls everything back otherwise."""
        session = self.session(operator)
        try:
            yield session
            session.commit()
        except StaleDataError:
            # another session changed (or removed) a record between our read and our flush: say who, not how
            candidates = _stale_candidates(session)
            session.rollback()
            raise self._stale_record(candidates) from None
        except DBAPIError as exc:
            session.rollback()
            error = storage_error(exc, self)
            if error is None:
                raise
            raise error from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _stale_record(self, candidates: list[tuple[type, str, int | None]]) -> StaleRecord:
        """The StaleRecord for the first candidate whose stored version is no longer the one we loaded."""
        from oldcomm_desktop.core import records

        with self._sessions() as probe:
            for cls, record_id, loaded in candidates:
                current = probe.scalar(select(cls.version).where(cls.id == record_id))  # type: ignore[attr-defined]
                if current != loaded:
                    return records.stale(probe, cls.__tablename__, record_id, loaded, current)  # type: ignore[attr-defined]
        return StaleRecord(None, None, None)

    def read_only_check(self, fn):
        """Run `fn(session)` in a short read session and return its result."""
        with self.transaction() as session:
            return fn(session)

    def close(self) -> None:
        self.engine.dispose()
        if self._lock is not None and self._lock.is_locked:
            self._lock.release()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def acquire_write_lock(path: Path) -> FileLock:
    """Hold the database's lock file so a second program cannot write the same file at the same time."""
    lock = FileLock(str(path) + ".lock", is_singleton=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise DatabaseBusy(
            f"数据库文件 {path} 正由另一个程序（或另一个窗口）使用。请先关闭那个程序，再打开这个数据库。"
        ) from None
    except OSError as exc:
        raise os_error(exc, path, "打开") from None
    return lock


# -- what a storage failure means to a clerk --------------------------------------------------------------
def os_error(exc: OSError, path: Path | str, doing: str) -> StorageError:
    """The StorageError for an OSError met while `doing` (打开/写入/备份/恢复) `path`."""
    reason = exc.strerror or type(exc).__name__
    if exc.errno == errno.ENOSPC or exc.errno == getattr(errno, "EDQUOT", -1):
        return DiskFull(f"{doing} {path} 时磁盘空间不足。已写了一半的文件已删除，原来的数据库没有改变。")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return ReadOnlyMedium(f"无法{doing} {path}：文件、文件夹或U盘是只读的（{reason}）。没有改动任何内容。")
    if exc.errno == errno.EISDIR:
        return UnreadableTarget(f"{path} 是一个文件夹，不是数据库文件。")
    return StorageError(f"无法{doing} {path}：{reason}。没有改动任何内容。")


_SQLITE_TEXTS: tuple[tuple[str, type[StorageError] | type[DatabaseBusy], str], ...] = (
    ("readonly", ReadOnlyDatabase, "数据库文件是只读的，不能修改。没有保存任何内容。"),
    ("disk is full", DiskFull, "磁盘空间不足，这次修改没有保存；原来的数据没有改变。"),
    ("disk i/o error", StorageError, "读写数据库文件时出错（磁盘或U盘可能已拔出或损坏）。这次修改没有保存。"),
    ("malformed", UnreadableTarget, "数据库文件已损坏。请用 oldcomm restore 从备份恢复。"),
    ("not a database", UnreadableTarget, "这个文件不是数据库文件，或已损坏。"),
    ("no such table", StorageError, "数据库的结构不完整（缺少表），可能不是本程序的数据库，或已损坏。"),
    ("no such column", StorageError, "数据库的结构与本程序不符（缺少字段），可能由其他版本建立。"),
    ("does not exist", StorageError, "数据库的结构与本程序不符（缺少表或字段），可能由其他版本建立。"),
    ("locked", DatabaseBusy, "数据库正被另一个程序写入，请稍后再试。"),
)


def storage_error(exc: DBAPIError, db: Database | None = None) -> StorageError | DatabaseBusy | None:
    """The StorageError a driver error means, or None for a constraint violation (a bug: let it surface)."""
    if isinstance(exc, IntegrityError):
        return None
    text = str(getattr(exc, "orig", exc)).lower()
    for needle, cls, message in _SQLITE_TEXTS:
        if needle in text:
            return cls(message)
    if db is not None and not db.is_sqlite and exc.connection_invalidated:
        return ServerUnreachable(f"与数据库服务器 {db.where} 的连接断开了。这次修改没有保存，请检查网络后再试。")
    first = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(getattr(exc, "orig", exc)).strip() else ""
    secret = None
    if db is not None and not db.is_sqlite:
        from sqlalchemy.engine import make_url

        secret = make_url(db.url).password
    return StorageError(f"数据库出错：{hide(first, secret)}")


# -- opening ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FileFacts:
    """What a read-only look at a SQLite file found (nothing was written to it)."""

    empty: bool  # zero bytes: a new database (only a write may make it one)
    revision: str | None  # alembic's revision, None when the file has no tables at all


def inspect_file(path: Path) -> FileFacts:
    """Refuse a file that is not a database of this program, reading it only (nothing is written to it)."""
    from oldcomm_desktop.storage.migrations import head_revision, is_known

    try:
        if path.is_dir():
            raise UnreadableTarget(f"{path} 是一个文件夹，不是数据库文件。请给出数据库文件的路径。")
        if not path.is_file():
            raise UnreadableTarget(f"{path} 不是普通文件，不能作为数据库打开。")
        size = path.stat().st_size
        if size == 0:
            return FileFacts(empty=True, revision=None)
        with path.open("rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise os_error(exc, path, "读取") from None
    if header != b"SQLite format 3\x00":
        raise UnreadableTarget(f"文件 {path} 不是数据库文件（可能是文本或其他程序的文件）。")
    if _truncated(path, size):
        raise DamagedDatabase(f"数据库文件 {path} 不完整（文件被截断了），无法读取。请用 oldcomm restore 从备份恢复。")
    # No -wal beside it: nobody has it open in WAL mode, so read the file alone (immutable) and leave no
    # -wal/-shm side files behind; with a -wal, read through it (mode=ro) so its commits count.
    wal = Path(str(path) + "-wal")
    uri = _read_only_uri(path) if wal.exists() else f"file:{quote(str(path))}?immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DamagedDatabase(f"数据库文件 {path} 已损坏或不完整，无法读取（{exc}）。") from None
    if tables and "alembic_version" not in tables:
        raise ForeignFile(f"文件 {path} 不是老旧小区改造工作台的数据库（里面是别的程序的表）。没有改动它。")
    if revision is not None and not is_known(revision):
        raise NewerSchema(
            f"这个数据库由较新版本的程序建立（结构版本 {revision}，本程序为 {head_revision()}），"
            "请升级本程序后再打开。没有改动它。"
        )
    return FileFacts(empty=False, revision=revision)


def _truncated(path: Path, size: int) -> bool:
    """Whether the header's page count says the file should be longer than it is (a cut-off copy)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(100)
    except OSError:
        return False
    if len(head) < 100:
        return True
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    valid = head[24:28] == head[92:96]  # the in-header size is trusted only when these agree
    return bool(valid and pages and page_size and size < pages * page_size)


def refuse_foreign_file(path: Path) -> None:
    """Kept for callers of the earlier name: `inspect_file` without its answer."""
    inspect_file(path)


def _writable(path: Path) -> bool:
    """Whether SQLite could write `path`: the file itself and its folder (for the -wal, -shm and lock files)."""
    folder_ok = os.access(path.parent, os.W_OK | os.X_OK)
    return folder_ok and (not path.exists() or os.access(path, os.W_OK))


def open_database(
    target: str | Path | None = None, *, write: bool = True, create: bool = True, migrate: bool = True
) -> Database:
    """Open (and, for a write, create and migrate) the database at a path or URL.

    `write=False` opens to look: SQLite reads the file mode=ro (no journal switch, no schema, no migration,
    no lock), so its bytes never change. `write=True` on a file, folder or medium that cannot be written
    opens read-only too (`Database.read_only`, and a write then raises ReadOnlyDatabase). Every failure is a
    StorageError with Chinese text; a server's password never appears in it.
    """
    if target is None:
        target = default_database()
    target = str(target)
    if not target.strip():
        raise UnreadableTarget("没有给出数据库文件或地址（--db 是空的）。")
    if is_url(target):
        return _open_url(target, write=write, migrate=migrate)
    return _open_file(Path(target).expanduser(), write=write, create=create, migrate=migrate)


def _open_file(path: Path, *, write: bool, create: bool, migrate: bool) -> Database:
    try:
        path = path.resolve()
        exists = path.exists()
    except (OSError, RuntimeError, ValueError) as exc:
        raise UnreadableTarget(f"无法使用 {path}：{exc}") from None
    if "\x00" in str(path):
        raise UnreadableTarget("数据库文件名里有不可见的控制字符。")
    facts = inspect_file(path) if exists else FileFacts(empty=True, revision=None)
    if not exists:
        if not write or not create:
            raise UnreadableTarget(f"数据库文件 {path} 不存在。请先运行 oldcomm init 建立数据库。")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise os_error(exc, path.parent, "建立文件夹") from None
        if path.parent.is_file():
            raise UnreadableTarget(f"{path.parent} 是一个文件，不能在里面建立数据库。")
    writable = _writable(path)
    read_only = not write or not writable
    reason = None
    if write and not writable:
        reason = f"数据库 {path} 所在的文件、文件夹或U盘是只读的，只能查看，不能修改。没有保存任何内容。"
        if not exists:
            raise ReadOnlyMedium(f"无法在 {path.parent} 建立数据库：文件夹或U盘是只读的。")
    if read_only:
        if facts.empty:
            raise UnreadableTarget(f"数据库文件 {path} 是空的（尚未初始化）。请先运行 oldcomm init 或 oldcomm demo。")
        _refuse_old_schema_for_reading(facts.revision, path, writable)
        return Database(sqlite_url(path), path=path, lock=None, read_only=True, read_only_reason=reason)
    lock = acquire_write_lock(path)
    try:
        db = Database(sqlite_url(path), path=path, lock=lock)
        if migrate:
            _upgrade(db)
    except BaseException:
        lock.release()
        raise
    return db


def _refuse_old_schema_for_reading(revision: str | None, where: object, writable: bool) -> None:
    from oldcomm_desktop.storage.migrations import head_revision

    if revision == head_revision():
        return
    if revision is None:
        raise UnreadableTarget(f"数据库 {where} 尚未初始化（里面还没有任何表）。请先运行 oldcomm init。")
    how = (
        f"请先运行 oldcomm upgrade --db {where} 升级结构"
        if writable
        else "请先把它复制到可以写入的位置，再运行 oldcomm upgrade 升级结构"
    )
    raise StorageError(
        f"这个数据库由较早版本的程序建立（结构版本 {revision}），查看时不会改动它，所以不能直接读取。{how}。"
    )


def _upgrade(db: Database) -> None:
    from oldcomm_desktop.storage.migrations import upgrade

    try:
        upgrade(db.engine)
    except OldcommError:
        db.close()
        raise
    except DBAPIError as exc:
        db.close()
        error = storage_error(exc, db)
        if error is None:
            raise
        raise error from None
    except OSError as exc:
        db.close()
        raise os_error(exc, db.where, "升级") from None
    except BaseException:
        db.close()
        raise


SERVER_BACKENDS = ("postgresql",)


def _open_url(target: str, *, write: bool, migrate: bool) -> Database:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    shown = mask_url(target)
    try:
        parsed = make_url(target)
        backend = parsed.get_backend_name()
    except (ArgumentError, ValueError, TypeError):
        raise UnreadableTarget(
            f"无法识别的数据库地址 {shown}。请给出数据库文件的路径，或 postgresql+psycopg://用户@服务器/数据库。"
        ) from None
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            return _open_file(Path(parsed.database).expanduser(), write=write, create=True, migrate=migrate)
        raise UnreadableTarget("内存数据库不能作为台账使用，请给出数据库文件的路径。")
    if backend not in SERVER_BACKENDS:
        raise UnreadableTarget(
            f"不支持的数据库地址类型“{parsed.drivername}”（{shown}）。请给出数据库文件的路径，"
            "或 postgresql+psycopg://用户@服务器/数据库。"
        )
    url = complete_url(target)
    password = make_url(url).password
    try:
        db = Database(url, path=None, lock=None, read_only=not write)
    except Exception as exc:  # a missing driver module and the like
        raise UnreadableTarget(f"无法使用数据库地址 {shown}：{hide(str(exc), password)}") from None
    try:
        with db.engine.connect():
            pass
    except Exception as exc:
        db.close()
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        first = hide(detail[0], password) if detail else type(exc).__name__
        login = "password" in first.lower() or "authentication" in first.lower()
        hint = "用户名或密码不对" if login else "服务器没有响应（地址、端口或网络有问题，或服务器未启动）"
        raise ServerUnreachable(f"无法连接数据库服务器 {shown}：{hint}。（{first}）") from None
    if write:
        if migrate:
            _upgrade(db)
        return db
    from oldcomm_desktop.storage.migrations import current_revision, is_known

    try:
        revision = current_revision(db.engine)
        tables = inspect(db.engine).get_table_names()
    except DBAPIError as exc:
        db.close()
        raise storage_error(exc, db) or exc from None
    try:
        if revision is None and tables:
            raise ForeignFile(f"服务器数据库 {shown} 里是别的程序的表，不是老旧小区改造工作台的数据库。")
        if revision is not None and not is_known(revision):
            raise NewerSchema(f"服务器数据库由较新版本的程序建立（结构版本 {revision}），请升级本程序后再打开。")
        _refuse_old_schema_for_reading(revision, shown, True)
    except BaseException:
        db.close()
        raise
    return db
