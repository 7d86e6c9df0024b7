"""Recording milestones, and keeping each community's derived status in step with them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import derived, records
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.fields import Field, parse_changes, spec_of
from oldcomm_desktop.core.lifecycle import (
    KIND_BY_CODE,
    Reached,
    order_problem,
    removal_problem,
)
from oldcomm_desktop.core.model import Community, Milestone, Project
from oldcomm_desktop.core.model.base import utcnow

FIELDS = spec_of(
    Field("kind", "节点", "choice", required=True, choices={k.code: k.label for k in KIND_BY_CODE.values()}),
    Field("reached_on", "日期", "date", required=True),
    Field("reason", "原因", max_length=500),
    Field("document_no", "文号/证号", max_length=100),
    Field("notes", "备注"),
)


def entry_problems(values: Mapping[str, Any], *, on_project: bool) -> list[FieldProblem]:
    """Rules on one milestone's own values (shared with the bulk write path); order rules are in lifecycle."""
    kind = KIND_BY_CODE[values["kind"]]
    if kind.code == "withdrawal" and not values.get("reason"):
        return [FieldProblem("reason", "原因", "退出计划必须写明原因")]
    if on_project and not kind.on_project:
        return [FieldProblem("kind", "节点", f"“{kind.label}”按小区记录，不能记在项目上")]
    return []


def milestones_of(session: Session, community: Community) -> list[Milestone]:
    """The community's own milestones and its project's, oldest first: together they make its status."""
    conditions = [Milestone.community_id == community.id]
    if community.project_id:
        conditions.append(Milestone.project_id == community.project_id)
    return list(
        session.scalars(
            select(Milestone)
            .where(Milestone.deleted_at.is_(None), or_(*conditions))
            .order_by(Milestone.reached_on, Milestone.created_at)
        )
    )


def _reached(ms: list[Milestone]) -> list[Reached]:
    return [Reached(m.kind, m.reached_on) for m in ms]


def status_of(session: Session, community: Community) -> str:
    return derived.community_status((m.kind for m in milestones_of(session, community)), community.plan_year)


def refresh_status(session: Session, community: Community) -> str:
    status = status_of(session, community)
    if community.status != status:
        community.status = status
    return status


def refresh_statuses(session: Session, community_ids: Iterable[str] = (), project_ids: Iterable[str] = ()) -> None:
    """Derive again, by `refresh_status`, the status of these communities and of every community under these
    projects, once a write that is not a clerk's single edit (a package, a rollback) has moved their milestones
    or brought them back: the bulk path derives a status before it writes, from the milestones stored live
    then, so a milestone it deletes or restores in the same batch is not yet seen.

    A community in the recycle bin keeps the status it had when deleted, as the recycle bin keeps it."""
    targets = set(community_ids)
    projects = sorted(set(project_ids))
    for k in range(0, len(projects), 500):
        q = select(Community.id).where(Community.project_id.in_(projects[k : k + 500]))
        targets |= set(session.scalars(q))
    session.flush()
    for cid in sorted(targets):
        # populate_existing: the bulk path wrote these rows past the ORM, whose copy may be older
        community = session.get(Community, cid, populate_existing=True)
        if community is not None and community.deleted_at is None:
            refresh_status(session, community)
    session.flush()


