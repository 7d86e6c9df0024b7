"""Photos and scans: copied once, by content hash, into the attachments folder beside the database.

Content addressing means the same photo attached twice is stored once, a file can never be silently
replaced by another of the same name, and a sync package can carry a file by its hash.
"""

from __future__ import annotations

import hashlib
import mimetypes
import shutil
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import records
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.model import Attachment, Record

MAX_BYTES = 50 * 1024 * 1024


def folder(session: Session) -> Path:
    path = session.info.get("attachments_dir")
    if path is None:
        raise RuntimeError("session has no attachments folder (open it through Database.session)")
    return Path(path)


def stored_path(session: Session, sha256: str) -> Path:
    return folder(session) / sha256[:2] / sha256


def add(session: Session, owner: Record, source: Path, *, caption: str | None = None) -> Attachment:
    """Attach a copy of `source` to `owner`; refused (InRecycleBin) when the owner, or what it sits under, is in
    the recycle bin, before anything is copied."""
    records.refuse_if_binned(session, owner, "添加附件")
    source = Path(source)
    if not source.is_file():
        raise ValidationError(FieldProblem("file", "附件", f"文件 {source} 不存在"))
    size = source.stat().st_size
    if size > MAX_BYTES:
        raise ValidationError(FieldProblem("file", "附件", f"文件 {source.name} 超过 50 MB"))
    digest = hashlib.sha256()
    with source.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    sha = digest.hexdigest()
    target = stored_path(session, sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        shutil.copyfile(source, tmp)
        tmp.replace(target)  # atomic: a half-copied file never carries the final name
    attachment = Attachment(
        sha256=sha,
        owner_table=owner.__tablename__,
        owner_id=owner.id,
        file_name=source.name,
        media_type=mimetypes.guess_type(source.name)[0],
        size=size,
        caption=caption,
        township_code=owner.township_code,
    )
    session.add(attachment)
    session.flush()
    return attachment


def of(session: Session, owner: Record) -> list[Attachment]:
    return list(
        session.scalars(
            select(Attachment)
            .where(
                Attachment.owner_table == owner.__tablename__,
                Attachment.owner_id == owner.id,
                Attachment.deleted_at.is_(None),
            )
            .order_by(Attachment.created_at)
        )
    )


def files(session: Session, owner_table: str, owner_ids: list[str] | tuple[str, ...]) -> list[dict]:
    """Plain descriptions of the live files of some records, with where each is stored on disk.

    A window shows thumbnails after its session has closed, so it needs paths and names, not ORM rows.
    """
    if not owner_ids:
        return []
    rows = session.scalars(
        select(Attachment)
        .where(
            Attachment.owner_table == owner_table,
            Attachment.owner_id.in_(list(owner_ids)),
            Attachment.deleted_at.is_(None),
        )
        .order_by(Attachment.created_at, Attachment.id)
    )
    return [
        {
            "id": a.id,
            "owner_id": a.owner_id,
            "file_name": a.file_name,
            "caption": a.caption,
            "media_type": a.media_type,
            "size": a.size,
            "path": stored_path(session, a.sha256),
        }
        for a in rows
    ]
