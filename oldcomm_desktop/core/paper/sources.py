"""The facts a form prints, gathered through the core's existing queries as plain values.

Forms never query on their own: an inspection comes from `inspections.detail`, a rectification from
`inspections.rectification_detail`, items from the "items" listing, money from `funding`,
the parties from `responsibility`. This module only adds what a paper form needs beside them (the
township's name, the site's units, the photos before and after).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import attachments, divisions, listings, milestones, records, responsibility
from oldcomm_desktop.core.errors import NotFound, OldcommError
from oldcomm_desktop.core.model import Community, Inspection, Milestone, Project


@dataclass(frozen=True)
class Site:
    """Where a form's record belongs: community, project, township and the units responsible."""

    community_id: str | None = None
    community: str = ""
    address: str = ""
    township: str = ""
    project: str = ""
    parties: list[responsibility.Party] = field(default_factory=list)

    def unit(self, role: str) -> str:
        return next((p.unit_name for p in self.parties if p.role == role), "")

    def leader(self, role: str) -> str:
        return next((p.leader for p in self.parties if p.role == role), "")


def site(session: Session, community_id: str | None, project_id: str | None = None) -> Site:
    community = session.get(Community, community_id) if community_id else None
    project_id = project_id or (community.project_id if community else None)
    project = session.get(Project, project_id) if project_id else None
    owner = community or project
    township = owner.township_code if owner else None
    return Site(
        community.id if community else None,
        community.name if community else "",
        (community.address or "") if community else "",
        divisions.name_of(session, township) if township else "",
        project.name if project else "",
        responsibility.parties(session, project.id) if project else [],
    )


def inspection(session: Session, inspection_id: str, kinds: tuple[str, ...], form_label: str) -> dict[str, Any]:
    """An inspection's detail for a form that prints only `kinds`; another kind gets a Chinese message."""
    from oldcomm_desktop.core import inspections

    try:
        d = inspections.detail(session, inspection_id)
    except NotFound:
        raise NotFound(f"找不到编号为 {inspection_id} 的检查记录（可能已删除，或不是检查记录的编号）") from None
    if d["kind"] not in kinds:
        raise OldcommError(f"编号 {inspection_id} 是一次{d['kind_label']}，不能打印为{form_label}")
    insp = session.get(Inspection, inspection_id)
    d["template_id"] = insp.template_id if insp else None
    d["site"] = site(session, d["community_id"], insp.project_id if insp else None)
    d["rectifications"] = [inspections.rectification_detail(session, r["id"]) for r in d["rectifications"]]
    return d


def rectification(session: Session, rectification_id: str) -> dict[str, Any]:
    from oldcomm_desktop.core import inspections

    try:
        d = inspections.rectification_detail(session, rectification_id)
    except NotFound:
        raise NotFound(f"找不到编号为 {rectification_id} 的整改通知（可能已删除，或不是整改通知的编号）") from None
    insp = session.get(Inspection, d["inspection_id"])
    d["inspectors"] = insp.inspectors if insp else ""
    d["site"] = site(session, insp.community_id if insp else None, insp.project_id if insp else None)
    return d


def community(session: Session, community_id: str) -> Community:
    try:
        return records.get(session, Community, community_id)
    except NotFound:
        raise NotFound(f"找不到编号为 {community_id} 的小区（可能已删除，或不是小区的编号）") from None


def items(session: Session, community_id: str) -> list[dict]:
    """The community's renovation items, from the "items" listing (category order, then type)."""
    query = listings.ListQuery(filters={"community": community_id}, sort_key="item_type")
    rows = listings.page(session, "items", query, 0, 100_000)
    return sorted(rows, key=lambda r: (r.get("category") or "", r.get("item_type") or ""))


def milestone_date(session: Session, community_id: str, kind: str) -> date | None:
    """The date a milestone was first reached by the community (or its project)."""
    for entry in milestones.timeline(session, community_id):
        if entry.kind == kind:
            return entry.reached_on
    return None


BEFORE_KINDS = ("survey", "publicity", "plan", "approval", "design_review", "tender", "permit", "start")
AFTER_KINDS = ("completion", "acceptance", "filing", "handover", "takeover")


def photos(session: Session, community_id: str, limit: int = 4) -> tuple[list[dict], list[dict]]:
    """Photos before and after the renovation: the community's own (by caption: 改造前 / 改造后 …) and those
    of its milestones (survey … start before, completion … takeover after). Only image files."""
    c = community(session, community_id)
    own = attachments.files(session, Community.__tablename__, [c.id])
    ms = {
        m.id: m.kind
        for m in session.scalars(
            select(Milestone).where(
                Milestone.deleted_at.is_(None),
                (Milestone.community_id == c.id)
                | ((Milestone.project_id == c.project_id) if c.project_id else Milestone.id.is_(None)),
            )
        )
    }
    by_milestone = attachments.files(session, Milestone.__tablename__, list(ms))
    before, after = [], []
    for f in own:
        words = f"{f.get('caption') or ''}{f.get('file_name') or ''}"
        if any(w in words for w in ("改造后", "竣工", "完工", "after")):
            after.append(f)
        elif any(w in words for w in ("改造前", "现状", "before")):
            before.append(f)
    for f in by_milestone:
        (after if ms.get(f["owner_id"]) in AFTER_KINDS else before).append(f)
    images = lambda fs: [f for f in fs if (f.get("media_type") or "").startswith("image/")][:limit]  # noqa: E731
    return images(before), images(after)


def inspections_of(
    session: Session, *, period: str | None = None, township: str | None = None, kinds: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """(id, kind) of the live inspections of a month (YYYY-MM) and/or township, oldest first."""
    q = select(Inspection.id, Inspection.kind).where(Inspection.deleted_at.is_(None))
    if period:
        year, month = (int(p) for p in period.split("-"))
        first = date(year, month, 1)
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        q = q.where(Inspection.inspected_on >= first, Inspection.inspected_on < nxt)
    if township:
        q = q.where(Inspection.township_code == township)
    if kinds:
        q = q.where(Inspection.kind.in_(kinds))
    return [(i, k) for i, k in session.execute(q.order_by(Inspection.inspected_on, Inspection.created_at))]
