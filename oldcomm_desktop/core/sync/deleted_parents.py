"""A record that arrives live under a parent deleted here: a conflict a clerk decides, not a refused package.

The other side added an item to a community (or changed one) that this side deleted before they exchanged.
Field by field nothing collides — the item is new, the community's deletion is ours — yet writing the item
would put a live record under a deleted parent, which the single edit's rules (and the bulk path's) refuse.
Refusing the whole package for it would hold back every other township record in it. So the import *holds*
the record instead: it is not written, its incoming state (values and version vectors, as the package line
carries them) is kept in a conflict row on the pseudo-field `parent_deleted`, and the rest of the package
applies. A clerk then decides:

- take theirs: the parent comes back out of the recycle bin with the children that were deleted with it (as
  the recycle bin restores a community), and the held record is written as it arrived;
- keep ours: the parent stays deleted and the held record is written deleted too, with the parent's deletion
  time, so it sits in the recycle bin with its parent (restoring the parent there restores it as well).

Either way the decision is a local edit on top of the held state (the scan gives it one more count of ours),
so it wins on the other side once it travels: their copy of the parent is restored, or their item deleted.
Both writes go through the bulk write path (importing/bulk.py), with the same rules as every other write.
A rollback of the import that recorded the conflict removes it with the held record; the peer sends it again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from oldcomm_desktop.core import funding_dates, record_names, record_parents
from oldcomm_desktop.core.errors import OldcommError, ValidationError
from oldcomm_desktop.core.model import SyncConflict
from oldcomm_desktop.core.model.base import utcnow
from oldcomm_desktop.core.sync import changes, conflict_rows, merge, tables, writes
from oldcomm_desktop.core.sync.rectifications_follow import rectifications_follow

FIELD = "parent_deleted"  # the conflict's pseudo-field: no column of that name exists
LABEL = "所属记录已删除"

PARENTS = record_parents.PARENTS
PARENT_TABLES = record_parents.PARENT_TABLES
# records held under a parent: a fixed one, or an owner
CHILD_TABLES = frozenset(PARENTS) | frozenset(record_parents.OWNED)


class ParentStates:
    """Whether each parent ends deleted after this import: merged in this package, else as stored here.

    `owners`: the tables the package's photos name as their owners (record_parents.OWNED): noted as parents too, beside
    the fixed parents' tables (record_parents.PARENT_TABLES), so a first package without photos notes no item."""

    def __init__(self, conn: Connection, owners: Iterable[str] = ()):
        self.conn = conn
        self.deleted: dict[tuple[str, str], Any] = {}  # (table, id) -> deleted_at as JSON (None: live)
        # whether any parent was ever found deleted: until one is, no record can sit under one, and the
        # merge's question per record (a first package asks it 100,000 times) is answered without a lookup
        self.any_deleted = False
        self.held: set[tuple[str, str]] = set()  # parents held in this import: not written
        # parents whose deletion this package brings as the sender's own (not an echo of ours): a photo arriving
        # beside one is the sender's coherent state, not a photo added to a record deleted here
        self.sent_deleted: set[tuple[str, str]] = set()
        self.tables = PARENT_TABLES | (frozenset(owners) & record_parents.OWNER_TABLES)

    def notes(self, name: str) -> bool:
        """Whether records of `name` are noted: they are parents of later tables' records in this package."""
        return name in self.tables

    def note(self, name: str, rid: str, deleted_at: Any, *, held: bool = False, sent_deleted: bool = False) -> None:
        if name in self.tables:
            self.deleted[(name, rid)] = deleted_at
            if deleted_at is not None:
                self.any_deleted = True
            if held:
                self.held.add((name, rid))
            if sent_deleted:
                self.sent_deleted.add((name, rid))

    def load(self, name: str, rows: list[dict[str, Any]]) -> None:
        """Read the stored deletion state of the parents of a chunk of incoming `name` records."""
        wanted: dict[str, set[str]] = {}
        for r in rows:
            for col, parent in record_parents.of(name, r["v"]):
                pid = r["v"].get(col)
                if isinstance(pid, str) and (parent, pid) not in self.deleted:
                    wanted.setdefault(parent, set()).add(pid)
        for parent, found in wanted.items():
            t = tables.table(parent)
            ids = sorted(found)
            for k in range(0, len(ids), 500):
                for rid, when in self.conn.execute(select(t.c.id, t.c.deleted_at).where(t.c.id.in_(ids[k : k + 500]))):
                    self.deleted[(parent, rid)] = when.isoformat() if when is not None else None
                    if when is not None:
                        self.any_deleted = True

    def deleted_parent(
        self, name: str, values: dict[str, Any], *, was_live: bool = False
    ) -> tuple[str, str, Any] | None:
        """(parent table, id, its deletion time) when a record that ends live would sit under a deleted parent.
        `was_live`: the record is stored here live (a photo already live beside its deleted owner stays so)."""
        if not self.any_deleted or values.get("deleted_at") is not None:
            return None
        for col, parent in record_parents.of(name, values):
            pid = values.get(col)
            if pid is not None:
                if name in record_parents.LIVE_BESIDE_DELETED_PARENT and (parent, pid) not in self.held:
                    return None
                if (
                    name in record_parents.NEW_UNDER_DELETED_PARENT
                    and (parent, pid) not in self.held
                    and (was_live or (parent, pid) in self.sent_deleted)
                ):
                    return None
                when = self.deleted.get((parent, pid))
                return (parent, pid, when) if when is not None else None
        return None


