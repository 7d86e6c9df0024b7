"""Stored landmarks of the items list (按小区排序, no filter): a jump anywhere in two million items is a seek.

A page far from any row the table has read was found by an OFFSET over the sort index (`listings.page`): a
jump to the middle of two million items stepped over a million index entries, ~80 ms of SQL, before the
table's own landmarks (read on a worker after the count) arrived. These are stored instead: `item_landmark`
holds about `TARGET` items spread evenly over the list, each with `before`, the number of live items that sort
strictly before it. A page at position p is then sought from the landmark just before p and steps over at most
one gap (~31,000 entries at 2 million items, a millisecond or two).

Kept exact by the database itself, not by the core's session hooks: SQLite triggers on `renovation_item`
(made by migration 0014, `TRIGGERS`) add or take one from every landmark after the key of an item that is
inserted, deleted, soft-deleted, restored or moved to another community or sort key — whoever writes it (the
ORM, a Core bulk insert, a sync import). A landmark stays right when its own item goes: `before` counts items
strictly before its key, whether or not that item is still there. What the triggers cannot keep is the
spacing: landmarks are (re)computed by `refresh`, in write paths only (the migration, `listing_index.rebuild`,
a big import), never by a read. A list that has no landmarks, is filtered, searched or sorted otherwise, a
database whose triggers are missing, and PostgreSQL are paged as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

TABLE = "item_landmark"
TARGET = 64  # landmarks over the whole list: each item write updates at most this many rows (the triggers)
MIN_ROWS = 200_000  # below this many live items an OFFSET to the middle costs a few ms: none are stored
TRIGGER_NAMES = ("item_landmark_ai", "item_landmark_ad", "item_landmark_au")


def _after(row: str) -> str:
    """SQL: the landmark's key sorts strictly after `row`'s (NEW or OLD) in 按小区排序 (NULL keys first)."""
    return (
        f"((community_sort IS NOT NULL AND {row}.community_sort IS NULL) "
        f"OR community_sort > {row}.community_sort "
        f"OR (community_sort IS {row}.community_sort AND (community_id > {row}.community_id "
        f"OR (community_id = {row}.community_id AND item_id > {row}.id))))"
    )


TRIGGERS = (
    f"CREATE TRIGGER item_landmark_ai AFTER INSERT ON renovation_item WHEN NEW.deleted_at IS NULL BEGIN "
    f"UPDATE {TABLE} SET before = before + 1 WHERE {_after('NEW')}; END",
    f"CREATE TRIGGER item_landmark_ad AFTER DELETE ON renovation_item WHEN OLD.deleted_at IS NULL BEGIN "
    f"UPDATE {TABLE} SET before = before - 1 WHERE {_after('OLD')}; END",
    f"CREATE TRIGGER item_landmark_au AFTER UPDATE OF deleted_at, community_sort, community_id, id "
    f"ON renovation_item WHEN (OLD.deleted_at IS NULL) != (NEW.deleted_at IS NULL) "
    f"OR OLD.community_sort IS NOT NEW.community_sort OR OLD.community_id != NEW.community_id OR OLD.id != NEW.id "
    f"BEGIN "
    f"UPDATE {TABLE} SET before = before - 1 WHERE OLD.deleted_at IS NULL AND {_after('OLD')}; "
    f"UPDATE {TABLE} SET before = before + 1 WHERE NEW.deleted_at IS NULL AND {_after('NEW')}; END",
)

_KEYS = "SELECT community_sort, community_id, id FROM renovation_item WHERE deleted_at IS NULL"
_ORDER = " ORDER BY community_sort, community_id, id LIMIT 1 OFFSET ?"


def create_triggers(conn: Connection) -> None:
    """Make the triggers (SQLite; migration 0014 and a repair)."""
    if conn.dialect.name != "sqlite":
        return
    for sql in TRIGGERS:
        conn.exec_driver_sql(sql)


def refresh(conn: Connection) -> int:
    """Recompute the landmarks from the sort index (a write path: the migration, a rebuild, a big import);
    returns how many are stored. About `TARGET` OFFSET steps over the index, one pass in all (~0.2 s at two
    million items). Fewer than `MIN_ROWS` live items: none are kept (an OFFSET is cheap there)."""
    if conn.dialect.name != "sqlite":
        return 0
    if not conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)).first():
        return 0  # a migration before 0014 (0006's rebuild) runs this on a schema without the table
    conn.exec_driver_sql(f"DELETE FROM {TABLE}")
    live = (
        conn.exec_driver_sql(
            "SELECT count(*) FROM renovation_item INDEXED BY ix_renovation_item_live_community_sort "
            "WHERE deleted_at IS NULL"
        ).scalar()
        or 0
    )
    if live < MIN_ROWS:
        return 0
    every = -(-live // TARGET)
    marks: list[tuple[Any, ...]] = []
    found = conn.exec_driver_sql(_KEYS + _ORDER, (every,)).first()
    at = every
    while found is not None:
        marks.append((found[2], found[0], found[1], at))
        sort_key, community_id, item_id = found
        if sort_key is None:
            beyond = " AND ((community_sort IS NULL AND (community_id, id) > (?, ?)) OR community_sort IS NOT NULL)"
            params: tuple[Any, ...] = (community_id, item_id, every - 1)
        else:
            beyond = " AND (community_sort, community_id, id) > (?, ?, ?)"
            params = (sort_key, community_id, item_id, every - 1)
        found = conn.exec_driver_sql(_KEYS + beyond + _ORDER, params).first()
        at += every
    if marks:
        conn.exec_driver_sql(
            f"INSERT INTO {TABLE} (item_id, community_sort, community_id, before) VALUES (?, ?, ?, ?)", marks
        )
    return len(marks)


def nearest(conn: Connection, position: int, *, after: bool = False) -> tuple[int, list[Any]] | None:
    """The landmark nearest at or before the row at `position` (0-based, 按小区排序 ascending): (how many live
    items sort strictly before its key, [community_sort, community_id, item_id]), so the rows from that key on
    start at that position. None when there is none, or the triggers that keep them exact are missing (a later
    migration that rebuilt the table, say). Landmarks on a NULL key are passed over: from one of those the rows
    on are no range of the index. `after`: the nearest at or after `position` instead (a page read backwards
    from it)."""
    if conn.dialect.name != "sqlite":
        return None
    names = ", ".join(f"'{n}'" for n in TRIGGER_NAMES)
    where, order = ("before >= ?", "ASC") if after else ("before <= ?", "DESC")
    row = conn.exec_driver_sql(
        f"SELECT before, community_sort, community_id, item_id FROM {TABLE} "
        f"WHERE {where} AND community_sort IS NOT NULL "
        f"AND (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({names})) = "
        f"{len(TRIGGER_NAMES)} ORDER BY before {order} LIMIT 1",
        (position,),
    ).first()
    return None if row is None else (int(row[0]), [row[1], row[2], row[3]])


def applies(listing: str, sort_columns: list[str], query: Any) -> bool:
    """Whether a page of this listing query can be sought from the stored landmarks: the items in 按小区排序
    (either direction), live, neither searched nor filtered."""
    filters: Mapping[str, Any] = getattr(query, "filters", {}) or {}
    return (
        listing == "items"
        and sort_columns == ["community_sort", "community_id", "id"]
        and not (getattr(query, "search", "") or "").strip()
        and not getattr(query, "include_deleted", False)
        and all(v in (None, "", ()) for v in filters.values())
    )