def add(
    session: Session, target: Community | Project, data: Mapping[str, Any], *, today: date | None = None
) -> Milestone:
    """Record a milestone on a community (or on a project, for all its communities), in order or not at all.

    Refused (InRecycleBin) under a community or project in the recycle bin: its status would move unseen.
    """
    records.refuse_if_binned(session, target, "添加进度节点")
    values = parse_changes(FIELDS, data, new=True)
    kind = KIND_BY_CODE[values["kind"]]
    problems = entry_problems(values, on_project=isinstance(target, Project))
    if problems:
        raise ValidationError(problems)
    affected = _affected(session, target)
    new = Reached(kind.code, values["reached_on"])
    followers = 0
    for community in affected:
        reached = _reached(milestones_of(session, community))
        if isinstance(target, Project) and any(r.kind == "withdrawal" for r in reached):
            continue  # a community that left the plan no longer holds up its project
        followers += 1
        why = order_problem(reached, new, today or date.today())
        if why:
            where = f"（小区“{community.name}”）" if isinstance(target, Project) else ""
            raise ValidationError(FieldProblem("reached_on", "日期", why + where))
    if isinstance(target, Project) and not followers:
        # a project without (remaining) communities still keeps its log in order
        existing = list(
            session.scalars(select(Milestone).where(Milestone.project_id == target.id, Milestone.deleted_at.is_(None)))
        )
        why = order_problem(_reached(existing), new, today or date.today())
        if why:
            raise ValidationError(FieldProblem("reached_on", "日期", why))
    milestone = Milestone(**values, township_code=target.township_code)
    if isinstance(target, Project):
        milestone.project_id = target.id
    else:
        milestone.community_id = target.id
    session.add(milestone)
    session.flush()
    for community in affected:
        refresh_status(session, community)
    session.flush()
    return milestone


def remove(session: Session, milestone_id: str, *, expected_version: int | None = None) -> None:
    """Undo a milestone (into the recycle bin) unless a later one depends on it."""
    milestone = records.get(session, Milestone, milestone_id, expected_version=expected_version)
    target = (
        session.get_one(Project, milestone.project_id)
        if milestone.project_id
        else session.get_one(Community, milestone.community_id)
    )
    affected = _affected(session, target)
    for community in affected:
        ms = milestones_of(session, community)
        reached = _reached([m for m in ms if m.id != milestone.id])
        why = removal_problem(
            reached + [Reached(milestone.kind, milestone.reached_on)], Reached(milestone.kind, milestone.reached_on)
        )
        if why:
            raise ValidationError(FieldProblem("kind", "节点", why))
    records.soft_delete(session, milestone)
    session.flush()
    for community in affected:
        refresh_status(session, community)
    session.flush()


def _affected(session: Session, target: Community | Project) -> list[Community]:
    if isinstance(target, Community):
        return [target]
    return list(
        session.scalars(select(Community).where(Community.project_id == target.id, Community.deleted_at.is_(None)))
    )


# -- a community's timeline, and undoing a removal ---------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    id: str
    kind: str
    label: str
    reached_on: date
    document_no: str | None
    reason: str | None
    notes: str | None
    on_project: bool  # recorded on the project, so it counts for every community of it


def timeline(session: Session, community_id: str) -> list[TimelineEntry]:
    """The community's milestones and its project's, oldest first (what makes its status)."""
    c = records.get(session, Community, community_id)
    return [
        TimelineEntry(
            m.id,
            m.kind,
            KIND_BY_CODE[m.kind].label if m.kind in KIND_BY_CODE else m.kind,
            m.reached_on,
            m.document_no,
            m.reason,
            m.notes,
            m.project_id is not None,
        )
        for m in milestones_of(session, c)
    ]


def restore(
    session: Session, milestone_id: str, *, today: date | None = None, expected_version: int | None = None
) -> Milestone:
    """Bring back a removed milestone (undo of a removal, redo of an addition), if it still fits the order.

    Keeping the same record (not adding a copy) keeps its id, documents and photos attached.
    """
    m = records.get(session, Milestone, milestone_id, include_deleted=True, expected_version=expected_version)
    if m.deleted_at is None:
        return m
    target = session.get(Community, m.community_id) if m.community_id else session.get(Project, m.project_id)
    if target is None or target.deleted_at is not None:
        raise ValidationError("该节点所属的小区或项目在回收站中，请先恢复它")
    affected = (
        [target]
        if isinstance(target, Community)
        else list(
            session.scalars(select(Community).where(Community.project_id == target.id, Community.deleted_at.is_(None)))
        )
    )
    new = Reached(m.kind, m.reached_on)
    for community in affected:
        existing = [Reached(x.kind, x.reached_on) for x in milestones_of(session, community)]
        why = order_problem(existing, new, today or date.today())
        if why:
            raise ValidationError(FieldProblem("reached_on", "日期", why))
    records.restore(session, m)
    m.updated_at = utcnow()
    session.flush()
    for community in affected:
        refresh_status(session, community)
    session.flush()
    return m
