"""Inspections with their checklists, rectification notices, replies and re-inspections.

A rectification's state follows from what happened to it: open until replied, awaiting re-inspection
once replied, overdue while not closed past its current deadline, closed only by a re-inspection that
passed with evidence (an after photo, or a note saying why there is none).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import attachments, catalogues, listings, records
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.fields import Field, parse_changes, problem, spec_of
from oldcomm_desktop.core.model import (
    Attachment,
    ChecklistTemplate,
    Community,
    Inspection,
    InspectionResult,
    Project,
    Rectification,
    Reinspection,
)

KINDS = {"patrol": "质量安全巡查", "acceptance": "竣工验收", "management": "长效管理检查"}
RESULTS = {"pass": "合格", "fail": "不合格", "na": "不适用"}
STATES = {"open": "待整改", "awaiting": "待复查", "overdue": "已逾期", "closed": "已销号"}

FIELDS = spec_of(
    Field("kind", "检查类型", "choice", required=True, choices=KINDS),
    Field("inspected_on", "检查日期", "date", required=True),
    Field("inspectors", "检查人员", max_length=200),
    Field("findings", "发现问题"),
    Field("notes", "备注"),
)
RESULT_FIELDS = spec_of(
    Field("text", "检查项", required=True),
    Field("area", "检查类别", max_length=50),
    Field("result", "结果", "choice", choices=RESULTS),
    Field("score", "得分", "decimal", minimum=0),
    Field("note", "说明"),
)
RECT_FIELDS = spec_of(
    Field("problem", "存在问题", required=True),
    Field("requirement", "整改要求"),
    Field("deadline", "整改期限", "date", required=True),
    Field("addressed_to", "整改单位", max_length=200),
    Field("notice_no", "通知单编号", max_length=60),
)
REPLY_FIELDS = spec_of(
    Field("reply", "整改情况", required=True),
    Field("replied_on", "回复日期", "date", required=True),
)
REINSPECT_FIELDS = spec_of(
    Field("inspected_on", "复查日期", "date", required=True),
    Field("inspector", "复查人", max_length=100),
    Field("passed", "复查结果", "bool", required=True),
    Field("note", "复查说明"),
    Field("new_deadline", "新整改期限", "date"),
)


def unscored_problem(kind: str, line: Mapping[str, Any], where: str = "") -> FieldProblem | None:
    """A management check scores every line (its total and grade are their sum); shared with the bulk path."""
    if kind == "management" and line.get("score") is None:
        return problem(RESULT_FIELDS, "score", f"{where}“{line['text']}”没有得分")
    return None


def failed_without_rectification(lines: Sequence[Mapping[str, Any]], rectified: bool) -> FieldProblem | None:
    """A check with a failed line (不合格项) must order a rectification; shared with the bulk write path."""
    if not rectified and any(line.get("result") == "fail" for line in lines):
        return problem(RECT_FIELDS, "problem", "有不合格项，须下达整改（写明问题和整改期限）")
    return None


def record(
    session: Session,
    target: Community | Project,
    data: Mapping[str, Any],
    results: Sequence[Mapping[str, Any]] = (),
    rectifications: Sequence[Mapping[str, Any]] = (),
    *,
    template: str | None = None,
    today: date | None = None,
    photos: Sequence[Path] = (),
) -> Inspection:
    """Record one inspection with its checklist lines and the rectifications it requires, all or nothing.

    `photos` (files on disk) are attached to the inspection in the same transaction, so a rejected
    inspection leaves no attachment rows behind. Refused (InRecycleBin) on a community or project in the
    recycle bin: the inspection would sit unseen under it.
    """
    records.refuse_if_binned(session, target, "记录检查")
    values = parse_changes(FIELDS, data)
    today = today or date.today()
    problems: list[FieldProblem] = []
    problems += inspection_problems(values, today)
    tmpl = catalogues.template(session, template) if template else None
    max_scores = {i.id: i.max_score for i in tmpl.items} if tmpl else {}
    lines: list[dict[str, Any]] = []
    for n, raw in enumerate(results, start=1):
        raw = dict(raw)
        item_id = raw.pop("template_item_id", None)
        try:
            line = parse_changes(RESULT_FIELDS, raw)
        except ValidationError as exc:
            problems += [FieldProblem(p.field, p.label, f"第 {n} 项：{p.message}") for p in exc.problems]
            continue
        top = raw.get("max_score") or max_scores.get(item_id)
        if line.get("score") is not None and top is not None and line["score"] > top:
            problems.append(
                problem(RESULT_FIELDS, "score", f"第 {n} 项“{line['text']}”得分 {line['score']} 超过满分 {top}")
            )
        unscored = unscored_problem(values["kind"], line, f"第 {n} 项")
        if unscored is not None:
            problems.append(unscored)
        lines.append({**line, "template_item_id": item_id, "max_score": top, "sort_order": n})
    rects: list[dict[str, Any]] = []
    for n, raw in enumerate(rectifications, start=1):
        try:
            rect = parse_changes(RECT_FIELDS, raw)
        except ValidationError as exc:
            problems += [FieldProblem(p.field, p.label, f"整改第 {n} 条：{p.message}") for p in exc.problems]
            continue
        problems += deadline_problems(rect["deadline"], values["inspected_on"], n)
        rects.append(rect)
    unrectified = failed_without_rectification(lines, bool(rectifications))
    if unrectified is not None:
        problems.append(unrectified)
    if problems:
        raise ValidationError(problems)
    inspection = Inspection(**values, township_code=target.township_code, template_id=tmpl.id if tmpl else None)
    if isinstance(target, Community):
        inspection.community_id = target.id
        inspection.project_id = target.project_id
    else:
        inspection.project_id = target.id
    session.add(inspection)
    session.flush()
    for line in lines:
        session.add(InspectionResult(inspection_id=inspection.id, township_code=target.township_code, **line))
    if values["kind"] == "management" and lines:
        total = sum((line["score"] for line in lines), Decimal(0))
        inspection.total_score = total
        inspection.grade = catalogues.grade_for(tmpl.grade_bands if tmpl else None, float(total))
    for rect in rects:
        if not rect.get("notice_no"):
            rect["notice_no"] = next_notice_no(session, target.township_code, values["inspected_on"].year)
        if not rect.get("addressed_to") and isinstance(target, Community) and target.project:
            rect["addressed_to"] = target.project.contractor
        session.add(
            Rectification(
                inspection_id=inspection.id,
                township_code=target.township_code,
                current_deadline=rect["deadline"],
                **rect,
            )
        )
        session.flush()
    for photo in photos:
        attachments.add(session, inspection, Path(photo), caption="检查照片")
    session.flush()
    return inspection


def next_notice_no(session: Session, township_code: str | None, year: int) -> str:
    """The year's next number of a notice recorded here on a community of the township, in the series of the unit
    issuing it (the township, or the county office in a county database: core/notice_numbers.py)."""
    from oldcomm_desktop.core import notice_numbers

    return notice_numbers.next_number(session, notice_numbers.series(session, township_code), year)


def reply(
    session: Session, rectification_id: str, text: str, replied_on: Any, *, expected_version: int | None = None
) -> Rectification:
    """The contractor's reply (整改回复): what was done and when; refused under an inspection in the bin."""
    rect = records.get_writable(
        session, Rectification, rectification_id, "登记整改回复", expected_version=expected_version
    )
    values = parse_changes(REPLY_FIELDS, {"reply": text, "replied_on": replied_on})
    inspection = session.get_one(Inspection, rect.inspection_id)
    if values["replied_on"] < inspection.inspected_on:
        raise ValidationError(FieldProblem("replied_on", "回复日期", "回复日期早于检查日期"))
    rect.reply, rect.replied_on = values["reply"], values["replied_on"]
    session.flush()
    return rect


