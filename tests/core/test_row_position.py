"""The position a table finds a moved record at is the row `listings.page` puts it on, on SQLite and on
PostgreSQL (which sorts NULLs the other way round), ascending and descending, filtered or not."""

from __future__ import annotations

from oldcomm_desktop.core import communities, listings


def test_row_position_matches_the_page_order_with_nulls(db) -> None:
    with db.transaction("测试员") as s:
        for i in range(14):
            communities.create(
                s,
                {
                    "name": f"小区{i % 5}",  # ties: the id decides
                    "township_code": "341122001000",
                    "households": None if i % 3 == 0 else 10 + (i % 4),
                    "plan_year": None if i % 4 == 0 else 2024 + (i % 2),
                },
            )
    with db.transaction("测试员") as s:
        for key in (None, "name", "households", "plan_year"):
            for descending in (False, True):
                for filters in ({}, {"year": 2025}):
                    q = listings.ListQuery(sort_key=key, descending=descending, filters=filters)
                    rows = listings.page(s, "communities", q, 0, 100)
                    for i, row in enumerate(rows):
                        at = listings.row_position(s, "communities", q, str(row["id"]))
                        assert at == i, (key, descending, filters)
        q = listings.ListQuery(filters={"year": 2025})
        every = listings.page(s, "communities", listings.ListQuery(), 0, 100)
        outside = next(r for r in every if r["plan_year"] != 2025)
        assert listings.row_position(s, "communities", q, str(outside["id"])) is None
