"""The dated milestone log of each community or project."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from oldcomm_desktop.core.model.base import Base, Record


class Milestone(Record, Base):
    """One milestone reached on a date; exactly one of community_id / project_id is set."""

    __tablename__ = "milestone"

    community_id: Mapped[str | None] = mapped_column(ForeignKey("community.id"), index=True)
    project_id: Mapped[str | None] = mapped_column(ForeignKey("project.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    reached_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)  # required for a withdrawal
    document_no: Mapped[str | None] = mapped_column(String(100))  # 批复文号, 许可证号 …
    notes: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_milestone_kind_date", "kind", "reached_on"),
        Index("ix_milestone_community_kind_date", "community_id", "kind", "reached_on"),
    )
