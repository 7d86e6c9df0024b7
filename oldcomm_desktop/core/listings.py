"""Lists of records a page at a time, filtered and sorted in SQL: what the tables and `oldcomm list` show.

Each list names its columns, the keys it may sort on (each backed by a (deleted_at, column, id) index where
the list is large, migration 0003) and its filters. Nothing here loads a whole table: callers ask for
`count` and then pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, column, false, func, literal, not_, or_, select, table, tuple_
from sqlalchemy.orm import Session, aliased

from oldcomm_desktop.core import stored_landmarks
from oldcomm_desktop.core.chinese_script import either_script_pattern
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.lifecycle import STATUS_LABELS
from oldcomm_desktop.core.model import (
    Category,
    Community,
    CommunityCategory,
    Division,
    Inspection,
    ItemType,
    Project,
    Rectification,
    RenovationItem,
    SearchText,
)
from oldcomm_desktop.core.pinyin_search import match_phrase, search_forms


@dataclass(frozen=True)
class ListQuery:
    search: str = ""
    filters: Mapping[str, Any] = field(default_factory=dict)
    sort_key: str | None = None
    descending: bool = False
    include_deleted: bool = False  # the recycle bin lists deleted records only


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _search(columns: list, text: str) -> ColumnElement[bool]:
    """Each word in some column, as typed or simplified (LIKE), or in either script (a regular expression:
    建设路 finds an address or a description stored as 建設路, which no search key simplifies)."""
    found = []
    for word in text.split():
        forms = [c.like(_like(f), escape="\\") for c in columns for f in search_forms(word)]
        if (pattern := either_script_pattern(word)) is not None:
            forms += [c.regexp_match(pattern) for c in columns]
        found.append(or_(*forms))
    return and_(*found)


_FTS = table("search_fts", column("rowid"), column("search_fts"))


def indexed(word: str, kind: str | None = None) -> Select | None:
    """Ids of the records (of `kind`: community, item) whose indexed text (core/listing_index.py) holds
    `word`, from SQLite's FTS5 index; None when the word has no letter or digit to look for."""
    phrase = match_phrase(word)
    if phrase is None:
        return None
    docs = select(_FTS.c.rowid).where(_FTS.c.search_fts.op("MATCH")(phrase))
    found = select(SearchText.record_id).where(SearchText.docid.in_(docs))
    return found if kind is None else found.where(SearchText.kind == kind)


def _indexed(word: str, kind: str) -> Select:
    """indexed() for a word `Listing.conditions` has already found searchable (it skips the others)."""
    found = indexed(word, kind)
    assert found is not None
    return found


@dataclass(frozen=True)
class Listing:
    """One list: how to select its rows, search them, filter and sort them."""

    name: str
    base: Any  # () -> Select
    entity: Any
    search_columns: Any  # () -> list of columns
    sort_keys: Mapping[str, Any]
    filters: Mapping[str, Any]  # name -> (value) -> condition
    default_sort: tuple[str, bool] | None = None  # (sort key, descending) when the clerk chose none
    # True when the joins of `base` neither drop nor repeat rows of `entity` (outer joins to a unique key,
    # inner joins along a required foreign key): then a query whose conditions are all on the entity is
    # counted on the entity's table alone, from an index, instead of joining every row first.
    count_alone: bool = False
    # On SQLite: (word's matching ids from the full-text index) -> condition; replaces the LIKE search, which
    # reads every row (2.5 s for two million items). PostgreSQL keeps the LIKE.
    indexed_search: Any = None

    def conditions(
        self, query: ListQuery, *, fts: bool = False, session: Session | None = None, counting: bool = False
    ) -> list[ColumnElement[bool]]:
        deleted = self.entity.deleted_at
        found = [deleted.is_not(None) if query.include_deleted else deleted.is_(None)]
        if query.search.strip() and fts and self.indexed_search is not None:
            for word in query.search.split():
                # 建設路 finds 建设路小区 and 建設路小區 alike (pinyin_search.search_forms)
                forms = [
                    self.indexed_search(ids, w, session) for w in search_forms(word) if (ids := indexed(w)) is not None
                ]
                if forms:
                    found.append(or_(*forms))
        elif query.search.strip():
            found.append(_search(self.search_columns(), query.search.strip()))
        for name, value in query.filters.items():
            if value in (None, "", ()):
                continue
            if name not in self.filters:
                raise ValidationError(f"不能按“{name}”筛选")
            if name == "township":  # a code of another level (a county's) would silently match nothing
                value = township_filter(value)
            condition = self.filters[name]
            if counting and getattr(condition, "counts_differently", False):  # a form for a whole count
                found.append(condition(value, counting=True))
            else:
                found.append(condition(value))
        return found

    def select(self, query: ListQuery, *, fts: bool = False) -> Select:
        return self.base().where(*self.conditions(query, fts=fts))

    def count_select(self, query: ListQuery, *, fts: bool = False, session: Session | None = None) -> Select:
        """COUNT(*) of the rows `select` gives, without its joins when no condition needs them."""
        conditions = self.conditions(query, fts=fts, session=session, counting=True)
        if self.count_alone:
            alone = select(func.count()).select_from(self.entity).where(*conditions)
            if alone.get_final_froms() == [self.entity.__table__]:
                return alone
        return select(func.count()).select_from(self.base().where(*conditions).subquery())


