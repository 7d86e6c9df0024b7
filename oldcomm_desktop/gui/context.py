"""The open workspace as the GUI sees it: the database, the operator, the undo stack, display settings.

Every read and write of the GUI goes through here into the core, in a short session of its own, so no
widget holds a session (or SQL) and every change lands in the audit log under the operator's name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QUndoStack
from sqlalchemy.orm import Session

from oldcomm_desktop.storage.database import Database

T = TypeVar("T")
MONEY_UNITS = ("元", "万元")


class AppContext(QObject):
    """Shared by every page and dialog of one main window."""

    #: A write went through; the argument names the table ("community", …) or "*" for anything.
    data_changed = Signal(str)
    money_unit_changed = Signal(str)
    #: A page asks the window to show something elsewhere: (page key, filters dict)
    navigate = Signal(str, dict)

    def __init__(self, db: Database, operator: str, settings: QSettings | None = None):
        super().__init__()
        self.db = db
        self.operator = operator
        self.settings = settings or QSettings("oldcomm", "oldcomm-desktop")
        self.undo_stack = QUndoStack(self)

    # -- database -----------------------------------------------------------------------------------
    def read(self, fn: Callable[[Session], T]) -> T:
        """Run `fn` in a fresh session and return its result (plain values: the session closes)."""
        with self.db.transaction(self.operator) as session:
            return fn(session)

    def write(self, fn: Callable[[Session], T], *, table: str = "*") -> T:
        """Run `fn` in one transaction: all of it lands, or (on any exception) none of it."""
        with self.db.transaction(self.operator) as session:
            result = fn(session)
        self.data_changed.emit(table)
        return result

    # -- display settings ---------------------------------------------------------------------------
    @property
    def money_unit(self) -> str:
        unit = self.settings.value("display/money_unit", "万元")
        return unit if unit in MONEY_UNITS else "万元"

    def set_money_unit(self, unit: str) -> None:
        if unit in MONEY_UNITS and unit != self.money_unit:
            self.settings.setValue("display/money_unit", unit)
            self.money_unit_changed.emit(unit)
            self.data_changed.emit("*")
