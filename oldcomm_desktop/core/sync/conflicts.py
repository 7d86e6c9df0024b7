"""Conflicts: a field both sides changed since they last agreed. Listed with both values and times; a clerk
keeps ours, takes theirs or types a new value.

A decision is an edit that has seen both sides: the field's version vector becomes the join of both plus one
of our own, so the decided value wins on every installation once it travels, and the other side's record of
the same conflict closes itself (status "settled") when it arrives.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import divisions, funding_dates, record_names, record_parents, responsibility, workspace
from oldcomm_desktop.core.errors import OldcommError, ValidationError
from oldcomm_desktop.core.importing import bulk_tables
from oldcomm_desktop.core.model import SyncConflict
from oldcomm_desktop.core.model.base import utcnow
from oldcomm_desktop.core.sync import changes, deleted_parents, importer, merge, rule_holds, tables, writes

KEEP = ("ours", "theirs")
BULK_TABLES: frozenset[str] = importer.BULK_TABLES  # written through importing/bulk.py
STATUS_LABELS = {
    "open": "待处理",
    "ours": "保留本方",
    "theirs": "采用对方",
    "edited": "已修改",
    "settled": "对方已处理",
    deleted_parents.RELEASED: "所属记录已恢复，已自动写入",
}


def _label(session: Session, name: str, record_id: str) -> str:
    """小区“幸福里”, 改造内容“供水管网改造”（小区“幸福里”）: as every message names a record."""
    return record_names.named(session.connection(), name, record_id)


def _together(session: Session, c: SyncConflict, family: list[SyncConflict]) -> str:
    """Why a deletion conflict is decided with others (`resolve` decides a held family at once): the parent's
    deletion held because a record in it was edited here, or a record's deletion held with its parent's."""
    if c.field != merge.DELETED or c.import_id is None:
        return ""
    mates = [o for o in family if o.import_id == c.import_id and o.id != c.id]
    if not mates:
        return ""
    conn = session.connection()
    t = tables.table(c.table_name)
    row = conn.execute(select(t).where(t.c.id == c.record_id)).first()
    if row is not None:
        for col, ptable in deleted_parents.PARENTS.get(c.table_name, ()):
            pid = row._mapping[col]
            if pid and any(o.table_name == ptable and o.record_id == pid for o in mates):
                return f"与{record_names.named(conn, ptable, pid)}的删除一并处理：处理其中任一条，其余随之处理"
    under = [o for o in mates if any(p == c.table_name for _col, p in deleted_parents.PARENTS.get(o.table_name, ()))]
    if under:
        return f"其中 {len(under)} 条记录的删除与它一并处理：处理其中任一条，其余随之处理"
    return ""


def _together_in_rules(session: Session, c: SyncConflict) -> str:
    """Why a hold for the rules is decided with others (`_rule_mates`): one clash spanning several records."""
    mates = _rule_mates(session, c)
    if not mates:
        return ""
    ptable, pid = _held_parent(session, c) or ("", "")
    where = record_names.named(session.connection(), ptable, pid)
    return f"与{where}下的另 {len(mates)} 条记录是同一处冲突，一并处理：处理其中任一条，其余随之处理"


def listing(session: Session, *, status: str | None = "open") -> list[dict[str, Any]]:
    """Conflicts (open ones by default), oldest first, as plain dicts for the CLI, the GUI and JSON."""
    q = select(SyncConflict).order_by(SyncConflict.created_at, SyncConflict.id)
    if status:
        q = q.where(SyncConflict.status == status)
    out = []
    found = list(session.scalars(q))
    family = [c for c in found if c.field == merge.DELETED and c.status == "open"]
    for c in found:
        theirs: Any
        if c.field == deleted_parents.FIELD:  # a record held because its parent is deleted here
            record, theirs = deleted_parents.label(session, c)
        elif c.field == rule_holds.FIELD:  # held because the rules refuse it merged with ours
            theirs = json.loads(c.theirs) if c.theirs else None
            t = tables.table(c.table_name)
            here = session.connection().execute(select(t.c.id).where(t.c.id == c.record_id)).first() is not None
            # a record not here yet is named from the values they sent
            record = _label(session, c.table_name, c.record_id) if here else deleted_parents.label(session, c)[0]
        else:
            record, theirs = _label(session, c.table_name, c.record_id), json.loads(c.theirs) if c.theirs else None
        out.append(
            {
                "id": c.id,
                "table": c.table_name,
                "record_id": c.record_id,
                "record": record,
                "field": c.field,
                "field_label": field_label(c.field, c.table_name),
                "township": c.township_code,
                "peer": c.peer_code,
                "peer_name": divisions.name_of(session, c.peer_code),
                "ours": json.loads(c.ours) if c.ours is not None else None,
                "theirs": theirs,
                "ours_at": c.ours_at.isoformat() if c.ours_at else None,
                "theirs_at": c.theirs_at.isoformat() if c.theirs_at else None,
                "status": c.status,
                "resolved_at": c.resolved_at.isoformat() if c.resolved_at else None,
                "resolved_by": c.resolved_by,  # who decided, or why it closed itself (a restored parent)
                "note": (_together(session, c, family) or _together_in_rules(session, c)) if c.status == "open" else "",
            }
        )
    return out


def shown(value: Any, field: str | None = None) -> str:
    """A conflict's value as a clerk reads it: a deletion says 已删除 with its time, a live record 未删除."""
    if field == deleted_parents.FIELD:
        if isinstance(value, dict):
            return deleted_parents.shown_theirs(value)
        return f"所属记录已删除（{str(value)[:16].replace('T', ' ')}）" if value is not None else "所属记录未删除"
    if field == rule_holds.FIELD:
        return rule_holds.shown_theirs(value) if isinstance(value, dict) else f"本方记录（{value}）"
    if field == "deleted_at":
        return f"已删除（{str(value)[:16].replace('T', ' ')}）" if value is not None else "未删除"
    return "（空）" if value is None else str(value)


