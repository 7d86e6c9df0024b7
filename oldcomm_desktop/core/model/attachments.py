"""Photos and scans, stored once by content hash in a folder beside the database."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from oldcomm_desktop.core.model.base import Base, Record


class Attachment(Record, Base):
    """Links one stored file (by sha256) to one record; the same file may be linked many times."""

    __tablename__ = "attachment"

    sha256: Mapped[str] = mapped_column(String(64), index=True)
    owner_table: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[str] = mapped_column(String(36))
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    caption: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_attachment_owner", "owner_table", "owner_id"),)
