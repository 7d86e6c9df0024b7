"""Stored landmarks of the items list: where in 按小区排序 every n-th item stands, kept exact by the database.

`ItemLandmark` holds the sort key of an item (its community's pinyin key, the community, the item) and
`before`, how many live items sort strictly before that key. SQLite triggers on `renovation_item` (migration
0014) add or take one from every landmark after a row that comes, goes, is deleted, restored or moved, so the
counts stay exact whoever writes; `core/stored_landmarks.py` computes them in write paths and lets
`listings.page` seek a page anywhere in two million items from the nearest one instead of an OFFSET over a
million index entries. Never typed by a clerk, never synced.
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from oldcomm_desktop.core.model.base import Base


class ItemLandmark(Base):
    __tablename__ = "item_landmark"

    item_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    community_sort: Mapped[str | None] = mapped_column(String(400))
    community_id: Mapped[str] = mapped_column(String(36))
    before: Mapped[int] = mapped_column(Integer)  # live items whose key sorts strictly before this one's

    __table_args__ = (Index("ix_item_landmark_key", "community_sort", "community_id", "item_id"),)
