"""The data shapes of the big lists (migration 0006): pinyin order, the full-text index, communities by
category, and keyset / reverse paging that gives exactly the rows OFFSET gives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import communities, demo, items, listings
from oldcomm_desktop.core.listings import ListQuery
from oldcomm_desktop.core.model import Community, CommunityCategory, ItemType, RenovationItem
from oldcomm_desktop.core.pinyin_search import sort_key
from oldcomm_desktop.storage.database import Database


@pytest.fixture
def demo_db(empty_db: Database) -> Iterator[Database]:
    with empty_db.transaction("测试员") as s:
        demo.build(s, communities_count=25, seed=3)
    yield empty_db


def _township(s) -> str:
    return s.scalar(select(Community.township_code).where(Community.township_code.is_not(None)))


def test_names_sort_by_pinyin_not_code_point(empty_db: Database) -> None:
    with empty_db.transaction("测试员") as s:
        demo.build(s, communities_count=2, seed=1)
    with empty_db.transaction("测试员") as s:
        code = _township(s)
        for name in ("中心街小区", "丝绸厂宿舍", "东风小区", "李家巷", "梁家巷"):
            communities.create(s, {"name": name, "township_code": code})
    with empty_db.session() as s:
        rows = listings.page(s, "communities", ListQuery(search="巷 "), 0, 50)
        assert [r["name"] for r in rows] == ["李家巷", "梁家巷"]
        names = [r["name"] for r in listings.page(s, "communities", ListQuery(), 0, 500)]
        mine = [n for n in names if n in {"中心街小区", "丝绸厂宿舍", "东风小区"}]
        assert mine == ["东风小区", "丝绸厂宿舍", "中心街小区"]  # dong, si, zhong; code points say 东 丝 中
        assert names == sorted(names, key=sort_key)


def test_renaming_keeps_the_sort_key_and_search_current(empty_db: Database) -> None:
    with empty_db.transaction("测试员") as s:
        demo.build(s, communities_count=2, seed=1)
    with empty_db.transaction("测试员") as s:
        c = communities.create(s, {"name": "幸福里小区", "township_code": _township(s)})
        cid = c.id
    with empty_db.transaction("测试员") as s:
        communities.update(s, cid, {"name": "阳光花园"})
    with empty_db.session() as s:
        row = s.get(Community, cid)
        assert row.name_sort == "yang guang hua yuan"
        found = {r["id"] for r in listings.page(s, "communities", ListQuery(search="阳光"), 0, 50)}
        assert cid in found
        assert cid not in {r["id"] for r in listings.page(s, "communities", ListQuery(search="幸福里"), 0, 50)}
        assert cid in {r["id"] for r in listings.page(s, "communities", ListQuery(search="yghy"), 0, 50)}


def test_item_search_finds_community_type_and_description_as_like_did(demo_db: Database) -> None:
    with demo_db.transaction("测试员") as s:
        cid = s.scalar(select(Community.id).where(Community.deleted_at.is_(None)).order_by(Community.id))
        type_id = s.scalar(select(ItemType.id).order_by(ItemType.id))
        item = items.create(
            s, cid, {"item_type_id": type_id, "description": "北侧3号楼雨污分流", "planned_quantity": 1}, confirm=True
        )  # confirmed: the community may be finished already
        item_id = item.id
    with demo_db.session() as s:
        type_name = s.scalar(select(ItemType.name).where(ItemType.id == type_id))
        community_name = s.scalar(select(Community.name).where(Community.id == cid))
        for word in ("雨污", "3号楼", "分流", type_name[:2], community_name[:3]):
            q = ListQuery(search=word)
            ids = {r["id"] for r in listings.page(s, "items", q, 0, 5000)}
            assert item_id in ids, word
            # the same rows the LIKE over the joined columns gives (what PostgreSQL still runs)
            like = listings.ITEMS.select(q).with_only_columns(RenovationItem.id)
            assert ids == set(s.scalars(like)), word
            assert listings.count(s, "items", q) == len(ids)


def test_category_filter_follows_item_edits(demo_db: Database) -> None:
    with demo_db.transaction("测试员") as s:
        c = communities.create(s, {"name": "新建小区", "township_code": _township(s)})
        cid = c.id
        type_id, cat_code = s.execute(
            select(ItemType.id, ItemType.category.property.mapper.class_.code).join(ItemType.category)
        ).first()
    q = ListQuery(filters={"category": cat_code})
    with demo_db.session() as s:
        assert cid not in {r["id"] for r in listings.page(s, "communities", q, 0, 5000)}
    with demo_db.transaction("测试员") as s:
        item_id = items.create(s, cid, {"item_type_id": type_id, "planned_quantity": 2}).id
    with demo_db.session() as s:
        assert cid in {r["id"] for r in listings.page(s, "communities", q, 0, 5000)}
    with demo_db.transaction("测试员") as s:
        items.delete(s, item_id)
    with demo_db.session() as s:
        assert cid not in {r["id"] for r in listings.page(s, "communities", q, 0, 5000)}
        assert not s.scalars(select(CommunityCategory).where(CommunityCategory.community_id == cid)).all()
    with demo_db.transaction("测试员") as s:
        items.restore(s, item_id)
    with demo_db.session() as s:
        assert cid in {r["id"] for r in listings.page(s, "communities", q, 0, 5000)}


CASES = [
    ("communities", ListQuery()),
    ("communities", ListQuery(sort_key="name", descending=True)),
    ("communities", ListQuery(sort_key="year_built")),  # NULLs among the values
    ("communities", ListQuery(sort_key="year_built", descending=True)),
    ("communities", ListQuery(sort_key="total_investment", descending=True)),
    ("items", ListQuery()),
    ("items", ListQuery(sort_key="community")),
    ("items", ListQuery(sort_key="community", descending=True)),
    ("items", ListQuery(sort_key="investment")),
    ("projects", ListQuery(sort_key="name")),
]


@pytest.mark.parametrize(("name", "query"), CASES)
def test_keyset_and_reverse_pages_equal_offset_pages(demo_db: Database, name: str, query: ListQuery) -> None:
    size = 7
    with demo_db.session() as s:
        total = listings.count(s, name, query)
        plain = listings.page(s, name, query, 0, total + 10)
        assert len(plain) == total
        want = [r["id"] for r in plain]
        keyed = [listings.page(s, name, query, o, size, seek_keys=True) for o in range(0, total, size)]
        forward = []
        prev = None
        for o in range(0, total, size):  # each page sought from the last row of the page before
            got = listings.page(s, name, query, o, size, anchor=prev, seek_keys=True)
            assert [r["id"] for r in got] == want[o : o + size], o
            prev = (o + len(got) - 1, got[-1]) if got else None
            forward.append(got)
        backward = None
        for o in reversed(range(0, total, size)):  # and backwards from the first row of the page after
            got = listings.page(s, name, query, o, size, anchor=backward, seek_keys=True)
            assert [r["id"] for r in got] == want[o : o + size], o
            backward = (o, got[0])
        for o in range(0, total, size):  # the second half read from the end in reverse
            got = listings.page(s, name, query, o, size, total=total)
            assert [r["id"] for r in got] == want[o : o + size], o
        assert [r["id"] for p in keyed for r in p] == want
        # a far anchor still lands on the asked-for rows (skipping from the anchor)
        if total > 3 * size:
            got = listings.page(s, name, query, 3 * size, size, anchor=(0, keyed[0][0]), seek_keys=True)
            assert [r["id"] for r in got] == want[3 * size : 4 * size]


def test_items_open_grouped_by_community_in_pinyin_order(demo_db: Database) -> None:
    with demo_db.session() as s:
        rows = listings.page(s, "items", ListQuery(), 0, 100_000)
        keys = [sort_key(r["community"]) for r in rows]
        assert keys == sorted(keys)
        seen: list[str] = []
        for r in rows:  # each community's items together
            if not seen or seen[-1] != r["community_id"]:
                assert r["community_id"] not in seen
                seen.append(r["community_id"])


def test_items_follow_a_renamed_community_in_order(demo_db: Database) -> None:
    with demo_db.transaction("测试员") as s:
        cid = s.scalar(select(Community.id).where(Community.deleted_at.is_(None)).order_by(Community.id))
        communities.update(s, cid, {"name": "00号院"})  # digits sort before every pinyin letter
    with demo_db.session() as s:
        first = listings.page(s, "items", ListQuery(sort_key="community"), 0, 1)[0]
        assert first["community_id"] == cid
        keys = set(s.scalars(select(RenovationItem.community_sort).where(RenovationItem.community_id == cid)))
        assert keys == {sort_key("00号院")}