def hold(
    conn: Connection,
    *,
    name: str,
    line: dict[str, Any],
    parent: tuple[str, str, Any],
    scope: str | None,
    sender: str,
    import_id: str,
    now: datetime,
    ours_at: datetime | None,
) -> dict[str, Any]:
    """Record (or refresh) the held record's conflict; returns the report entry."""
    ptable, pid, when = parent
    rid = line["id"]
    conflict_rows.hold(
        conn,
        field=FIELD,
        name=name,
        line=line,
        extra={"parent": [ptable, pid]},
        ours=when,
        ours_at=ours_at or (datetime.fromisoformat(when) if isinstance(when, str) else None),
        township_code=scope,
        peer_code=sender,
        import_id=import_id,
        now=now,
    )
    return {"table": name, "record_id": rid, "field": FIELD, "ours": when, "theirs": line["v"], "parent": [ptable, pid]}


def shown_theirs(value: Any) -> str:
    """The held record as a clerk reads it in the conflict list."""
    if not isinstance(value, dict):
        return "（空）" if value is None else str(value)
    for key in ("name", "description", "problem", "topic", "text", "caption", "file_name"):
        if value.get(key):
            return f"对方新增或修改了这条记录：{str(value[key])[:30]}"
    kind = record_names.kind_label("milestone" if "reached_on" in value else "inspection", value)  # codes in Chinese
    return f"对方新增或修改了这条记录：{kind}" if kind else "对方新增或修改了这条记录"


def label(session: Session, c: SyncConflict) -> tuple[str, dict[str, Any]]:
    """The held record's name for the list (it is not in its table yet), and its values."""
    held = json.loads(c.theirs) if c.theirs else {}
    values = held.get("v") or {}
    kind = record_names.TABLE_LABELS.get(c.table_name, c.table_name)
    ptable, pid = (held.get("parent") or [None, None])[:2]
    parent = ""
    if ptable:
        t = tables.table(ptable)
        col = next((x for x in ("name", "problem") if x in t.c), None)
        if col is not None:
            parent = session.connection().execute(select(t.c[col]).where(t.c.id == pid)).scalar() or ""
    where = f"（{record_names.TABLE_LABELS.get(ptable, ptable)}“{parent}”）" if ptable and parent else ""
    # named from the values they sent as every message names a record (资金“市县资金”（小区“幸福里”）), not by id
    conn = session.connection()
    shown = record_names.named(conn, c.table_name, c.record_id, values)
    lid = values.get("funding_line_id")
    lines = tables.table("funding_line")
    if lid and conn.execute(select(lines.c.id).where(lines.c.id == lid)).first() is None:  # its line is held too
        line = session.scalar(
            select(SyncConflict.theirs).where(
                SyncConflict.record_id == lid, SyncConflict.status == "open", SyncConflict.theirs.is_not(None)
            )
        )
        line_values = (json.loads(line) or {}).get("v") if line else None
        if isinstance(line_values, dict):
            as_of = str(values.get("as_of") or "")[:10]
            shown = f"{record_names.named(conn, 'funding_line', lid, line_values)}的{kind}（{as_of}）"
    return (shown if not where or where in shown else shown + where), values