def field_label(field: str, table: str | None = None) -> str:
    """The field's Chinese label, from the services' field specs (as the change history shows it)."""
    from oldcomm_desktop.core import change_history

    if field == deleted_parents.FIELD:
        return deleted_parents.LABEL
    if field == rule_holds.FIELD:
        return rule_holds.LABEL
    if field in change_history.COMMON_LABELS:
        return change_history.COMMON_LABELS[field]
    spec = change_history._specs().get(table or "")
    if spec and field in spec[1]:
        return spec[1][field].label
    return field


def open_count(session: Session, township: str | None = None) -> int:
    from sqlalchemy import func

    q = select(func.count()).select_from(SyncConflict).where(SyncConflict.status == "open")
    if township:
        q = q.where(SyncConflict.township_code == township)
    return int(session.scalar(q) or 0)


MIN_PREFIX = 4  # an id's start a clerk may type; an empty one (an unset $ID in a script) must match nothing


def find(session: Session, conflict_id: str) -> SyncConflict:
    conflict_id = conflict_id.strip()
    c = session.get(SyncConflict, conflict_id) if conflict_id else None
    if c is None and len(conflict_id) >= MIN_PREFIX:  # autoescape: % and _ are characters, not wildcards
        found = select(SyncConflict).where(SyncConflict.id.startswith(conflict_id, autoescape=True)).limit(50)
        matches = list(session.scalars(found))
        if len(matches) == 1:
            c = matches[0]
        elif matches:  # ids made within a minute share their start: a short prefix names several
            raise OldcommError(
                f"编号开头“{conflict_id}”对应 {len(matches)}{'+' if len(matches) == 50 else ''} 个冲突，"
                "请多写几位（用 oldcomm sync conflicts 查看完整编号）"
            )
    if c is None:
        raise OldcommError(f"冲突 {conflict_id} 不存在（用 oldcomm sync conflicts 查看编号）")
    return c


_DECIDING = "oldcomm_sync_deciding"  # session.info: a decision is under way (its family decided inside it)


def resolve(
    session: Session, conflict_id: str, keep: str | None = None, *, value: Any = None, edit: bool = False
) -> SyncConflict:
    """Decide one open conflict: keep="ours" / "theirs", or edit=True with a new JSON value.

    Once the decision and the family it decides are done, the deletion conflicts it made moot are taken too
    (`_settle_brought_back`)."""
    if session.info.get(_DECIDING):
        return _decide(session, conflict_id, keep, value=value, edit=edit)
    session.info[_DECIDING] = True
    try:
        if edit:
            _typed_unit_refused(session, find(session, conflict_id))
        c = _decide(session, conflict_id, keep, value=value, edit=edit)
        party = _party_of(session, c)
        held = party is not None and not edit and _party_family(session, c, keep, *party)
        _settle_brought_back(session)
        if party is not None and held:
            responsibility.columns_follow(session, party[0])
            _party_decision_sent(session, c, *party)
        return c
    finally:
        session.info.pop(_DECIDING, None)


def _settle_brought_back(session: Session) -> None:
    """Their restore of a record we deleted, still open here although the decision just taken brought the record
    back (taking a held milestone restores its community with the lines deleted with it, from another import than
    the lines' conflicts): the record now stands as they have it, so the conflict is decided their way — their
    vectors (and the edits a deletion kept back) joined in, one count of ours. Left open, it asked a question
    nothing was left to decide (the record live and equal on both sides), and a clerk's answer to it would only
    have been a new edit racing whatever the other side had decided since."""
    conn = session.connection()
    tried: set[str] = set()
    while True:
        waiting = session.scalars(
            select(SyncConflict).where(
                SyncConflict.field == merge.DELETED,
                SyncConflict.status == "open",
                or_(SyncConflict.theirs.is_(None), SyncConflict.theirs == "null"),  # they have it live
            )
        ).all()
        moot = None
        for c in waiting:
            t = tables.table(c.table_name)
            row = conn.execute(select(t.c.deleted_at).where(t.c.id == c.record_id)).first()
            if c.id not in tried and row is not None and row.deleted_at is None:
                moot = c
                break
        if moot is None:
            return
        tried.add(moot.id)
        try:
            with session.begin_nested():  # one that cannot be taken now stays open for a clerk, as before
                _decide(session, moot.id, "theirs")
        except (ValidationError, OldcommError):
            continue


