"""The bridge from the core's listings (SQL pages) to the paged table model.

Each call opens a short session: the model asks for the count once per query and for pages as the view
scrolls; sorting, searching and filtering are parameters of the core's query, never Python loops.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import listings
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.paged_model import Column, PageQuery


class ListingSource:
    """A PageSource over `oldcomm_desktop.core.listings.<name>`; `transform` may add display columns."""

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

    def position(self, query: PageQuery, record_id: str) -> int | None:
        """The row number of `record_id` in this query's order, None when the query does not list it.

        A table calls it to find its record again after an edit re-sorted or re-filtered the list.
        """
        q = self._query(query)
        return self.ctx.read(lambda s: row_position(s, self.name, q, record_id))

    def exists(self, record_id: str) -> bool:
        """Whether the record is live at all (not deleted): tells "left the filter" from "gone"."""
        entity = listings.LISTINGS[self.name].entity
        deleted = entity.deleted_at.is_not(None) if self.include_deleted else entity.deleted_at.is_(None)
        found = self.ctx.read(lambda s: s.scalar(select(entity.id).where(entity.id == record_id, deleted)))
        return found is not None


def row_position(session: Session, name: str, query: listings.ListQuery, record_id: str) -> int | None:
    """0-based position of a record in a listing's order (the order ``listings.page`` uses), or None.

    Counted, not numbered: the rows that sort before the record (its sort value, then its id, with NULLs
    where the database puts them) are counted along the (deleted_at, column, id) index the listing sorts by,
    so a record 150,000 rows down a 200,000-row ledger is found in about the time of a COUNT. Paid only
    when a table has lost its record (an edit moved it), never per page.
    # TODO(integrator): belongs beside listings.page in core/listings.py (kept here to leave that file to
    # the core's owners on this branch).
    """
    listing = listings.LISTINGS.get(name)
    if listing is None:
        return None
    entity_id = listing.entity.id
    sort_key, descending = query.sort_key, query.descending
    if not sort_key and listing.default_sort:
        sort_key, descending = listing.default_sort
    col = listing.sort_keys.get(sort_key) if sort_key else None
    conditions = listing.conditions(query)
    probe = listing.base().where(*conditions, entity_id == record_id)
    if col is None:
        if session.scalar(probe.with_only_columns(entity_id, maintain_column_froms=True)) is None:
            return None
        before = entity_id < record_id
    else:
        found = session.execute(probe.with_only_columns(col, maintain_column_froms=True)).first()
        if found is None:
            return None
        value = found[0]
        nulls_first = (session.get_bind().dialect.name != "postgresql") != descending  # SQLite: NULL is least
        if descending:
            tie = entity_id > record_id
            after_value = col > value if value is not None else None
        else:
            tie = entity_id < record_id
            after_value = col < value if value is not None else None
        if value is None:  # among the NULLs: before them all the values (NULLs last), or only NULLs (first)
            before = and_(col.is_(None), tie) if nulls_first else or_(col.is_not(None), and_(col.is_(None), tie))
        else:
            same = and_(col == value, tie)
            before = or_(after_value, same, col.is_(None)) if nulls_first else or_(after_value, same)
    counted = select(func.count()).select_from(listing.entity).where(*conditions, before)
    if not (listing.count_alone and counted.get_final_froms() == [listing.entity.__table__]):
        counted = select(func.count()).select_from(listing.base().where(*conditions, before).subquery())
    return int(session.scalar(counted) or 0)
