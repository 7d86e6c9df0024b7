"""Money by funding source: the standing measures per source, and completed investment as dated entries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from oldcomm_desktop.core.model.base import Base, Fixed2, Record


class FundingLine(Record, Base):
    """Approved (可研批复/概算), annual plan, arrived (到位) and paid (拨付) from one source, for one target.

    The target is a community or a project (exactly one of the two ids).
    """

    __tablename__ = "funding_line"

    community_id: Mapped[str | None] = mapped_column(ForeignKey("community.id"), index=True)
    project_id: Mapped[str | None] = mapped_column(ForeignKey("project.id"), index=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("funding_source.id"), index=True)
    approved: Mapped[Decimal | None] = mapped_column(Fixed2)
    annual_plan: Mapped[Decimal | None] = mapped_column(Fixed2)
    arrived: Mapped[Decimal | None] = mapped_column(Fixed2)
    paid: Mapped[Decimal | None] = mapped_column(Fixed2)
    source_note: Mapped[str | None] = mapped_column(String(200))  # "其他" must say what it is


class InvestmentEntry(Record, Base):
    """Investment completed on a date (a month's figure), so month, year and since-start totals follow."""

    __tablename__ = "investment_entry"

    community_id: Mapped[str | None] = mapped_column(ForeignKey("community.id"), index=True)
    project_id: Mapped[str | None] = mapped_column(ForeignKey("project.id"), index=True)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("funding_source.id"))
    entry_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Fixed2)
    notes: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_investment_entry_date", "entry_date"),)
