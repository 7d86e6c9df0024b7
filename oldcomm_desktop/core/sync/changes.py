"""Change tracking: the shadow of every shared record, and what a peer has not seen yet.

Clerks change records through the services, the GUI, imports and other helpers' bulk paths; sync does not
hook them all. It keeps instead a *shadow* of each shared record (sync_shadow): the field values as sync
last saw them, a version vector per field and a local change sequence number. A scan compares live rows
with their shadow: a field that differs was edited here, so its vector gets one more of our own count, and
the row gets a new sequence number. Rows are scanned from the last scan's time (their updated_at), or all
of them for a full export.

Each peer records how far it holds our changes (`acked_seq`, set from the receipt in its packages), so an
incremental package carries the rows whose sequence number is newer — and never the rows we took from that
very peer unchanged (`echo_of`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from oldcomm_desktop.core import workspace
from oldcomm_desktop.core.model import SyncIdentity, SyncShadow
from oldcomm_desktop.core.model.base import utcnow
from oldcomm_desktop.core.sync import merge, tables
from oldcomm_desktop.core.sync.keys import identity

CHUNK = 500
# updated_at is written by the application's clock at flush; a margin covers rows flushed by a transaction
# that began before the last scan's start and committed after it.
MARGIN = timedelta(minutes=1)
SHADOW = cast(Table, SyncShadow.__table__)
SHADOW_COLUMNS = ("table_name", "record_id", "township_code", "state", "clock", "seq", "echo_of", "echo_seq")
IDENTITY = cast(Table, SyncIdentity.__table__)


CLOCK_NODE = "sync_clock_node"  # setting: this database's mark in version vectors since its last restore


def node(session: Session) -> str:
    """This installation's name in version vectors: its division code, marked after a restore from a backup
    (`storage.backup.restore` writes a new random mark each time): the restored file counts its edits afresh
    under the marked name, so they never reuse the numbers its lost edits (the ones after the backup, which the
    county holds) had — an edit after the restore is concurrent with them, a conflict a clerk sees, never taken
    for a later one of the same series."""
    code = workspace.own_code(session)
    if not code:
        raise RuntimeError("database not initialised")
    from oldcomm_desktop.core.model import Setting

    mark = session.connection().execute(select(Setting.value).where(Setting.key == CLOCK_NODE)).scalar()
    return f"{code}~{mark}" if isinstance(mark, str) and mark else code


def of_node(key: str, code: str) -> bool:
    """Whether a version vector's key counts edits of the installation `code` (under any restore's mark)."""
    return key == code or key.startswith(code + "~")


def allocate(session: Session, n: int) -> int:
    """Reserve `n` local change sequence numbers; returns the first."""
    ident = identity(session)
    conn = session.connection()
    conn.execute(update(IDENTITY).where(SyncIdentity.id == 1).values(last_seq=SyncIdentity.last_seq + n))
    first = int(conn.execute(select(SyncIdentity.last_seq).where(SyncIdentity.id == 1)).scalar_one()) - n + 1
    session.expire(ident, ["last_seq"])
    return first


def last_seq(session: Session) -> int:
    return int(session.connection().execute(select(SyncIdentity.last_seq).where(SyncIdentity.id == 1)).scalar_one())


@dataclass(slots=True)  # one per record of a package: no __dict__ each
class ShadowRow:
    table_name: str
    record_id: str
    township_code: str | None
    state: dict[str, Any]
    clocks: merge.Clocks
    seq: int
    echo_of: str | None = None
    echo_seq: int | None = None
    # the state's canonical text when known (as loaded, or as the package carried it: then perhaps its UTF-8 bytes)
    state_text: str | bytes = ""
    clock_text: str = ""  # the same for the clocks, when they are exactly as the package carried them

    def as_json(self) -> str:
        return json.dumps(
            {
                "state": self.state,
                "clock": self.clocks,
                "seq": self.seq,
                "echo_of": self.echo_of,
                "echo_seq": self.echo_seq,
                "township_code": self.township_code,
            },
            ensure_ascii=False,
        )


def load_shadows(conn: Connection, table_name: str, ids: list[str]) -> dict[str, ShadowRow]:
    found: dict[str, ShadowRow] = {}
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        rows = conn.execute(
            select(SHADOW).where(SHADOW.c.table_name == table_name, SHADOW.c.record_id.in_(part))
        ).mappings()
        for r in rows:
            found[r["record_id"]] = ShadowRow(
                table_name,
                r["record_id"],
                r["township_code"],
                json.loads(r["state"]),
                json.loads(r["clock"]),
                r["seq"],
                r["echo_of"],
                r["echo_seq"],
                r["state"],
            )
    return found


def made_by(conn: Connection, node_code: str) -> Callable[[str, list[str]], set[str]]:
    """Which of some stored records the installation `node_code` made or changed itself: its count is in one
    of their version vectors (for `bulk_tables.merging`: its new order steps come after those it made)."""

    def made(table_name: str, ids: list[str]) -> set[str]:
        return {
            record_id
            for record_id, shadow in load_shadows(conn, table_name, ids).items()
            if any(
                isinstance(v, dict) and any(n and of_node(k, node_code) for k, n in v.items())
                for v in shadow.clocks.values()
            )
        }

    return made


def has_shadows(conn: Connection, table_name: str) -> bool:
    """Whether any record of this table has a shadow here (none before its first package or export)."""
    q = select(SHADOW.c.record_id).where(SHADOW.c.table_name == table_name).limit(1)
    return conn.execute(q).first() is not None


def save_shadows(conn: Connection, rows: list[ShadowRow], existing: set[tuple[str, str]]) -> None:
    """Insert or update shadow rows (`existing` names the (table, id) pairs already stored)."""
    inserts: list[tuple[Any, ...]] = []
    updates: list[dict[str, Any]] = []
    dumps = tables.dumps
    from oldcomm_desktop.core.importing.bulk import _Insert

    insert = _Insert(conn, SHADOW)
    plain = [c.key for c in insert.cols] == list(SHADOW_COLUMNS) and not any(insert.procs) and not insert.named
    as_bytes = plain and conn.dialect.name == "sqlite"  # a state's UTF-8 bytes go in as they are (see below)
    for r in rows:
        state = r.state_text or dumps(r.state)
        if type(state) is bytes and (not as_bytes or (r.table_name, r.record_id) in existing):
            state = state.decode()
        values = (
            r.table_name,
            r.record_id,
            r.township_code,
            state,
            r.clock_text or dumps(r.clocks),
            r.seq,
            r.echo_of,
            r.echo_seq,
        )
        if (r.table_name, r.record_id) in existing:
            updates.append(dict(zip(SHADOW_COLUMNS, values, strict=True)))
        else:
            inserts.append(values)
    if inserts and plain:  # the columns in this order, none needing a bind processor: tuples straight to the driver
        sql = insert.sql
        if as_bytes:
            # A state's text read fast from a package is still the line's UTF-8 bytes: SQLite's CAST takes a blob's
            # bytes as text in the database's encoding (UTF-8), so they are stored as the text they are, without
            # decoding them in Python and the driver encoding them back (~1 KB a record held twice). A `str` state
            # passes the CAST unchanged.
            marks = ", ".join("CAST(? AS TEXT)" if name == "state" else "?" for name in SHADOW_COLUMNS)
            sql = f"{sql.partition(' VALUES (')[0]} VALUES ({marks})"
        for i in range(0, len(inserts), 5000):
            conn.exec_driver_sql(sql, inserts[i : i + 5000])
    elif inserts:
        as_dicts = [dict(zip(SHADOW_COLUMNS, v, strict=True)) for v in inserts]
        for i in range(0, len(as_dicts), 5000):
            insert(as_dicts[i : i + 5000])
    if updates:
        from sqlalchemy import bindparam

        stmt = (
            SHADOW.update()
            .where(SHADOW.c.table_name == bindparam("b_table"), SHADOW.c.record_id == bindparam("b_id"))
            .values(
                township_code=bindparam("township_code"),
                state=bindparam("state"),
                clock=bindparam("clock"),
                seq=bindparam("seq"),
                echo_of=bindparam("echo_of"),
                echo_seq=bindparam("echo_seq"),
            )
        )
        conn.execute(
            stmt,
            [
                {
                    **{k: v for k, v in u.items() if k not in ("table_name", "record_id")},
                    "b_table": u["table_name"],
                    "b_id": u["record_id"],
                }
                for u in updates
            ],
        )


def delete_shadow(conn: Connection, table_name: str, record_id: str) -> None:
    conn.execute(SHADOW.delete().where(SHADOW.c.table_name == table_name, SHADOW.c.record_id == record_id))


def _live_rows(conn: Connection, name: str, since: datetime | None) -> Iterator[Any]:
    t = tables.table(name)
    q = select(t)
    if since is not None:
        q = q.where(t.c.updated_at >= since)
    result = conn.execute(q.order_by(t.c.id).execution_options(yield_per=2000))
    yield from result.partitions(2000)


def _rows_by_id(conn: Connection, name: str, ids: list[str]) -> Iterator[Any]:
    t = tables.table(name)
    for i in range(0, len(ids), CHUNK):
        yield conn.execute(select(t).where(t.c.id.in_(ids[i : i + CHUNK])).order_by(t.c.id)).all()


def scan(
    session: Session,
    *,
    full: bool = False,
    keys: tables.KeyMaps | None = None,
    only: Mapping[str, Iterable[str]] | None = None,
) -> int:
    """Bring the shadow up to date with local edits; returns how many records changed since the last scan.

    `only` (table -> ids): just those records, whenever they changed, leaving the scan's mark where it was so the
    next whole scan still sees everything else. A decision needs only its own record's edits weighed first; a
    whole scan re-encodes every row touched within MARGIN, which right after an import is all it wrote, and a
    clerk deciding conflicts one by one paid that on every click (QA round 3, bug 5)."""
    ident = identity(session)
    me = node(session)
    conn = session.connection()
    keys = keys or tables.KeyMaps(conn)
    started = utcnow()
    since = None if full or ident.scanned_until is None else ident.scanned_until - MARGIN
    changed = 0
    for name in tables.SHARED_TABLES:
        if only is not None and name not in only:
            continue
        codec = tables.RowCodec(name, keys)
        names = [c.name for c in codec.columns]
        # a table with no shadow yet (a first export) is not asked 2,000 ids at a time for shadows that cannot
        # be there: the ids of the later parts are other records than those this scan gives shadows
        none_yet = not has_shadows(conn, name)
        parts = _live_rows(conn, name, since) if only is None else _rows_by_id(conn, name, sorted(set(only[name])))
        for part in parts:
            shadows = {} if none_yet else load_shadows(conn, name, [r._mapping["id"] for r in part])
            out: list[ShadowRow] = []
            for r in part:
                rid = r._mapping["id"]
                state = codec.encode(r)
                text = tables.dumps(state)
                old = shadows.get(rid)
                if old is not None and old.state_text == text:
                    continue
                if old is None:
                    clocks: merge.Clocks = {"*": {me: 1}}
                else:
                    clocks = dict(old.clocks)
                    for f in names:
                        if old.state.get(f) != state.get(f):
                            clocks[f] = merge.bump(merge.of(old.clocks, f), me)
                    clocks = merge.compact(clocks)
                out.append(ShadowRow(name, rid, state.get("township_code"), state, clocks, 0, state_text=text))
            if out:
                first = allocate(session, len(out))
                for i, row in enumerate(out):
                    row.seq = first + i
                save_shadows(conn, out, {(name, rid) for rid in shadows})
                changed += len(out)
    if only is None:
        conn.execute(update(IDENTITY).where(SyncIdentity.id == 1).values(scanned_until=started))
        session.expire(ident, ["scanned_until"])
    return changed


def pending(
    session: Session,
    *,
    peer: str,
    township: str | None,
    after_seq: int,
    names: tuple[str, ...] = tables.SHARED_TABLES,
    down: bool = True,
    echoes: bool = False,
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(table, rows) of shadows a peer has not seen: newer than `after_seq`, in `township`'s scope, no echoes.

    Each row: id, township_code, state, clock, seq and the live updated_at. `down` is False for a township's
    package to its county: then county-wide records (orders and their files) never go, whatever their shadow.
    `echoes`: the records whose state came from the peer go too (a county's full package).
    """
    conn = session.connection()
    for name in names:
        if not down and name in tables.COUNTY_WIDE:
            continue
        t = tables.table(name)
        q = (
            select(SHADOW.c.record_id, SHADOW.c.state, SHADOW.c.clock, SHADOW.c.seq, t.c.updated_at)
            .join_from(SHADOW, t, t.c.id == SHADOW.c.record_id)
            .where(SHADOW.c.table_name == name, SHADOW.c.seq > after_seq)
            .order_by(SHADOW.c.seq)
        )
        if not echoes:
            q = q.where(or_(SHADOW.c.echo_of.is_(None), SHADOW.c.echo_of != peer, SHADOW.c.echo_seq != SHADOW.c.seq))
        if township is not None:
            q = q.where(in_scope(name, township) if down else SHADOW.c.township_code == township)
        batch: list[dict[str, Any]] = []
        for r in conn.execute(q.execution_options(yield_per=2000)):
            batch.append({"id": r[0], "state": r[1], "clock": r[2], "seq": r[3], "t": r[4]})
            if len(batch) >= 5000:
                yield name, batch
                batch = []
        if batch:
            yield name, batch


