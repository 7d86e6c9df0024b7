"""What file-based sync remembers: this installation's key, its peers, the last exchanged state, conflicts, imports.

None of these are clerk records (no `Record` mixin): they are the machinery's own bookkeeping, never audited,
never sent in a package, and they stay with the database they describe (a backup carries them along).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from oldcomm_desktop.core.model.base import Base, utcnow


class SyncIdentity(Base):
    """The one row naming this installation: its id, its Ed25519 key pair and its change counter."""

    __tablename__ = "sync_identity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    installation_id: Mapped[str] = mapped_column(String(36))
    private_key: Mapped[str] = mapped_column(String(64))  # raw 32 bytes, hex
    public_key: Mapped[str] = mapped_column(String(64))  # raw 32 bytes, hex
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)  # the local change sequence handed out so far
    scanned_until: Mapped[datetime | None] = mapped_column(DateTime)  # local edits before this are in the shadow


class SyncPeer(Base):
    """Another installation this one exchanges packages with (the county, or one township), by division code."""

    __tablename__ = "sync_peer"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    public_key: Mapped[str | None] = mapped_column(String(64))
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    installation_id: Mapped[str | None] = mapped_column(String(36))
    trusted_at: Mapped[datetime | None] = mapped_column(DateTime)
    acked_seq: Mapped[int] = mapped_column(Integer, default=0)  # the peer holds my changes up to this
    received_seq: Mapped[int] = mapped_column(Integer, default=0)  # I hold the peer's changes up to this
    last_package_id: Mapped[str | None] = mapped_column(String(36))
    last_package_at: Mapped[datetime | None] = mapped_column(DateTime)  # when the peer wrote it
    last_import_at: Mapped[datetime | None] = mapped_column(DateTime)  # when I applied it
    last_export_at: Mapped[datetime | None] = mapped_column(DateTime)


class SyncShadow(Base):
    """The last state of one shared record as sync knows it, with a version vector per field.

    `state` (JSON) is what the record held after the last scan or merge; a difference from the live row is
    a local edit. `clock` (JSON) maps field -> {node: count}, "*" standing for fields never changed alone.
    `seq` orders changes for incremental export; `echo_of`/`echo_seq` say the state came from that peer
    unchanged, so it is not sent back to it.
    """

    __tablename__ = "sync_shadow"

    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    township_code: Mapped[str | None] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(Text)
    clock: Mapped[str] = mapped_column(Text)
    seq: Mapped[int] = mapped_column(Integer)
    echo_of: Mapped[str | None] = mapped_column(String(12))
    echo_seq: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_sync_shadow_township_seq", "township_code", "seq"),)


class SyncConflict(Base):
    """One field changed on both sides since they last agreed: both values and both times, until a clerk decides."""

    __tablename__ = "sync_conflict"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(60))
    township_code: Mapped[str | None] = mapped_column(String(12))
    peer_code: Mapped[str] = mapped_column(String(12))
    ours: Mapped[str | None] = mapped_column(Text)  # JSON value
    theirs: Mapped[str | None] = mapped_column(Text)  # JSON value
    ours_at: Mapped[datetime | None] = mapped_column(DateTime)
    theirs_at: Mapped[datetime | None] = mapped_column(DateTime)
    theirs_clock: Mapped[str] = mapped_column(Text)
    import_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | ours | theirs | edited | settled
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(50))

    __table_args__ = (Index("ix_sync_conflict_record", "record_id", "field", "status"),)


class SyncImport(Base):
    """One applied package: who sent it, when, what it changed; `status` becomes rolled_back on undo."""

    __tablename__ = "sync_import"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    package_id: Mapped[str] = mapped_column(String(36), index=True)
    file_name: Mapped[str | None] = mapped_column(String(255))
    sender_code: Mapped[str] = mapped_column(String(12))
    sender_installation: Mapped[str | None] = mapped_column(String(36))
    package_created_at: Mapped[datetime | None] = mapped_column(DateTime)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    operator: Mapped[str | None] = mapped_column(String(50))
    from_seq: Mapped[int] = mapped_column(Integer, default=0)
    to_seq: Mapped[int] = mapped_column(Integer, default=0)
    received_before: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[str] = mapped_column(Text)  # JSON: added / changed / deleted / conflicts / catalogue
    status: Mapped[str] = mapped_column(String(12), default="applied")  # applied | rolled_back
    rolled_back_at: Mapped[datetime | None] = mapped_column(DateTime)


class SyncImportRow(Base):
    """The before-image of one row an import changed, so the import can be rolled back."""

    __tablename__ = "sync_import_row"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    import_id: Mapped[str] = mapped_column(String(36), index=True)
    table_name: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(36))
    before: Mapped[str | None] = mapped_column(Text)  # JSON row, None: the import inserted it
    after_version: Mapped[int | None] = mapped_column(Integer)
    shadow_before: Mapped[str | None] = mapped_column(Text)  # JSON {state, clock, seq, echo_of, echo_seq}


__all__ = ["SyncConflict", "SyncIdentity", "SyncImport", "SyncImportRow", "SyncPeer", "SyncShadow"]
