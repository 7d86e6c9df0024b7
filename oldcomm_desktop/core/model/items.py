"""Renovation items (改造内容) of a community, typed from the catalogue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oldcomm_desktop.core.model.base import Base, Fixed2, Record
from oldcomm_desktop.core.model.catalogue import ItemType


class RenovationItem(Record, Base):
    __tablename__ = "renovation_item"

    community_id: Mapped[str] = mapped_column(ForeignKey("community.id"), index=True)
    item_type_id: Mapped[str] = mapped_column(ForeignKey("item_type.id"), index=True)
    description: Mapped[str | None] = mapped_column(String(300))
    community_sort: Mapped[str | None] = mapped_column(String(400))  # its community's name_sort (denormalised)
    planned_quantity: Mapped[Decimal | None] = mapped_column(Fixed2)
    completed_quantity: Mapped[Decimal | None] = mapped_column(Fixed2)
    investment: Mapped[Decimal | None] = mapped_column(Fixed2)
    status: Mapped[str] = mapped_column(String(16), default="planned")  # planned | started | completed
    started_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    item_type: Mapped[ItemType] = relationship()

    # Live rows in list order, from the index (migration 0003; see Community).
    __table_args__ = (
        Index("ix_renovation_item_live_id", "deleted_at", "id"),
        # items sorted by community: its pinyin key copied onto each item (core/listing_index.py keeps it)
        Index("ix_renovation_item_live_community_sort", "deleted_at", "community_sort", "community_id", "id"),
        Index("ix_renovation_item_live_status", "deleted_at", "status", "id"),
        Index("ix_renovation_item_live_investment", "deleted_at", "investment", "id"),
        Index("ix_renovation_item_live_quantity", "deleted_at", "planned_quantity", "id"),
    )
