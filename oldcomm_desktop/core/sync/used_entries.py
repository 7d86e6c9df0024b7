"""A catalogue entry deleted here that a record arriving from the other side uses comes back, retired.

The county may delete an item type or a funding source nothing uses *that it knows of*; a township may have
used it meanwhile (an item of the new type, money on the source), not yet told. Its records are real data
made where the entry was live: refusing them would refuse every later package of that township for good (no
package of its changes what the county deleted), and block every unrelated change with them. An entry in use
is never deleted — it is retired instead (停用: no new use, what is recorded keeps it) — so that is what the
deletion becomes once the use arrives: the entry is taken out of the recycle bin and retired (a funding
source's deleted ancestors with it), with a before-image (a rollback of the import deletes it again) and an
audit entry. The catalogue travels down whole, so the township then holds it live and retired too.
An entry whose name a live entry took meanwhile stays deleted (the record is refused, named by that name).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from oldcomm_desktop.core.sync import changes, tables, writes

REVIVED = ("item_type", "funding_source")  # catalogues whose deleted entries a record's use brings back


def revive(
    conn: Any,
    records: dict[str, list[dict[str, Any]]],
    keymaps: tables.KeyMaps,
    *,
    image: Any,
    audit: Any,
    now: datetime,
) -> int:
    """Bring back, retired, the deleted entries the package's live records reference; how many. `image(name,
    id, before, after_version, shadow)` and `audit(name, id, field, old, new)` collect what the import keeps."""
    used: dict[str, set[str]] = {name: set() for name in REVIVED}
    for name, rows in records.items():
        if name not in tables.SHARED_TABLES:
            continue
        refs = [(c.name, k) for c in tables.data_columns(name) if (k := tables.catalogue_target(c)) in REVIVED]
        for r in rows if refs else ():
            v = r.get("v") or {}
            if v.get("deleted_at") is not None:
                continue
            for col, target in refs:
                if v.get(col) is not None:
                    used[target].add(v[col])
    count = 0
    for name, found in used.items():
        ids = {i for k in found if (i := keymaps.ident(name, k)) is not None}
        if not ids:
            continue
        t = tables.table(name)
        entries = {r._mapping["id"]: r for r in conn.execute(select(t))}
        back: list[str] = []
        for ident in sorted(ids):
            node: str | None = ident
            seen = 0
            while node is not None and node in entries and seen <= len(entries):  # a source's deleted ancestors too
                if entries[node]._mapping["deleted_at"] is not None and node not in back:
                    back.append(node)
                node = entries[node]._mapping.get("parent_id") if name == "funding_source" else None
                seen += 1
        live_names = {r._mapping["name"] for r in entries.values() if r._mapping["deleted_at"] is None}
        back = [i for i in back if entries[i]._mapping["name"] not in live_names]
        if not back:
            continue
        codec = tables.RowCodec(name, keymaps)
        shadows = changes.load_shadows(conn, name, back)
        for ident in back:
            row = entries[ident]._mapping
            before = codec.encode(entries[ident])
            image(name, ident, before, row["version"] + 1, shadows.get(ident))
            audit(name, ident, "deleted_at", before.get("deleted_at"), None)
            if row["active"]:
                audit(name, ident, "active", True, False)
        writes.WRITERS[name](conn, [], [{"id": i, "deleted_at": None, "active": False} for i in back], now)
        count += len(back)
    return count