def resolve(session: Session, c: SyncConflict, keep: str | None, edit: bool) -> SyncConflict:
    """Take theirs (restore the parent and write the held record) or keep ours (write it deleted)."""
    if edit or keep not in ("ours", "theirs"):
        raise ValidationError(
            "这类冲突（所属记录在本方已删除）只能选择：采用对方（恢复所属记录并写入）或保留本方（一并删除）"
        )
    held = json.loads(c.theirs or "{}")
    ptable, pid = held["parent"]
    parent = (
        session.connection()
        .execute(select(tables.table(ptable).c.deleted_at).where(tables.table(ptable).c.id == pid))
        .first()
    )
    if parent is None:
        raise OldcommError(
            "这条记录的所属记录本身也在等待处理（它的上级在本方已删除），请先处理所属记录的那条冲突，再处理这一条"
        )
    write_held(session, c, keep, operator=session.info.get("operator") or "处理同步冲突")
    status = "theirs" if keep == "theirs" else "ours"
    c.status, c.resolved_at, c.resolved_by = status, utcnow(), session.info.get("operator")
    session.flush()
    # records held under this one (a funding line's dated rows) follow the decision: written now that it is live,
    # or into the recycle bin with it
    if keep == "theirs":
        release(session, RELEASED_HERE)
    else:
        for child in _held_under(session, c.table_name, c.record_id):
            if child.status == "open":
                resolve(session, child, "ours", False)
    return c


def _held_under(session: Session, table: str, record_id: str) -> list[SyncConflict]:
    """The open holds whose parent is this record."""
    return [c for c in _open_holds(session) if json.loads(c.theirs or "{}").get("parent") == [table, record_id]]


def _open_holds(session: Session) -> list[SyncConflict]:
    """Every open hold of a record whose parent is deleted here, oldest first."""
    q = select(SyncConflict).where(SyncConflict.field == FIELD, SyncConflict.status == "open")
    return list(session.scalars(q.order_by(SyncConflict.created_at, SyncConflict.id)))


RELEASED = "released"  # the conflict's status once its parent came back and the held record was written
RELEASED_BY_PACKAGE = "自动写入：所属记录已由数据包恢复"
RELEASED_HERE = "自动写入：所属记录已在本方恢复"


def settled_by_arrival(conn: Connection, by: str, now: datetime, arrived: set[tuple[str, str]]) -> list[str]:
    """Holds whose record has since arrived deleted (the other side put it in its recycle bin with the parent —
    the county took the township's deletion of the community it had added a milestone to): the record is written
    deleted, as keep ours would write it, and nothing is held any more. Closed as settled by `by` (the peer), so
    a rollback of the import opens them again. Returns their ids.

    `arrived`: the (table, id) this import wrote. A record stored deleted from before its hold (the township
    restored an item both sides had deleted, while the county deleted its community) has not arrived deleted:
    its hold waits for a clerk, else the county had nothing to decide and kept the item deleted for good."""
    waiting = conn.execute(
        select(
            conflict_rows.CONFLICT.c.id, conflict_rows.CONFLICT.c.table_name, conflict_rows.CONFLICT.c.record_id
        ).where(conflict_rows.CONFLICT.c.field == FIELD, conflict_rows.CONFLICT.c.status == "open")
    ).all()
    settled = []
    for cid, name, rid in waiting:
        if (name, rid) not in arrived:
            continue
        t = tables.table(name)
        row = conn.execute(select(t.c.deleted_at).where(t.c.id == rid)).first()
        if row is not None and row.deleted_at is not None:
            settled.append(cid)
    for k in range(0, len(settled), 500):
        conn.execute(
            conflict_rows.CONFLICT.update()
            .where(conflict_rows.CONFLICT.c.id.in_(settled[k : k + 500]))
            .values(status="settled", resolved_at=now, resolved_by=by[:50])
        )
    return settled


