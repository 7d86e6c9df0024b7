"""Writing a package for a peer: the changes it has not acknowledged (or everything), signed and verified.

A township writes to its county: its own records (returns it submitted, answers to orders …). The county
writes to one township: that township's records as the county holds them (a reviewer's corrections,
county-side inspections, review decisions on its returns, confirmations of its answers, conflicts the county
resolved), the county orders addressed to it with their files, and the county's whole catalogue
(categories, item types, funding sources, templates, divisions).
Every package also carries a receipt: how far this installation holds the peer's changes, so the peer's
next package leaves those out.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, collector, divisions, record_names, workspace
from oldcomm_desktop.core.attachments import stored_path
from oldcomm_desktop.core.errors import OldcommError, ValidationError
from oldcomm_desktop.core.model import SyncPeer
from oldcomm_desktop.core.model.base import utcnow
from oldcomm_desktop.core.sync import changes, deleted_parents, keys, not_taken, package, tables

Progress = Callable[[int, int, str], None]


@dataclass
class ExportResult:
    path: Path
    package_id: str
    recipient: str
    full: bool
    counts: dict[str, int] = field(default_factory=dict)
    catalogue: int = 0
    attachments: int = 0
    missing_files: list[str] = field(default_factory=list)
    not_taken: list[str] = field(default_factory=list)  # named to the township: its answers this county lacks

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def county_of(code: str) -> str:
    return code[:6] + "000000"


def recipient_for(session: Session, to: str | None) -> str:
    """Whom a package goes to: a township always writes to its county; the county must say which township."""
    own = workspace.own_code(session) or ""
    if workspace.mode(session) == workspace.TOWNSHIP:
        county = county_of(own)
        if to and to != county:
            raise ValidationError(f"乡镇（街道）的数据包只能发给本县（{county}），不能发给 {to}")
        return county
    if not to:
        raise ValidationError("县级数据库导出数据包时必须用 --to 指定接收的乡镇（街道）代码")
    parsed = divisions.parse_code(to, label="接收单位代码")
    if parsed.level != "township" or to[:6] != own[:6]:
        raise ValidationError(f"{to} 不是本县（{own[:6]}）的乡镇（街道）代码")
    if session.get(SyncPeer, to) is None and divisions.name_of(session, to) in ("", to):
        raise ValidationError(f"{to} 不是本县已登记的乡镇（街道）：请核对代码（oldcomm sync status 列出各乡镇）")
    return to


def peer_row(session: Session, code: str) -> SyncPeer:
    peer = session.get(SyncPeer, code)
    if peer is None:
        peer = SyncPeer(code=code, acked_seq=0, received_seq=0)
        session.add(peer)
        session.flush()
    return peer


def file_name(sender: str, recipient: str, when: datetime, package_id: str) -> str:
    return f"{sender}-to-{recipient}-{when:%Y%m%d-%H%M%S}-{package_id[:8]}{package.SUFFIX}"


@collector.paused()
def export(
    session: Session,
    out_dir: Path,
    *,
    to: str | None = None,
    full: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Write one package into `out_dir` and return what it holds; the file is verified before this returns.

    With the cycle collector paused (a full export holds 100,000 rows' texts; a tenth of its CPU went to
    collections that found nothing) and a bigger page cache for the scan and the read of the shadows."""
    from oldcomm_desktop.storage.database import page_cache

    with page_cache(session):
        return _export(session, out_dir, to=to, full=full, progress=progress)