def reinspect(
    session: Session,
    rectification_id: str,
    data: Mapping[str, Any],
    *,
    photo: Path | None = None,
    photos: Sequence[Path] = (),
    today: date | None = None,
    expected_version: int | None = None,
) -> Reinspection:
    """A re-inspection: passed (with a photo or a note) closes; not passed needs a new deadline.

    `photo` and `photos` are the after photos (整改后照片); any one of them is evidence enough.
    """
    evidence = [Path(p) for p in ([photo] if photo is not None else []) + list(photos)]
    # expected_version: the rectification's, as the clerk saw it when opening the re-inspection form
    rect = records.get_writable(session, Rectification, rectification_id, "复查", expected_version=expected_version)
    if rect.closed:
        raise ValidationError("该整改已销号，不需要再复查")
    values = parse_changes(REINSPECT_FIELDS, data)
    inspection = session.get_one(Inspection, rect.inspection_id)
    problems = reinspection_problems(values, inspection.inspected_on, today or date.today(), bool(evidence))
    if problems:
        raise ValidationError(problems)
    re = Reinspection(rectification_id=rect.id, township_code=rect.township_code, **values)
    session.add(re)
    session.flush()
    for path in evidence:
        attachments.add(session, re, path, caption="整改后照片")
    _rederive(session, rect)  # in date order, as the bulk path derives it: both sides of a sync agree
    session.flush()
    return re


