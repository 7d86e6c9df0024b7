"""Deep pages without a row seen near them: the sort key before the page is found from the sort index alone
(no join per skipped row), and landmarks (every n-th row's key) let a table seek any page; both give exactly
the rows OFFSET gives, searches and filters included."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oldcomm_desktop.core import demo, listings
from oldcomm_desktop.core.listings import ListQuery
from oldcomm_desktop.storage.database import Database


@pytest.fixture
def demo_db(empty_db: Database) -> Iterator[Database]:
    with empty_db.transaction("测试员") as s:
        demo.build(s, communities_count=25, seed=3)
    yield empty_db


CASES = [
    ("communities", ListQuery()),
    ("communities", ListQuery(sort_key="name", descending=True)),
    ("communities", ListQuery(sort_key="year_built")),  # NULLs among the values
    ("communities", ListQuery(sort_key="year_built", descending=True)),
    ("communities", ListQuery(search="小区")),
    ("items", ListQuery()),
    ("items", ListQuery(sort_key="community", descending=True)),
    ("items", ListQuery(sort_key="investment", descending=True)),
    ("items", ListQuery(filters={"status": "completed"})),
    ("items", ListQuery(search="改造")),
    ("projects", ListQuery(sort_key="name")),  # joins in its order: plain OFFSET, same rows
]


@pytest.mark.parametrize(("name", "query"), CASES)
def test_a_cold_deep_page_equals_the_offset_page(
    demo_db: Database, name: str, query: ListQuery, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = 4
    with demo_db.session() as s:
        total = listings.count(s, name, query)
        want = [r["id"] for r in listings.page(s, name, query, 0, total + 10)]
        assert len(want) == total
        monkeypatch.setattr(listings, "DEEP_SKIP", 2)  # every page past the third is sought from its key
        for o in range(0, total + size, size):
            got = listings.page(s, name, query, o, size, seek_keys=True)
            assert [r["id"] for r in got] == want[o : o + size], o
            got = listings.page(s, name, query, o, size, total=total)  # from the end, in reverse
            assert [r["id"] for r in got] == want[o : o + size], o


@pytest.mark.parametrize(("name", "query"), CASES)
def test_landmarks_seek_any_page(demo_db: Database, name: str, query: ListQuery) -> None:
    with demo_db.session() as s:
        total = listings.count(s, name, query)
        want = [r["id"] for r in listings.page(s, name, query, 0, total + 10, seek_keys=True)]
        marks = listings.landmarks(s, name, query, every=5)
        listing = listings.LISTINGS[name]
        columns, _descending = listings._order(listing, query)
        conditions = listing.conditions(query, fts=listings._fts(s), session=s)
        if listings._keys_only(listing, columns, conditions) is None:
            # an order or a condition that needs a join (projects' order; a search on PostgreSQL, which
            # reads the joined names with LIKE): no landmarks, OFFSET as before
            assert marks == [] and (name == "projects" or query.search)
            return
        assert [at for at, _keys in marks] == list(range(0, total, 5))
        for at, keys in marks:
            for offset in (at, at + 1, at + 3, max(0, at - 4)):  # pages from, after and before the landmark
                got = listings.page(s, name, query, offset, 3, anchor=(at, keys), seek_keys=True)
                assert [r["id"] for r in got] == want[offset : offset + 3], (at, offset)
        assert len(listings.landmarks(s, name, query, every=1, most=3)) == min(3, total)
