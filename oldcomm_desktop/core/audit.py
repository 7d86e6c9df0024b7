"""The audit log: every create, change, delete and restore of a record, field by field, with who and when.

It is a session hook rather than code in each service, so nothing that changes a record can forget it —
the GUI, the command line, an import and a sync all pass through the same flush.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.model import AuditEntry, Record
from oldcomm_desktop.core.model.base import utcnow

IGNORED = {"updated_at", "version", "created_at", "search_initials", "name_sort", "community_sort"}


class OperatorMissing(OldcommError):
    """A write without an operator: the audit log must name who made every change."""


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (date, datetime, Decimal)):
        return str(value)
    return str(value)


NO_OPERATOR = "这次修改没有注明操作员（是谁改的），不能保存。请先选择或填写操作员，再保存。"


def _created_values(obj: Record) -> str:
    """What a create set, as one JSON object {field: value as text} (empty fields left out).

    One entry per create rather than one per field keeps the log small on bulk imports, and the history
    still shows the values a record started with (a later update's old value then has a known origin).
    """
    import json

    state = inspect(obj)
    values = {}
    for attr in state.mapper.column_attrs:
        if attr.key in IGNORED or attr.key in ("id", "deleted_at"):
            continue
        value = state.dict.get(attr.key)
        if value is not None:
            values[attr.key] = _text(value)
    return json.dumps(values, ensure_ascii=False, sort_keys=True)


def _entries(session: Session) -> list[AuditEntry]:
    operator = session.info.get("operator")
    now = utcnow()
    entries: list[AuditEntry] = []
    for obj in session.new:
        if isinstance(obj, Record):
            entries.append(
                AuditEntry(
                    at=now,
                    operator=operator,
                    table_name=obj.__tablename__,
                    record_id=obj.id,
                    action="create",
                    new_value=_created_values(obj),
                )
            )
    for obj in session.dirty:
        if not isinstance(obj, Record) or not session.is_modified(obj, include_collections=False):
            continue
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            if attr.key in IGNORED:
                continue
            history = state.attrs[attr.key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old == new:
                continue
            action = "update"
            if attr.key == "deleted_at":
                action = "delete" if new is not None else "restore"
            entries.append(
                AuditEntry(
                    at=now,
                    operator=operator,
                    table_name=obj.__tablename__,
                    record_id=obj.id,
                    action=action,
                    field=attr.key,
                    old_value=_text(old),
                    new_value=_text(new),
                )
            )
    return entries


def _before_flush(session: Session, _context, _instances) -> None:
    if (session.new or session.deleted or any(session.is_modified(o) for o in session.dirty)) and not (
        session.info.get("operator") or ""
    ).strip():
        raise OperatorMissing(NO_OPERATOR)
    for obj in session.new:
        if isinstance(obj, Record) and obj.id is None:
            from oldcomm_desktop.core.model.base import new_id

            obj.id = new_id()
    session.add_all(_entries(session))


def install(factory: sessionmaker) -> None:
    # A mark on the factory, not event.contains(): SQLAlchemy keys that registry by id() of the session
    # class, so a new factory whose class reuses a collected one's id was taken as installed (no audit).
    if not getattr(factory, "_oldcomm_audited", False):
        event.listen(factory, "before_flush", _before_flush)
        factory._oldcomm_audited = True  # type: ignore[attr-defined]


def history(session: Session, record_id: str) -> list[AuditEntry]:
    """The change history of one record, oldest first (the GUI's 修改记录)."""
    return list(session.scalars(select(AuditEntry).where(AuditEntry.record_id == record_id).order_by(AuditEntry.seq)))