def _decide(
    session: Session, conflict_id: str, keep: str | None, *, value: Any = None, edit: bool = False
) -> SyncConflict:
    """One decision with the family it decides (`resolve`'s work; called again for each member of the family)."""
    c = find(session, conflict_id)
    if c.status != "open":
        raise OldcommError(f"这个冲突已处理（{STATUS_LABELS.get(c.status, c.status)}）")
    if not edit and keep not in KEEP:
        raise ValidationError("请选择保留本方（ours）或采用对方（theirs）")
    conn = session.connection()
    keymaps = tables.KeyMaps(conn)
    if c.table_name in tables.CATALOGUE_TABLES:
        return _resolve_catalogue(session, c, keep, value, edit, keymaps)
    if c.field == rule_holds.FIELD:
        if c.table_name == "responsible_party" and keep == "theirs" and not edit:
            _party_makes_way(session, c)
        if c.table_name == "funding_line" and keep == "theirs" and not edit:
            return _take_held_money(session, c)
        family = [c, *_rule_mates(session, c)]
        if keep == "theirs":  # theirs written in their order: 开工 before the 完工 that needs it
            family.sort(key=lambda o: str(_held_values(session, o).get("reached_on") or ""))
        for one in family:
            if one.status == "open":
                rule_holds.resolve(session, one, keep, edit)
                _resend_beside(session, one)
        return c
    if c.field == deleted_parents.FIELD:
        deleted_parents.resolve(session, c, keep, edit)
        if keep == "ours":  # the other side may hold the parent's deletion for this record: it is decided now
            _reassert_deletion(session, c)
        return c
    if c.field == merge.DELETED and edit:
        raise ValidationError("删除与修改的冲突只能选择：保留本方或采用对方（删除或不删除），不能改为别的值")
    if c.field == merge.DELETED and keep in KEEP and _ends_live(session, c, keep):
        _parents_live(session, c.table_name, c.record_id)  # a record kept live needs its parent live
        if c.status != "open":  # decided with its parent (the same family)
            return c
        _restore_here(session, c.table_name, c.record_id)  # with what was deleted with it, as the bin restores
    # a field's decision weighs only this record's own local edits; a deletion's may have restored a family
    changes.scan(session, keys=keymaps, only=None if c.field == merge.DELETED else {c.table_name: [c.record_id]})
    me = changes.node(session)
    shadow = changes.load_shadows(conn, c.table_name, [c.record_id]).get(c.record_id)
    if shadow is None:
        raise OldcommError("冲突所在的记录已不存在")
    codec = tables.RowCodec(c.table_name, keymaps)
    col = next((x for x in codec.columns if x.name == c.field), None)
    if col is None:
        raise OldcommError(f"字段 {c.field} 已不存在")
    if edit:
        if tables.catalogue_target(col) is None:
            problem = tables.check_value(col, value)
            if problem:
                raise ValidationError(f"{field_label(c.field, c.table_name)}：{problem}")
        new = value
        status = "edited"
    elif keep == "ours":
        new = shadow.state.get(c.field)
        status = "ours"
    else:
        new = json.loads(c.theirs) if c.theirs is not None else None
        status = "theirs"
    theirs_clocks = merge.stored_clocks(c.field, json.loads(c.theirs_clock))
    clock = merge.bump(merge.join(merge.of(shadow.clocks, c.field), theirs_clocks.pop(c.field, {})), me)
    now = utcnow()
    old = shadow.state.get(c.field)
    if new != old:
        _write_decision(session, codec, c, old, new, now)
        if c.table_name == "funding_line" and c.field == merge.DELETED:
            _funding_adds_up(session, c, keep, live=new is None)
    if c.table_name == "funding_line" and c.field in funding_dates.MEASURES:
        funding_dates.settle(conn, [c.record_id])  # the dated rows say the decided figure (not dated today)
    shadow.state[c.field] = new
    shadow.state_text = ""  # the loaded text no longer says what the state is
    # the edits a deletion kept back are seen now: the decision has weighed them
    seen = {f: merge.join(merge.of(shadow.clocks, f), v) for f, v in theirs_clocks.items()}
    shadow.clocks = merge.compact({**shadow.clocks, **seen, c.field: clock})
    shadow.seq = changes.allocate(session, 1)
    shadow.echo_of = shadow.echo_seq = None
    changes.save_shadows(conn, [shadow], {(c.table_name, c.record_id)})
    for other in session.scalars(
        select(SyncConflict).where(
            SyncConflict.record_id == c.record_id, SyncConflict.field == c.field, SyncConflict.status == "open"
        )
    ):
        other.status = status
        other.resolved_at = now
        other.resolved_by = session.info.get("operator")
    session.flush()
    if c.table_name == "funding_line" and c.field == merge.DELETED:
        _resend_funding_table(session, c.record_id)
    if c.field == merge.DELETED and keep in KEEP:
        for child in _deleted_with(session, c):  # their deletions held with this record's: decided with it
            if child.status == "open":  # not decided already down another path (an inspection under both)
                resolve(session, child.id, keep)
        _parents_follow(session, c, live=new is None)
        if new is not None:
            _children_follow(session, c.table_name, c.record_id)
            _reassert_deletion(session, c)
    return c


def _held_party(c: SyncConflict) -> tuple[str, str] | None:
    """(project, role) of a responsible party held for the rules (a second live party of a role)."""
    if c.table_name != "responsible_party" or c.field != rule_holds.FIELD:
        return None
    v = (json.loads(c.theirs or "{}") or {}).get("v") or {}
    if not v.get("project_id") or not v.get("role"):
        return None
    return str(v["project_id"]), str(v["role"])


