"""The import history: every package applied (who sent it, when, what it changed), and rolling one back.

Each import keeps the before-image of every row it inserted or changed (sync_import_row), with the version
the row had afterwards. A rollback restores those images, newest first, and refuses before writing anything if a
row was changed again since (its version moved on: it never undoes a clerk's later edit) or if a record it would
take out has something under it that came later (sync/rollback_checks.py). The peer is then asked, through
the next receipt, to send those changes again.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import funding_dates, milestones
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.importing import bulk_tables
from oldcomm_desktop.core.model import Community, CommunityCategory, RenovationItem, SyncImport, SyncPeer
from oldcomm_desktop.core.model.base import utcnow
from oldcomm_desktop.core.sync import changes, deleted_parents, importer, rollback_checks, tables, writes
from oldcomm_desktop.core.sync.conflicts import MIN_PREFIX
from oldcomm_desktop.core.sync.importer import CONFLICT, CREATED, IMPORT_ROW, _audit


def history(session: Session) -> list[dict[str, Any]]:
    """Every imported package, newest first: who sent it, when, what it changed, and whether it was undone."""
    rows = session.scalars(select(SyncImport).order_by(SyncImport.imported_at.desc(), SyncImport.id))
    out = []
    for imp in rows:
        counts = json.loads(imp.counts)
        tables_ = counts.get("tables", {})
        out.append(
            {
                "id": imp.id,
                "package_id": imp.package_id,
                "file": imp.file_name,
                "sender": imp.sender_code,
                "created_at": imp.package_created_at.isoformat() if imp.package_created_at else None,
                "imported_at": imp.imported_at.isoformat(),
                "operator": imp.operator,
                "added": sum(t.get("added", 0) for t in tables_.values()),
                "changed": sum(t.get("changed", 0) for t in tables_.values()),
                "deleted": sum(t.get("deleted", 0) for t in tables_.values()),
                "conflicts": counts.get("conflicts", 0),
                "catalogue": counts.get("catalogue", 0),
                "status": imp.status,
                "rolled_back_at": imp.rolled_back_at.isoformat() if imp.rolled_back_at else None,
            }
        )
    return out


def rollback(session: Session, import_id: str, *, operator: str | None = None) -> int:
    """Undo one import from its before-images; refuses if a record it changed was changed again since."""
    import_id = import_id.strip()
    imp = session.get(SyncImport, import_id) if import_id else None
    if imp is None and len(import_id) >= MIN_PREFIX:  # an empty id (an unset $ID) or % never matches them all
        found = select(SyncImport).where(SyncImport.id.startswith(import_id, autoescape=True)).limit(50)
        matches = list(session.scalars(found))
        if len(matches) == 1:
            imp = matches[0]
        elif matches:
            raise OldcommError(
                f"编号开头“{import_id}”对应 {len(matches)}{'+' if len(matches) == 50 else ''} 次导入，"
                "请多写几位（用 oldcomm sync history 查看完整编号）"
            )
    if imp is None:
        raise OldcommError(f"导入记录 {import_id} 不存在（用 oldcomm sync history 查看编号）")
    if imp.status != "applied":
        raise OldcommError("这次导入已经回滚过了")
    conn = session.connection()
    now = utcnow()
    who = operator or "回滚数据包导入"
    rows = _expanded(
        conn.execute(select(IMPORT_ROW).where(IMPORT_ROW.c.import_id == imp.id).order_by(IMPORT_ROW.c.seq.desc()))
    )
    rollback_checks.check(conn, imp, rows)  # before anything is written
    moved_first = rollback_checks.moved_out_first(conn, rows)
    last: list[Any] = []  # records the import created, taken out after the before-images are put back
    keymaps = tables.KeyMaps(conn)
    changes.scan(session, keys=keymaps)
    audit: list[dict[str, Any]] = []
    restored: dict[str, list[dict[str, Any]]] = {}  # before-images of the bulk path's tables
    shaped: dict[str, list[str]] = {}
    parents: set[str] = set()
    moved: tuple[set[str], set[str]] = (set(), set())  # communities and projects whose status may move
    for img in rows:
        t = tables.table(img.table_name)
        live = conn.execute(select(t).where(t.c.id == img.record_id)).one()  # unchanged since (checked above)
        codec = tables.RowCodec(img.table_name, keymaps)
        _status_moved(moved, img.table_name, img.record_id, live._mapping)
        if img.table_name in SHAPED:
            shaped.setdefault(img.table_name, []).append(img.record_id)
            if img.table_name == "renovation_item" and live._mapping["community_id"]:
                parents.add(live._mapping["community_id"])  # its community's categories change with it
        if img.before is None and (last or (img.table_name, img.record_id) in moved_first):
            last.append(img)  # a record the import moved under it goes back first (below); older ones wait too
        elif img.before is None:
            _take_out(conn, img, t, now, who, audit)
        else:
            before = json.loads(img.before)
            current = codec.encode(live)
            diff = {k: v for k, v in before.items() if current.get(k) != v}
            if diff and img.table_name in BULK_TABLES:  # through the bulk write path, all at once below
                restored.setdefault(img.table_name, []).append({"id": img.record_id, **codec.decode(diff)})
            elif diff:
                writes.WRITERS[img.table_name](conn, [], [{"id": img.record_id, **codec.decode(diff)}], now)
                for k, v in diff.items():
                    audit.append(_audit(now, who, img.table_name, img.record_id, "update", k, current.get(k), v))
        if img.table_name in tables.SHARED_TABLES or img.table_name in tables.CATALOGUE_TABLES:
            changes.delete_shadow(conn, img.table_name, img.record_id)
            if img.shadow_before:
                sb = json.loads(img.shadow_before)
                changes.save_shadows(
                    conn,
                    [
                        changes.ShadowRow(
                            img.table_name,
                            img.record_id,
                            sb.get("township_code"),
                            sb["state"],
                            sb["clock"],
                            sb["seq"],
                            sb.get("echo_of"),
                            sb.get("echo_seq"),
                        )
                    ],
                    set(),
                )
    # the same rules, derived columns, list shapes and audit entries as every other write (importing/bulk.py);
    # a before-image the rules now refuse stops the rollback with nothing changed (the caller rolls back)
    # a line's dated arrived/paid rows are rolled back with it (their own images): none of today is added
    # the before-images are the sender's acts undone (a county order at a township): asked of the sender's mode
    sender_mode = writes.peer_mode(session)
    with (
        funding_dates.history_carried(session),
        bulk_tables.merging(session, sender_mode, imp.sender_code),
        bulk_tables.undoing(session),
    ):
        writes.through_bulk(
            session,
            restored,
            source=f"回滚数据包导入 {imp.file_name or imp.id}",
            refused="不能回滚这次导入",
            operator=who,
        )
    for img in last:  # newest first, as in the loop
        _take_out(conn, img, tables.table(img.table_name), now, who, audit)
    funding_dates.settle(conn, [r["id"] for r in restored.get("funding_line", [])])
    milestones.refresh_statuses(session, *moved)
    _refresh_shapes(conn, shaped, parents)
    conn.execute(CONFLICT.delete().where(CONFLICT.c.import_id == imp.id, CONFLICT.c.status == "open"))
    counts = json.loads(imp.counts)
    # conflicts this import had settled, and held records it released (their parent is deleted again): open
    for key, status in (("settled", "settled"), ("released", deleted_parents.RELEASED)):
        ids = counts.get(key) or []
        for k in range(0, len(ids), 500):
            conn.execute(
                CONFLICT.update()
                .where(CONFLICT.c.id.in_(ids[k : k + 500]), CONFLICT.c.status == status)
                .values(status="open", resolved_at=None, resolved_by=None)
            )
    writes.write_audit(conn, audit)
    # a parent this rollback brought back (the import had deleted it): the records held under it meanwhile go in
    deleted_parents.release(session, deleted_parents.RELEASED_HERE)
    peer = session.get(SyncPeer, imp.sender_code)
    if peer is not None:
        # What we hold of the peer's changes went back: the next receipt asks the peer to send them again.
        peer.received_seq = min(peer.received_seq, imp.received_before, imp.from_seq)
    imp.status = "rolled_back"
    imp.rolled_back_at = now
    session.flush()
    return len(rows)


def _status_moved(moved: tuple[set[str], set[str]], name: str, record_id: str, live: Any) -> None:
    """Note the communities (and projects) whose derived status a rolled-back row may move: a milestone put
    back, taken out or restored (its community, or every community of its project), and a community restored
    or moved back between projects. The before-images bring the milestones back but the bulk path derives a
    status from those stored live before it writes (milestones.refresh_statuses)."""
    communities, projects = moved
    if name == "community":
        communities.add(record_id)
    elif name == "milestone":
        if live["community_id"]:
            communities.add(live["community_id"])
        elif live["project_id"]:
            projects.add(live["project_id"])


def _take_out(conn: Any, img: Any, t: Any, now: Any, who: str, audit: list[dict[str, Any]]) -> None:
    """Delete a record the import created (its rollback)."""
    if img.table_name == "community":  # its categories row (list shapes) goes before the community
        conn.execute(delete(CommunityCategory).where(CommunityCategory.community_id == img.record_id))
    conn.execute(t.delete().where(t.c.id == img.record_id))
    audit.append(_audit(now, who, img.table_name, img.record_id, "delete", "rollback"))


def _expanded(images: Any) -> list[Any]:
    """Before-images newest first, with the one image per table that lists the records an import created
    (importer._created_image) expanded into one per record, newest first, as if each had its own."""
    out: list[Any] = []
    for img in images:
        if img.record_id != CREATED:
            out.append(img)
            continue
        out += [
            SimpleNamespace(
                table_name=img.table_name,
                record_id=rid,
                before=None,
                after_version=img.after_version,
                shadow_before=None,
            )
            for rid in reversed(json.loads(img.before))
        ]
    return out


BULK_TABLES: frozenset[str] = importer.BULK_TABLES
SHAPED = ("community", "renovation_item")  # the tables whose list shapes and search text the import wrote


def _refresh_shapes(conn: Any, shaped: dict[str, list[str]], parents: set[str]) -> None:
    """The search index and list shapes of the rows a rollback put back or took out (the bulk path wrote them
    at import; the before-images restore only the rows themselves)."""
    from oldcomm_desktop.core import listing_index

    cids = shaped.get("community", [])
    iids = shaped.get("renovation_item", [])
    touched: set[str] = set(cids) | parents
    search_c, search_i = [], []
    for k in range(0, len(cids), 500):
        found = {
            r[0]: tuple(r)
            for r in conn.execute(
                select(Community.id, Community.name, Community.address, Community.search_initials).where(
                    Community.id.in_(cids[k : k + 500])
                )
            )
        }
        search_c += [found.get(i, (i, None, None, None)) for i in cids[k : k + 500]]
    for k in range(0, len(iids), 500):
        q = select(RenovationItem.id, RenovationItem.description).where(RenovationItem.id.in_(iids[k : k + 500]))
        found = {r[0]: (r[0], r[1]) for r in conn.execute(q)}
        search_i += [found.get(i, (i, None)) for i in iids[k : k + 500]]
    listing_index.write_search(conn, "community", search_c)  # an empty text removes a record from the index
    listing_index.write_search(conn, "item", search_i)
    ids, live = sorted(touched), set()
    for k in range(0, len(ids), 500):
        live |= set(conn.execute(select(Community.id).where(Community.id.in_(ids[k : k + 500]))).scalars())
    if live:
        listing_index.refresh_categories(conn, live)
        listing_index.refresh_item_sort(conn, live)
