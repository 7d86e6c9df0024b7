"""Open a database: SQLite (WAL, foreign keys, synchronous=FULL, one writer) or any SQLAlchemy URL.

Opening also migrates the schema forward, so a database made by an earlier release simply opens.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from oldcomm_desktop.core.errors import DatabaseBusy
from oldcomm_desktop.storage.paths import attachments_dir_for, default_database, is_url


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API connection
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Database:
    """An open database: the engine, a session factory that audits every change, the attachments folder."""

    def __init__(self, url: str, *, path: Path | None, lock: FileLock | None, echo: bool = False):
        self.url = url
        self.path = path
        self._lock = lock
        self.engine: Engine = create_engine(url, echo=echo, future=True)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        from oldcomm_desktop.core import audit  # the core's session hook: every change is logged

        audit.install(self._sessions)
        from oldcomm_desktop.core.returns import locking  # an approved return's period is locked

        locking.install(self._sessions)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def attachments_dir(self) -> Path:
        if self.path is not None:
            return attachments_dir_for(self.path)
        from oldcomm_desktop.storage.paths import data_dir

        return data_dir() / "server-attachments"

    def session(self, operator: str | None = None) -> Session:
        """A new session; `operator` is written into the audit log of what it changes."""
        session = self._sessions()
        session.info["operator"] = operator
        session.info["attachments_dir"] = self.attachments_dir
        return session

    @contextmanager
    def transaction(self, operator: str | None = None) -> Iterator[Session]:
        """All or nothing: commits when the block ends normally, rolls everything back otherwise."""
        session = self.session(operator)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def read_only_check(self, fn):  # noqa: ANN001, ANN201
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
    return lock


def refuse_foreign_file(path: Path) -> None:
    """Refuse a file that is not a database of this program, reading it only (nothing is written to it)."""
    import sqlite3

    from oldcomm_desktop.core.errors import OldcommError

    if path.stat().st_size == 0:
        return  # an empty file is a new database
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise OldcommError(f"文件 {path} 不是数据库文件。")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise OldcommError(f"文件 {path} 无法读取：{exc}") from None
    if tables and "alembic_version" not in tables:
        raise OldcommError("这个文件不是老旧小区改造工作台的数据库（里面已有别的表）。")


def open_database(
    target: str | Path | None = None, *, write: bool = True, create: bool = True, migrate: bool = True
) -> Database:
    """Open (and unless told otherwise create and migrate) the database at a path or URL.

    `write=False` takes no lock: reading beside a writer is safe under WAL.
    """
    target = str(target) if target is not None else default_database()
    if is_url(target):
        db = Database(target, path=None, lock=None)
    else:
        path = Path(target).expanduser().resolve()
        if not path.exists() and not create:
            from oldcomm_desktop.core.errors import OldcommError

            raise OldcommError(f"数据库文件 {path} 不存在。请先运行 oldcomm init 建立数据库。")
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            refuse_foreign_file(path)  # before our connect-time PRAGMAs could rewrite someone else's file
        lock = acquire_write_lock(path) if write else None
        try:
            db = Database(sqlite_url(path), path=path, lock=lock)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
    if migrate:
        from oldcomm_desktop.storage.migrations import upgrade

        try:
            upgrade(db.engine)
        except BaseException:
            db.close()
            raise
    return db
