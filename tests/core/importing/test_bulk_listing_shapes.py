"""Rows written by the bulk path (demo, import, later sync) show in the big lists like rows saved one by one:
pinyin order, the search index, the category filter and items ordered by community all read stored shapes
that Core writes must fill themselves (the ORM fills them by a session hook)."""

from __future__ import annotations

from sqlalchemy import func, select

from oldcomm_desktop.core import demo, listings
from oldcomm_desktop.core.listings import ListQuery
from oldcomm_desktop.core.model import Community, CommunityCategory, RenovationItem
from oldcomm_desktop.core.pinyin_search import sort_key
from oldcomm_desktop.storage.database import Database


def test_demo_rows_are_searchable_sorted_and_filtered(empty_db: Database) -> None:
    with empty_db.transaction("测试员") as s:
        demo.build(s, communities_count=12, seed=3)
    with empty_db.transaction("测试员") as s:
        name, stored_key = s.execute(select(Community.name, Community.name_sort).limit(1)).one()
        assert stored_key == sort_key(name)
        found = listings.page(s, "communities", ListQuery(search=name[:2]), 0, 100)
        assert name in {r["name"] for r in found}
        assert s.scalar(select(func.count()).select_from(CommunityCategory)) > 0
        missing = s.scalar(select(func.count()).where(RenovationItem.community_sort.is_(None)))
        assert missing == 0
        names = [r["name"] for r in listings.page(s, "communities", ListQuery(sort_key="name"), 0, 100)]
        assert [sort_key(n) for n in names] == sorted(sort_key(n) for n in names)