def township_filter(code: object, label: str = "乡镇（街道）") -> str:
    """A township filter's code, normalised (full-width digits) and checked to name a township."""
    from oldcomm_desktop.core.divisions import parse_code

    return parse_code(str(code), label=label, field="township", level="township").code


def _today() -> date:
    return date.today()


TownshipDiv = aliased(Division)


def _communities() -> Select:
    return (
        select(
            Community.id,
            Community.version,
            Community.name,
            Community.township_code,
            TownshipDiv.name.label("township"),
            Project.name.label("project"),
            Community.status,
            Community.plan_year,
            Community.batch,
            Community.households,
            Community.floor_area,
            Community.total_investment,
            Community.address,
            Community.year_built,
            Community.progress_percent,
            Community.deleted_at,
        )
        .outerjoin(Project, Project.id == Community.project_id)
        .outerjoin(TownshipDiv, TownshipDiv.code == Community.township_code)
    )


def _overdue_communities(flag: Any) -> ColumnElement[bool]:
    overdue = (
        select(Inspection.community_id)
        .join(Rectification, Rectification.inspection_id == Inspection.id)
        .where(
            Rectification.deleted_at.is_(None),
            Rectification.closed.is_(False),
            Rectification.current_deadline < _today(),
        )
    )
    return Community.id.in_(overdue) if flag else ~Community.id.in_(overdue)


def _communities_with_category(value: Any, *, counting: bool = False) -> ColumnElement[bool]:
    """Communities with a live item of the category (code or id), from the stored `community_category`
    (kept by core/listing_index.py): probing every community's items took 1.3 s on 2 million items."""
    categories = select(Category.id).where((Category.code == value) | (Category.id == value))
    if counting:  # every row is tested: one list of the category's communities, looked up by id (0.2 s)
        found = select(CommunityCategory.community_id).where(CommunityCategory.category_id.in_(categories))
        return Community.id.in_(found)
    # a page: EXISTS, one primary-key probe per row the page reads, rather than IN over every community of the
    # category (nearly all 200,000 for 基础类: the list was built whole before each page, 190 ms)
    return (
        select(CommunityCategory.community_id)
        .where(CommunityCategory.community_id == Community.id, CommunityCategory.category_id.in_(categories))
        .correlate(Community)
        .exists()
    )


_communities_with_category.counts_differently = True  # type: ignore[attr-defined]

COMMUNITIES = Listing(
    "communities",
    _communities,
    Community,
    lambda: [Community.name, Community.address, Community.search_initials],
    {
        "name": Community.name_sort,
        "status": Community.status,
        "households": Community.households,
        "floor_area": Community.floor_area,
        "plan_year": Community.plan_year,
        "township": Community.township_code,
        "total_investment": Community.total_investment,
        "year_built": Community.year_built,
    },
    {
        "township": lambda v: Community.township_code == v,
        "status": lambda v: Community.status == v,
        "year": lambda v: Community.plan_year == int(v),
        "batch": lambda v: Community.batch == v,
        "project": lambda v: Community.project_id == v,
        "overdue": _overdue_communities,
        "category": _communities_with_category,
    },
    default_sort=("name", False),
    count_alone=True,  # outer joins to project.id and division.code, both unique
    indexed_search=lambda _ids, word, _session: Community.id.in_(_indexed(word, "community")),
)


