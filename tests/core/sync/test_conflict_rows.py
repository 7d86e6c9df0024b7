"""One way to write a conflict row (sync/conflict_rows.py), used by the merge, the catalogue merge and the hold
of a record whose parent is deleted: at most one open conflict per record and field, refreshed in place."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from oldcomm_desktop.core.model import SyncConflict
from oldcomm_desktop.core.sync import conflict_rows, deleted_parents, importer


def _write(conn, found, **values) -> None:
    base = {
        "table_name": "community",
        "record_id": "r1",
        "field": "households",
        "ours": 10,
        "theirs": 12,
        "theirs_clock": {"a": 1},
        "theirs_at": datetime(2026, 6, 1, 8),
        "ours_at": datetime(2026, 6, 1, 9),
        "township_code": "341122001000",
        "peer_code": "341122001000",
        "import_id": "i1",
        "now": datetime(2026, 6, 2),
    }
    conflict_rows.write(conn, found, **{**base, **values})


def test_a_conflict_is_written_once_and_refreshed_in_place(session) -> None:
    conn = session.connection()
    assert conflict_rows.open_one(conn, "r1", "households") is None
    _write(conn, None)
    first = conflict_rows.open_one(conn, "r1", "households")
    assert first is not None and (first.status, json.loads(first.theirs_clock)) == ("open", {"a": 1})
    _write(conn, first, ours=11, theirs=15, theirs_clock={"a": 3, "b": 1}, theirs_at=None, import_id="i2")
    [row] = session.scalars(select(SyncConflict)).all()
    assert (row.id, row.ours, row.theirs, row.import_id) == (first.id, "11", "15", "i1")  # who and when stay
    assert json.loads(row.theirs_clock) == {"a": 3, "b": 1}  # the clocks joined
    assert row.theirs_at == datetime(2026, 6, 1, 8)  # an arrival without a time keeps the one held
    again = conflict_rows.open_one(conn, "r1", "households")
    _write(conn, again, theirs_clock={"a": 2}, theirs_at=datetime(2026, 7, 1))
    session.expire_all()
    [row] = session.scalars(select(SyncConflict)).all()
    assert json.loads(row.theirs_clock) == {"a": 3, "b": 1} and row.theirs_at == datetime(2026, 7, 1)


def test_the_merge_and_the_hold_write_through_it() -> None:
    import inspect

    from oldcomm_desktop.core.sync import rule_holds

    for module in (importer, deleted_parents, rule_holds):  # a held record through conflict_rows.hold, which writes
        source = inspect.getsource(module)
        assert "conflict_rows.write(" in source or "conflict_rows.hold(" in source
        assert "CONFLICT.insert()" not in source
    assert "write(" in inspect.getsource(conflict_rows.hold)
