"""A parent back out of the recycle bin by whatever route (an undo, a form, a service's restore through the ORM)
releases the records a package brought under it while it was deleted (deleted_parents.release), when the
transaction that restored it commits: one place every ORM restore passes, so a held record need not wait for
the next export or import. Installed on every session factory (storage/database.py), as funding_dates is; kept
apart from deleted_parents so opening a database does not load the sync package.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session

from oldcomm_desktop.core import record_parents

_RESTORED = "oldcomm_parent_restored"  # session.info: a flush in this transaction brought a parent back
_RELEASING = "oldcomm_releasing_held"


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Note a parent whose deletion a flush takes back (an undo, a form, a service's restore through the ORM)."""
    if session.info.get(_RESTORED):
        return
    for obj in session.dirty:
        if (
            getattr(obj, "__tablename__", None) not in record_parents.ANY_PARENT_TABLES
            or getattr(obj, "deleted_at", 0) is not None
        ):
            continue
        if any(v is not None for v in inspect(obj).attrs["deleted_at"].history.deleted):
            session.info[_RESTORED] = True
            return


def _before_commit(session: Session) -> None:
    """The transaction that restored a parent releases the records held under it before it commits (`release`:
    each in a savepoint, only when nothing else stands in the way), so they need not wait for an export."""
    if not session.info.pop(_RESTORED, None) or session.info.get(_RELEASING):
        return
    session.info[_RELEASING] = True
    try:
        from oldcomm_desktop.core.sync import deleted_parents  # only when a parent came back (sync is heavy to load)

        deleted_parents.release(session, deleted_parents.RELEASED_HERE)
        session.flush()
        # the bulk path (and a refused attempt's savepoint) expired what the session holds; the caller may read
        # its objects after the commit (a version for the next undo step), when they can no longer load
        for obj in list(session.identity_map.values()):
            if inspect(obj).expired_attributes:
                try:
                    session.refresh(obj)
                except InvalidRequestError:  # its row is gone
                    session.expunge(obj)
    finally:
        session.info.pop(_RELEASING, None)


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_RESTORED, None)


def install(factory: Any) -> None:
    """Hook the factory's sessions (once, as funding_dates.install does): every restore path, one place."""
    if not getattr(factory, "_oldcomm_held_release", False):
        event.listen(factory, "before_flush", _before_flush)
        event.listen(factory, "before_commit", _before_commit)
        event.listen(factory, "after_rollback", _forget)
        factory._oldcomm_held_release = True