def settled_with_parent(
    session: Session, decided: set[tuple[str, str]], by: str, *, record: Recorder | None = None
) -> list[str]:
    """Holds under a parent whose deletion here the other side has just decided to keep — its clerk took our
    deletion against its own edit (the county deleted an inspection, the township re-inspected its rectification
    and then took the deletion). Their decision settles the family (README: one decision on either side): each
    record held under it is written deleted with the parent, as keep ours would write it, and the hold is closed
    as settled by `by` (a rollback of the import opens it again and takes the record out). The write is a local
    edit on top of the held state, so it travels: their copy, live under their deleted parent, goes into the bin
    too. Records held under a record put in the bin so follow it. Returns the settled conflicts' ids."""
    if not decided:
        return []
    conn = session.connection()
    waiting = _open_holds(session)
    gone = set(decided)
    settled: list[str] = []
    moved = True
    while moved:
        moved = False
        for c in waiting:
            parent = tuple(json.loads(c.theirs or "{}").get("parent") or ())
            if c.status != "open" or parent not in gone:
                continue
            pt = tables.table(parent[0])
            stamp = conn.execute(select(pt.c.deleted_at).where(pt.c.id == parent[1])).scalar()
            if stamp is None:
                continue
            try:
                with session.begin_nested():
                    write_held(session, c, "ours", operator=by, record=record)
            except (ValidationError, OldcommError):
                continue  # a clerk decides it, as before
            c.status, c.resolved_at, c.resolved_by = "settled", utcnow(), by[:50]
            session.flush()
            settled.append(c.id)
            gone.add((c.table_name, c.record_id))
            moved = True
    return settled


Recorder = Callable[[str, str, "dict[str, Any] | None", int, "changes.ShadowRow | None"], None]


def release(session: Session, why: str, *, record: Recorder | None = None) -> list[str]:
    """Held records whose parent is live again (a later package restored it, or a clerk here): each is written as
    it arrived — the take-theirs write, with nothing left to restore — and its conflict closed as `released`,
    `why` (≤ 50 characters) saying so as the decider and as the operator of the write's audit entries.

    Only when nothing else stands in the way: a record whose parent is still deleted or itself held, that has
    another open conflict, whose held state collides with an edit made here since, or that the rules now refuse
    stays held for a clerk (each tried in a savepoint, so a refusal changes nothing). A released parent may
    release its own held children in the same call. Returns the released conflicts' ids.

    `record(table, id, before, after_version, shadow_before)` is told each write (an import keeps them as
    before-images, so rolling the import back takes the record out again and reopens its conflict).
    """
    from oldcomm_desktop.core.sync.importer import CONFLICT  # the importer imports this module

    conn = session.connection()
    waiting = _open_holds(session)
    released: list[str] = []
    moved = True
    while moved:
        moved = False
        for c in waiting:
            if c.status != "open":
                continue
            ptable, pid = json.loads(c.theirs or "{}")["parent"]
            pt = tables.table(ptable)
            parent = conn.execute(select(pt.c.deleted_at).where(pt.c.id == pid)).first()
            if parent is None or parent.deleted_at is not None:
                continue
            others = select(CONFLICT.c.id).where(
                CONFLICT.c.record_id == c.record_id, CONFLICT.c.status == "open", CONFLICT.c.id != c.id
            )
            if conn.execute(others.limit(1)).first() is not None:
                continue
            try:
                with session.begin_nested():
                    written = write_held(session, c, "theirs", operator=why, clean=True, record=record)
            except (ValidationError, OldcommError):
                continue
            if not written:
                continue
            c.status, c.resolved_at, c.resolved_by = RELEASED, utcnow(), why[:50]
            session.flush()
            released.append(c.id)
            moved = True
    return released