def _deleted_party(session: Session, c: SyncConflict) -> tuple[str, str] | None:
    """(project, role) of a responsible party whose deletion is the conflict (opposite decisions on a clash met:
    each side retired the party the other kept)."""
    if c.table_name != "responsible_party" or c.field != merge.DELETED:
        return None
    t = tables.table("responsible_party")
    row = session.connection().execute(select(t.c.project_id, t.c.role).where(t.c.id == c.record_id)).first()
    return (str(row.project_id), str(row.role)) if row is not None else None


def _party_of(session: Session, c: SyncConflict) -> tuple[str, str] | None:
    """(project, role) when the conflict is about a project's responsible party: a party held for the rules or
    whose deletion is in conflict, or the project's own column naming a party's unit (施工单位 …)."""
    held = _held_party(c) or _deleted_party(session, c)
    if held is not None:
        return held
    if c.table_name == "project":
        role = next((r for r, col in responsibility.PROJECT_COLUMN.items() if col == c.field), None)
        if role is not None:
            return c.record_id, role
    return None


def _typed_unit_refused(session: Session, c: SyncConflict) -> None:
    """A project's column naming a party's unit (施工单位 …) follows the role's live party: a value typed into it
    would be overwritten by the party's unit, so it is refused, saying where the unit is changed."""
    party = _party_of(session, c)
    if party is None or c.table_name != "project" or not _party_holds(session, c, *party):
        return  # no party both sides named: the column is decided as any field
    for p in responsibility.parties(session, party[0]):
        if p.role == party[1] and p.id is not None:
            raise ValidationError(
                f"{responsibility.ROLES[p.role]}由五方责任主体决定（现为“{p.unit_name}”）：请选择保留本方或采用对方，"
                "或在参建单位中修改"
            )


def _party_family(session: Session, c: SyncConflict, keep: str | None, project_id: str, role: str) -> bool:
    """Both sides named a party for the same role: the party held for the rules and the project's column naming
    its unit are one question, decided together the same way, so the column and the party list agree; so too
    the parties' deletion conflicts when two opposite decisions on it met (keeping ours on each keeps our live
    party and our retired one retired). Whether a party held for the rules, or such a question, was part of
    the decision (then the column follows the live party)."""
    family = _party_holds(session, c, project_id, role)
    for other in family:
        if other.status == "open":
            _decide(session, other.id, keep)
    return bool(family) or _held_party(c) is not None


def _party_holds(session: Session, c: SyncConflict, project_id: str, role: str) -> list[SyncConflict]:
    """The other open conflicts of the question `c` is part of: the parties of the role held for the rules or whose
    deletions are in conflict, and the project's column naming the role's unit (only when two parties of the
    role are in question)."""
    column = responsibility.PROJECT_COLUMN.get(role)
    waiting = session.scalars(
        select(SyncConflict).where(
            SyncConflict.status == "open",
            or_(
                (SyncConflict.table_name == "project")
                & (SyncConflict.record_id == project_id)
                & (SyncConflict.field == (column or "")),
                (SyncConflict.table_name == "responsible_party")
                & SyncConflict.field.in_((rule_holds.FIELD, merge.DELETED)),
            ),
        )
    ).all()
    family = [
        o
        for o in waiting
        if o.id != c.id
        and (o.table_name == "project" or (_held_party(o) or _deleted_party(session, o)) == (project_id, role))
    ]
    parties_ = [o for o in family if o.table_name == "responsible_party"]
    if _held_party(c) is not None or any(_held_party(o) is not None for o in parties_):
        return family
    deletions = parties_ + ([c] if _deleted_party(session, c) is not None else [])
    if len(deletions) < 2:
        return []  # the column alone, or one party's own deletion conflict: decided as any other
    return family


def _party_decision_sent(session: Session, c: SyncConflict, project_id: str, role: str) -> None:
    """Both parties of the decided clash — the one kept live and the one retired — carry the decision: each side's
    decision touched only the party it retired, so two opposite decisions (each keeping its own, or each taking
    the other's) each retired the other side's kept party quietly there, and the role ended with no live party on
    either side. Now they meet as deletion conflicts on both sides, one question (`_party_holds`)."""
    changes.scan(session, keys=tables.KeyMaps(session.connection()))  # the decision's own writes first
    t = tables.table("responsible_party")
    ids = set(
        session.connection()
        .execute(select(t.c.id).where(t.c.project_id == project_id, t.c.role == role, t.c.deleted_at.is_(None)))
        .scalars()
    )
    if c.table_name == "responsible_party":
        ids.add(c.record_id)
    _send_deletion_state(session, "responsible_party", sorted(ids))


def _party_makes_way(session: Session, c: SyncConflict) -> None:
    """Taking their party of a role retires ours of the same role (into the recycle bin, as `set_parties` retires
    the party it replaces): a project has one live party per role."""
    held = _held_party(c)
    if held is None:
        return
    for party in responsibility.parties(session, held[0]):
        if party.role == held[1] and party.id is not None and party.id != c.record_id:
            responsibility.delete(session, party.id)