def reinspection_problems(
    values: Mapping[str, Any], inspected_on: date, today: date, has_photos: bool
) -> list[FieldProblem]:
    """Rules on one re-inspection (shared with the bulk write path); `inspected_on` is the inspection's date."""
    problems = []
    if values["inspected_on"] < inspected_on:
        problems.append(problem(REINSPECT_FIELDS, "inspected_on", "复查日期早于检查日期"))
    if values["inspected_on"] > today:
        problems.append(problem(REINSPECT_FIELDS, "inspected_on", f"{values['inspected_on']} 晚于今天"))
    if values["passed"] and not has_photos and not values.get("note"):
        problems.append(problem(REINSPECT_FIELDS, "note", "复查合格须附整改后照片，或说明没有照片的原因"))
    if not values["passed"]:
        nd = values.get("new_deadline")
        if nd is None:
            problems.append(problem(REINSPECT_FIELDS, "new_deadline", "复查不合格须给出新的整改期限"))
        elif nd < values["inspected_on"]:
            problems.append(problem(REINSPECT_FIELDS, "new_deadline", "新整改期限早于复查日期"))
    return problems


def inspection_problems(values: Mapping[str, Any], today: date) -> list[FieldProblem]:
    """An inspection is not dated in the future (shared with the bulk write path)."""
    if values["inspected_on"] > today:
        return [problem(FIELDS, "inspected_on", f"{values['inspected_on']} 晚于今天")]
    return []


def deadline_problems(deadline: date, inspected_on: date, n: int) -> list[FieldProblem]:
    if deadline < inspected_on:
        return [problem(RECT_FIELDS, "deadline", f"整改第 {n} 条：期限 {deadline} 早于检查日期")]
    return []


def state_of(rect: Rectification, today: date | None = None) -> str:
    return state_from(rect.closed, rect.current_deadline, rect.replied_on, today or date.today())


def overdue_count(session: Session, today: date | None = None, township: str | None = None) -> int:
    q = select(func.count(Rectification.id)).where(
        Rectification.deleted_at.is_(None),
        Rectification.closed.is_(False),
        Rectification.current_deadline < (today or date.today()),
    )
    if township:
        q = q.where(Rectification.township_code == township)
    return session.scalar(q) or 0


def delete(session: Session, inspection_id: str, *, expected_version: int | None = None) -> None:
    inspection = records.get(session, Inspection, inspection_id, expected_version=expected_version)
    records.soft_delete(session, inspection)
    for rect in session.scalars(select(Rectification).where(Rectification.inspection_id == inspection.id)):
        records.soft_delete(session, rect)
    session.flush()


def restore(session: Session, inspection_id: str, *, expected_version: int | None = None) -> Inspection:
    """Bring an inspection back from the recycle bin with its rectifications (redo of a recorded one)."""
    inspection = records.get(
        session, Inspection, inspection_id, include_deleted=True, expected_version=expected_version
    )
    # a redo after its community went to the bin must not bring it back under it (the bin's own restore asks too)
    for parent in (
        session.get(Community, inspection.community_id) if inspection.community_id else None,
        session.get(Project, inspection.project_id) if inspection.project_id else None,
    ):
        if parent is not None:
            records.refuse_if_binned(session, parent, "恢复检查记录")
    records.restore(session, inspection)
    for rect in session.scalars(
        select(Rectification).where(Rectification.inspection_id == inspection.id, Rectification.deleted_at.is_not(None))
    ):
        records.restore(session, rect)
    session.flush()
    return inspection


def undo_reply(
    session: Session,
    rectification_id: str,
    text: str | None,
    replied_on: date | None,
    *,
    expected_version: int | None = None,
) -> Rectification:
    """Put a rectification's reply back to what it was (undo of `reply`; an empty reply is allowed here)."""
    rect = records.get_writable(
        session, Rectification, rectification_id, "修改整改回复", expected_version=expected_version
    )
    rect.reply, rect.replied_on = text, replied_on
    session.flush()
    return rect


