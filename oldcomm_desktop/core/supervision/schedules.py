"""Inspection schedules (检查计划): who checks what how often, and each occurrence due / done / missed.

Occurrences are computed, not stored: a month (or, for a weekly patrol, an ISO week while the community
is under construction — from its 开工 milestone to its 完工) is *done* when an inspection of the
schedule's kind was recorded in it (on the community, or anywhere in the township for a township-wide
schedule), *missed* once it has passed without one, and *due* while it runs. Missed occurrences of the
current year count on the dashboard beside overdue rectifications.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, divisions, inspections, records
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.fields import Field, problem, spec_of
from oldcomm_desktop.core.model import ChecklistTemplate, Community, Inspection, Milestone
from oldcomm_desktop.core.model.supervision import InspectionSchedule
from oldcomm_desktop.core.supervision.periods import Window, windows
from oldcomm_desktop.core.townships import township_rule, with_default_township

FREQUENCIES = {"monthly": "每月", "weekly": "每周（在建期间）"}
STATES = {"due": "待检查", "done": "已检查", "missed": "漏检"}

FIELDS = spec_of(
    Field("township_code", "乡镇（街道）", max_length=12),
    Field("community_id", "小区", max_length=36),
    Field("kind", "检查类型", "choice", required=True, choices=inspections.KINDS),
    Field("template_id", "检查表模板", max_length=36),
    Field("frequency", "频次", "choice", required=True, choices=FREQUENCIES),
    Field("inspector", "检查人", max_length=100),
    Field("starts_on", "开始日期", "date", required=True),
    Field("ends_on", "结束日期", "date"),
    Field("notes", "备注"),
)


def community_problems(community: Any | None) -> list[FieldProblem]:
    """A schedule's community exists and is not in the recycle bin (shared with the bulk write path)."""
    if community is None or community.deleted_at is not None:
        return [problem(FIELDS, "community_id", "所选小区不存在或已删除")]
    return []


def schedule_problems(s: Any, template: Any | None) -> list[FieldProblem]:
    """The rules of one schedule beside its community and township: a weekly patrol needs a community, the
    end is not before the start, the template exists and is one for the schedule's kind of inspection.
    `template` is the stored template `s.template_id` names (None if there is none). One definition, run by
    `add`/`update` and by the bulk write path (importing/bulk_tables.py)."""
    problems: list[FieldProblem] = []
    if s.frequency == "weekly" and not s.community_id:
        problems.append(problem(FIELDS, "frequency", "每周巡查只在小区施工期间进行，请选择小区"))
    if s.ends_on and s.ends_on < s.starts_on:
        problems.append(problem(FIELDS, "ends_on", f"结束日期 {s.ends_on} 早于开始日期 {s.starts_on}"))
    if s.template_id:
        t = template
        if t is None or t.deleted_at is not None:
            problems.append(problem(FIELDS, "template_id", "所选检查表模板不存在"))
        elif t.inspection_kind != s.kind:
            problems.append(problem(FIELDS, "template_id", f"模板“{t.name}”不是{inspections.KINDS[s.kind]}用的"))
    return problems


def find_template(session: Session, ref: str) -> ChecklistTemplate | None:
    """A checklist template by id, or by code (a code is as good as an id)."""
    found = session.get(ChecklistTemplate, ref)
    if found is None:
        found = session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == ref))
    return found


def _rules(session: Session, s: InspectionSchedule, confirm: bool) -> list[FieldProblem]:
    if s.community_id:
        c = session.get(Community, s.community_id)
        missing = community_problems(c)
        if missing or c is None:
            return missing
        s.township_code = c.township_code
    template = session.get(ChecklistTemplate, s.template_id) if s.template_id else None
    return township_rule(session, FIELDS, s.township_code) + schedule_problems(s, template)