def write_held(
    session: Session, c: SyncConflict, keep: str, *, operator: str, clean: bool = False, record: Recorder | None = None
) -> bool:
    """Write the held record (theirs: as it arrived, its parent restored first if deleted; ours: deleted with its
    parent) through the bulk path, as a local edit on top of the held state. `clean`: write nothing and return
    False when the held state collides field by field with an edit made here since it was held. A record held
    for the rules (rule_holds) has no parent: ours writes it deleted now."""
    from oldcomm_desktop.core.sync import importer

    held = json.loads(c.theirs or "{}")
    ptable, pid = held.get("parent") or (None, None)
    conn = session.connection()
    keymaps = tables.KeyMaps(conn)
    changes.scan(session, keys=keymaps)  # local edits made since get their vectors first
    parent = None
    if ptable is not None:
        pt = tables.table(ptable)
        parent = conn.execute(select(pt.c.id, pt.c.deleted_at).where(pt.c.id == pid)).first()
        if parent is None:
            raise OldcommError("所属记录不存在")
    name, rid = c.table_name, c.record_id
    codec = tables.RowCodec(name, keymaps)
    fields = [x.name for x in codec.columns]
    t = codec.table
    live = conn.execute(select(t).where(t.c.id == rid)).first()
    shadow = changes.load_shadows(conn, name, [rid]).get(rid)
    echo = None
    if live is None or shadow is None:
        values, clocks = dict(held["v"]), merge.compact(dict(held["c"]))
        echo = c.peer_code
    else:
        result = merge.merge_record(
            shadow.state, shadow.clocks, held["v"], held["c"], fields, tables.DERIVED_BY_TABLE.get(name, frozenset())
        )
        if clean and result.conflicts:
            return False
        values, clocks = result.values, result.clocks
    rows: dict[str, list[dict[str, Any]]] = {}
    stamp = parent.deleted_at if parent is not None else None
    if keep == "theirs" and stamp is not None and ptable is not None and pid is not None:
        restore_rows(conn, ptable, pid, stamp, rows)
        _ancestors_back(conn, ptable, pid, rows)
    written = dict(values)
    if keep == "ours":
        written["deleted_at"] = (stamp or utcnow()).isoformat()
    row = {"id": rid, **codec.decode(written)}
    if live is not None:
        current = codec.encode(live)
        row = {"id": rid, **codec.decode({k: v for k, v in written.items() if current.get(k) != v})}
    if len(row) > 1:
        rows.setdefault(name, []).append(row)
    # a live rectification's closed state follows the re-inspection written under it (derived in the same batch)
    under = [{**values, "id": rid}] if name == "reinspection" else []
    rederived = next(iter(rectifications_follow(conn, under, rows, keymaps)), None)
    sh = changes.ShadowRow(name, rid, values.get("township_code"), values, clocks, 0, echo)
    sh.seq = changes.allocate(session, 1)
    if echo:
        sh.echo_seq = sh.seq
    changes.save_shadows(conn, [sh], {(name, rid)} if shadow is not None else set())
    bulk_tables = importer.BULK_TABLES
    from oldcomm_desktop.core.importing import bulk_tables as bulk_tables_

    peer_mode = writes.peer_mode(session)
    with (
        funding_dates.history_carried(session),  # a held line's dated rows are held with it, written apart
        bulk_tables_.merging(  # the held record is the peer's acts
            session, peer_mode, c.peer_code, changes.made_by(session.connection(), c.peer_code)
        ),
    ):
        writes.through_bulk(
            session,
            {n: part for n, part in rows.items() if n in bulk_tables},
            source=f"处理同步冲突（{c.peer_code}）",
            refused="处理冲突时数据没有通过校验，没有任何改动",
            operator=operator,
        )
    _write_plain(conn, {n: part for n, part in rows.items() if n not in bulk_tables}, live, rid, operator)
    if name in bulk_tables:
        importer._absorb_derived(conn, keymaps, {name: [sh]})
    changes.scan(session, keys=keymaps)  # the decision (a restore, or the record's deletion) becomes our edit
    if record is not None:
        version = conn.execute(select(t.c.version).where(t.c.id == rid)).scalar()
        record(name, rid, codec.encode(live) if live is not None else None, int(version or 1), shadow)
        if rederived is not None:
            rect_id, before, rect_shadow = rederived
            rt = tables.table("rectification")
            version = conn.execute(select(rt.c.version).where(rt.c.id == rect_id)).scalar()
            record("rectification", rect_id, before, int(version or 1), rect_shadow)
    return True