def _funding_adds_up(session: Session, c: SyncConflict, keep: str | None, *, live: bool) -> None:
    """A funding line a decision brought back or deleted: its table still adds up to the total investment (as
    `funding.set_lines` requires), or the decision is refused with what to fix — a restore or deletion is
    written without the rules (`tombstones`), so nothing else would say the table no longer adds up.

    Taking their deletion while their other line is held for the rules here (the township moved the money of the
    line it removed onto another: 1,000 held as 1,000 + 400 ≠ 1,000) decides that hold their way too: the two
    are one edit of theirs, and the table adds up only with both."""
    conn = session.connection()
    if _funding_problem(conn, c.record_id) is None:
        return
    if keep == "theirs":
        target = _funding_target(conn, c.record_id)
        for hold in _funding_holds(session, target):
            try:
                with session.begin_nested():
                    rule_holds.resolve(session, hold, "theirs", False)
            except (ValidationError, OldcommError):
                continue
            if _funding_problem(conn, c.record_id) is None:
                return
    why = _funding_problem(conn, c.record_id)
    if why is None:
        return
    line = record_names.named(conn, "funding_line", c.record_id)
    owner_table, owner_id = _funding_target(conn, c.record_id)
    owner = record_names.named(conn, owner_table, owner_id)
    act, stays = ("恢复", "保持删除") if live else ("删除", "保留")
    other = "保留本方" if keep == "theirs" else "采用对方"
    raise ValidationError(
        f"{act}{line}后，{owner}{why}，冲突没有处理。可选择{other}（这项资金{stays}，对方收到后随之处理）；"
        f"如确需{act}它，请先与对方核对资金表，修改本方的总投资或资金表，使{act}后的批复资金合计与总投资一致，再处理这个冲突"
    )


def _take_held_money(session: Session, c: SyncConflict) -> SyncConflict:
    """Take their funding line held for the rules; refused while our table would not add up with it, unless their
    removal of another line of the same table waits as a deletion conflict here (the money moved off the line they
    removed): that removal is taken too — one edit of theirs, the table adds up only with both."""
    try:
        with session.begin_nested():
            return rule_holds.resolve(session, c, "theirs", False)
    except (ValidationError, OldcommError) as refused:
        first = refused
    removals = _funding_conflicts(
        session,
        _funding_target(session.connection(), c.record_id),
        merge.DELETED,
        SyncConflict.theirs.is_not(None),
        SyncConflict.theirs != "null",  # they removed it
        tables.table("funding_line").c.deleted_at.is_(None),
    )
    for removal in removals:
        try:
            with session.begin_nested():
                resolve(session, removal.id, "theirs")  # takes this hold with it once the table adds up
        except (ValidationError, OldcommError):
            continue
        if c.status != "open":
            return c
    raise first


def _resend_funding_table(session: Session, line_id: str) -> None:
    """The other lines of a funding table whose line was just decided live or deleted travel again with the
    decision (their vectors unchanged: nothing new to merge where they are known). The other side may hold one of
    them for the rules (the money moved onto it from this line: 1,000 + 400 ≠ 1,000 there while this line's
    deletion was a conflict); with the decision, the table adds up there, and the line arriving again settles
    the hold — else it would wait for an edit that never comes, beside a table that no longer adds up."""
    conn = session.connection()
    fl = tables.table("funding_line")
    name, target_id = _funding_target(conn, line_id)
    ids = list(conn.execute(select(fl.c.id).where(fl.c[f"{name}_id"] == target_id, fl.c.id != line_id)).scalars())
    _send_again(session, "funding_line", ids)


TOGETHER_IN_RULES = frozenset({"milestone"})  # tables whose records held for the rules under one parent are one clash
# tables whose rules read the records beside one (the milestone log, running totals, 批复 sums, one party per role)
RULES_OVER_SIBLINGS = frozenset({"milestone", "funding_line", "investment_entry", "responsible_party"})


def _held_values(session: Session, c: SyncConflict) -> dict[str, Any]:
    """The values of a record held for the rules: as they sent it, else as stored here."""
    v = (json.loads(c.theirs or "{}") or {}).get("v") or {}
    if v:
        return dict(v)
    t = tables.table(c.table_name)
    row = session.connection().execute(select(t).where(t.c.id == c.record_id)).first()
    return dict(row._mapping) if row is not None else {}


def _held_parent(session: Session, c: SyncConflict) -> tuple[str, str] | None:
    values = _held_values(session, c)
    for col, ptable in record_parents.PARENTS.get(c.table_name, ()):
        if values.get(col):
            return ptable, str(values[col])
    return None


def _rule_mates(session: Session, c: SyncConflict) -> list[SyncConflict]:
    """The other open holds of the clash `c` is part of: records of the same table from the same side held for
    the rules under the same parent — the township's 开工 and 完工 both refused beside the county's own 开工 are
    one question of the community's milestone log, so one decision takes (or keeps out) both, and the clerk is
    not asked twice."""
    if c.table_name not in TOGETHER_IN_RULES or c.field != rule_holds.FIELD:
        return []
    parent = _held_parent(session, c)
    if parent is None:
        return []
    waiting = session.scalars(
        select(SyncConflict).where(
            SyncConflict.status == "open",
            SyncConflict.field == rule_holds.FIELD,
            SyncConflict.table_name == c.table_name,
            SyncConflict.peer_code == c.peer_code,
            SyncConflict.id != c.id,
        )
    ).all()
    return [o for o in waiting if _held_parent(session, o) == parent]