def _project_total() -> Any:
    """A project's 总投资: its own figure, or the sum over its communities when only they carry money (a
    project left empty showed no total although its communities add up to one)."""
    communities_sum = (
        select(func.sum(Community.total_investment))
        .where(Community.project_id == Project.id, Community.deleted_at.is_(None))
        .correlate(Project)
        .scalar_subquery()
    )
    return func.coalesce(Project.total_investment, communities_sum, type_=Project.total_investment.type)


def _projects() -> Select:
    n = (
        select(func.count(Community.id))
        .where(Community.project_id == Project.id, Community.deleted_at.is_(None))
        .correlate(Project)
        .scalar_subquery()
    )
    return select(
        Project.id,
        Project.version,
        Project.name,
        Project.township_code,
        TownshipDiv.name.label("township"),
        Project.plan_year,
        Project.batch,
        Project.start_kind,
        Project.contractor,
        _project_total().label("total_investment"),
        Project.total_investment.is_(None).label("total_from_communities"),
        n.label("communities"),
        Project.deleted_at,
    ).outerjoin(TownshipDiv, TownshipDiv.code == Project.township_code)


PROJECTS = Listing(
    "projects",
    _projects,
    Project,
    lambda: [Project.name, Project.search_initials, Project.contractor],
    {
        "name": Project.name_sort,
        "plan_year": Project.plan_year,
        "township": Project.township_code,
        "total_investment": _project_total(),
    },
    {
        "township": lambda v: Project.township_code == v,
        "year": lambda v: Project.plan_year == int(v),
        "batch": lambda v: Project.batch == v,
    },
    default_sort=("name", False),
)


def _items() -> Select:
    return (
        select(
            RenovationItem.id,
            RenovationItem.version,
            RenovationItem.community_id,
            Community.name.label("community"),
            ItemType.name.label("item_type"),
            Category.name.label("category"),
            ItemType.unit,
            RenovationItem.description,
            RenovationItem.planned_quantity,
            RenovationItem.completed_quantity,
            RenovationItem.investment,
            RenovationItem.status,
            RenovationItem.started_on,
            RenovationItem.completed_on,
            RenovationItem.township_code,
            RenovationItem.deleted_at,
        )
        .join(Community, Community.id == RenovationItem.community_id)
        .join(ItemType, ItemType.id == RenovationItem.item_type_id)
        .join(Category, Category.id == ItemType.category_id)
    )


ITEMS = Listing(
    "items",
    _items,
    RenovationItem,
    lambda: [Community.name, Community.search_initials, ItemType.name, RenovationItem.description],
    {
        # communities in pinyin order, each one's items together, from one index on the items (their
        # community's key is copied onto them: ordering by the joined column sorted every item)
        "community": (RenovationItem.community_sort, RenovationItem.community_id),
        "item_type": ItemType.name,
        "status": RenovationItem.status,
        "investment": RenovationItem.investment,
        "planned_quantity": RenovationItem.planned_quantity,
    },
    {
        "township": lambda v: RenovationItem.township_code == v,
        "status": lambda v: RenovationItem.status == v,
        "community": lambda v: RenovationItem.community_id == v,
        "category": lambda v: (Category.code == v) | (Category.id == v),
        "year": lambda v: Community.plan_year == int(v),
    },
    # opens grouped by community in pinyin order (was: by random UUID), from the community index
    default_sort=("community", False),
    count_alone=True,  # inner joins along community_id, item_type_id and category_id, all required keys
    indexed_search=lambda ids, word, session: _items_matching(ids, word, session),
)


