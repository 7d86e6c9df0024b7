"""The county's view of its townships: each one's last package, its key, open conflicts and what is missing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import divisions, workspace
from oldcomm_desktop.core.model import SyncPeer
from oldcomm_desktop.core.model.base import utcnow
from oldcomm_desktop.core.sync import conflicts, keys

STALE_AFTER = timedelta(days=35)  # a monthly return cycle and a few days


def townships(session: Session) -> list[dict[str, Any]]:
    """One row per township the county knows (from its divisions or its peers), with what is missing."""
    own = workspace.own_code(session) or ""
    peers = {p.code: p for p in session.scalars(select(SyncPeer))}
    codes = {d.code for d in divisions.townships(session) if d.code[:6] == own[:6]} | {
        c for c in peers if c != own and c.endswith("000") and not c.endswith("000000")
    }
    now = utcnow()
    rows = []
    for code in sorted(codes):
        p = peers.get(code)
        missing = []
        if p is None or not p.public_key:
            missing.append("未登记公钥")
        if p is None or p.last_import_at is None:
            missing.append("从未收到数据包")
        elif p.last_package_at and now - p.last_package_at > STALE_AFTER:
            missing.append(f"超过 {STALE_AFTER.days} 天没有新数据包")
        n = conflicts.open_count(session, code)
        if n:
            missing.append(f"{n} 个冲突待处理")
        rows.append(
            {
                "code": code,
                "name": divisions.name_of(session, code),
                "trusted": bool(p and p.public_key),
                "fingerprint": keys.display(p.fingerprint) if p and p.fingerprint else "",
                "last_package_at": p.last_package_at.isoformat(sep=" ", timespec="minutes")
                if p and p.last_package_at
                else "",
                "last_import_at": p.last_import_at.isoformat(sep=" ", timespec="minutes")
                if p and p.last_import_at
                else "",
                "last_export_at": p.last_export_at.isoformat(sep=" ", timespec="minutes")
                if p and p.last_export_at
                else "",
                "open_conflicts": n,
                "missing": "；".join(missing) or "齐全",
            }
        )
    return rows