def addressed_orders(township: str) -> Any:
    """The ids of the county orders addressed to a township (it has a target of them), as a subquery."""
    target = tables.table("order_target")
    return select(target.c.order_id).where(target.c.township_code == township).scalar_subquery()


def in_scope(name: str, township: str) -> Any:
    """Which shadows of table `name` belong in a package for `township`.

    A township's own records carry its code. A county order carries none: it goes to the townships it
    addresses, and so do the attachments of such an order (their township_code is empty too).
    """
    if name in tables.COUNTY_WIDE:
        return SHADOW.c.record_id.in_(addressed_orders(township))
    if name == "attachment":
        att = tables.table("attachment")
        orders = select(att.c.id).where(
            att.c.owner_table.in_(tuple(tables.COUNTY_WIDE)), att.c.owner_id.in_(addressed_orders(township))
        )
        return or_(SHADOW.c.township_code == township, SHADOW.c.record_id.in_(orders.scalar_subquery()))
    return SHADOW.c.township_code == township


def township_has_shadow(session: Session, township: str) -> bool:
    conn = session.connection()
    return (
        conn.execute(select(SHADOW.c.seq).where(and_(SHADOW.c.township_code == township)).limit(1)).first() is not None
    )


def forget_echoes(session: Session, peer: str) -> int:
    """Records whose state came from `peer` unchanged go to it again (its installation was replaced)."""
    result = session.connection().execute(
        SHADOW.update().where(SHADOW.c.echo_of == peer).values(echo_of=None, echo_seq=None)
    )
    return int(result.rowcount or 0)
