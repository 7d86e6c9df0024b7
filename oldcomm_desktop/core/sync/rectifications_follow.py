"""A rectification's closed state follows the re-inspections a sync write brings under it.

Its state (销号, closed-on date, current deadline) is derived from all its live re-inspections
(`inspections.rectification_state`); the bulk path derives it only for a rectification in its batch
(`bulk_tables.RectificationSpec.derive`). A re-inspection arriving alone — the rectification's own row unchanged
by the merge, as when both sides re-inspected before they exchanged and the derived columns merged to ours — left
the state derived without it, and the two sides apart for good. So every live rectification a written
re-inspection sits under goes into the same batch, as a row of its id alone, and is derived there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from oldcomm_desktop.core.sync import changes, tables

CHUNK = 500


def rectifications_follow(
    conn: Connection,
    reinspections: Iterable[Mapping[str, Any]],
    rows: dict[str, list[dict[str, Any]]],
    keymaps: tables.KeyMaps,
) -> list[tuple[str, dict[str, Any], changes.ShadowRow | None]]:
    """Add to `rows` (a bulk batch) each stored live rectification of `reinspections` (rows about to be written:
    new ones name their rectification, a changed one may carry only its changed fields) not in it already.

    Returns (its id, its values before, its shadow before) of each added, for the caller's before-image: a
    rollback puts the state back as it was. A rectification in the bin keeps its merged state
    (importer._absorb_derived); one written in the batch already is derived with it."""
    wanted: set[str] = set()
    unnamed: list[str] = []
    for r in reinspections:
        rect_id = r.get("rectification_id")
        if isinstance(rect_id, str):
            wanted.add(rect_id)
        else:
            unnamed.append(r["id"])
    re_t = tables.table("reinspection")
    for k in range(0, len(unnamed), CHUNK):
        wanted.update(conn.scalars(select(re_t.c.rectification_id).where(re_t.c.id.in_(unnamed[k : k + CHUNK]))))
    ids = sorted(wanted - {r["id"] for r in rows.get("rectification", ())})
    rt = tables.table("rectification")
    codec = tables.RowCodec("rectification", keymaps)
    before: dict[str, dict[str, Any]] = {}
    for k in range(0, len(ids), CHUNK):
        q = select(rt).where(rt.c.id.in_(ids[k : k + CHUNK]), rt.c.deleted_at.is_(None))
        before.update({r._mapping["id"]: codec.encode(r) for r in conn.execute(q)})
    if not before:
        return []
    rows.setdefault("rectification", []).extend({"id": rect_id} for rect_id in before)
    shadows = changes.load_shadows(conn, "rectification", list(before))
    return [(rect_id, values, shadows.get(rect_id)) for rect_id, values in before.items()]