def _write_plain(conn: Connection, rows: dict[str, list[dict[str, Any]]], live: Any, rid: str, operator: str) -> None:
    """Rows of the tables sync writes as they arrive (sync/writes.py: a funding line's dated history), with their
    audit entries: the held record itself is inserted whole unless it exists (`live`), the rest are updates."""
    from oldcomm_desktop.core.sync import importer

    now = utcnow()
    audit: list[dict[str, Any]] = []
    for n, part in rows.items():
        inserts = [r for r in part if r["id"] == rid and live is None]
        updates = [r for r in part if not (r["id"] == rid and live is None)]
        writes.WRITERS[n](conn, inserts, updates, now)
        audit += [importer._audit(now, operator, n, r["id"], "create") for r in inserts]
        audit += [
            importer._audit(now, operator, n, r["id"], "update", k, None, v) for r in updates for k, v in r.items()
            if k != "id"
        ]  # fmt: skip
    writes.write_audit(conn, audit)


def deleted_above(conn: Connection, table: str, rid: str) -> list[tuple[str, str, datetime]]:
    """The record's deleted parents: (table, id, deletion time) each (a community may sit under a deleted project,
    an inspection under a deleted community)."""
    t = tables.table(table)
    row = conn.execute(select(t).where(t.c.id == rid)).first()
    found: list[tuple[str, str, datetime]] = []
    for col, ptable in PARENTS.get(table, ()) if row is not None else ():
        pid = row._mapping[col]  # type: ignore[union-attr]  # row is not None here
        if pid is None:
            continue
        pt = tables.table(ptable)
        stamp = conn.execute(select(pt.c.deleted_at).where(pt.c.id == pid)).scalar()
        if stamp is not None:
            found.append((ptable, pid, stamp))
    return found


def _ancestors_back(conn: Connection, table: str, rid: str, rows: dict[str, list[dict]]) -> None:
    """The deleted parents above a parent brought back (a re-inspection taken under a rectification whose inspection
    and community went too; a milestone under a community whose project went after it), each with what was
    deleted with it: else the parent would come back live under a deleted one."""
    for ptable, pid, stamp in deleted_above(conn, table, rid):
        if not any(r["id"] == pid for r in rows.get(ptable, [])):
            restore_rows(conn, ptable, pid, stamp, rows)
            _ancestors_back(conn, ptable, pid, rows)


def restore_rows(conn: Connection, table: str, rid: str, stamp: datetime, rows: dict[str, list[dict]]) -> None:
    """The parent and what was deleted with it (the same deletion time), as the recycle bin restores them (the
    rows that restore them; conflicts.resolve takes their ids to send a deletion again)."""
    same_stamp = below(conn, table, rid, record_parents.ALL_PAIRS, lambda t: t.c.deleted_at == stamp)
    for name, found in [(table, rid), *same_stamp]:
        if not any(r["id"] == found for r in rows.get(name, [])):
            rows.setdefault(name, []).append({"id": found, "deleted_at": None})


def below(
    conn: Connection,
    table: str,
    rid: str,
    pairs: Iterable[tuple[str, str, str]],
    where: Callable[[Table], ColumnElement[bool]],
) -> list[tuple[str, str]]:
    """(table, id) of the records under a record, down the (child, column, parent) `pairs`, that meet `where`
    (what was deleted with it, for a restore; what is still live, for a deletion decided)."""
    found: list[tuple[str, str]] = []
    seen = {(table, rid)}
    todo = [(table, rid)]
    while todo:
        parent, pid = todo.pop()
        for child, col, p in pairs:
            if p != parent:
                continue
            t = tables.table(child)
            for (cid,) in conn.execute(select(t.c.id).where(t.c[col] == pid, where(t))):
                if (child, cid) not in seen:
                    seen.add((child, cid))
                    found.append((child, cid))
                    todo.append((child, cid))
    return found