def _rederive(session: Session, rect: Rectification) -> None:
    """Closed and current deadline follow from the live re-inspections, in the order they happened.

    Ordered by date, then by id (time-ordered, the same on every installation: a sync receiver derives the same
    state; creation times are not compared, a carried one and one written here differ in type)."""
    found = session.scalars(
        select(Reinspection)
        .where(Reinspection.rectification_id == rect.id, Reinspection.deleted_at.is_(None))
        .order_by(Reinspection.inspected_on, Reinspection.id)
    )
    rect.closed, rect.closed_on, rect.current_deadline = rectification_state(
        rect.deadline, [(r.passed, r.inspected_on, r.new_deadline) for r in found]
    )


def rectification_state(
    deadline: date, reinspections: Sequence[tuple[bool, date, date | None]]
) -> tuple[bool, date | None, date]:
    """(closed, closed_on, current_deadline) from the re-inspections (passed, on, new deadline) in order.

    The one derivation of a rectification's state, used by each re-inspection and by the bulk write path.
    The latest re-inspection decides: a pass closes (销号 on the first pass since the last failure), a failure
    after it reopens with its new deadline. Two sides that re-inspected before they exchanged (the township
    closed it, the county found the problem still on site later) thus both end with the later finding, and
    the earlier one stays in the record; a failure after a pass used to count for nothing.
    """
    closed, closed_on, current = False, None, deadline
    for passed, on, new_deadline in reinspections:
        if passed:
            if not closed:
                closed, closed_on = True, on
            continue
        closed, closed_on = False, None
        if new_deadline is not None:
            current = new_deadline
    return closed, closed_on, current


def delete_reinspection(
    session: Session, reinspection_id: str, *, expected_version: int | None = None
) -> Rectification:
    """Withdraw a re-inspection (undo of `reinspect`): the rectification's state is derived again."""
    re = records.get(session, Reinspection, reinspection_id, expected_version=expected_version)
    records.soft_delete(session, re)
    for a in attachments.of(session, re):
        records.soft_delete(session, a)
    session.flush()
    rect = records.get(session, Rectification, re.rectification_id)
    _rederive(session, rect)
    session.flush()
    return rect


def restore_reinspection(
    session: Session, reinspection_id: str, *, expected_version: int | None = None
) -> Reinspection:
    """Bring a withdrawn re-inspection back (redo of `reinspect`)."""
    re = records.get(session, Reinspection, reinspection_id, include_deleted=True, expected_version=expected_version)
    rect = records.get_writable(session, Rectification, re.rectification_id, "恢复复查")
    stamp = re.deleted_at
    records.restore(session, re)
    if stamp is not None:
        for a in session.scalars(
            select(Attachment).where(
                Attachment.owner_table == Reinspection.__tablename__,
                Attachment.owner_id == re.id,
                Attachment.deleted_at.is_not(None),
            )
        ):
            records.restore(session, a)
    session.flush()
    _rederive(session, rect)
    session.flush()
    return re


# -- what a window needs, as plain data (its session closes before it paints) --------------------


def today() -> date:
    """The day overdue is measured against: the lists' own day, which tests may move."""
    return listings._today()


def state_from(closed: bool, current_deadline: date, replied_on: date | None, today: date) -> str:
    """open / awaiting / overdue / closed — the same rule as `state_of` and the lists' "state" filter."""
    if closed:
        return "closed"
    if current_deadline < today:
        return "overdue"
    if replied_on is not None:
        return "awaiting"
    return "open"


def row_state(row: Mapping[str, Any], on: date | None = None) -> str:
    """The state of a row of the "rectifications" list."""
    return state_from(bool(row["closed"]), row["current_deadline"], row.get("replied_on"), on or today())


def rectification_counts(session: Session, filters: Mapping[str, Any] | None = None, search: str = "") -> dict:
    """How many rectifications are in each state (with the list's other filters applied), for tab labels."""
    base = {k: v for k, v in (filters or {}).items() if k != "state"}
    return {
        state: listings.count(
            session, "rectifications", listings.ListQuery(search=search, filters={**base, "state": state})
        )
        for state in STATES
    }


def templates(session: Session, kind: str) -> list[dict]:
    """The live checklist templates for one kind of inspection, to choose from."""
    rows = session.scalars(
        select(ChecklistTemplate)
        .where(ChecklistTemplate.inspection_kind == kind, ChecklistTemplate.deleted_at.is_(None))
        .order_by(ChecklistTemplate.code)
    )
    return [{"id": t.id, "code": t.code, "name": t.name} for t in rows]


