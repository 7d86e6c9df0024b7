"""In-memory PageSource for GUI tests.

Kept out of the package so nobody ships a list-backed table by mistake (tech-notes §4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from oldcomm_desktop.gui.paged_model import Column, PageQuery


class ListPageSource:
    """Rows produced on demand by ``make_row(i)``, so 200,000 rows cost nothing until fetched.

    Records every call, letting tests prove the model fetches only what the view shows. Sorting and
    searching materialise all rows — acceptable in tests, and exactly what the real source must not do.
    """

    def __init__(
        self,
        columns: Sequence[Column],
        n_rows: int,
        make_row: Callable[[int], Mapping[str, Any]],
    ) -> None:
        self.columns = list(columns)
        self._n = n_rows
        self._make_row = make_row
        self.count_calls: list[PageQuery] = []
        self.fetch_calls: list[tuple[PageQuery, int, int]] = []
        self._ordered_for: PageQuery | None = None
        self._ordered: list[Mapping[str, Any]] | None = None

    @property
    def rows_fetched(self) -> int:
        return sum(min(limit, max(0, self._count_for(q) - off)) for q, off, limit in self.fetch_calls)

    def set_size(self, n_rows: int) -> None:
        self._n = n_rows
        self._ordered_for = None

    def count(self, query: PageQuery) -> int:
        self.count_calls.append(query)
        return self._count_for(query)

    def fetch(self, query: PageQuery, offset: int, limit: int) -> list[Mapping[str, Any]]:
        self.fetch_calls.append((query, offset, limit))
        if self._is_plain(query):
            return [self._make_row(i) for i in range(offset, min(offset + limit, self._n))]
        return list(self._materialise(query)[offset : offset + limit])

    def _count_for(self, query: PageQuery) -> int:
        return self._n if self._is_plain(query) else len(self._materialise(query))

    @staticmethod
    def _is_plain(query: PageQuery) -> bool:
        return not query.search and not query.filters and query.sort_key is None

    def _materialise(self, query: PageQuery) -> list[Mapping[str, Any]]:
        if self._ordered_for != query or self._ordered is None:
            rows = [self._make_row(i) for i in range(self._n)]
            if query.search:
                rows = [r for r in rows if any(query.search in str(v) for v in r.values())]
            for key, value in query.filters:
                rows = [r for r in rows if r.get(key) == value]
            if query.sort_key is not None:
                key = query.sort_key
                rows.sort(key=lambda r: (r.get(key), r["id"]), reverse=query.descending)
            self._ordered_for, self._ordered = query, rows
        return self._ordered
