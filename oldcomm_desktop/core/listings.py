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

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.lifecycle import STATUS_LABELS
from oldcomm_desktop.core.model import (
    Category,
    Community,
    Division,
    Inspection,
    ItemType,
    Project,
    Rectification,
    RenovationItem,
)


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
    words = [w for w in text.split() if w]
    return and_(*(or_(*(c.like(_like(w), escape="\\") for c in columns)) for w in words))


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

    def conditions(self, query: ListQuery) -> list[ColumnElement[bool]]:
        deleted = self.entity.deleted_at
        found = [deleted.is_not(None) if query.include_deleted else deleted.is_(None)]
        if query.search.strip():
            found.append(_search(self.search_columns(), query.search.strip()))
        for name, value in query.filters.items():
            if value in (None, "", ()):
                continue
            if name not in self.filters:
                raise ValidationError(f"不能按“{name}”筛选")
            if name == "township":  # a code of another level (a county's) would silently match nothing
                value = township_filter(value)
            found.append(self.filters[name](value))
        return found

    def select(self, query: ListQuery) -> Select:
        return self.base().where(*self.conditions(query))

    def count_select(self, query: ListQuery) -> Select:
        """COUNT(*) of the rows `select` gives, without its joins when no condition needs them."""
        conditions = self.conditions(query)
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


def _communities_with_category(value: Any) -> ColumnElement[bool]:
    """Communities with a live item of the category (code or id).

    EXISTS, not IN: a page looks at the items of its 500 communities only (by community_id), where IN
    collected the communities of every item of the category first (seconds for 2 million items).
    """
    return (
        select(RenovationItem.id)
        .join(ItemType, ItemType.id == RenovationItem.item_type_id)
        .join(Category, Category.id == ItemType.category_id)
        .where(
            RenovationItem.community_id == Community.id,
            RenovationItem.deleted_at.is_(None),
            (Category.code == value) | (Category.id == value),
        )
        .correlate(Community)
        .exists()
    )


COMMUNITIES = Listing(
    "communities",
    _communities,
    Community,
    lambda: [Community.name, Community.address, Community.search_initials],
    {
        "name": Community.name,
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
)


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
        Project.total_investment,
        n.label("communities"),
        Project.deleted_at,
    ).outerjoin(TownshipDiv, TownshipDiv.code == Project.township_code)


PROJECTS = Listing(
    "projects",
    _projects,
    Project,
    lambda: [Project.name, Project.search_initials, Project.contractor],
    {
        "name": Project.name,
        "plan_year": Project.plan_year,
        "township": Project.township_code,
        "total_investment": Project.total_investment,
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
        "community": Community.name,
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
    count_alone=True,  # inner joins along community_id, item_type_id and category_id, all required keys
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
    {"inspected_on": Inspection.inspected_on, "kind": Inspection.kind, "community": Community.name},
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
            Rectification.deleted_at,
        )
        .join(Inspection, Inspection.id == Rectification.inspection_id)
        .outerjoin(Community, Community.id == Inspection.community_id)
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
        "community": Community.name,
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


def count(session: Session, name: str, query: ListQuery = ListQuery()) -> int:
    return session.scalar(_listing(name).count_select(query)) or 0


def page(session: Session, name: str, query: ListQuery = ListQuery(), offset: int = 0, limit: int = 500) -> list[dict]:
    listing = _listing(name)
    q = listing.select(query)
    entity_id = listing.entity.id
    sort_key, descending = query.sort_key, query.descending
    if not sort_key and listing.default_sort:
        sort_key, descending = listing.default_sort
    if sort_key:
        if sort_key not in listing.sort_keys:
            raise ValidationError(f"不能按“{sort_key}”排序")
        col = listing.sort_keys[sort_key]
        q = q.order_by(col.desc() if descending else col.asc(), entity_id.desc() if descending else entity_id.asc())
    else:
        q = q.order_by(entity_id)
    # Executed as Core: the statement selects plain columns, so the rows are the ones Session.execute gives,
    # without its ORM loading step per row (half the time of a 500-row page, benchmarks/bench_gui.py).
    # Flushed first as Session.execute would, so this session's pending changes are listed.
    if session.autoflush:
        session.flush()
    result = session.connection().execute(q.offset(offset).limit(limit))
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result.all()]  # a third quicker than mappings()


def status_label(code: str) -> str:
    return STATUS_LABELS.get(code, code)
