"""What the county could not take of a township's work, told back to the township in the county's next package.

A county restored from a backup taken before it issued an order no longer has that order; the township's answer to
it (the target's state and text, its steps, its files) is left out at the county's import and named to the county's
clerk (importer: `left_out`), who is told to issue the order again. The township did the work and would otherwise
never hear that it was not taken: its package was acknowledged like any other. So the import keeps those records'
(table, id, name) in its history (`SyncImport.counts["not_taken"]`), and every package the county writes to that
township names those still missing here (the manifest's `not_taken`); the township's import shows them. A record is
no longer named once the county has it again, or once the county has issued an order to the township after the
import that left it out (the advice followed: the township answers the new order; its answer to the lost one stays
in its own database).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core.model import OrderTarget, SyncImport
from oldcomm_desktop.core.sync import tables

MAX_SAID = 500  # names a manifest may carry (more: the first ones; the township is told to ask the county)
MAX_NAME = 200  # characters of one name shown to the township


def still_missing(session: Session, township: str) -> list[str]:
    """The names of the township's records the county's applied imports left out and the county still lacks."""
    named: dict[tuple[str, str], str] = {}
    q = select(SyncImport.counts).where(SyncImport.sender_code == township, SyncImport.status == "applied")
    issued = session.scalar(
        select(func.max(OrderTarget.created_at)).where(
            OrderTarget.township_code == township, OrderTarget.deleted_at.is_(None)
        )
    )
    if issued is not None:
        q = q.where(SyncImport.imported_at > issued)
    for counts in session.scalars(q.order_by(SyncImport.imported_at)):
        try:
            entries = json.loads(counts).get("not_taken") or []
        except (ValueError, AttributeError):
            continue
        for entry in entries:
            if isinstance(entry, list) and len(entry) == 3 and all(isinstance(x, str) for x in entry):
                named[(entry[0], entry[1])] = entry[2]
    conn = session.connection()
    missing = []
    for (name, rid), shown in named.items():
        if name not in tables.SHARED_TABLES:
            continue
        t = tables.table(name)
        if conn.execute(select(t.c.id).where(t.c.id == rid)).first() is None:
            missing.append(shown)
    return missing[:MAX_SAID]


def said(manifest: Any) -> list[str]:
    """The names a county's package says it did not take (a package from before this, or a malformed list: none)."""
    entries = manifest.get("not_taken")
    if not isinstance(entries, list):
        return []
    return [e[:MAX_NAME] for e in entries[:MAX_SAID] if isinstance(e, str) and e]