def _items_matching(_ids: Select, word: str, session: Session | None = None) -> ColumnElement[bool]:
    """Items whose community or own description (both from the full-text index) or item type holds `word`.

    Three small id lists, each made once per statement, tested against the columns of the sort index, so a
    page reads that index in order and stops after its 500 rows: the community's and the description's
    lists hold only records of their kind, and the item-type test, the one that needs the item's row, is
    skipped when no type name holds the word (an uncorrelated EXISTS, evaluated once). The UNION of item ids
    this replaces was built whole for every page: 1 s for a page of “幸福” among two million items.
    """
    types = select(ItemType.id).where(ItemType.name.like(_like(word), escape="\\"))
    by_type: ColumnElement[bool] = and_(types.exists(), RenovationItem.item_type_id.in_(types))
    if session is not None:  # the catalogue is small: its matches as values (none: no test at all), so a
        matched = list(session.scalars(types))  # count can read the sort index alone
        by_type = RenovationItem.item_type_id.in_(matched) if matched else false()
    return or_(
        RenovationItem.community_id.in_(_indexed(word, "community")),
        RenovationItem.id.in_(_indexed(word, "item")),
        by_type,
    )


def _inspections() -> Select:
    open_rects = (
        select(func.count(Rectification.id))
        .where(
            Rectification.inspection_id == Inspection.id,
            Rectification.deleted_at.is_(None),
            Rectification.closed.is_(False),
        )
        .correlate(Inspection)
        .scalar_subquery()
    )
    overdue = (
        select(func.count(Rectification.id))
        .where(
            Rectification.inspection_id == Inspection.id,
            Rectification.deleted_at.is_(None),
            Rectification.closed.is_(False),
            Rectification.current_deadline < _today(),
        )
        .correlate(Inspection)
        .scalar_subquery()
    )
    return (
        select(
            Inspection.id,
            Inspection.version,
            Inspection.kind,
            Inspection.inspected_on,
            Inspection.community_id,
            Community.name.label("community"),
            Project.name.label("project"),
            Inspection.inspectors,
            Inspection.total_score,
            Inspection.grade,
            open_rects.label("open_rectifications"),
            overdue.label("overdue_rectifications"),
            Inspection.township_code,
            Inspection.deleted_at,
        )
        .outerjoin(Community, Community.id == Inspection.community_id)
        .outerjoin(Project, Project.id == Inspection.project_id)
    )


def _overdue_inspections(flag: Any) -> ColumnElement[bool]:
    ids = select(Rectification.inspection_id).where(
        Rectification.deleted_at.is_(None), Rectification.closed.is_(False), Rectification.current_deadline < _today()
    )
    return Inspection.id.in_(ids) if flag else ~Inspection.id.in_(ids)


INSPECTIONS = Listing(
    "inspections",
    _inspections,
    Inspection,
    lambda: [Community.name, Community.search_initials, Project.name, Inspection.inspectors, Inspection.findings],
    {"inspected_on": Inspection.inspected_on, "kind": Inspection.kind, "community": Community.name_sort},
    {
        "township": lambda v: Inspection.township_code == v,
        "kind": lambda v: Inspection.kind == v,
        "community": lambda v: Inspection.community_id == v,
        "overdue": _overdue_inspections,
    },
    default_sort=("inspected_on", True),
)


def _rectifications() -> Select:
    return (
        select(
            Rectification.id,
            Rectification.version,
            Rectification.notice_no,
            Rectification.problem,
            Rectification.requirement,
            Rectification.deadline,
            Rectification.current_deadline,
            Rectification.replied_on,
            Rectification.closed,
            Rectification.closed_on,
            Rectification.addressed_to,
            Inspection.inspected_on,
            Inspection.kind,
            Community.name.label("community"),
            Inspection.community_id,
            Rectification.inspection_id,
            Rectification.township_code,
            TownshipDiv.name.label("township"),
            Rectification.deleted_at,
        )
        .join(Inspection, Inspection.id == Rectification.inspection_id)
        .outerjoin(Community, Community.id == Inspection.community_id)
        .outerjoin(TownshipDiv, TownshipDiv.code == Rectification.township_code)
    )


def _rect_state(state: str) -> ColumnElement[bool]:
    today = _today()
    open_ = Rectification.closed.is_(False)
    return {
        "closed": Rectification.closed.is_(True),
        "overdue": and_(open_, Rectification.current_deadline < today),
        "awaiting": and_(open_, Rectification.current_deadline >= today, Rectification.replied_on.is_not(None)),
        "open": and_(open_, Rectification.current_deadline >= today, Rectification.replied_on.is_(None)),
    }[state]


