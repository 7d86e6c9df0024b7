"""Keeps the stored shapes the big lists read current: pinyin sort keys, the full-text index, categories.

A session hook (like the audit log) rather than code in each service, so every save through the ORM — the
GUI, the command line, the demo, a restore from the recycle bin — updates them in the same transaction.
A bulk path that writes with SQLAlchemy Core calls the same functions itself:

    row.update(pinyin_search.community_columns(row["name"], row["address"]))   # before inserting
    listing_index.write_search(conn, "community", [(id, name, address, initials), ...])
    listing_index.write_search(conn, "item", [(id, description), ...])
    listing_index.refresh_categories(conn, community_ids)

On SQLite the search text feeds an FTS5 index (migration 0006 makes it, with triggers that follow
`search_text`); on PostgreSQL the lists search with LIKE on the records' own columns and the table is
simply kept.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Select, bindparam, delete, event, func, insert, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from oldcomm_desktop.core.model import Category, Community, CommunityCategory, ItemType, Project, RenovationItem
from oldcomm_desktop.core.model.search import SearchText
from oldcomm_desktop.core.pinyin_search import community_columns, index_tokens, project_columns

FTS_TABLE = "search_fts"
_PENDING = "oldcomm_listing_index"


def community_body(name: str | None, address: str | None, initials: str | None) -> str:
    """Name and address as character pairs; the pinyin initials with every suffix, so `fl` finds 幸福里
    (xfl) as the LIKE over the initials did (the index matches from a token's start)."""
    words = (initials or "").split()
    suffixes = [w[i:] for w in words for i in range(len(w))]
    if _INITIALS.fullmatch(initials or ""):  # letters and digits only: each suffix is one token as it is
        return " ".join(filter(None, (index_tokens(name, address), *suffixes)))
    return index_tokens(name, address, " ".join(suffixes))


_INITIALS = re.compile("[a-z0-9 ]*")


def write_search(conn: Connection, kind: str, rows: Sequence[tuple], *, new: bool = False) -> None:
    """Replace the search text of these records: (id, name, address, initials) for communities, (id,
    description) for items. An empty text removes the record from the index.

    `new`: the records were just inserted, so they have no search text to delete yet. A big batch of new
    records on SQLite is then written with the insert trigger lifted and the full-text rows added in one
    INSERT … SELECT (2–3× faster than row by row through the trigger); the trigger comes back from its own
    stored SQL in the same transaction, so a rollback leaves schema and index as they were.
    """
    if not rows:
        return
    if not new:
        ids = [r[0] for r in rows]
        for start in range(0, len(ids), 500):
            conn.execute(delete(SearchText).where(SearchText.record_id.in_(ids[start : start + 500])))
    if kind == "community":
        bodies = [(kind, r[0], community_body(*r[1:4])) for r in rows]
    else:  # item descriptions repeat (更换老旧管网 …): each distinct one is cut into pairs once
        memo: dict[tuple, str] = {}
        bodies = [
            (kind, r[0], memo[r[1:]] if r[1:] in memo else memo.setdefault(r[1:], index_tokens(*r[1:]))) for r in rows
        ]
    values = [b for b in bodies if b[2]]
    if not values:
        return
    sql = "INSERT INTO search_text (kind, record_id, body) VALUES ({0}, {0}, {0})"
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    if conn.dialect.name != "sqlite" or not new or len(values) < BULK_FTS_ROWS:
        if conn.dialect.paramstyle in ("qmark", "format", "pyformat"):
            conn.exec_driver_sql(sql.format(mark), values)
        else:
            conn.execute(insert(SearchText), [{"kind": k, "record_id": i, "body": b} for k, i, b in values])
        return
    sqlite_transaction(conn)
    first = conn.exec_driver_sql("SELECT coalesce(max(docid), 0) FROM search_text").scalar()
    with sqlite_objects_lifted(conn, "trigger", name="search_text_ai") as lifted:
        conn.exec_driver_sql(sql.format("?"), values)
        if lifted:
            conn.exec_driver_sql(
                f"INSERT INTO {FTS_TABLE}(rowid, body) SELECT docid, body FROM search_text WHERE docid > ?", (first,)
            )


def sqlite_transaction(conn: Connection) -> None:
    """Make sure SQLite's transaction is open before DDL that must roll back with the data.

    Python's sqlite3 driver opens a transaction only before INSERT/UPDATE/DELETE; a DROP run before any of
    them would commit on its own, and a rollback could not bring the index or trigger back.
    """
    raw = conn.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        conn.exec_driver_sql("BEGIN")


@contextlib.contextmanager
def sqlite_objects_lifted(
    conn: Connection,
    kind: str,
    *,
    name: str | None = None,
    table: str | None = None,
    keep_leading: Collection[str] = (),
) -> Iterator[list[str]]:
    """Drop SQLite schema objects for a big write — one by `name`, or every one of `kind` on `table` — and
    make them again from their own stored SQL afterwards; yields the names dropped. `keep_leading`: indexes
    whose first column is one of these stay (the writer still reads by them between its batches).

    Inside the open transaction (see sqlite_transaction): SQLite's DDL is transactional, so a rollback brings
    them back with the rows; on an exception (a cancel) they are made again at once, so the schema stays whole
    even if a caller commits what was written.
    """
    where = "name = ?" if name is not None else "tbl_name = ?"
    objects: list[tuple[Any, Any]] = [
        (n, sql)
        for n, sql in conn.exec_driver_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL AND {where}",
            (kind, name if name is not None else table),
        )
    ]
    if keep_leading and kind == "index":
        quote_ = conn.dialect.identifier_preparer.quote
        objects = [
            (n, sql)
            for n, sql in objects
            if next(iter(conn.exec_driver_sql(f"PRAGMA index_info({quote_(n)})")), (0, 0, None))[2] not in keep_leading
        ]
    sqlite_transaction(conn)
    quote = conn.dialect.identifier_preparer.quote
    for object_name, _sql in objects:
        conn.exec_driver_sql(f"DROP {kind.upper()} {quote(object_name)}")
    try:
        yield [object_name for object_name, _sql in objects]
    except BaseException:
        with contextlib.suppress(Exception):
            for _name, sql in objects:
                conn.exec_driver_sql(sql)
        raise
    for _name, sql in objects:
        conn.exec_driver_sql(sql)


