"""What the 小区台账 page shows about one community as plain values: its header and the choice lists.

The GUI's sessions close before a widget paints, so everything here returns dataclasses and dicts, never
ORM objects with lazy relations. The choice lists (years, categories, projects, villages, item types) are
queries too, so they live here rather than in a widget. A community's milestones (its timeline, undoing a
removal) live in `milestones`, its money (the funding table, the money view, investment entries) in
`funding`, the townships a clerk may choose in `townships.choices`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, divisions, records
from oldcomm_desktop.core.lifecycle import STATUS_LABELS
from oldcomm_desktop.core.model import (
    Community,
    Division,
    Project,
)

# -- choice lists --------------------------------------------------------------------------------------


def village_choices(session: Session, township_code: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of residents' committees and villages (所属社区), optionally of one township."""
    from oldcomm_desktop.core import national_divisions

    q = select(Division.code, Division.name).where(Division.level == "village", Division.deleted_at.is_(None))
    if township_code:
        q = q.where(Division.code.startswith(township_code[:9]))
    found: dict[str, str] = {c: n for c, n in session.execute(q)}
    listed = national_divisions.children(township_code) if township_code else []
    for e in listed:  # the township's 社区/村 from the national list, registered when a community uses one
        found.setdefault(e.code, e.name)
    listed_codes = {e.code for e in listed}
    return [
        (c, n if c in listed_codes or national_divisions.listed(c) else f"{n}（手工添加）")
        for c, n in sorted(found.items())
    ]


def plan_year_choices(session: Session) -> list[int]:
    """The plan years (改造年度) that live communities have, newest first: the 批次年度 filter.

    One index seek per year (the largest year below the last one found) rather than DISTINCT over every
    community: the filter is filled when the 小区台账 page opens, and DISTINCT read all 200,000 index entries."""
    years: list[int] = []
    live = (Community.deleted_at.is_(None), Community.plan_year.is_not(None))
    while len(years) < 200:
        below = () if not years else (Community.plan_year < years[-1],)
        year = session.scalar(select(func.max(Community.plan_year)).where(*live, *below))
        if year is None:
            break
        years.append(int(year))
    return years


def category_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the item categories (基础类 / 完善类 / 提升类 …) from the catalogue."""
    return [(c.code, c.name) for c in catalogues.categories(session)]


def status_choices() -> list[tuple[str, str]]:
    return list(STATUS_LABELS.items())


def project_choices(session: Session, township_code: str | None = None) -> list[tuple[str, str]]:
    """(id, name) of live projects, optionally of one township, newest plan year first."""
    q = select(Project.id, Project.name).where(Project.deleted_at.is_(None))
    if township_code:
        q = q.where(Project.township_code == township_code)
    return [(i, n) for i, n in session.execute(q.order_by(Project.plan_year.desc(), Project.name))]


@dataclass(frozen=True)
class ItemTypeChoice:
    id: str
    code: str
    name: str
    unit: str
    category: str
    retired: bool = False

    @property
    def label(self) -> str:
        return f"{self.category} · {self.name}（{self.unit}）" + ("（已停用）" if self.retired else "")


def item_type_choices(session: Session, keep: str | None = None) -> list[ItemTypeChoice]:
    """Active item types in catalogue order, with their category and natural unit (and `keep`, an item's
    own type, even when retired: catalogues.item_types)."""
    return [
        ItemTypeChoice(t.id, t.code, t.name, t.unit, t.category.name if t.category else "", not t.active)
        for t in catalogues.item_types(session, keep=keep)
    ]


# -- header ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunityHeader:
    id: str
    name: str
    township: str
    project: str
    status: str
    status_label: str
    plan_year: int | None
    households: int | None
    floor_area: Decimal | None
    total_investment: Decimal | None
    progress_percent: int | None


def header(session: Session, community_id: str) -> CommunityHeader:
    """The one-line summary above the detail tabs."""
    c = records.get(session, Community, community_id)
    project = session.get(Project, c.project_id) if c.project_id else None
    return CommunityHeader(
        c.id,
        c.name,
        divisions.name_of(session, c.township_code),
        project.name if project else "",
        c.status,
        STATUS_LABELS.get(c.status, c.status),
        c.plan_year,
        c.households,
        c.floor_area,
        c.total_investment,
        c.progress_percent,
    )
