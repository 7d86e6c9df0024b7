"""The one way an import writes a conflict row: a record and field have at most one open conflict, refreshed
with the newest values when the same conflict arrives again, else recorded new.

The merge (importer.py: a field both sides changed; a catalogue entry the township edited), and the hold of a
record whose parent is deleted here (deleted_parents.py) each used to write their own "update if there, else
insert", each refreshing different columns; a refreshed conflict kept a stale clock or a stale time depending
on which path met it. Here both halves are written once, for every kind of conflict.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection, Row

from oldcomm_desktop.core.model import SyncConflict
from oldcomm_desktop.core.model.base import new_id
from oldcomm_desktop.core.sync import merge, tables

CONFLICT = cast(Table, SyncConflict.__table__)


def open_one(conn: Connection, record_id: str, field: str) -> Row[Any] | None:
    """The open conflict of a record's field, if there is one."""
    return conn.execute(
        select(CONFLICT).where(
            CONFLICT.c.record_id == record_id, CONFLICT.c.field == field, CONFLICT.c.status == "open"
        )
    ).first()


def write(
    conn: Connection,
    found: Row[Any] | None,
    *,
    table_name: str,
    record_id: str,
    field: str,
    ours: Any,
    theirs: Any,
    theirs_clock: dict[str, Any],
    theirs_at: datetime | None,
    ours_at: datetime | None,
    township_code: str | None,
    peer_code: str,
    import_id: str,
    now: datetime,
    joined: bool = False,
) -> None:
    """Record the conflict, or refresh `found` (the open one of the same record and field, from `open_one` or
    read with a chunk): both values become the newest, their clock joins the one held (`joined`: the caller
    joined them already — a held record's clocks are per field), their time moves on (an arrival without a
    time keeps the one held). Who, where and when it was first seen stay as recorded."""
    if found is not None:
        held = json.loads(found.theirs_clock or "{}")
        clock = theirs_clock if joined else merge.join_stored(field, held, theirs_clock)
        conn.execute(
            CONFLICT.update()
            .where(CONFLICT.c.id == found.id)
            .values(
                ours=tables.dumps(ours),
                theirs=tables.dumps(theirs),
                theirs_at=theirs_at or found.theirs_at,
                theirs_clock=tables.dumps(clock),
            )
        )
        return
    conn.execute(
        CONFLICT.insert().values(
            id=new_id(),
            table_name=table_name,
            record_id=record_id,
            field=field,
            township_code=township_code,
            peer_code=peer_code,
            ours=tables.dumps(ours),
            theirs=tables.dumps(theirs),
            ours_at=ours_at,
            theirs_at=theirs_at,
            theirs_clock=tables.dumps(theirs_clock),
            import_id=import_id,
            status="open",
            created_at=now,
        )
    )


def hold(
    conn: Connection,
    *,
    field: str,
    name: str,
    line: dict[str, Any],
    extra: dict[str, Any],
    ours: Any,
    ours_at: datetime | None,
    township_code: str | None,
    peer_code: str,
    import_id: str,
    now: datetime,
) -> dict[str, Any]:
    """Record (or refresh) a record held whole as the conflict on a pseudo-field (a parent deleted here, or the
    rules refusing it): its incoming state (values and version vectors, as the package line carries them) with
    `extra`, joined with the state held before as the merge would join them. Returns what is kept as theirs."""
    rid = line["id"]
    held = {"id": rid, "v": line["v"], "c": line["c"], "t": line.get("t"), **extra}
    found = open_one(conn, rid, field)
    if found is not None:  # the same record held again
        before = json.loads(found.theirs)
        fields = [c.name for c in tables.data_columns(name)]
        joined = merge.merge_record(before["v"], before["c"], line["v"], line["c"], fields)
        held["v"], held["c"] = joined.values, joined.clocks
    write(
        conn,
        found,
        table_name=name,
        record_id=rid,
        field=field,
        ours=ours,
        theirs=held,
        theirs_clock=held["c"],  # per field, joined with the held ones above
        joined=True,
        theirs_at=datetime.fromisoformat(line["t"]) if line.get("t") else None,
        ours_at=ours_at,
        township_code=township_code,
        peer_code=peer_code,
        import_id=import_id,
        now=now,
    )
    return held