def sheet(session: Session, template_id: str) -> dict:
    """A template as plain data: its grade bands and its live items in order (each with its area)."""
    tmpl = catalogues.template(session, template_id)
    return {
        "id": tmpl.id,
        "code": tmpl.code,
        "name": tmpl.name,
        "kind": tmpl.inspection_kind,
        "grade_bands": [list(b) for b in (tmpl.grade_bands or [])],
        "items": [
            {"id": i.id, "area": i.area, "text": i.text, "max_score": i.max_score}
            for i in tmpl.items
            if i.deleted_at is None
        ],
    }


def score_total(bands: Sequence | None, scores: Sequence[Any]) -> tuple[Decimal, str | None]:
    """Total of a scored sheet and its grade from the template's bands — what `record` will store."""
    total = sum((Decimal(str(s)) for s in scores if s is not None), Decimal(0))
    return total, catalogues.grade_for(list(bands) if bands else None, float(total))


def detail(session: Session, inspection_id: str) -> dict:
    """One inspection with its checklist, rectifications and photos, for a detail pane."""
    insp = records.get(session, Inspection, inspection_id)
    community = session.get(Community, insp.community_id) if insp.community_id else None
    project = session.get(Project, insp.project_id) if insp.project_id else None
    rects = session.scalars(
        select(Rectification)
        .where(Rectification.inspection_id == insp.id, Rectification.deleted_at.is_(None))
        .order_by(Rectification.notice_no, Rectification.id)
    )
    on = today()
    return {
        "id": insp.id,
        "kind": insp.kind,
        "kind_label": KINDS.get(insp.kind, insp.kind),
        "inspected_on": insp.inspected_on,
        "inspectors": insp.inspectors,
        "findings": insp.findings,
        "notes": insp.notes,
        "total_score": insp.total_score,
        "grade": insp.grade,
        "community_id": insp.community_id,
        "community": community.name if community else None,
        "project": project.name if project else None,
        "results": [
            {
                "area": r.area,
                "text": r.text,
                "result": r.result,
                "result_label": RESULTS.get(r.result or "", ""),
                "score": r.score,
                "max_score": r.max_score,
                "note": r.note,
            }
            for r in insp.results
            if r.deleted_at is None
        ],
        "rectifications": [
            {
                "id": r.id,
                "notice_no": r.notice_no,
                "problem": r.problem,
                "deadline": r.current_deadline,
                "state": state_from(r.closed, r.current_deadline, r.replied_on, on),
            }
            for r in rects
        ],
        "photos": attachments.files(session, Inspection.__tablename__, [insp.id]),
    }


def rectification_detail(session: Session, rectification_id: str) -> dict:
    """One rectification with its inspection, reply, re-inspections and the photos before and after."""
    rect = records.get(session, Rectification, rectification_id)
    insp = session.get_one(Inspection, rect.inspection_id)
    community = session.get(Community, insp.community_id) if insp.community_id else None
    res = list(
        session.scalars(
            select(Reinspection)
            .where(Reinspection.rectification_id == rect.id, Reinspection.deleted_at.is_(None))
            .order_by(Reinspection.inspected_on, Reinspection.created_at)
        )
    )
    after = attachments.files(session, Reinspection.__tablename__, [r.id for r in res])
    return {
        "id": rect.id,
        "notice_no": rect.notice_no,
        "addressed_to": rect.addressed_to,
        "problem": rect.problem,
        "requirement": rect.requirement,
        "deadline": rect.deadline,
        "current_deadline": rect.current_deadline,
        "reply": rect.reply,
        "replied_on": rect.replied_on,
        "closed": rect.closed,
        "closed_on": rect.closed_on,
        "state": state_from(rect.closed, rect.current_deadline, rect.replied_on, today()),
        "inspection_id": insp.id,
        "inspected_on": insp.inspected_on,
        "kind_label": KINDS.get(insp.kind, insp.kind),
        "community": community.name if community else None,
        "reinspections": [
            {
                "id": r.id,
                "inspected_on": r.inspected_on,
                "inspector": r.inspector,
                "passed": r.passed,
                "note": r.note,
                "new_deadline": r.new_deadline,
                "photos": [a for a in after if a["owner_id"] == r.id],
            }
            for r in res
        ],
        "before_photos": attachments.files(session, Inspection.__tablename__, [insp.id]),
        "after_photos": after,
    }