def _resend_beside(session: Session, c: SyncConflict) -> None:
    """The records beside one decided for the rules — under the same parent: the other milestones of its
    community — travel again with the decision (`_send_again`). The clash spans them: the township undid its 开工
    while the county recorded 完工, and each side holds the other's record. When the township decides, its package
    carries the 完工 decided and its 开工's removal again, so the county's own hold of that removal passes and
    settles with it — else it would wait for an arrival that never comes (the removal was sent once, before)."""
    if c.table_name not in RULES_OVER_SIBLINGS:
        return
    conn = session.connection()
    t = tables.table(c.table_name)
    values = _held_values(session, c)
    ids: set[str] = set()
    for col, _p in record_parents.PARENTS.get(c.table_name, ()):
        if values.get(col) is not None:
            q = select(t.c.id).where(t.c[col] == values[col], t.c.id != c.record_id)
            ids.update(conn.execute(q).scalars())
    _send_again(session, c.table_name, sorted(ids))


def _send_again(
    session: Session, name: str, ids: list[str], touch: Callable[[changes.ShadowRow], None] | None = None
) -> None:
    """These records of `name` go out in the next package again, their vectors unchanged (nothing new to merge
    where they are known; where the other side held one of them, it arrives again and may pass) — or changed by
    `touch` first (`_send_deletion_state`: the deletion's vector bumped, a decision of this side's)."""
    conn = session.connection()
    shadows = list(changes.load_shadows(conn, name, ids).values())
    if not shadows:
        return
    first = changes.allocate(session, len(shadows))
    for k, sh in enumerate(shadows):
        if touch is not None:
            touch(sh)
        sh.seq = first + k
        sh.echo_of = sh.echo_seq = None
    changes.save_shadows(conn, shadows, {(name, sh.record_id) for sh in shadows})


def _funding_target(conn: Any, line_id: str) -> tuple[str, str]:
    fl = tables.table("funding_line")
    row = conn.execute(select(fl.c.community_id, fl.c.project_id).where(fl.c.id == line_id)).one()
    return ("community", row.community_id) if row.community_id else ("project", row.project_id)


def _funding_problem(conn: Any, line_id: str) -> str | None:
    """Why the live funding table beside this line does not add up to its total investment (each line named
    with its approved amount), or None."""
    from oldcomm_desktop.core import funding

    name, target_id = _funding_target(conn, line_id)
    fl, source, owner = tables.table("funding_line"), tables.table("funding_source"), tables.table(name)
    total = conn.execute(select(owner.c.total_investment).where(owner.c.id == target_id)).scalar()
    q = (
        select(source.c.name, fl.c.approved)
        .join(source, source.c.id == fl.c.source_id)
        .where(fl.c[f"{name}_id"] == target_id, fl.c.deleted_at.is_(None))
        .order_by(source.c.name)
    )
    lines = [(n, Decimal(a or 0)) for n, a in conn.execute(q)]
    if not lines:
        return None
    problems = funding.approved_sum_problems(sum((a for _n, a in lines), Decimal(0)), total)
    if not problems:
        return None
    shown = "、".join(f"{n} {a:.2f} 元" for n, a in lines)
    return f"{problems[0].message}（{shown}）"


def _funding_holds(session: Session, target: tuple[str, str]) -> list[SyncConflict]:
    """Open holds for the rules of funding lines of the same community or project."""
    return _funding_conflicts(session, target, rule_holds.FIELD)


def _funding_conflicts(session: Session, target: tuple[str, str], field: str, *where: Any) -> list[SyncConflict]:
    """Open conflicts on `field` of the funding lines of one community or project (`target`), oldest first."""
    fl = tables.table("funding_line")
    name, target_id = target
    q = (
        select(SyncConflict)
        .join(fl, fl.c.id == SyncConflict.record_id)
        .where(
            SyncConflict.table_name == "funding_line",
            SyncConflict.field == field,
            SyncConflict.status == "open",
            fl.c[f"{name}_id"] == target_id,
            *where,
        )
        .order_by(SyncConflict.created_at, SyncConflict.id)
    )
    return list(session.scalars(q))


def _ends_live(session: Session, c: SyncConflict, keep: str) -> bool:
    if keep == "theirs":
        return c.theirs is None or json.loads(c.theirs) is None
    t = tables.table(c.table_name)
    return session.connection().execute(select(t.c.deleted_at).where(t.c.id == c.record_id)).scalar() is None


def _parents_live(session: Session, name: str, record_id: str) -> None:
    """Bring back the deleted parents of a record a clerk keeps live (the county corrected an item of a community
    the township deleted, and the township takes the correction): a parent whose own deletion is an open
    conflict is decided live with it, else it is restored as the recycle bin restores it, with what was deleted
    with it — the other side kept all of it. Grandparents first."""
    conn = session.connection()
    for ptable, pid, _stamp in deleted_parents.deleted_above(conn, name, record_id):
        pt = tables.table(ptable)
        _parents_live(session, ptable, pid)
        pending = _open_deletion(session, ptable, pid)
        if pending is not None:
            resolve(session, pending.id, "ours" if _ends_live(session, pending, "ours") else "theirs")
        if conn.execute(select(pt.c.deleted_at).where(pt.c.id == pid)).scalar() is None:
            continue
        if not _restore_here(session, ptable, pid):
            label = record_names.TABLE_LABELS.get(ptable, ptable)
            raise OldcommError(f"这条记录所属的{label}已删除，请先在回收站恢复它，再处理这个冲突")


