"""A funding line's arrived (到位) and paid (拨付) as they stood from a date on.

A return for a past month must show the money as it was then; the line itself holds only today's totals, so
every change to them also leaves a dated row here (core/funding_dates.py writes them, for the ORM and the
bulk write path alike). The figure on day D is the latest row with as_of ≤ D.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from oldcomm_desktop.core.model.base import Base, Fixed2, Record


class FundingLineHistory(Record, Base):
    """The arrived and paid totals of one funding line from `as_of` on (until a later row)."""

    __tablename__ = "funding_line_history"

    funding_line_id: Mapped[str] = mapped_column(ForeignKey("funding_line.id"))
    as_of: Mapped[date] = mapped_column(Date)
    arrived: Mapped[Decimal | None] = mapped_column(Fixed2)
    paid: Mapped[Decimal | None] = mapped_column(Fixed2)

    __table_args__ = (Index("ix_funding_line_history_line_as_of", "funding_line_id", "as_of"),)
