"""Create, change, delete (to the recycle bin) and restore any record, the same way for every kind.

Services describe their fields and cross-field rules; this module applies changes atomically: either
every field passes and the record changes, or a ValidationError lists what is wrong and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core.errors import FieldProblem, NotFound, ValidationError
from oldcomm_desktop.core.fields import Field, parse_changes
from oldcomm_desktop.core.model import Record
from oldcomm_desktop.core.model.base import utcnow

R = TypeVar("R", bound=Record)
Rule = Callable[[Session, Any, bool], list[FieldProblem]]  # (session, record, confirm) -> problems


def get(session: Session, cls: type[R], record_id: str, *, include_deleted: bool = False) -> R:
    obj = session.get(cls, record_id)
    if obj is None or (obj.deleted_at is not None and not include_deleted):
        raise NotFound(f"找不到编号为 {record_id} 的记录（可能已删除）")
    return obj


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


def live(cls: type[R]):  # noqa: ANN201 - a Select
    """SELECT of the records of `cls` not in the recycle bin."""
    return select(cls).where(cls.deleted_at.is_(None))
