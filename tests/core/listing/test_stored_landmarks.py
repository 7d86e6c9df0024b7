"""Stored landmarks of the items list (core/stored_landmarks.py): each one's count of items before it stays
exact through every kind of write (the ORM, raw SQL, soft and hard deletes, moves, renames), pages sought from
them equal the OFFSET pages in both directions, and a read never writes them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from oldcomm_desktop.core import communities, demo, items, listings, stored_landmarks
from oldcomm_desktop.core.listings import ListQuery
from oldcomm_desktop.core.model import Community, ItemLandmark, ItemType, RenovationItem
from oldcomm_desktop.storage.database import Database, open_database


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Database]:
    """A new SQLite file (the triggers are SQLite's; PostgreSQL pages as before)."""
    db = open_database(tmp_path / "ledger.sqlite3")
    yield db
    db.close()


@pytest.fixture
def ledger(fresh: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A demo ledger with landmarks every few items (the thresholds made small), and deep pages from 2 rows on."""
    monkeypatch.setattr(stored_landmarks, "MIN_ROWS", 1)
    monkeypatch.setattr(stored_landmarks, "TARGET", 12)
    monkeypatch.setattr(listings, "DEEP_SKIP", 2)
    with fresh.transaction("测试员") as s:
        demo.build(s, communities_count=20, seed=5)
        assert stored_landmarks.refresh(s.connection()) >= 10
    yield fresh


def _check_counts(db: Database) -> int:
    """Every landmark's `before` is the true number of live items sorting strictly before its key."""
    with db.session() as s:
        order = [RenovationItem.community_sort, RenovationItem.community_id, RenovationItem.id]
        keys = [tuple(r) for r in s.execute(select(*order).where(RenovationItem.deleted_at.is_(None)).order_by(*order))]
        marks = s.execute(
            select(ItemLandmark.community_sort, ItemLandmark.community_id, ItemLandmark.item_id, ItemLandmark.before)
        ).all()
        for sort_key, community_id, item_id, before in marks:
            mark = (sort_key, community_id, item_id)
            assert before == sum(1 for k in keys if (k[0] or "", k[1], k[2]) < (mark[0] or "", mark[1], mark[2]))
        return len(marks)


def _check_pages(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages sought from the landmarks are the OFFSET pages, ascending and descending, from either end."""
    used = []
    plan = listings._from_stored_landmark

    def spy(session, columns, descending, *args):
        found = plan(session, columns, descending, *args)
        # forwards from the landmark before the page, or backwards from the one after it
        used.append(None if found is None else ("forwards" if found[1] == descending else "backwards"))
        return found

    monkeypatch.setattr(listings, "_from_stored_landmark", spy)
    with db.session() as s:
        for query in (ListQuery(), ListQuery(sort_key="community", descending=True)):
            total = listings.count(s, "items", query)
            want = [r["id"] for r in listings.page(s, "items", query, 0, total + 10)]
            for offset in range(0, total, 7):
                got = listings.page(s, "items", query, offset, 5)
                assert [r["id"] for r in got] == want[offset : offset + 5], (query, offset)
                got = listings.page(s, "items", query, offset, 5, total=total)
                assert [r["id"] for r in got] == want[offset : offset + 5], (query, offset, "total")
    assert used.count("forwards") > 10 and used.count("backwards") > 10  # sought from the stored landmarks
    monkeypatch.setattr(listings, "_from_stored_landmark", plan)


def test_pages_from_stored_landmarks_equal_offset_pages(ledger: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _check_counts(ledger) >= 10
    with ledger.session() as s:
        assert stored_landmarks.nearest(s.connection(), 10**6) is not None
    _check_pages(ledger, monkeypatch)


def test_counts_stay_exact_through_every_kind_of_write(ledger: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    with ledger.transaction("测试员") as s:
        cids = list(s.scalars(select(Community.id).where(Community.deleted_at.is_(None)).order_by(Community.name_sort)))
        type_id = s.scalar(select(ItemType.id).order_by(ItemType.code))
        for cid in (cids[0], cids[len(cids) // 2], cids[-1]):  # new items at the top, middle and end
            items.create(s, cid, {"item_type_id": type_id, "description": "新加的", "planned_quantity": 1})
    n = _check_counts(ledger)
    with ledger.transaction("测试员") as s:
        some = list(s.scalars(select(RenovationItem.id).where(RenovationItem.deleted_at.is_(None)).limit(9)))
        for item_id in some[:3]:
            items.delete(s, item_id)  # soft delete
    _check_counts(ledger)
    with ledger.transaction("测试员") as s:
        items.restore(s, some[0])
        communities.update(s, cids[3], {"name": "00号院"})  # its items' copied sort key moves to the top
    _check_counts(ledger)
    with ledger.transaction("测试员") as s:
        s.execute(  # raw writes, as a bulk path or a sync import might: a move and a hard delete
            text("UPDATE renovation_item SET community_id = :c WHERE id = :i"), {"c": cids[-2], "i": some[4]}
        )
        s.execute(text("DELETE FROM renovation_item WHERE id = :i"), {"i": some[5]})
        landmark = s.scalar(select(ItemLandmark.item_id).order_by(ItemLandmark.before))
        s.execute(text("UPDATE renovation_item SET deleted_at = '2026-01-01 00:00:00' WHERE id = :i"), {"i": landmark})
    assert _check_counts(ledger) == n  # a landmark whose item went still counts right
    _check_pages(ledger, monkeypatch)


def test_a_read_never_writes_them_and_missing_triggers_turn_them_off(ledger: Database, tmp_path: Path) -> None:
    with ledger.session() as s:
        stored = s.execute(select(ItemLandmark.item_id, ItemLandmark.before).order_by(ItemLandmark.before)).all()
    path = Path(ledger.engine.url.database or "")
    ledger.close()
    with open_database(path, write=False) as db:
        with db.session() as s:
            listings.page(s, "items", ListQuery(), 30, 5)
            listings.landmarks(s, "items", ListQuery(), every=5)
            again = s.execute(select(ItemLandmark.item_id, ItemLandmark.before).order_by(ItemLandmark.before)).all()
    assert again == stored
    with open_database(path) as db:
        with db.transaction("测试员") as s:
            s.execute(text("DROP TRIGGER item_landmark_ai"))  # as a later migration rebuilding the table would
        with db.session() as s:
            assert stored_landmarks.nearest(s.connection(), 10**6) is None
            assert listings.page(s, "items", ListQuery(), 0, 3)  # still pages, by OFFSET


def test_small_ledgers_keep_none(fresh: Database) -> None:
    with fresh.transaction("测试员") as s:
        demo.build(s, communities_count=5, seed=2)
        assert stored_landmarks.refresh(s.connection()) == 0  # under MIN_ROWS: an OFFSET is cheap there
        assert stored_landmarks.nearest(s.connection(), 10) is None


def test_only_the_plain_community_order_uses_them() -> None:
    keys = ["community_sort", "community_id", "id"]
    assert stored_landmarks.applies("items", keys, ListQuery())
    assert stored_landmarks.applies("items", keys, ListQuery(filters={"status": ""}))
    assert not stored_landmarks.applies("items", keys, ListQuery(search="幸福"))
    assert not stored_landmarks.applies("items", keys, ListQuery(filters={"status": "completed"}))
    assert not stored_landmarks.applies("items", keys, ListQuery(include_deleted=True))
    assert not stored_landmarks.applies("items", ["status", "id"], ListQuery())
    assert not stored_landmarks.applies("communities", keys, ListQuery())


def test_write_paths_spread_them_again(fresh: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A big import (the bulk path: the demo builds through it) and a rebuild of the list shapes compute them."""
    from oldcomm_desktop.core import listing_index
    from oldcomm_desktop.core.importing import bulk

    monkeypatch.setattr(stored_landmarks, "MIN_ROWS", 1)
    monkeypatch.setattr(stored_landmarks, "TARGET", 10)
    monkeypatch.setattr(bulk, "BULK_INDEX_ROWS", 1)
    with fresh.transaction("测试员") as s:
        demo.build(s, communities_count=12, seed=4)
    assert _check_counts(fresh) >= 8
    with fresh.transaction("测试员") as s:
        s.execute(text("DELETE FROM item_landmark"))
        listing_index.rebuild(s.connection())
    assert _check_counts(fresh) >= 8
