"""Undo and redo for every edit: each is a pair of core calls (do, undo) on the undo stack.

A change runs once before it is pushed, so an edit the core rejects never reaches the stack; undoing a
create deletes into the recycle bin and redoing restores it, so ids stay stable (sync relies on that).

Every step carries the version it started from (optimistic locking): the first save the version the clerk
loaded, each undo and redo the version our previous step left. If someone else (another window, a colleague
on the shared server) changed the record in between, the core raises StaleRecord and the undo is refused
with a message naming who and when — it never overwrites their change.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtGui import QUndoCommand
from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.gui.context import AppContext

Action = Callable[[Session], Any]


class CoreCommand(QUndoCommand):
    def __init__(self, ctx: AppContext, text: str, do: Action, undo: Action, table: str):
        super().__init__(text)
        self._ctx, self._do, self._undo, self._table = ctx, do, undo, table
        self._done_once = False
        self.error: OldcommError | None = None

    def redo(self) -> None:
        if not self._done_once:  # perform() already ran it
            self._done_once = True
            return
        self._run(self._do, "重做")

    def undo(self) -> None:
        self._run(self._undo, "撤销")

    def _run(self, action: Action, what: str) -> None:
        try:
            self._ctx.write(action, table=self._table)
        except OldcommError as exc:  # someone changed it since, or a later edit made the old state invalid
            self.error = exc
            self.setObsolete(True)
            from PySide6.QtWidgets import QApplication, QMessageBox

            QMessageBox.warning(
                QApplication.activeWindow(),
                f"无法{what}",
                f"“{self.text()}”无法{what}：\n{exc}\n\n数据库中的内容保持不变，这一步已从撤销列表中移除。",
            )


def perform(ctx: AppContext, text: str, do: Action, undo: Action, *, table: str = "*") -> Any:
    """Run `do` now; if the core accepts it, put (do, undo) on the undo stack. Errors propagate."""
    result = ctx.write(do, table=table)
    ctx.undo_stack.push(CoreCommand(ctx, text, do, undo, table))
    return result


def snapshot(obj: object, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields`, to undo an update with."""
    return {f: getattr(obj, f) for f in fields}


# -- versions ---------------------------------------------------------------------------------------------
def takes(fn: Callable[..., Any], name: str) -> bool:
    """Whether a core function accepts the keyword `name` (older services take no expected_version)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def versioned(fn: Callable[..., Any], version: int | None) -> dict[str, Any]:
    """{"expected_version": version} when there is one to check and `fn` can check it."""
    return {"expected_version": version} if version is not None and takes(fn, "expected_version") else {}


def model_for(table: str) -> type | None:
    """The record class stored in `table` (the names commands use for data_changed), or None."""
    from oldcomm_desktop.core.model.base import Base

    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if getattr(cls, "__tablename__", None) == table and hasattr(cls, "version"):
            return cls
    return None


def stored_version(session: Session, cls: type | None, record_id: str) -> int | None:
    """The record's version as stored now (deleted records too): what the next step must start from."""
    if cls is None or not record_id:
        return None
    session.flush()
    with session.no_autoflush:
        return session.scalar(select(cls.version).where(cls.id == record_id))  # type: ignore[attr-defined]


def current_version(ctx: AppContext, table: str, record_id: str) -> int | None:
    """The version a dialog or a row action starts from, read when the clerk opens or confirms it."""
    cls = model_for(table)
    return ctx.read(lambda s: stored_version(s, cls, record_id)) if cls is not None else None


def record_step(
    ctx: AppContext,
    record_id: str | Callable[[], str],
    fn: Callable[..., Any],
    *args: Any,
    first_version: int | None = None,
    **kwargs: Any,
) -> Action:
    """One step of a command on one record: `fn(session, record_id, *args, **kwargs, expected_version=…)`.

    Its first run carries `first_version` (the version the clerk loaded) when given; every later run (an undo
    or redo) the version this window's last write left the record at (``ctx.versions``), so a change someone
    else made in between is refused (StaleRecord) instead of overwritten.
    """
    state = {"ran": False}

    def run(s: Session) -> Any:
        rid = record_id() if callable(record_id) else record_id
        expected = first_version if not state["ran"] and first_version is not None else ctx.versions.get(rid)
        result = fn(s, rid, *args, **kwargs, **versioned(fn, expected))
        state["ran"] = True
        return result

    return run


# -- the commands every page uses -------------------------------------------------------------------------
def edit(
    ctx: AppContext,
    text: str,
    load: Callable[[Session], object],
    update: Callable[..., Any],
    record_id: str,
    changes: dict[str, Any],
    *,
    table: str,
    confirm: bool = False,
    version: int | None = None,
) -> Any:
    """Update a record through its service (`update(session, id, changes, confirm=…)`), undoably.

    `version` is the one the clerk loaded: the save is refused (StaleRecord) if the record moved on since.
    """
    keys = list(changes)
    old = ctx.read(lambda s: snapshot(load(s), keys))
    kw = {"confirm": confirm} if takes(update, "confirm") else {}
    undo_kw = {"confirm": True} if kw else {}  # going back to what was accepted before
    do = record_step(ctx, record_id, update, changes, first_version=version, **kw)
    undo = record_step(ctx, record_id, update, old, **undo_kw)
    return perform(ctx, text, do, undo, table=table)


def create(
    ctx: AppContext,
    text: str,
    make: Callable[[Session], Any],
    delete: Callable[..., Any],
    restore: Callable[..., Any],
    *,
    table: str,
) -> Any:
    """Create through a service; undo deletes it to the recycle bin, redo restores the same record."""
    made: dict[str, Any] = {}
    restore_step = record_step(ctx, lambda: made["id"], restore)

    def do(session: Session) -> Any:
        if "id" in made:
            return restore_step(session)
        obj = make(session)
        made["id"] = str(obj.id)
        return obj

    return perform(ctx, text, do, record_step(ctx, lambda: made["id"], delete), table=table)


def delete(
    ctx: AppContext,
    text: str,
    record_id: str,
    delete_fn: Callable[..., Any],
    restore_fn: Callable[..., Any],
    *,
    table: str,
    version: int | None = None,
) -> None:
    """Delete to the recycle bin, undoably; `version` is the one the clerk saw when confirming."""
    do = record_step(ctx, record_id, delete_fn, first_version=version)
    perform(ctx, text, do, record_step(ctx, record_id, restore_fn), table=table)


def _takes_confirm(fn: Callable[..., Any]) -> bool:
    return takes(fn, "confirm")
