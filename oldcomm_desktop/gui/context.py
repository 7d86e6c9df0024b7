"""The open workspace as the GUI sees it: the database, the operator, the undo stack, display settings.

Every read and write of the GUI goes through here into the core, in a short session of its own, so no
widget holds a session (or SQL) and every change lands in the audit log under the operator's name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QUndoStack
from sqlalchemy import event
from sqlalchemy.orm import Session

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.gui import settings_keys as keys
from oldcomm_desktop.storage.database import Database

READ_ONLY_TEXT = (
    "数据库是以只读方式打开的（文件、所在文件夹或 U 盘不允许写入），不能保存修改。"
    "请把数据库复制到可以写入的位置（如“文档”文件夹）后再打开。"
)


def read_only_error() -> OldcommError:
    """The core's ReadOnlyDatabase when it has one, with the words a clerk can act on."""
    from oldcomm_desktop.core import errors

    cls = getattr(errors, "ReadOnlyDatabase", OldcommError)
    return cls(READ_ONLY_TEXT)


def mask_url(url: str) -> str:
    """A URL with its password replaced (the storage's own masking, so every face masks alike)."""
    try:
        from oldcomm_desktop.storage.secrets import mask_url as storage_mask
    except ImportError:
        from oldcomm_desktop.gui.errors import mask_secrets

        return mask_secrets(url)
    return storage_mask(url)

T = TypeVar("T")
MONEY_UNITS = ("元", "万元")


class AppContext(QObject):
    """Shared by every page and dialog of one main window."""

    #: A write went through; the argument names the table ("community", …) or "*" for anything.
    data_changed = Signal(str)
    money_unit_changed = Signal(str)
    #: A page asks the window to show something elsewhere: (page key, filters dict)
    navigate = Signal(str, dict)
    #: The open database was closed and another (a restored backup) opened in its place.
    database_replaced = Signal()

    def __init__(self, db: Database, operator: str, settings: QSettings | None = None):
        super().__init__()
        self.db = db
        self.operator = operator
        self.settings = settings or QSettings(keys.APP_ORG, keys.APP_NAME)
        self.undo_stack = QUndoStack(self)
        #: True while the database is closed to be replaced: tables paint empty instead of opening it again.
        self.reads_paused = False
        #: record id -> the version this window's last write left it at (whatever service changed it, directly
        #: or as a side effect): what an undo or redo must find stored, or someone else changed it since.
        self.versions: dict[str, int] = {}

    # -- database -----------------------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        """Opened read-only (a write-protected file or medium, or opened only to look): edits are refused."""
        return bool(getattr(self.db, "read_only", False))

    @property
    def where(self) -> str:
        """The database as a clerk may see it: the file, or the server's URL with its password masked."""
        if self.db.path is not None:
            return str(self.db.path)
        return mask_url(str(self.db.url))

    def read(self, fn: Callable[[Session], T]) -> T:
        """Run `fn` in a fresh session and return its result (plain values: the session closes)."""
        if self.reads_paused:
            raise OldcommError("数据库正在替换，请稍候再试。")
        with self.db.transaction(self.operator) as session:
            return fn(session)

    def write(self, fn: Callable[[Session], T], *, table: str = "*") -> T:
        """Run `fn` in one transaction: all of it lands, or (on any exception) none of it."""
        if self.reads_paused:
            raise OldcommError("数据库正在替换，请稍候再试。")
        if self.read_only:
            raise read_only_error()
        touched: dict[str, object] = {}

        def note(sess: Session, _flush_context: object) -> None:
            for obj in (*sess.new, *sess.dirty, *sess.deleted):
                if getattr(obj, "version", None) is not None and getattr(obj, "id", None):
                    touched[obj.id] = obj  # type: ignore[attr-defined]

        with self.db.transaction(self.operator) as session:
            event.listen(session, "after_flush", note)
            result = fn(session)
        for record_id, obj in touched.items():  # committed: these are the versions now stored
            version = getattr(obj, "version", None)
            if isinstance(version, int):
                self.versions[str(record_id)] = version
        self.data_changed.emit(table)
        return result

    # -- display settings ---------------------------------------------------------------------------
    @property
    def money_unit(self) -> str:
        unit = keys.value(self.settings, keys.MONEY_UNIT)
        return unit if unit in MONEY_UNITS else "万元"

    def set_money_unit(self, unit: str) -> None:
        if unit in MONEY_UNITS and unit != self.money_unit:
            self.settings.setValue(keys.MONEY_UNIT, unit)
            self.money_unit_changed.emit(unit)
            self.data_changed.emit("*")
