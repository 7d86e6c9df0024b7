"""A record from the other side that this side's rules refuse once merged with what was changed here: a conflict a
clerk decides, not a package refused for good.

Each side's edit passed the rules where it was made, but together they do not: the county cut a line's 批复 to
400 while the township recorded 到位 700 against the old 1,000; both sides recorded the once-only milestone 纳入年度
计划 on the same community. Refusing the package (as any record the rules refuse) would refuse every later one
too — neither side's next package changes what clashes — and block every other change with it. So when this side
has changes the sender has not yet seen (the only way a record the sender's own rules passed can clash here), the
import is run again with the refused records *held*: not written, their state untouched here, their incoming line
(values and version vectors) kept in a conflict on the pseudo-field `rules_refused` with the rule's message, and
the rest of the package applies. A package that clashes with nothing here is refused as before (a record its own
rules would refuse: a damaged or forged package).

A clerk decides, as for any conflict, on either side:
- keep ours: our record stands — its version vectors are moved past theirs, so our next package overrides their
  change on their side; a record new to this side is written into the recycle bin (their duplicate milestone
  goes there on both sides);
- take theirs: their record is written as they sent it, every field, through the same rules — refused with the
  rule's message while the clash stands here, so the clerk first changes our record (deletes our duplicate, or
  corrects 批复), then takes theirs.
A later package in which the record passes (the other side decided) settles the hold.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core.errors import OldcommError, ValidationError
from oldcomm_desktop.core.model import SyncConflict
from oldcomm_desktop.core.model.base import utcnow
from oldcomm_desktop.core.sync import changes, conflict_rows, merge, tables, writes

FIELD = "rules_refused"  # the conflict's pseudo-field
LABEL = "与本方记录合并后不符合规则"
RELEASED_BY_PACKAGE = "自动写入：已不再与本方记录冲突"


def hold(
    conn: Any,
    *,
    name: str,
    line: dict[str, Any],
    why: str,
    scope: str | None,
    sender: str,
    import_id: str,
    now: datetime,
    ours_at: datetime | None,
) -> dict[str, Any]:
    """Record (or refresh) the conflict of a record held because the rules refuse it here; the report entry."""
    rid = line["id"]
    conflict_rows.hold(
        conn,
        field=FIELD,
        name=name,
        line=line,
        extra={"why": why},
        ours=why,
        ours_at=ours_at,
        township_code=scope,
        peer_code=sender,
        import_id=import_id,
        now=now,
    )
    return {"table": name, "record_id": rid, "field": FIELD, "ours": why, "theirs": line["v"]}


def open_holds(conn: Any) -> set[tuple[str, str]]:
    """(table, id) of the records held for the rules, open."""
    c = conflict_rows.CONFLICT.c
    q = select(c.table_name, c.record_id).where(c.field == FIELD, c.status == "open")
    return {(t, r) for t, r in conn.execute(q)}


def settle(conn: Any, passed: list[tuple[str, str]], by: str, now: datetime) -> list[str]:
    """Holds whose record arrived again and was written (the other side decided): closed as settled by `by`, so a
    rollback of the import opens them again. Returns their ids."""
    c = conflict_rows.CONFLICT.c
    ids = []
    for name, rid in passed:
        found = conn.execute(
            select(c.id).where(c.table_name == name, c.record_id == rid, c.field == FIELD, c.status == "open")
        ).scalar()
        if found is not None:
            ids.append(found)
            conn.execute(
                conflict_rows.CONFLICT.update()
                .where(c.id == found)
                .values(status="settled", resolved_at=now, resolved_by=by[:50])
            )
    return ids


def release(session: Session, why: str, *, record: Any = None) -> list[str]:
    """Held records new to this side that the rules take now (the clash went away: the other side put its
    duplicate in the recycle bin, or a clerk here changed ours): written as they arrived, their conflict closed
    as released, `why` saying so. Each tried in a savepoint, so one the rules still refuse changes nothing.
    `record` is told each write, as for deleted_parents.release (an import keeps before-images)."""
    from oldcomm_desktop.core.sync import deleted_parents

    conn = session.connection()
    waiting = list(
        session.scalars(
            select(SyncConflict)
            .where(SyncConflict.field == FIELD, SyncConflict.status == "open")
            .order_by(SyncConflict.created_at, SyncConflict.id)
        )
    )
    released = []
    for c in waiting:
        t = tables.table(c.table_name)
        if conn.execute(select(t.c.id).where(t.c.id == c.record_id)).first() is not None:
            continue  # a record both sides hold waits for a decision or for its next arrival
        try:
            with session.begin_nested():
                written = deleted_parents.write_held(session, c, "theirs", operator=why, clean=True, record=record)
        except (ValidationError, OldcommError):
            continue
        if written:
            c.status, c.resolved_at, c.resolved_by = deleted_parents.RELEASED, utcnow(), why[:50]
            session.flush()
            released.append(c.id)
    return released


def shown_theirs(value: Any) -> str:
    """The held record as a clerk reads it in the conflict list: what the rules say."""
    if not isinstance(value, dict):
        return "（空）" if value is None else str(value)
    return f"对方的这条记录与本方记录合并后不符合规则：{value.get('why', '')}"


def resolve(session: Session, c: SyncConflict, keep: str | None, edit: bool) -> SyncConflict:
    """Keep ours (our record stands; a record new here goes into the recycle bin) or take theirs (written as they
    sent it, through the rules)."""
    from oldcomm_desktop.core.sync import deleted_parents

    if edit or keep not in ("ours", "theirs"):
        raise ValidationError(
            "这类冲突（合并后不符合规则）只能选择：保留本方或采用对方；如需改为别的值，请先修改本方记录"
        )
    conn = session.connection()
    keymaps = tables.KeyMaps(conn)
    changes.scan(session, keys=keymaps)  # local edits made since get their vectors first
    name, rid = c.table_name, c.record_id
    t = tables.table(name)
    live = conn.execute(select(t).where(t.c.id == rid)).first()
    shadow = changes.load_shadows(conn, name, [rid]).get(rid)
    if live is None or shadow is None:  # new to this side: written as they sent it, or into the recycle bin
        deleted_parents.write_held(session, c, keep, operator=session.info.get("operator") or "处理同步冲突")
    else:
        _decide_existing(session, c, keep, shadow, keymaps)
    c.status, c.resolved_at, c.resolved_by = keep, utcnow(), session.info.get("operator")
    session.flush()
    return c


def _decide_existing(
    session: Session, c: SyncConflict, keep: str, shadow: changes.ShadowRow, keymaps: tables.KeyMaps
) -> None:
    """A record both sides hold: every field's vector moves past both sides' (a decision that has seen both);
    the values are ours as they stand, or theirs as sent, written through the bulk path's rules."""
    conn = session.connection()
    held = json.loads(c.theirs or "{}")
    name, rid = c.table_name, c.record_id
    codec = tables.RowCodec(name, keymaps)
    fields = [x.name for x in codec.columns]
    derived = tables.DERIVED_BY_TABLE.get(name, frozenset())
    me = changes.node(session)
    theirs, theirs_clocks = held.get("v") or {}, held.get("c") or {}
    clocks = {
        f: merge.bump(merge.join(merge.of(shadow.clocks, f), merge.of(theirs_clocks, f)), me)
        if f not in derived
        else merge.join(merge.of(shadow.clocks, f), merge.of(theirs_clocks, f))
        for f in fields
    }
    values = dict(shadow.state)
    if keep == "theirs":
        changed = {f: theirs.get(f) for f in fields if f not in derived and theirs.get(f) != shadow.state.get(f)}
        if changed:
            from oldcomm_desktop.core.importing import bulk_tables
            from oldcomm_desktop.core.sync.importer import BULK_TABLES

            row = {"id": rid, **codec.decode(changed)}
            peer_mode = writes.peer_mode(session)
            who = session.info.get("operator") or "处理同步冲突"
            if name in BULK_TABLES:
                with bulk_tables.merging(session, peer_mode, c.peer_code, changes.made_by(conn, c.peer_code)):
                    writes.through_bulk(
                        session,
                        {name: [row]},
                        source=f"处理同步冲突（{c.peer_code}）",
                        refused="对方的记录在本方仍不符合规则，请先修改本方记录，再采用对方",
                        operator=who,
                    )
            else:
                writes.WRITERS[name](conn, [], [row], utcnow())
            values.update(changed)
    shadow.state = values
    shadow.state_text = ""
    shadow.clocks = merge.compact({"*": merge.of(shadow.clocks, "*"), **clocks})
    shadow.seq = changes.allocate(session, 1)
    shadow.echo_of = shadow.echo_seq = None
    changes.save_shadows(conn, [shadow], {(name, rid)})
    changes.scan(session, keys=keymaps)
