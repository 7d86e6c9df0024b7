"""Operators (who fills in, who reviews) and the audit log of every change they make."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from oldcomm_desktop.core.model.base import Base, Record, utcnow


class Operator(Record, Base):
    __tablename__ = "operator"

    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(16), default="clerk")  # clerk | reviewer | county
    phone: Mapped[str | None] = mapped_column(String(50))


class AuditEntry(Base):
    """One field of one record changed: who, when, old → new. Written by the session hook, never by hand."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    operator: Mapped[str | None] = mapped_column(String(50))
    table_name: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(10))  # create | update | delete | restore
    field: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_audit_log_record", "record_id", "seq"),)
