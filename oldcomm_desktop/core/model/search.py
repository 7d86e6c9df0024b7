"""Stored shapes the big lists read, kept current by the core (core/listing_index.py), never typed by a clerk.

- `SearchText`: the text of a community or item, cut into the tokens SQLite's full-text index (FTS5, a
  virtual table made by migration 0006 over this one) can find Chinese words in, without reading every row.
- `CommunityCategory`: which categories (基础类/完善类/提升类) a community has live items of, so 按类别筛选
  counts and pages from an index instead of probing two million items.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from oldcomm_desktop.core.model.base import Base


class SearchText(Base):
    __tablename__ = "search_text"

    docid: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # community | item
    record_id: Mapped[str] = mapped_column(String(36), unique=True)
    body: Mapped[str] = mapped_column(Text)


class CommunityCategory(Base):
    __tablename__ = "community_category"

    category_id: Mapped[str] = mapped_column(ForeignKey("category.id"), primary_key=True)
    community_id: Mapped[str] = mapped_column(ForeignKey("community.id"), primary_key=True, index=True)