BULK_FTS_ROWS = 2000  # from this many new records on, the full-text rows are added in one statement


def refresh_categories(conn: Connection, community_ids: Iterable[str]) -> None:
    """Recompute which categories these communities have live items of."""
    ids = sorted(set(community_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        conn.execute(delete(CommunityCategory).where(CommunityCategory.community_id.in_(chunk)))
        found = (
            select(ItemType.category_id, RenovationItem.community_id)
            .join(ItemType, ItemType.id == RenovationItem.item_type_id)
            # coalesce: without statistics SQLite took the deleted_at index (every live item) over the
            # community_id one, a scan of the whole items table per 500 communities (measured: the demo's
            # categories at 200,000 communities read tens of gigabytes)
            .where(RenovationItem.community_id.in_(chunk), func.coalesce(RenovationItem.deleted_at, None).is_(None))
            .distinct()
        )
        conn.execute(insert(CommunityCategory).from_select(["category_id", "community_id"], found))


def fill_sort_keys(conn: Connection) -> None:
    """Pinyin keys missing on communities and projects (rows a bulk writer inserted without them), then every
    item's copy of its community's key."""
    from oldcomm_desktop.core.pinyin_search import sort_key

    for model in (Community, Project):
        rows = conn.execute(select(model.id, model.name).where(model.name_sort.is_(None))).all()
        cache: dict[str, str] = {}
        values = [
            {"b_id": i, "b_sort": cache.setdefault(n, sort_key(n)) if n not in cache else cache[n]} for i, n in rows
        ]
        stmt = update(model).where(model.id == bindparam("b_id")).values(name_sort=bindparam("b_sort"))
        for start in range(0, len(values), 10000):
            conn.execute(stmt.execution_options(synchronize_session=False), values[start : start + 10000])
    refresh_every_item_sort(conn)


def refresh_every_item_sort(conn: Connection) -> None:
    """Every item's copy of its community's pinyin key, in one statement (refresh_item_sort for all)."""
    conn.execute(
        update(RenovationItem)
        .where(RenovationItem.community_id.is_not(None))
        .values(
            community_sort=select(Community.name_sort)
            .where(Community.id == RenovationItem.community_id)
            .scalar_subquery()
        )
        .execution_options(synchronize_session=False)
    )


def refresh_every_category(conn: Connection) -> None:
    """Every community's categories from its live items, in one statement (refresh_categories for all)."""
    conn.execute(delete(CommunityCategory))
    found = (
        select(ItemType.category_id, RenovationItem.community_id)
        .join(ItemType, ItemType.id == RenovationItem.item_type_id)
        .where(RenovationItem.deleted_at.is_(None))
        .distinct()
    )
    conn.execute(insert(CommunityCategory).from_select(["category_id", "community_id"], found))


def refresh_item_sort(conn: Connection, community_ids: Iterable[str]) -> None:
    """Copy each community's pinyin key onto its items (for 按小区排序), after a Core write of either."""
    ids = sorted(set(community_ids))
    key = select(Community.name_sort).where(Community.id == RenovationItem.community_id).scalar_subquery()
    for start in range(0, len(ids), 500):
        conn.execute(
            update(RenovationItem)
            .where(RenovationItem.community_id.in_(ids[start : start + 500]))
            .values(community_sort=key)
            .execution_options(synchronize_session=False)
        )


def rebuild(conn: Connection) -> None:
    """Fill everything from the records (migration 0006, and a repair after a writer that forgot), the items
    list's stored landmarks included (core/stored_landmarks.py)."""
    fill_sort_keys(conn)
    conn.execute(delete(SearchText))
    rows = conn.execute(select(Community.id, Community.name, Community.address, Community.search_initials)).all()
    for start in range(0, len(rows), 5000):
        write_search(conn, "community", [tuple(r) for r in rows[start : start + 5000]])
    for chunk in _item_descriptions(conn):
        write_search(conn, "item", chunk)
    refresh_every_category(conn)
    from oldcomm_desktop.core import stored_landmarks

    stored_landmarks.refresh(conn)


def rewrite_traditional_keys(conn: Connection) -> None:
    """Write again the search keys and full-text rows of the records whose text holds a traditional character.

    Keys written before they held the simplified form (release 0014 and older) left 建設路小區 unfound by 建设路;
    migration 0015 calls this once. Only derived columns change: no version, no audit entry, nothing to send.
    """
    from oldcomm_desktop.core.chinese_script import traditional_characters

    trad = traditional_characters()

    def holds(*texts: str | None) -> bool:
        return any(t and not trad.isdisjoint(t) for t in texts)

    # updated_at named as it is: the column's onupdate would otherwise mark the records changed
    for p in [r for r in conn.execute(select(Project.id, Project.name)) if holds(r.name)]:
        keys = project_columns(p.name)
        conn.execute(update(Project).where(Project.id == p.id).values(**keys, updated_at=Project.updated_at))
    found = [r for r in conn.execute(select(Community.id, Community.name, Community.address)) if holds(*r[1:])]
    rows = []
    for c in found:
        keys = community_columns(c.name, c.address)
        conn.execute(update(Community).where(Community.id == c.id).values(**keys, updated_at=Community.updated_at))
        rows.append((c.id, c.name, c.address, keys["search_initials"]))
    write_search(conn, "community", rows)
    for chunk in _item_descriptions(conn):
        write_search(conn, "item", [r for r in chunk if holds(r[1])])


def _item_descriptions(conn: Connection) -> Iterator[list[tuple[str, str]]]:
    """(id, description) of the items that have one, in chunks by id: two million rows never sit in memory at
    once."""
    last = ""
    while True:
        chunk = conn.execute(
            select(RenovationItem.id, RenovationItem.description)
            .where(RenovationItem.id > last, RenovationItem.description.is_not(None), RenovationItem.description != "")
            .order_by(RenovationItem.id)
            .limit(20000)
        ).all()
        if not chunk:
            return
        yield [(r[0], r[1] or "") for r in chunk]
        last = chunk[-1][0]


def _changed(obj: object, *keys: str) -> bool:
    state = inspect(obj)
    return state.transient or state.pending or any(state.attrs[k].history.has_changes() for k in keys)


def _before_flush(session: Session, _context, _instances) -> None:
    pending = session.info.setdefault(
        _PENDING, {"community": set(), "item": set(), "categories": set(), "renamed": set()}
    )
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Community):
            if _changed(obj, "name", "address"):
                renamed = _changed(obj, "name") and not inspect(obj).pending
                for key, value in community_columns(obj.name, obj.address).items():
                    if getattr(obj, key) != value:
                        setattr(obj, key, value)
                pending["community"].add(obj)
                if renamed:
                    pending["renamed"].add(obj)
        elif isinstance(obj, Project):
            if _changed(obj, "name"):
                for key, value in project_columns(obj.name).items():
                    if getattr(obj, key) != value:
                        setattr(obj, key, value)
        elif isinstance(obj, RenovationItem):
            if _changed(obj, "community_id") or obj.community_sort is None:
                community = session.get(Community, obj.community_id) if obj.community_id else None
                if community is not None:
                    key = community.name_sort or community_columns(community.name, community.address)["name_sort"]
                    if obj.community_sort != key:
                        obj.community_sort = key
            if _changed(obj, "description"):
                pending["item"].add(obj)
            if _changed(obj, "deleted_at", "item_type_id", "community_id"):
                pending["categories"].add(obj.community_id)
                history = inspect(obj).attrs["community_id"].history
                pending["categories"].update(x for x in history.deleted if x)


def _after_flush(session: Session, _context) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    conn = session.connection()
    write_search(conn, "community", [(c.id, c.name, c.address, c.search_initials) for c in pending["community"]])
    write_search(conn, "item", [(i.id, i.description) for i in pending["item"]])
    refresh_categories(conn, {c for c in pending["categories"] if c})
    for c in pending["renamed"]:  # its items' copy of the key
        conn.execute(
            update(RenovationItem)
            .where(RenovationItem.community_id == c.id)
            .values(community_sort=c.name_sort)
            .execution_options(synchronize_session=False)
        )


def install(factory: sessionmaker) -> None:
    """Hook the factory's sessions (once, marked on the factory as audit.install does)."""
    if not getattr(factory, "_oldcomm_listing_index", False):
        event.listen(factory, "before_flush", _before_flush)
        event.listen(factory, "after_flush", _after_flush)
        factory._oldcomm_listing_index = True  # type: ignore[attr-defined]


def category_ids(value: object) -> Select:
    """Ids of the category given by code or id."""
    return select(Category.id).where((Category.code == value) | (Category.id == value))
