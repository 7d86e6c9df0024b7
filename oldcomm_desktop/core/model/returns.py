"""Returns sent upward: submissions with their review rounds, the archive of what was sent, and notes on figures."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from oldcomm_desktop.core.model.base import Base, Record


class ReturnSubmission(Record, Base):
    """One return (kind, period) of one township (or the county's own) on its way up: its current state.

    `township_code` (from Record) is whose return it is. States: submitted → approved (the period is locked)
    or sent_back (退回修改, resubmitted later); approved → reopened by the county, with a reason.
    """

    __tablename__ = "return_submission"

    kind: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    status: Mapped[str] = mapped_column(String(12))  # submitted | approved | sent_back | reopened
    rounds: Mapped[int] = mapped_column(Integer, default=1)
    due_on: Mapped[date | None] = mapped_column(Date)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    submitted_by: Mapped[str | None] = mapped_column(String(50))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(50))
    opinion: Mapped[str | None] = mapped_column(Text)  # the last opinion or reopening reason (audited)

    __table_args__ = (Index("ix_return_submission_key", "kind", "period", "township_code"),)


class ReturnRound(Record, Base):
    """One step of a submission's review, kept for ever: submitted, approved, sent back, reopened."""

    __tablename__ = "return_round"

    submission_id: Mapped[str] = mapped_column(ForeignKey("return_submission.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(DateTime)
    operator: Mapped[str | None] = mapped_column(String(50))
    opinion: Mapped[str | None] = mapped_column(Text)
    archive_id: Mapped[str | None] = mapped_column(ForeignKey("return_archive.id"))


class ReturnArchive(Record, Base):
    """What was sent: the .xlsx file itself and a snapshot of its written numbers (gzip'd JSON)."""

    __tablename__ = "return_archive"

    submission_id: Mapped[str] = mapped_column(ForeignKey("return_submission.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(7))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    snapshot: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    rows: Mapped[int] = mapped_column(Integer)
    operator: Mapped[str | None] = mapped_column(String(50))
    archived_at: Mapped[datetime] = mapped_column(DateTime)


class ReturnNote(Record, Base):
    """A clerk's word on one figure of a return: the explanation of a warning, a comment, a follow-up flag."""

    __tablename__ = "return_note"

    kind: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(7))
    record_id: Mapped[str] = mapped_column(String(64))  # the row's key (community id, item type id …)
    field: Mapped[str] = mapped_column(String(40))
    rule_code: Mapped[str | None] = mapped_column(String(40))
    explanation: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_return_note_key", "kind", "period", "record_id"),)
