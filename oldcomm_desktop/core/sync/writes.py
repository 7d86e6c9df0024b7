"""The write step of an import: one named function per table, each taking whole batches.

An import writes through SQLAlchemy Core in batches (executemany), never an ORM object per row: a package of
100,000 records is applied in seconds, not minutes (tech-notes §5). Each table has its own function in
`WRITERS` so the bulk write path of the ledger import can later take over one table at a time without the
importer changing. Every write bumps the row's `version` (a clerk's edit form opened before the import then
fails its version check instead of silently overwriting) and sets `updated_at`.

The audit log gets one entry per changed field, as the session hook writes for a clerk's edit, with the
operator named "数据包导入（<sender>）".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam
from sqlalchemy.engine import Connection

from oldcomm_desktop.core import record_names
from oldcomm_desktop.core.audit import _text
from oldcomm_desktop.core.model import AuditEntry
from oldcomm_desktop.core.sync import tables

Writer = Callable[[Connection, list[dict[str, Any]], list[dict[str, Any]], datetime], None]
AUDIT = cast(Table, AuditEntry.__table__)


def write_rows(
    conn: Connection, name: str, inserts: list[dict[str, Any]], updates: list[dict[str, Any]], now: datetime
) -> None:
    """Insert whole rows and update changed columns (`updates`: {"id", column: value …}) of one table."""
    t = tables.table(name)
    if inserts:
        rows = [{**r, "version": 1, "updated_at": now} for r in inserts]
        for i in range(0, len(rows), 5000):
            conn.execute(t.insert(), rows[i : i + 5000])
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for u in updates:
        cols = tuple(sorted(k for k in u if k != "id"))
        groups.setdefault(cols, []).append(u)
    for cols, rows in groups.items():
        stmt = (
            t.update()
            .where(t.c.id == bindparam("b_id"))
            .values(
                version=t.c.version + 1,
                updated_at=bindparam("b_now"),
                **{c: bindparam(f"b_{c}") for c in cols},
            )
        )
        params = [{"b_id": r["id"], "b_now": now, **{f"b_{c}": r[c] for c in cols}} for r in rows]
        for i in range(0, len(params), 5000):
            conn.execute(stmt, params[i : i + 5000])


def write_audit(conn: Connection, entries: list[dict[str, Any]]) -> None:
    """Audit rows: {table_name, record_id, action, field, old_value, new_value, at, operator}."""
    for e in entries:
        e["old_value"] = _text(e.get("old_value"))
        e["new_value"] = _text(e.get("new_value"))
    for i in range(0, len(entries), 5000):
        conn.execute(AUDIT.insert(), entries[i : i + 5000])


def _writer(name: str) -> Writer:
    def write(conn: Connection, inserts: list[dict[str, Any]], updates: list[dict[str, Any]], now: datetime) -> None:
        write_rows(conn, name, inserts, updates, now)

    write.__name__ = f"write_{name}_rows"
    write.__doc__ = f"Apply a batch of {name} rows from a package."
    return write


write_project_rows = _writer("project")
write_community_rows = _writer("community")
write_renovation_item_rows = _writer("renovation_item")
write_milestone_rows = _writer("milestone")
write_funding_line_rows = _writer("funding_line")
write_funding_line_history_rows = _writer("funding_line_history")
write_investment_entry_rows = _writer("investment_entry")
write_inspection_rows = _writer("inspection")
write_inspection_result_rows = _writer("inspection_result")
write_rectification_rows = _writer("rectification")
write_reinspection_rows = _writer("reinspection")
write_attachment_rows = _writer("attachment")
write_responsible_party_rows = _writer("responsible_party")
write_inspection_schedule_rows = _writer("inspection_schedule")
write_resident_request_rows = _writer("resident_request")
write_supervision_order_rows = _writer("supervision_order")
write_order_target_rows = _writer("order_target")
write_order_event_rows = _writer("order_event")
write_return_submission_rows = _writer("return_submission")
write_return_archive_rows = _writer("return_archive")
write_return_round_rows = _writer("return_round")
write_return_note_rows = _writer("return_note")
write_category_rows = _writer("category")
write_effect_indicator_rows = _writer("effect_indicator")
write_item_type_rows = _writer("item_type")
write_funding_source_rows = _writer("funding_source")
write_checklist_template_rows = _writer("checklist_template")
write_checklist_template_item_rows = _writer("checklist_template_item")
write_division_rows = _writer("division")

WRITERS: dict[str, Writer] = {
    name: globals()[f"write_{name}_rows"] for name in (*tables.SHARED_TABLES, *tables.CATALOGUE_TABLES)
}


def peer_mode(session: Any) -> str:
    """The other side's mode (a county's peer is a township, a township's the county): the mode the bulk path's
    rules take a peer's records in (bulk_tables.merging)."""
    from oldcomm_desktop.core import workspace

    return workspace.TOWNSHIP if workspace.mode(session) == workspace.COUNTY else workspace.COUNTY


def through_bulk(
    session: Any, rows: dict[str, list[dict[str, Any]]], *, source: str, refused: str, operator: str | None = None
) -> None:
    """Rows of the tables the bulk write path knows (importing/bulk_tables.py), written through it: the same
    parsing, rules, derived columns, list shapes and audit entries as an import or a single edit, so a rollback
    or a conflict's decision can write nothing the rules refuse. Deletions and restores are never refused
    (`tombstones`), as in the recycle bin. `refused`: the Chinese sentence that starts the message when rows fail
    (nothing is written then; the caller's transaction is left as it was before this call).
    """
    from oldcomm_desktop.core.errors import ValidationError
    from oldcomm_desktop.core.importing import bulk, bulk_tables

    unknown = {name for name, part in rows.items() if part} - set(bulk_tables.TABLES)
    if unknown:  # never dropped silently: those tables have their own writer in WRITERS
        raise ValueError(f"not tables of the bulk write path: {sorted(unknown)}")
    ordered = {name: rows[name] for name in bulk_tables.TABLES if rows.get(name)}
    if not ordered:
        return
    carry = {name: _carried(name) for name in ordered}
    plan = bulk.prepare(session, ordered, confirm=True, carry=carry, tombstones=True)
    if plan.rejected:  # named as a clerk knows them, only the ones refused (a rollback may write 100,000)
        conn = session.connection()
        shown = [
            f"{record_names.named(conn, o.table, o.id, ordered[o.table][o.index])}：{p.label}{p.message}"
            for o in plan.rejected[:5]
            for p in o.problems[:1]
        ]
        raise ValidationError(f"{refused}：{'；'.join(shown)}")
    before = session.info.get("operator")
    if operator:
        session.info["operator"] = operator
    try:
        bulk.apply(session, plan, source=source, kind="sync", event=False)
    finally:
        session.info["operator"] = before


def _carried(name: str) -> frozenset[str]:
    """Columns beyond the service's fields a row carries as they are (times, deletion, derived ones)."""
    from oldcomm_desktop.core.importing import bulk_tables

    spec = bulk_tables.SPECS[name]
    return frozenset(c.name for c in tables.data_columns(name)) - set(spec.fields) - spec.refs
