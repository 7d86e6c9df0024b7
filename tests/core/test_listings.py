"""Listings: counts agree with the pages, the lean COUNT and the category EXISTS change no result, and the
big lists page from their (deleted_at, column, id) indexes (benchmarks/bench_gui.py measured why)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, select

from oldcomm_desktop.core import communities, demo, items, listings
from oldcomm_desktop.core.listings import ListQuery
from oldcomm_desktop.core.model import Category, Community, ItemType, RenovationItem
from oldcomm_desktop.storage.database import Database


@pytest.fixture
def demo_db(empty_db: Database) -> Iterator[Database]:
    """The demo county (30 communities with items), one community and one item in the recycle bin."""
    with empty_db.transaction("测试员") as s:
        demo.build(s, communities_count=30, seed=1)
    with empty_db.transaction("测试员") as s:
        ids = s.scalars(select(Community.id).where(Community.deleted_at.is_(None)).order_by(Community.name)).all()
        communities.delete(s, ids[0])
        item_id = s.scalar(
            select(RenovationItem.id)
            .where(RenovationItem.community_id == ids[1], RenovationItem.deleted_at.is_(None))
            .order_by(RenovationItem.id)
        )
        items.delete(s, item_id)
    yield empty_db


def _all_rows(s, name: str, query: ListQuery) -> list[dict]:
    rows, offset = [], 0
    while True:
        chunk = listings.page(s, name, query, offset, 7)
        rows += chunk
        if len(chunk) < 7:
            return rows
        offset += 7


def _queries(s) -> dict[str, list[ListQuery]]:
    name = s.scalar(select(Community.name).where(Community.deleted_at.is_(None)).order_by(Community.name))
    word = name[:2]
    plan_year = s.scalar(select(Community.plan_year).where(Community.plan_year.is_not(None)))
    township = s.scalar(select(Community.township_code))
    common = [
        ListQuery(),
        ListQuery(include_deleted=True),
        ListQuery(search=word),
        ListQuery(search="xfl"),
        ListQuery(filters={"status": "started"}),
        ListQuery(filters={"year": plan_year}),
        ListQuery(filters={"township": township}),
        ListQuery(filters={"category": "basic"}),
        ListQuery(search=word, filters={"status": "completed"}, sort_key="status", descending=True),
    ]
    return {
        "communities": [
            *common,
            ListQuery(filters={"overdue": True}),
            ListQuery(filters={"overdue": False}),
            ListQuery(sort_key="households", descending=True),
        ],
        "items": [*common, ListQuery(sort_key="investment"), ListQuery(search="管网")],
    }


def test_count_is_the_number_of_rows_the_pages_hold(demo_db: Database) -> None:
    with demo_db.transaction("测试员") as s:
        for name, queries in _queries(s).items():
            for query in queries:
                rows = _all_rows(s, name, query)
                assert listings.count(s, name, query) == len(rows), (name, query)
                assert len({r["id"] for r in rows}) == len(rows), (name, query)  # no row on two pages


def test_count_leaves_out_the_joins_only_when_no_condition_needs_them() -> None:
    def alone(name: str, query: ListQuery) -> bool:
        listing = listings.LISTINGS[name]
        return listing.count_select(query).get_final_froms() == [listing.entity.__table__]

    assert alone("communities", ListQuery(search="幸福", filters={"status": "started"}))
    assert alone("communities", ListQuery(filters={"category": "basic", "overdue": True}))  # subqueries only
    assert alone("items", ListQuery(filters={"status": "completed"}))
    assert not alone("items", ListQuery(search="幸福"))  # searches community and item type names
    assert not alone("items", ListQuery(filters={"category": "basic"}))
    assert not alone("inspections", ListQuery())  # not declared count_alone: counted as before


def test_category_filter_finds_the_communities_with_a_live_item_of_the_category(demo_db: Database) -> None:
    with demo_db.transaction("测试员") as s:
        for code in s.scalars(select(Category.code)):
            category_id = s.scalar(select(Category.id).where(Category.code == code))
            expected = set(
                s.scalars(
                    select(Community.id)
                    .join(RenovationItem, RenovationItem.community_id == Community.id)
                    .join(ItemType, ItemType.id == RenovationItem.item_type_id)
                    .join(Category, Category.id == ItemType.category_id)
                    .where(Community.deleted_at.is_(None), RenovationItem.deleted_at.is_(None), Category.code == code)
                )
            )
            for value in (code, category_id):
                found = {r["id"] for r in _all_rows(s, "communities", ListQuery(filters={"category": value}))}
                assert found == expected, code


@pytest.mark.parametrize(
    ("name", "query", "index"),
    [
        ("communities", ListQuery(), "ix_community_live_name"),
        ("communities", ListQuery(sort_key="households", descending=True), "ix_community_live_households"),
        ("communities", ListQuery(filters={"status": "started"}, sort_key="status"), "ix_community_live_status"),
        # items open grouped by community (migration 0006's copied key), also when filtered
        ("items", ListQuery(), "ix_renovation_item_live_community_sort"),
        ("items", ListQuery(filters={"status": "completed"}), "ix_renovation_item_live_community_sort"),
        ("items", ListQuery(sort_key="investment"), "ix_renovation_item_live_investment"),
    ],
)
def test_a_first_page_is_read_in_order_from_an_index(sqlite_db: Database, name: str, query, index: str) -> None:
    """Without these SQLite read every live row through the deleted_at index and sorted them (benchmark)."""
    sent: list[tuple[str, tuple]] = []

    def catch(_conn, _cursor, statement, parameters, _context, _many) -> None:
        sent.append((statement, tuple(parameters or ())))

    event.listen(sqlite_db.engine, "before_cursor_execute", catch)
    try:
        with sqlite_db.transaction("测试员") as s:
            listings.page(s, name, query)
    finally:
        event.remove(sqlite_db.engine, "before_cursor_execute", catch)
    (statement, params), *_ = sent
    with sqlite_db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        plan = " | ".join(row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + statement, params))
    assert index in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_a_page_lists_what_the_session_has_not_flushed_yet(demo_db: Database) -> None:
    """page() runs its SELECT on the session's connection: it flushes first, as Session.execute does."""
    with demo_db.transaction("测试员") as s:
        community = s.scalars(select(Community).where(Community.deleted_at.is_(None)).order_by(Community.id)).first()
        community.name = "尚未保存的新名字小区"
        query = ListQuery(search="尚未保存")
        assert [r["id"] for r in listings.page(s, "communities", query)] == [community.id]
        assert listings.count(s, "communities", query) == 1
        s.rollback()