BIN_KINDS = {  # tables the recycle bin restores (recycle_bin.RESTORE), with what was deleted with them
    "community": "community",
    "project": "project",
    "inspection": "inspection",
    "renovation_item": "item",
    "milestone": "milestone",
    "investment_entry": "investment",
    "responsible_party": "party",
}


def _restore_here(session: Session, name: str, record_id: str) -> bool:
    """Restore a deleted record as the recycle bin does — what was deleted with it comes back too, as the other
    side, which kept it, still holds all of it. False when the bin does not restore this kind of record."""
    from oldcomm_desktop.core import recycle_bin

    t = tables.table(name)
    if session.connection().execute(select(t.c.deleted_at).where(t.c.id == record_id)).scalar() is None:
        return True
    if name not in BIN_KINDS:
        return False
    recycle_bin.restore(session, BIN_KINDS[name], record_id)
    _status_follows(session, name, record_id)
    return True


def _status_follows(session: Session, name: str, record_id: str) -> None:
    """The status of a community brought back (itself, or with its project) follows the milestones now live
    under it. The bin restores what was deleted with it and leaves the status as it was at the deletion, which
    holds for a community deleted and restored here; but a decision may bring back a milestone that was never
    live here (the county's 纳入年度计划, kept in the bin with its community by keep ours on the held milestone),
    and the community stayed 储备 here while the county, with the same milestones, said 已纳入计划."""
    from oldcomm_desktop.core.milestones import refresh_status
    from oldcomm_desktop.core.model import Community

    if name == "community":
        ids = [record_id]
    elif name == "project":
        ids = list(session.scalars(select(Community.id).where(Community.project_id == record_id)))
    else:
        return
    for cid in ids:
        community = session.get(Community, cid)
        if community is not None and community.deleted_at is None:
            refresh_status(session, community)
    session.flush()


def _open_deletion(session: Session, name: str, record_id: str) -> SyncConflict | None:
    return session.scalar(
        select(SyncConflict).where(
            SyncConflict.table_name == name,
            SyncConflict.record_id == record_id,
            SyncConflict.field == merge.DELETED,
            SyncConflict.status == "open",
        )
    )


def _parents_follow(session: Session, c: SyncConflict, *, live: bool) -> None:
    """A record whose parent's deletion was held with it (the import held a community's deletion because an item
    in it had been edited here): the parent is decided the same way — live, or deleted and with it the rest of
    what the other side deleted with it. One decision for the family, never a parent left waiting for a reason
    that is gone."""
    if c.import_id is None:
        return
    t = tables.table(c.table_name)
    row = session.connection().execute(select(t).where(t.c.id == c.record_id)).first()
    if row is None:
        return
    for col, ptable in deleted_parents.PARENTS.get(c.table_name, ()):
        pending = _open_deletion(session, ptable, row._mapping[col]) if row._mapping[col] else None
        if pending is not None and pending.import_id == c.import_id:
            ours_live = _ends_live(session, pending, "ours")
            resolve(session, pending.id, "ours" if ours_live == live else "theirs")


def _children_follow(session: Session, name: str, record_id: str) -> None:
    """A record decided deleted takes its live records with it, at its deletion time (as deleting it here does):
    those made here that the other side never saw (a milestone the county added to a community the township
    deleted), which held its deletion; else they would stay live under a deleted parent."""
    conn = session.connection()
    t = tables.table(name)
    stamp = conn.execute(select(t.c.deleted_at).where(t.c.id == record_id)).scalar()
    if stamp is None:
        return
    rows: dict[str, list[dict[str, Any]]] = {}
    # what deleting it here would take with it
    for child, cid in deleted_parents.below(
        conn, name, record_id, record_parents.KEPT_WITH_PARENT, lambda t: t.c.deleted_at.is_(None)
    ):
        rows.setdefault(child, []).append({"id": cid, "deleted_at": stamp})
    if not rows:
        return
    who = session.info.get("operator") or "处理同步冲突"
    bulk_part = {n: part for n, part in rows.items() if n in BULK_TABLES}
    with bulk_tables.merging(session, workspace.mode(session), workspace.own_code(session)):
        writes.through_bulk(session, bulk_part, source="处理同步冲突", refused="删除时出错", operator=who)
    now = utcnow()
    for n, part in rows.items():
        if n not in BULK_TABLES:
            writes.WRITERS[n](conn, [], part, now)


