"""Undo and redo for every edit: each is a pair of core calls (do, undo) on the undo stack.

A change runs once before it is pushed, so an edit the core rejects never reaches the stack; undoing a
create deletes into the recycle bin and redoing restores it, so ids stay stable (sync relies on that).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtGui import QUndoCommand
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
        self._run(self._do)

    def undo(self) -> None:
        self._run(self._undo)

    def _run(self, action: Action) -> None:
        try:
            self._ctx.write(action, table=self._table)
        except OldcommError as exc:  # e.g. a later edit made the old state invalid: say so, keep data
            self.error = exc
            self.setObsolete(True)
            from PySide6.QtWidgets import QApplication, QMessageBox

            QMessageBox.warning(QApplication.activeWindow(), "无法撤销/重做", str(exc))


def perform(ctx: AppContext, text: str, do: Action, undo: Action, *, table: str = "*") -> Any:
    """Run `do` now; if the core accepts it, put (do, undo) on the undo stack. Errors propagate."""
    result = ctx.write(do, table=table)
    ctx.undo_stack.push(CoreCommand(ctx, text, do, undo, table))
    return result


def snapshot(obj: object, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields`, to undo an update with."""
    return {f: getattr(obj, f) for f in fields}


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
) -> Any:
    """Update a record through its service (`update(session, id, changes, confirm=…)`), undoably."""
    keys = list(changes)
    old = ctx.read(lambda s: snapshot(load(s), keys))
    takes = _takes_confirm(update)
    kw = {"confirm": confirm} if takes else {}
    undo_kw = {"confirm": True} if takes else {}  # going back to what was accepted before
    return perform(
        ctx,
        text,
        lambda s: update(s, record_id, changes, **kw),
        lambda s: update(s, record_id, old, **undo_kw),
        table=table,
    )


def create(
    ctx: AppContext,
    text: str,
    make: Callable[[Session], Any],
    delete: Callable[[Session, str], Any],
    restore: Callable[[Session, str], Any],
    *,
    table: str,
) -> Any:
    """Create through a service; undo deletes it to the recycle bin, redo restores the same record."""
    made: dict[str, str] = {}

    def do(session: Session) -> Any:
        if "id" in made:
            return restore(session, made["id"])
        obj = make(session)
        made["id"] = obj.id
        return obj

    return perform(ctx, text, do, lambda s: delete(s, made["id"]), table=table)


def delete(
    ctx: AppContext,
    text: str,
    record_id: str,
    delete_fn: Callable[[Session, str], Any],
    restore_fn: Callable[[Session, str], Any],
    *,
    table: str,
) -> None:
    perform(ctx, text, lambda s: delete_fn(s, record_id), lambda s: restore_fn(s, record_id), table=table)


def _takes_confirm(fn: Callable[..., Any]) -> bool:
    import inspect

    try:
        return "confirm" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