RECTIFICATIONS = Listing(
    "rectifications",
    _rectifications,
    Rectification,
    lambda: [Community.name, Community.search_initials, Rectification.problem, Rectification.notice_no],
    {
        "current_deadline": Rectification.current_deadline,
        "community": Community.name_sort,
        "inspected_on": Inspection.inspected_on,
    },
    {
        "township": lambda v: Rectification.township_code == v,
        "state": _rect_state,
        "community": lambda v: Inspection.community_id == v,
        "inspection": lambda v: Rectification.inspection_id == v,
    },
    default_sort=("current_deadline", False),
)

LISTINGS: dict[str, Listing] = {x.name: x for x in (COMMUNITIES, PROJECTS, ITEMS, INSPECTIONS, RECTIFICATIONS)}


def _listing(name: str) -> Listing:
    if name not in LISTINGS:
        raise ValidationError(f"没有名为“{name}”的列表（可选：{'、'.join(LISTINGS)}）")
    return LISTINGS[name]


def _fts(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def count(session: Session, name: str, query: ListQuery = ListQuery()) -> int:
    return session.scalar(_listing(name).count_select(query, fts=_fts(session), session=session)) or 0


def _order(listing: Listing, query: ListQuery) -> tuple[list[Any], bool]:
    """The ORDER BY columns (the record id last, so the order is total) and whether it runs descending."""
    sort_key, descending = query.sort_key, query.descending
    if not sort_key and listing.default_sort:
        sort_key, descending = listing.default_sort
    if not sort_key:
        return [listing.entity.id], False
    if sort_key not in listing.sort_keys:
        raise ValidationError(f"不能按“{sort_key}”排序")
    col = listing.sort_keys[sort_key]
    return [*(col if isinstance(col, tuple) else (col,)), listing.entity.id], descending


def _sorted(columns: list[Any], descending: bool, postgres: bool) -> list[Any]:
    """ORDER BY terms; NULL sorts first ascending on both databases (SQLite's way, so keyset seeks agree)."""
    terms = []
    for col in columns:
        term = col.desc() if descending else col.asc()
        if postgres:
            term = term.nulls_last() if descending else term.nulls_first()
        terms.append(term)
    return terms


def _beyond(columns: list[Any], values: list[Any], descending: bool) -> ColumnElement[bool]:
    """Rows strictly after `values` in the order of `columns` (NULL smallest): the keyset seek.

    A row-value comparison where no NULL can get in the way (SQLite and PostgreSQL both seek it in the
    index); else spelled out column by column.
    """
    nullable = any(getattr(c, "nullable", True) for c in columns[:-1])
    if all(v is not None for v in values) and (not descending or not nullable):
        key = tuple_(*columns)
        at = tuple_(*(literal(v, c.type) for c, v in zip(columns, values, strict=True)))  # money binds as fen
        return key < at if descending else key > at
    terms = []
    for i, (col, value) in enumerate(zip(columns, values, strict=True)):
        same = [c.is_(None) if v is None else c == v for c, v in zip(columns[:i], values[:i], strict=True)]
        if descending:
            step = false() if value is None else or_(col < value, col.is_(None))
        else:
            step = col.is_not(None) if value is None else col > value
        terms.append(and_(*same, step))
    return or_(*terms)


def page(
    session: Session,
    name: str,
    query: ListQuery = ListQuery(),
    offset: int = 0,
    limit: int = 500,
    *,
    total: int | None = None,
    anchor: tuple[int, Mapping[str, Any]] | None = None,
    seek_keys: bool = False,
) -> list[dict]:
    """Rows offset … offset+limit-1 of the list.

    Deep pages cost about what the first does: with `anchor` (the index of a row already read and that row,
    read with `seek_keys=True` so it carries its sort key) the page is sought from that row in the index,
    forwards or backwards, instead of counted from the top with OFFSET; without one, a page in the second
    half (`total` known) is read from the end in reverse order; the items in 按小区排序 are sought from the
    stored landmark nearest the page (core/stored_landmarks.py) when that is nearer than either. Rows then hold
    `_k0`, `_k1`… (their sort key).
    """
    listing = _listing(name)
    fts = _fts(session)
    postgres = session.get_bind().dialect.name == "postgresql"
    columns, descending = _order(listing, query)
    conditions = listing.conditions(query, fts=fts, session=session)
    plain = list(conditions)  # before any seek condition: the stored landmarks' plan starts from these
    reverse, skip, take = False, offset, limit
    end = offset + limit
    values = None
    if anchor is not None:
        at, row = anchor
        values = [row.get(f"_k{i}", ...) for i in range(len(columns))]
        if ... in values or offset < at < end:
            values = None
    if values is not None:
        at = anchor[0]  # type: ignore[index]
        if at == offset:  # the page starts at the row seen (a landmark, a page read before): from it on
            conditions.append(not_(_beyond(columns, values, not descending)))
            skip = 0
        elif at < offset:
            conditions.append(_beyond(columns, values, descending))
            skip = offset - at - 1
        else:
            conditions.append(_beyond(columns, values, not descending))
            skip, reverse = at - end, True
    elif total is not None and offset > total // 2:
        end = min(end, total)
        reverse, skip, take = True, total - end, max(0, end - offset)
    # Flushed first as Session.execute would, so this session's pending changes are listed (and counted in
    # the stored landmarks, whose triggers run on the flush).
    if session.autoflush:
        session.flush()
    if skip > DEEP_SKIP and fts and stored_landmarks.applies(name, [c.key for c in columns], query):
        stored = _from_stored_landmark(session, columns, descending, offset, limit, total)
        if stored is not None and stored[2] < skip:
            condition, reverse, skip, take = stored
            conditions = [*plain, condition]
    order = _sorted(columns, descending != reverse, postgres)
    if skip > DEEP_SKIP:
        # Far from any row seen: find the sort key just before the page from the sort index alone (OFFSET
        # over index entries, no join per skipped row: 5.3 s → a tenth of it on two million items), then
        # seek from it as from a row already read.
        keys = _keys_only(listing, columns, conditions)
        if keys is not None:
            found = session.connection().execute(keys.order_by(*order).offset(skip - 1).limit(1)).first()
            if found is None:
                return []
            conditions.append(_beyond(columns, list(found), descending != reverse))
            skip = 0
    # Executed as Core: the statement selects plain columns, so the rows are the ones Session.execute gives,
    # without its ORM loading step per row (half the time of a 500-row page, benchmarks/bench_gui.py).
    q = listing.base().where(*conditions)
    if seek_keys:
        q = q.add_columns(*(c.label(f"_k{i}") for i, c in enumerate(columns)))
    q = q.order_by(*order)
    result = session.connection().execute(q.offset(skip).limit(take))
    names = list(result.keys())
    rows = [dict(zip(names, row, strict=True)) for row in result.all()]  # a third quicker than mappings()
    if reverse:
        rows.reverse()
    return rows


def _from_stored_landmark(
    session: Session, columns: list[Any], descending: bool, offset: int, limit: int, total: int | None
) -> tuple[ColumnElement[bool], bool, int, int] | None:
    """(seek condition, reverse, skip, take) for rows offset … offset+limit-1 sought from the stored landmark
    nearest before them (core/stored_landmarks.py), or None when there is none.

    Read ascending from the landmark's key or, when the next landmark is nearer, descending from that one's:
    a range of the sort index either way. A page of the descending order (which needs the total) is the same
    rows as in the ascending order, reversed."""
    if not descending:
        first, take, reverse = offset, limit, False
    elif total is None:
        return None
    else:
        first = max(0, total - offset - limit)
        take, reverse = total - offset - first, True
        if take <= 0:
            return None
    conn = session.connection()
    mark = stored_landmarks.nearest(conn, first)
    if mark is None:
        return None
    before, key = mark

    def bound(values: list[Any]) -> Any:
        return tuple_(*(literal(v, c.type) for c, v in zip(columns, values, strict=True)))

    later = stored_landmarks.nearest(conn, first + take, after=True)
    if later is not None and later[0] - (first + take) < first - before:
        # nearer the next landmark: the rows before its key, read backwards (no NULL key among them: the
        # landmark before the page already sorts above every NULL)
        return tuple_(*columns) < bound(later[1]), not reverse, later[0] - (first + take), take
    # the rows from the landmark's key on (a row-value range SQLite seeks; NULL keys sort before it and are
    # left out by the comparison, as they should be)
    return tuple_(*columns) >= bound(key), reverse, first - before, take


DEEP_SKIP = 100  # rows an OFFSET may step over with every join (~0.1 ms each on 2M items) before the index is asked


def _keys_only(listing: Listing, columns: list[Any], conditions: list[ColumnElement[bool]]) -> Select | None:
    """The sort keys of the listed rows from the entity's table alone (its sort index, when that covers the
    conditions), or None when a condition or a sort column needs the joins."""
    if not listing.count_alone:
        return None
    keys = select(*columns).select_from(listing.entity).where(*conditions)
    return keys if keys.get_final_froms() == [listing.entity.__table__] else None


def landmarks(
    session: Session,
    name: str,
    query: ListQuery = ListQuery(),
    every: int = 2000,
    most: int = 1000,
    *,
    total: int | None = None,
    budget: float = 2.0,
) -> list[tuple[int, dict[str, Any]]]:
    """The sort keys (`_k0`, `_k1`… as `page(seek_keys=True)` gives them) of every `every`-th row, up to `most`:
    a table that has them seeks any page from the nearest one, so a jump to the middle of two million items
    costs what a page does. Each step is a seek and an OFFSET of `every` entries in the sort index; a listing
    whose order or conditions need its joins gives none (its pages use OFFSET).

    A step whose conditions are dear to make (a search's id lists, a category's communities) makes the steps
    longer, so the whole stays within about `budget` seconds of a worker thread for a list of `total` rows."""
    import time

    listing = _listing(name)
    columns, descending = _order(listing, query)
    conditions = listing.conditions(query, fts=_fts(session), session=session)
    keys = _keys_only(listing, columns, conditions)
    if keys is None or every < 1:
        return []
    order = _sorted(columns, descending, session.get_bind().dialect.name == "postgresql")
    conn = session.connection()
    found = conn.execute(keys.order_by(*order).limit(1)).first()
    out: list[tuple[int, dict[str, Any]]] = []
    at = 0
    started = time.perf_counter()
    while found is not None and len(out) < most:
        out.append((at, {f"_k{i}": v for i, v in enumerate(found)}))
        step = keys.where(_beyond(columns, list(found), descending)).order_by(*order).offset(every - 1).limit(1)
        found = conn.execute(step).first()
        at += every
        elapsed = time.perf_counter() - started
        if total and at < total:  # the steps so far tell what one costs: spread the rest over the budget left
            steps_left = max(2, int((budget - elapsed) / max(elapsed / len(out), 1e-4)))
            every = max(every, -(-(total - at) // steps_left))
        if elapsed > 3 * budget:
            break  # far dearer than the steps so far said: the landmarks so far still help
    return out


def row_position(session: Session, name: str, query: ListQuery, record_id: str) -> int | None:
    """0-based position of a record in the order `page` lists it (same filters, same sort, NULLs where `page`
    puts them), or None when the query does not list it.

    Counted, not numbered: the rows that sort before the record (the keyset seek backwards from its sort key,
    `_beyond`, the very condition `page` seeks with) are counted along the index the listing sorts by, so a
    record 150,000 rows down a 200,000-row ledger is found in about the time of a COUNT. A table pays it only
    when it has lost its record (an edit moved it), never per page.
    """
    listing = LISTINGS.get(name)
    if listing is None:
        return None
    columns, descending = _order(listing, query)
    conditions = listing.conditions(query, fts=_fts(session), session=session)
    probe = listing.base().where(*conditions, listing.entity.id == record_id)
    found = session.execute(probe.with_only_columns(*columns, maintain_column_froms=True)).first()
    if found is None:
        return None
    before = _beyond(columns, list(found), not descending)
    counted = select(func.count()).select_from(listing.entity).where(*conditions, before)
    if not (listing.count_alone and counted.get_final_froms() == [listing.entity.__table__]):
        counted = select(func.count()).select_from(listing.base().where(*conditions, before).subquery())
    return int(session.scalar(counted) or 0)


def status_label(code: str) -> str:
    return STATUS_LABELS.get(code, code)