def _export(
    session: Session,
    out_dir: Path,
    *,
    to: str | None,
    full: bool,
    progress: Progress | None,
) -> ExportResult:
    from oldcomm_desktop.storage.migrations import head_revision

    if not workspace.is_initialised(session):
        raise OldcommError("数据库尚未初始化，请先运行 oldcomm init（或 oldcomm demo）")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OldcommError(f"{out_dir} 是一个文件，不是文件夹：--out 给出数据包要存放的文件夹")
    if not out_dir.is_dir():
        raise OldcommError(f"文件夹 {out_dir} 不存在")
    own = workspace.own_code(session) or ""
    mode = workspace.mode(session) or ""
    recipient = recipient_for(session, to)
    me = keys.own_key(session)
    peer = peer_row(session, recipient)
    conn = session.connection()
    keymaps = tables.KeyMaps(conn)
    if progress:
        progress(0, 0, "查找本机的修改…")
    # a parent restored here by any path (an undo, a form) since: its held records go out with it
    deleted_parents.release(session, deleted_parents.RELEASED_HERE)
    changes.scan(session, full=full, keys=keymaps)
    after = 0 if full else peer.acked_seq
    # A county's full package holds every record of the township, its own sent up included: it is what rebuilds a
    # township database restored from an old backup or set up again. (A township's full package still leaves out
    # what came from the county: the county's own acts are not a township's to send, and would be refused.)
    echoes = full and mode == workspace.COUNTY
    to_seq = changes.last_seq(session)
    scope = recipient if mode == workspace.COUNTY else own
    created = utcnow()
    package_id = str(uuid.uuid4())
    writer = package.PackageWriter(out_dir, file_name(own, recipient, created, package_id))
    result = ExportResult(writer.final, package_id, recipient, full)
    try:
        shas: set[str] = set()
        for name in tables.SHARED_TABLES:
            lines: list[str] = []
            for _table, batch in _batches(session, name, recipient, scope, after, mode == workspace.COUNTY, echoes):
                for r in batch:
                    t = r["t"].isoformat() if r["t"] is not None else None
                    lines.append(
                        f'{{"id":{json.dumps(r["id"])},"t":{json.dumps(t)},"v":{r["state"]},"c":{r["clock"]}}}'
                    )
                    if name == "attachment":
                        shas.add(json.loads(r["state"])["sha256"])
                if progress:
                    progress(len(lines), 0, f"写出{record_names.TABLE_LABELS[name]}…")
            if lines:
                result.counts[name] = writer.write_lines(f"records/{name}.jsonl", iter(lines))
        for sha in sorted(shas):
            src = stored_path(session, sha) if package.SHA_RE.match(sha) else None
            if src is None or not src.is_file():
                result.missing_files.append(sha)
                continue
            writer.write_file(f"attachments/{sha}", src)
            result.attachments += 1
        catalogue_counts: dict[str, int] = {}
        if mode == workspace.COUNTY:
            for name in tables.CATALOGUE_TABLES:
                rows = list(_catalogue_lines(conn, name, keymaps))
                if rows:
                    catalogue_counts[name] = writer.write_lines(f"catalogue/{name}.jsonl", iter(rows))
            result.catalogue = sum(catalogue_counts.values())
        else:  # the villages (社区/村) this township chose or added go up with its records
            rows = list(_catalogue_lines(conn, "division", keymaps, where=own_villages(own)))
            if rows:
                catalogue_counts["division"] = writer.write_lines("catalogue/division.jsonl", iter(rows))
            result.catalogue = sum(catalogue_counts.values())
        manifest: dict[str, Any] = {
            "format": package.FORMAT,
            "format_version": package.FORMAT_VERSION,
            "schema_version": head_revision(),
            "package_id": package_id,
            "created_at": created.isoformat(),
            "sender": {
                "code": own,
                "name": catalogues.get_setting(session, "own_division_name") or "",
                "mode": mode,
                "installation_id": me.installation_id,
                "fingerprint": me.fingerprint,
                "public_key": me.public_key,
            },
            "recipient": recipient,
            "range": {"from_seq": after, "to_seq": to_seq, "full": full},
            "counts": {"records": result.counts, "catalogue": catalogue_counts, "attachments": result.attachments},
            # whose sequence numbers the receipt counts: a re-installed peer must not take another's count
            "receipt": {"to_seq": peer.received_seq, "installation_id": peer.installation_id},
            "missing_files": result.missing_files,
        }
        if mode == workspace.COUNTY:  # the township's answers this county could not take (not_taken.py)
            manifest["not_taken"] = result.not_taken = not_taken.still_missing(session, recipient)
        path = writer.finish(manifest, lambda body: keys.sign(session, body))
    except BaseException:
        writer.abort()
        raise
    try:
        package.read(path, verify_signature=_own_signature(me), parse=False)
    except package.PackageError as exc:
        path.unlink(missing_ok=True)
        raise OldcommError(f"数据包写出后校验失败（{exc}），已删除；请换一个 U 盘或文件夹重试") from None
    peer.last_export_at = created
    session.flush()
    return result


def _batches(session: Session, name: str, peer: str, township: str, after: int, down: bool, echoes: bool = False):
    yield from changes.pending(
        session, peer=peer, township=township, after_seq=after, names=(name,), down=down, echoes=echoes
    )


def own_villages(township: str) -> Any:
    """The village-level divisions (社区/村) under one township: all a township's package may carry up."""
    t = tables.table("division")
    return (t.c.level == "village") & (t.c.code.startswith(township[:9])) & (t.c.code != township)


def _catalogue_lines(conn, name: str, keymaps: tables.KeyMaps, where: Any = None):
    codec = tables.RowCodec(name, keymaps)
    t = tables.table(name)
    q = select(t).order_by(t.c.id)
    if where is not None:
        q = q.where(where)
    for row in conn.execute(q):
        m = row._mapping
        key = keymaps.key(name, m["id"])
        yield tables.dumps({"id": m["id"], "key": key, "v": codec.encode(row)})


def _own_signature(me: keys.OwnKey):
    def check(manifest: package.Manifest, body: bytes, sig: bytes) -> None:
        if not keys.verify(me.public_key, sig, body):
            raise package.PackageError("签名无效")

    return check
