"""The bridge from the core's listings (SQL pages) to the paged table model.

Each call opens a short session: the model asks for the count once per query and for pages as the view
scrolls; sorting, searching and filtering are parameters of the core's query, never Python loops.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import select

from oldcomm_desktop.core import listings
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.paged_model import Column, PageQuery


class ListingSource:
    """A PageSource over `oldcomm_desktop.core.listings.<name>`; `transform` may add display columns."""

    #: The model paints the first page first and counts on a worker thread: COUNT(*) over two million items
    #: (or every match of a broad search) takes longer than a page (benchmarks/bench_gui.py).
    count_in_background = True

    def __init__(
        self,
        ctx: AppContext,
        name: str,
        columns: Sequence[Column],
        *,
        fixed_filters: Mapping[str, Any] | None = None,
        include_deleted: bool = False,
        transform: Callable[[dict], dict] | None = None,
    ):
        self.ctx = ctx
        self.name = name
        self.columns = list(columns)
        self.fixed_filters = dict(fixed_filters or {})
        self.include_deleted = include_deleted
        self.transform = transform

    def _query(self, query: PageQuery) -> listings.ListQuery:
        filters = {**self.fixed_filters, **dict(query.filters)}
        return listings.ListQuery(
            search=query.search,
            filters=filters,
            sort_key=query.sort_key,
            descending=query.descending,
            include_deleted=self.include_deleted,
        )

    def count(self, query: PageQuery) -> int:
        if self.ctx.reads_paused:  # the database is being replaced: nothing to show for a moment
            return 0
        q = self._query(query)
        return self.ctx.read(lambda s: listings.count(s, self.name, q))

    def fetch(self, query: PageQuery, offset: int, limit: int) -> list[Mapping[str, Any]]:
        return self.fetch_near(query, offset, limit)

    def fetch_near(
        self,
        query: PageQuery,
        offset: int,
        limit: int,
        *,
        total: int | None = None,
        anchor: tuple[int, Mapping[str, Any]] | None = None,
    ) -> list[Mapping[str, Any]]:
        """A page, sought from a neighbouring row the model holds or read from the end (listings.page)."""
        if self.ctx.reads_paused:
            return []
        q = self._query(query)
        rows = self.ctx.read(
            lambda s: listings.page(s, self.name, q, offset, limit, total=total, anchor=anchor, seek_keys=True)
        )
        if self.transform:
            rows = [{**r, **self.transform(r)} for r in rows]  # the sort key stays for the next seek
        return rows

    def landmarks(self, query: PageQuery, every: int, total: int | None = None) -> list[tuple[int, Mapping[str, Any]]]:
        """Sort keys of every `every`-th row (listings.landmarks), for the model to seek far pages from."""
        if self.ctx.reads_paused:
            return []
        q = self._query(query)
        return self.ctx.read(lambda s: listings.landmarks(s, self.name, q, every, total=total))

    def position(self, query: PageQuery, record_id: str) -> int | None:
        """The row number of `record_id` in this query's order, None when the query does not list it.

        A table calls it to find its record again after an edit re-sorted or re-filtered the list.
        """
        q = self._query(query)
        return self.ctx.read(lambda s: listings.row_position(s, self.name, q, record_id))

    def exists(self, record_id: str) -> bool:
        """Whether the record is live at all (not deleted): tells "left the filter" from "gone"."""
        entity = listings.LISTINGS[self.name].entity
        deleted = entity.deleted_at.is_not(None) if self.include_deleted else entity.deleted_at.is_(None)
        found = self.ctx.read(lambda s: s.scalar(select(entity.id).where(entity.id == record_id, deleted)))
        return found is not None
