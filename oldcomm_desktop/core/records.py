"""Create, change, delete (to the recycle bin) and restore any record, the same way for every kind.

Services describe their fields and cross-field rules; this module applies changes atomically: either
every field passes and the record changes, or a ValidationError lists what is wrong and nothing changes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core.errors import FieldProblem, InRecycleBin, NotFound, StaleRecord, ValidationError
from oldcomm_desktop.core.fields import Field, parse_changes
from oldcomm_desktop.core.model import Record
from oldcomm_desktop.core.model.base import utcnow
from oldcomm_desktop.core.record_names import named
from oldcomm_desktop.core.record_parents import PARENTS

R = TypeVar("R", bound=Record)
Rule = Callable[[Session, Any, bool], list[FieldProblem]]  # (session, record, confirm) -> problems


def get(
    session: Session,
    cls: type[R],
    record_id: str,
    *,
    include_deleted: bool = False,
    expected_version: int | None = None,
) -> R:
    """The record, or NotFound; with `expected_version`, StaleRecord when it has changed since it was loaded.

    Every service write that changes an existing record fetches it through here, so the version check is
    in one place. The stored version is read from the database (not the session's cached object); a
    change committed between this check and our flush is caught by the ORM's version counter at the
    flush and turned into the same StaleRecord (storage.database).
    """
    obj = session.get(cls, record_id)
    if obj is not None and expected_version is not None:
        # before the recycle-bin check: a record a colleague deleted meanwhile is a stale save (who, when)
        check_version(session, cls, record_id, expected_version)
    if obj is None or (obj.deleted_at is not None and not include_deleted):
        raise NotFound(f"找不到编号为 {record_id} 的记录（可能已删除）")
    return obj


# Parents beyond those a sync package's records sit under (core/record_parents.py, the one list of them): a
# county order's targets and their history sit under the order.
_MORE_PARENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "order_target": (("order_id", "supervision_order"),),
    "order_event": (("target_id", "order_target"),),
}


def _parent_links(table: str) -> tuple[tuple[str, str], ...]:
    return PARENTS.get(table, ()) + _MORE_PARENTS.get(table, ())


@functools.cache  # the mapped classes are fixed once the model is imported: one walk per table, not per write
def _class_of(table: str) -> type[Record] | None:
    from oldcomm_desktop.core.model import Base

    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if getattr(cls, "__tablename__", None) == table and issubclass(cls, Record):
            return cls
    return None


def binned_ancestor(session: Session, obj: Record) -> Record | None:
    """The outermost record in the recycle bin among `obj` and those it sits under, or None.

    Outermost, because that is the one the clerk restores first: restoring a community brings back what was
    deleted with it. A photo sits under its owner (`owner_table`, `owner_id`), any other record under its
    parent columns; a parent that does not exist is not this check's business (the caller's rules say so).
    """
    found: tuple[int, Record] | None = None
    seen: set[tuple[str, str]] = set()
    todo: list[tuple[int, Record]] = [(0, obj)]  # breadth first: (how far above `obj`, the record)
    while todo:
        depth, current = todo.pop(0)
        key = (current.__tablename__, current.id)
        if key in seen:
            continue
        seen.add(key)
        if current.deleted_at is not None and (found is None or depth > found[0]):
            found = (depth, current)
        links = list(_parent_links(current.__tablename__))
        if current.__tablename__ == "attachment":
            links.append(("owner_id", getattr(current, "owner_table", "")))
        for column, table in links:
            parent_id = getattr(current, column, None)
            cls = _class_of(table) if parent_id else None
            if cls is None:
                continue
            with session.no_autoflush:
                parent = session.get(cls, parent_id)
            if parent is not None:
                todo.append((depth + 1, parent))
    return found[1] if found is not None else None


def refuse_if_binned(session: Session, obj: Record, doing: str) -> None:
    """Raise InRecycleBin when `obj` or a record it sits under is in the recycle bin; `doing` is the act
    refused, in Chinese (添加进度节点). Nothing is changed.

    Every service that adds a record under a parent, or changes a record, asks here (or through
    `get_writable`), so a milestone or a money line is never written under a community in the bin. Sync
    writes through the bulk path instead and holds such records as conflicts (core/sync/deleted_parents.py).
    """
    binned = binned_ancestor(session, obj)
    if binned is None:
        return
    with session.no_autoflush:
        name = named(session.connection(), binned.__tablename__, binned.id)
    raise InRecycleBin(
        f"{name}已删除（在回收站中），不能{doing}；请先从回收站恢复。",
        table=binned.__tablename__,
        record_id=binned.id,
    )


def get_writable(
    session: Session, cls: type[R], record_id: str, doing: str, *, expected_version: int | None = None
) -> R:
    """`get` for a record about to be changed or to receive a new record under it: NotFound when there is
    no such record, StaleRecord as `get`, InRecycleBin (naming what to restore) when it or a record it sits
    under is in the recycle bin."""
    obj = get(session, cls, record_id, include_deleted=True, expected_version=expected_version)
    refuse_if_binned(session, obj, doing)
    return obj


def check_version(session: Session, cls: type[Record], record_id: str, expected_version: int) -> None:
    """Raise StaleRecord unless the stored record `record_id` is at `expected_version`."""
    with session.no_autoflush:
        current = session.scalar(select(cls.version).where(cls.id == record_id))
    if current != expected_version:
        raise stale(session, cls.__tablename__, record_id, expected_version, current)


def stale(
    session: Session, table: str | None, record_id: str, expected: int | None, current: int | None
) -> StaleRecord:
    """A StaleRecord naming who changed the record last, and when, from the audit log."""
    from oldcomm_desktop.core.model import AuditEntry

    with session.no_autoflush:
        last = session.execute(
            select(AuditEntry.operator, AuditEntry.at)
            .where(AuditEntry.record_id == record_id)
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        ).first()
    by, at = (last[0], last[1]) if last is not None else (None, None)
    return StaleRecord(record_id, expected, current, by, at, table=table)


def apply(
    session: Session,
    obj: R,
    spec: Mapping[str, Field],
    changes: Mapping[str, Any],
    rules: list[Rule] = (),  # type: ignore[assignment]
    *,
    confirm: bool = False,
) -> R:
    """Apply `changes` to `obj` if they and the record's rules all pass; otherwise leave `obj` untouched."""
    state = inspect(obj)
    if state.transient or state.pending:  # a new record: a required field left out is an error, not a NULL
        changes = {
            **{n: None for n, f in spec.items() if f.required and n not in changes and getattr(obj, n) is None},
            **changes,
        }
    parsed = parse_changes(spec, changes)
    before = {name: getattr(obj, name) for name in parsed}
    for name, value in parsed.items():
        setattr(obj, name, value)
    try:
        # no autoflush: a rule's query must not write the tentative values (and their audit entries) early
        with session.no_autoflush:
            problems = [p for rule in rules for p in rule(session, obj, confirm)]
        if problems:
            raise ValidationError(problems)
    except BaseException:
        for name, value in before.items():
            setattr(obj, name, value)
        raise
    if obj not in session:
        session.add(obj)
    return obj


def soft_delete(session: Session, obj: Record) -> None:
    """Into the recycle bin: a tombstone, not a DELETE, so sync can carry it and restore can undo it."""
    if obj.deleted_at is None:
        obj.deleted_at = utcnow()


def restore(session: Session, obj: Record) -> None:
    obj.deleted_at = None


def live(cls: type[R]):  # a Select
    """SELECT of the records of `cls` not in the recycle bin."""
    return select(cls).where(cls.deleted_at.is_(None))