def _prepare(session: Session, data: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if data.get("community_id"):
        c = session.get(Community, str(data["community_id"]))
        if c is not None:
            data["township_code"] = c.township_code
    tmpl = data.get("template_id")
    if tmpl:  # a code is as good as an id
        found = find_template(session, str(tmpl))
        data["template_id"] = found.id if found is not None else tmpl
    return with_default_township(session, data)


def add(session: Session, data: Mapping[str, Any]) -> InspectionSchedule:
    schedule = InspectionSchedule()
    records.apply(session, schedule, FIELDS, _prepare(session, data), [_rules])
    session.flush()
    return schedule


def update(session: Session, schedule_id: str, changes: Mapping[str, Any]) -> InspectionSchedule:
    schedule = records.get(session, InspectionSchedule, schedule_id)
    records.apply(session, schedule, FIELDS, _prepare(session, changes), [_rules])
    session.flush()
    return schedule


def delete(session: Session, schedule_id: str) -> None:
    records.soft_delete(session, records.get(session, InspectionSchedule, schedule_id))
    session.flush()


def _live_schedules():  # a Select
    """Live schedules whose community (if any) is live too: a community in the recycle bin is not checked."""
    return (  # Core rows, not ORM objects: a county has thousands of schedules and this is read-only
        select(InspectionSchedule.__table__)
        .outerjoin(Community, Community.id == InspectionSchedule.community_id)
        .where(
            InspectionSchedule.deleted_at.is_(None),
            or_(InspectionSchedule.community_id.is_(None), Community.deleted_at.is_(None)),
        )
    )


@dataclass(frozen=True)
class Occurrence:
    schedule_id: str
    township_code: str
    community_id: str | None
    kind: str
    window: Window
    state: str  # due | done | missed
    inspection_id: str | None = None
    done_on: date | None = None


def _construction_spans(session: Session, community_ids: list[str]) -> dict[str, tuple[date, date | None]]:
    """Per community: (开工 date, 完工 date or None) from its live milestones; absent if never started."""
    spans: dict[str, list[date | None]] = {}
    if not community_ids:
        return {}
    q = select(Milestone.community_id, Milestone.kind, Milestone.reached_on).where(
        Milestone.deleted_at.is_(None),
        Milestone.kind.in_(("start", "completion")),
        Milestone.community_id.in_(community_ids),
    )
    for cid, kind, on in session.execute(q):
        assert cid is not None  # filtered by community_id IN (...)
        span = spans.setdefault(cid, [None, None])
        slot = 0 if kind == "start" else 1
        earlier = span[slot]
        span[slot] = on if earlier is None else min(earlier, on)
    return {cid: (s, e) for cid, (s, e) in spans.items() if s is not None}


def schedule_windows(s: Any, until: date, spans: Mapping[str, tuple[date, date | None]]) -> list[Window]:
    """The windows of one schedule (a row or record) begun by `until` (weekly ones only while under construction)."""
    start, stop = s.starts_on, s.ends_on
    if s.frequency == "weekly":
        span = spans.get(s.community_id or "")
        if span is None:
            return []
        start = max(start, span[0])
        if span[1] is not None:
            stop = min(stop, span[1]) if stop else span[1]
    if stop is not None and stop < start:
        return []
    return windows(s.frequency, start, until, stop)


def occurrences(
    session: Session,
    *,
    today: date | None = None,
    township: str | None = None,
    schedule_id: str | None = None,
    since: date | None = None,
) -> list[Occurrence]:
    """Every occurrence of the live schedules up to today (those ending before `since` left out)."""
    today = today or inspections.today()
    q = _live_schedules()
    if township:
        q = q.where(InspectionSchedule.township_code == township)
    if schedule_id:
        q = q.where(InspectionSchedule.id == schedule_id)
    schedules = session.execute(q.order_by(InspectionSchedule.township_code, InspectionSchedule.starts_on)).all()
    if not schedules:
        return []
    earliest = min(s.starts_on for s in schedules)
    if since is not None:  # a window that ends after `since` began at most a month before it
        earliest = max(earliest, since - timedelta(days=31))
    spans = _construction_spans(session, [s.community_id for s in schedules if s.community_id])
    # inspections by (community, kind) and by (township, kind), each sorted by day, to bisect per window
    by_community: dict[tuple[str, str], list[tuple[date, str]]] = defaultdict(list)
    by_township: dict[tuple[str, str], list[tuple[date, str]]] = defaultdict(list)
    kinds = {s.kind for s in schedules}
    rows = session.execute(
        select(
            Inspection.community_id, Inspection.township_code, Inspection.kind, Inspection.inspected_on, Inspection.id
        )
        .where(Inspection.deleted_at.is_(None), Inspection.kind.in_(kinds), Inspection.inspected_on >= earliest)
        .order_by(Inspection.inspected_on, Inspection.id)
    )
    for cid, tcode, kind, on, iid in rows:
        if cid:
            by_community[(cid, kind)].append((on, iid))
        by_township[(tcode or "", kind)].append((on, iid))
    found: list[Occurrence] = []
    for s in schedules:
        done_list = (
            by_community[(s.community_id, s.kind)] if s.community_id else by_township[(s.township_code or "", s.kind)]
        )
        for w in schedule_windows(s, today, spans):
            if since is not None and w.end < since:
                continue
            i = bisect.bisect_left(done_list, (w.start, ""))
            hit = done_list[i] if i < len(done_list) and done_list[i][0] <= w.end else None
            state = "done" if hit else ("missed" if w.end < today else "due")
            found.append(
                Occurrence(
                    s.id,
                    s.township_code or "",
                    s.community_id,
                    s.kind,
                    w,
                    state,
                    hit[1] if hit else None,
                    hit[0] if hit else None,
                )
            )
    return found


def missed_count(session: Session, today: date | None = None, township: str | None = None) -> int:
    """Missed occurrences of the current year: what the dashboard counts beside overdue rectifications."""
    today = today or inspections.today()
    return sum(
        o.state == "missed" for o in occurrences(session, today=today, township=township, since=date(today.year, 1, 1))
    )


# -- plain data for the faces ---------------------------------------------------------------------------------


def rows(session: Session, *, township: str | None = None, today: date | None = None) -> list[dict]:
    """The live schedules with their figures this year (done / missed) and the current occurrence's state."""
    today = today or inspections.today()
    q = _live_schedules()
    if township:
        q = q.where(InspectionSchedule.township_code == township)
    schedules = session.execute(q.order_by(InspectionSchedule.township_code, InspectionSchedule.created_at)).all()
    occ = occurrences(session, today=today, township=township, since=date(today.year, 1, 1))
    by_schedule: dict[str, list[Occurrence]] = defaultdict(list)
    for o in occ:
        by_schedule[o.schedule_id].append(o)
    names = _community_names(session, [s.community_id for s in schedules if s.community_id])
    templates = dict(session.execute(select(ChecklistTemplate.id, ChecklistTemplate.name)).all())
    towns = {d.code: d.name for d in divisions.townships(session)}
    out = []
    for s in schedules:
        mine = by_schedule[s.id]
        current = next((o for o in reversed(mine) if today in o.window), None)
        out.append(
            {
                "id": s.id,
                "township_code": s.township_code,
                "township": towns.get(s.township_code or "", s.township_code),
                "community_id": s.community_id,
                "community": names.get(s.community_id or "", "（全乡镇）"),
                "kind": s.kind,
                "kind_label": inspections.KINDS.get(s.kind, s.kind),
                "template": templates.get(s.template_id or ""),
                "frequency": s.frequency,
                "frequency_label": FREQUENCIES.get(s.frequency, s.frequency),
                "inspector": s.inspector,
                "starts_on": s.starts_on,
                "ends_on": s.ends_on,
                "done_this_year": sum(o.state == "done" for o in mine),
                "missed_this_year": sum(o.state == "missed" for o in mine),
                "current_state": current.state if current else None,
                "current_state_label": STATES.get(current.state, "") if current else "（不在检查期）",
            }
        )
    return out


def due_rows(
    session: Session, *, township: str | None = None, today: date | None = None, include_missed: bool = True
) -> list[dict]:
    """Occurrences still to do (due now) and, unless told otherwise, this year's missed ones: the to-do list."""
    today = today or inspections.today()
    wanted = {"due", "missed"} if include_missed else {"due"}
    occ = [
        o
        for o in occurrences(session, today=today, township=township, since=date(today.year, 1, 1))
        if o.state in wanted
    ]
    inspectors = dict(
        session.execute(
            select(InspectionSchedule.id, InspectionSchedule.inspector).where(
                InspectionSchedule.id.in_({o.schedule_id for o in occ})
            )
        ).all()
    )
    names = _community_names(session, [o.community_id for o in occ if o.community_id])
    towns = {d.code: d.name for d in divisions.townships(session)}
    out = [
        {
            "schedule_id": o.schedule_id,
            "township_code": o.township_code,
            "township": towns.get(o.township_code, o.township_code),
            "community_id": o.community_id,
            "community": names.get(o.community_id or "", "（全乡镇）"),
            "kind": o.kind,
            "kind_label": inspections.KINDS.get(o.kind, o.kind),
            "inspector": inspectors.get(o.schedule_id),
            "window_start": o.window.start,
            "window_end": o.window.end,
            "state": o.state,
            "state_label": STATES[o.state],
        }
        for o in occ
    ]
    out.sort(key=lambda r: (r["state"] != "missed", r["window_end"], r["township_code"], r["community"]))
    return out


def _community_names(session: Session, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Community.id, Community.name).where(Community.id.in_(set(ids)))).all())


def template_choices(session: Session, kind: str) -> list[dict]:
    """The templates one may attach to a schedule of `kind` (the inspections' own)."""
    return inspections.templates(session, kind)


def default_template(session: Session, kind: str) -> str | None:
    try:
        return catalogues.template(session, f"{kind}_default").id
    except ValidationError:  # a county may have deleted the default: no template then
        return None
