"""The table model over a listing seeks deep pages from rows it holds (keyset) or reads them from the end:
the rows are the ones OFFSET gives, and no page is counted from the top of the list."""

from __future__ import annotations

import pytest
from overview_pages_fixtures import ctx  # noqa: F401 - fixtures
from sqlalchemy import event

from oldcomm_desktop.core import listings
from oldcomm_desktop.gui.listing_source import ListingSource
from oldcomm_desktop.gui.paged_model import Column, PagedTableModel, PageQuery


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("items", PageQuery()),
        ("items", PageQuery(sort_key="community", descending=True)),
        ("communities", PageQuery(sort_key="name")),
    ],
)
def test_scrolling_from_the_end_back_to_the_top_shows_the_offset_rows(qtbot, ctx, name, query) -> None:  # noqa: F811
    source = ListingSource(ctx, name, [Column("id", "id")])
    q = listings.ListQuery(sort_key=query.sort_key, descending=query.descending)
    want = ctx.read(lambda s: [r["id"] for r in listings.page(s, name, q, 0, 100_000)])
    offsets: list[int] = []

    def catch(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if "LIMIT" in statement and parameters:
            offsets.append(parameters[-1])  # OFFSET is the last parameter

    event.listen(ctx.db.engine, "before_cursor_execute", catch)
    model = PagedTableModel(source, page_size=5, max_pages=3, query=query, count_in_background=False)
    assert model.rowCount() == len(want)
    seen = [model.row_id(r) for r in reversed(range(model.rowCount()))]  # Ctrl+End, then up to the top
    event.remove(ctx.db.engine, "before_cursor_execute", catch)
    assert list(reversed(seen)) == want
    assert offsets and max(offsets) <= 5  # the last page read from the end, every other one sought


def test_a_jump_is_sought_from_the_nearest_page_seen(qtbot, ctx) -> None:  # noqa: F811
    source = ListingSource(ctx, "items", [Column("id", "id")])
    want = ctx.read(lambda s: [r["id"] for r in listings.page(s, "items", listings.ListQuery(), 0, 100_000)])
    model = PagedTableModel(source, page_size=5, max_pages=2, count_in_background=False)
    middle = (len(want) // 10) * 5
    assert model.row_id(middle) == want[middle]  # the middle: counted from the start, once
    offsets: list[int] = []

    def catch(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if "LIMIT" in statement and parameters:
            offsets.append(parameters[-1])

    event.listen(ctx.db.engine, "before_cursor_execute", catch)
    for row in (0, len(want) - 1, middle + 30, middle - 40):  # evicting the middle page from the cache
        assert model.row_id(row) == want[row]
    event.remove(ctx.db.engine, "before_cursor_execute", catch)
    assert max(offsets) <= 40  # near the middle again: sought from the row seen there, not counted
