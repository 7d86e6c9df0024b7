"""Why an import cannot be rolled back, found before the rollback writes anything, and said to a clerk by the
records' names (record_names.named), with what the clerk can actually do about it.

Two things stand in the way. A record the import wrote was changed again since: undoing the import would undo that
later change, so it is the clerk's to undo by hand where the program lets them, and never for a return's review,
which only 审核/退回/重新打开 move (rollback_advice.py: what a clerk can do, kind by kind).
And a record the import created, which the rollback takes out again, has
something under it now that did not come with it — an item the county added under a community the package brought,
a later package's record, a photo: taking the parent out would leave it without its parent (the database's foreign
key refuses it, and a photo has none to refuse it), so the rollback is refused and the record named; one a later
import brought goes first by rolling that import back. A record the import itself moved there (a community into a
project it brought) is not in the way: its before-image puts it back before the new parent is taken out
(`moved_out_first`).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Table, select

from oldcomm_desktop.core import record_names, record_parents
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.model import Base, SyncImport, SyncImportRow
from oldcomm_desktop.core.sync import rollback_advice, tables
from oldcomm_desktop.core.sync.importer import CREATED

SHOWN = 5  # records named in one refusal; the rest are counted
# the tables the rollback itself clears with a record it takes out (its categories row: history.rollback)
CLEARED_WITH = {"community_category": "community"}


def check(conn: Any, imp: SyncImport, images: list[Any]) -> None:
    """Refuse (OldcommError, nothing written) when a record the import wrote was changed since, or when a record it
    created has something under it that the rollback would leave without its parent."""
    changed = [img for img in images if _changed_since(conn, img)]
    if changed:
        raise OldcommError(_changed_message(conn, imp, changed))
    blocking = _under_created(conn, images)
    if blocking:
        raise OldcommError(_blocking_message(conn, imp, blocking))


def _changed_since(conn: Any, img: Any) -> bool:
    t = tables.table(img.table_name)
    version = conn.execute(select(t.c.version).where(t.c.id == img.record_id)).scalar()
    return version is None or version != img.after_version


def _changed_message(conn: Any, imp: SyncImport, changed: list[Any]) -> str:
    first = changed[0]
    name = _binned(conn, first.table_name, first.record_id) + record_names.named(
        conn, first.table_name, first.record_id
    )
    more = f"等 {len(changed)} 条记录" if len(changed) > 1 else ""
    head = f"{name}{more}在这次导入之后又被修改过，不能自动回滚（回滚会撤销之后的修改）。"
    later = _changed_by_later(conn, imp, first)
    if later:
        ids = "、".join(f"{i[:8]}（{f or '数据包'}）" for i, f in later)
        head += f"修改它的是之后的导入 {ids}，是对方之后的修改。"
    return head + rollback_advice.advice(conn, first.table_name, first.record_id)


def _changed_by_later(conn: Any, imp: SyncImport, img: Any) -> list[tuple[str, str | None]]:
    """(id, file) of the applied imports after this one that changed the record again (their before-image of it):
    the clerk, who did not change it, hears whose change it is (rolling that import back would not let this one
    roll back: the record's version moved on all the same)."""
    rows = Base.metadata.tables[SyncImportRow.__tablename__]
    imports = Base.metadata.tables[SyncImport.__tablename__]
    q = (
        select(imports.c.id, imports.c.file_name)
        .join(rows, rows.c.import_id == imports.c.id)
        .where(
            imports.c.status == "applied",
            imports.c.imported_at >= imp.imported_at,
            imports.c.id != imp.id,
            rows.c.table_name == img.table_name,
            rows.c.record_id == img.record_id,
        )
        .order_by(imports.c.imported_at.desc())
    )
    return list(dict.fromkeys((iid, file_name) for iid, file_name in conn.execute(q)))


def _under_created(conn: Any, images: list[Any]) -> list[tuple[str, str]]:
    """(table, id) of the records that sit under a record the rollback takes out (one the import created) and
    that the rollback does not take out with it or put back where it was (a community the import moved into a
    project it brought): in the recycle bin or not, by a foreign key or as a photo's owner."""
    written = {(img.table_name, img.record_id) for img in images}
    return [found for found in _children_of_created(conn, images) if found not in written]


def moved_out_first(conn: Any, images: list[Any]) -> set[tuple[str, str]]:
    """(table, id) of the records the import created that a record it changed now sits under by a foreign key (a
    project it brought, a community moved into it): taken out only once the changed record's before-image is put
    back (history.rollback), which the database's foreign key requires."""
    changed = {(img.table_name, img.record_id) for img in images if img.before is not None}
    parents: set[tuple[str, str]] = set()
    if not changed:
        return parents
    for parent, ids in _created(images).items():
        for child, column in _children_of(parent):
            if child in CLEARED_WITH:
                continue
            t = Base.metadata.tables[child]
            rows = _rows_in(conn, t, t.c.id, t.c[column], sorted(ids))
            parents |= {(parent, pid) for rid, pid in rows if (child, rid) in changed}
    return parents


def _created(images: list[Any]) -> dict[str, set[str]]:
    created: dict[str, set[str]] = {}
    for img in images:
        if img.before is None:
            created.setdefault(img.table_name, set()).add(img.record_id)
    return created


def _children_of_created(conn: Any, images: list[Any]) -> list[tuple[str, str]]:
    """(table, id) of every record under a record the import created, those it created included."""
    created = _created(images)
    out: list[tuple[str, str]] = []
    for parent, ids in created.items():
        for child, column in _children_of(parent):
            shown_as = "community" if child in CLEARED_WITH else child
            if CLEARED_WITH.get(child) == parent:
                continue
            t = Base.metadata.tables[child]
            key = t.c.community_id if child in CLEARED_WITH else t.c.id
            out += [(shown_as, rid) for rid, _p in _rows_in(conn, t, key, t.c[column], sorted(ids))]
        owner_table, owner_id = record_parents.OWNED["attachment"]
        t = Base.metadata.tables["attachment"]
        found = _rows_in(conn, t, t.c.id, t.c[owner_id], sorted(ids), t.c[owner_table] == parent)
        out += [("attachment", rid) for rid, _p in found]
    return list(dict.fromkeys(out))


def _children_of(parent: str) -> list[tuple[str, str]]:
    """(child table, its column) of every foreign key that points at `parent`'s records."""
    return [
        (t.name, fk.parent.name)
        for t in Base.metadata.sorted_tables
        for fk in t.foreign_keys
        if fk.column.table.name == parent
    ]


def _rows_in(conn: Any, t: Table, key: Any, column: Any, ids: list[str], *where: Any) -> list[tuple[str, str]]:
    """(key, parent id) of the rows of `t` whose `column` is one of `ids`."""
    found: list[tuple[str, str]] = []
    for k in range(0, len(ids), 500):
        found += [(r[0], r[1]) for r in conn.execute(select(key, column).where(column.in_(ids[k : k + 500]), *where))]
    return found


def _blocking_message(conn: Any, imp: SyncImport, blocking: list[tuple[str, str]]) -> str:
    later = _brought_by_later(conn, imp, blocking)
    parts = [_binned(conn, name, rid) + record_names.named(conn, name, rid) for name, rid in blocking[:SHOWN]]
    more = f"等 {len(blocking)} 条记录" if len(blocking) > SHOWN else ""
    head = f"不能回滚这次导入：它带来的记录下面已经有了之后添加的{'、'.join(parts)}{more}，回滚会让它们失去所属的记录。"
    if later:
        ids = "、".join(f"{i[:8]}（{f or '数据包'}）" for i, f in later)
        return head + f"这些记录是之后的导入 {ids} 带来的：请先回滚之后的导入，再回滚这一次"
    return head + "如不需要这次导入带来的记录，请直接删除它们（连同其下的记录一起放入回收站），不必回滚"


def _binned(conn: Any, name: str, rid: str) -> str:
    """回收站中的 for a record in the recycle bin: it is still there, and still under its parent."""
    t = tables.table(name)
    if "deleted_at" not in t.c:
        return ""
    return "回收站中的" if conn.execute(select(t.c.deleted_at).where(t.c.id == rid)).scalar() else ""


def _brought_by_later(conn: Any, imp: SyncImport, blocking: list[tuple[str, str]]) -> list[tuple[str, str | None]]:
    """(id, file) of the applied imports after this one that created any of the blocking records."""
    wanted = set(blocking)
    rows = Base.metadata.tables[SyncImportRow.__tablename__]
    imports = Base.metadata.tables[SyncImport.__tablename__]
    q = (
        select(imports.c.id, imports.c.file_name, rows.c.table_name, rows.c.record_id, rows.c.before)
        .join(rows, rows.c.import_id == imports.c.id)
        .where(
            imports.c.status == "applied",
            imports.c.imported_at >= imp.imported_at,
            imports.c.id != imp.id,
            rows.c.table_name.in_(sorted({t for t, _r in wanted})),
            (rows.c.record_id == CREATED) | rows.c.before.is_(None),
        )
    )
    out: dict[str, str | None] = {}
    for iid, file_name, name, rid, before in conn.execute(q):
        ids = json.loads(before) if rid == CREATED else [rid]
        if any((name, i) in wanted for i in ids):
            out[iid] = file_name
    return list(out.items())