def _reassert_deletion(session: Session, c: SyncConflict) -> None:
    """A record decided deleted that went with its parent (deleted at the same time): the whole deletion — the
    topmost record deleted then and everything deleted with it — is sent again as a decision that has seen the
    other side. Else the other side, which held those deletions against the edit of this one record, would
    keep waiting for lines that never travel again (only this record's decision would). So too for a held record
    put in the recycle bin with its parent (keep ours on 所属记录已删除): the other side, which made it, holds the
    parent's deletion for it until this decision arrives."""
    conn = session.connection()
    name, rid = c.table_name, c.record_id
    stamp = conn.execute(select(tables.table(name).c.deleted_at).where(tables.table(name).c.id == rid)).scalar()
    if stamp is None:
        return
    while True:  # up to the topmost record deleted at the same time
        same = [(ptable, pid) for ptable, pid, when in deleted_parents.deleted_above(conn, name, rid) if when == stamp]
        if not same:
            break
        name, rid = same[0]
    family: dict[str, list[dict[str, Any]]] = {}
    deleted_parents.restore_rows(conn, name, rid, stamp, family)
    up = [(name, rid)]
    while up:  # parents deleted after it (a project deleted once its communities were): their deletions too
        for ptable, pid, _when in deleted_parents.deleted_above(conn, *up.pop()):
            family.setdefault(ptable, []).append({"id": pid})
            up.append((ptable, pid))
    for table_name, rows in family.items():
        ids = [r["id"] for r in rows if not (table_name == c.table_name and r["id"] == c.record_id)]
        _send_deletion_state(session, table_name, [i for i in ids if _open_deletion(session, table_name, i) is None])


def _send_deletion_state(session: Session, table_name: str, ids: list[str]) -> None:
    """The records' deleted-or-live state is sent again as this side's decision, one that has seen the other
    side's: a later opposite decision made there meets it as a conflict instead of quietly winning."""
    me = changes.node(session)

    def decided(sh: changes.ShadowRow) -> None:
        sh.clocks = merge.compact({**sh.clocks, merge.DELETED: merge.bump(merge.of(sh.clocks, merge.DELETED), me)})
        sh.state_text = ""

    _send_again(session, table_name, ids, decided)


def _deleted_with(session: Session, c: SyncConflict) -> list[SyncConflict]:
    """The open deletion conflicts of the same import whose record sits under `c`'s record (the import holds
    a record's deletion with its parent's, importer._hold_deletion_with_parent)."""
    if c.import_id is None:
        return []
    found = []
    for other in session.scalars(
        select(SyncConflict).where(
            SyncConflict.import_id == c.import_id,
            SyncConflict.field == merge.DELETED,
            SyncConflict.status == "open",
            SyncConflict.id != c.id,
        )
    ):
        for col, parent in deleted_parents.PARENTS.get(other.table_name, ()):
            if parent != c.table_name:
                continue
            t = tables.table(other.table_name)
            if session.connection().execute(select(t.c[col]).where(t.c.id == other.record_id)).scalar() == c.record_id:
                found.append(other)
                break
    return found


def _resolve_catalogue(
    session: Session, c: SyncConflict, keep: str | None, value: Any, edit: bool, keymaps: tables.KeyMaps
) -> SyncConflict:
    """A township's own edit of a county catalogue entry against the county's new value (importer's rule).

    Catalogue entries carry no version vectors: the decision is simply written here. The entry's shadow keeps
    the county's last values, so "keep ours" stays the township's local label until the county changes that
    field again, and "take theirs" follows the county from then on.
    """
    from sqlalchemy import select as _select

    conn = session.connection()
    codec = tables.RowCodec(c.table_name, keymaps)
    col = next((x for x in codec.columns if x.name == c.field), None)
    live = conn.execute(_select(codec.table).where(codec.table.c.id == c.record_id)).first()
    if col is None or live is None:
        raise OldcommError("冲突所在的目录项已不存在")
    if edit:
        problem = tables.check_value(col, value) if tables.catalogue_target(col) is None else None
        if problem:
            raise ValidationError(f"{field_label(c.field, c.table_name)}：{problem}")
        new, status = value, "edited"
    elif keep == "ours":
        new, status = (json.loads(c.ours) if c.ours is not None else None), "ours"
    else:
        new, status = (json.loads(c.theirs) if c.theirs is not None else None), "theirs"
    old = codec.encode(live).get(c.field)
    now = utcnow()
    if new != old:
        _write_decision(session, codec, c, old, new, now)
    c.status = status
    c.resolved_at = now
    c.resolved_by = session.info.get("operator")
    session.flush()
    return c


def _write_decision(session: Session, codec: tables.RowCodec, c: SyncConflict, old: Any, new: Any, now: Any) -> None:
    """The value a clerk decided on, written into the record with its audit entry (records and catalogues)."""
    conn = session.connection()
    row = {"id": c.record_id, **codec.decode({c.field: new})}
    who = session.info.get("operator") or "处理同步冲突"
    if c.table_name in BULK_TABLES:  # the bulk write path: the same rules as any edit, its own audit entry
        with (
            funding_dates.history_carried(session),  # a decided figure is dated by `settle`, never today
            bulk_tables.merging(session, workspace.mode(session), workspace.own_code(session)),  # a merge's choice
        ):
            writes.through_bulk(
                session,
                {c.table_name: [row]},
                source=f"处理同步冲突（{c.peer_code}）",
                refused="这个值没有通过校验，冲突没有处理",
                operator=who,
            )
        return
    writes.WRITERS[c.table_name](conn, [], [row], now)
    writes.write_audit(
        conn,
        [
            {
                "at": now,
                "operator": who,
                "table_name": c.table_name,
                "record_id": c.record_id,
                "action": "update",
                "field": c.field,
                "old_value": old,
                "new_value": new,
            }
        ],
    )
