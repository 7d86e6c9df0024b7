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

from oldcomm_desktop.core import attachments, catalogues, records
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.fields import Field, parse_changes, problem, spec_of
from oldcomm_desktop.core.model import (
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
REINSPECT_FIELDS = spec_of(
    Field("inspected_on", "复查日期", "date", required=True),
    Field("inspector", "复查人", max_length=100),
    Field("passed", "复查结果", "bool", required=True),
    Field("note", "复查说明"),
    Field("new_deadline", "新整改期限", "date"),
)


def record(
    session: Session,
    target: Community | Project,
    data: Mapping[str, Any],
    results: Sequence[Mapping[str, Any]] = (),
    rectifications: Sequence[Mapping[str, Any]] = (),
    *,
    template: str | None = None,
    today: date | None = None,
) -> Inspection:
    """Record one inspection with its checklist lines and the rectifications it requires, all or nothing."""
    values = parse_changes(FIELDS, data)
    today = today or date.today()
    problems: list[FieldProblem] = []
    if values["inspected_on"] > today:
        problems.append(problem(FIELDS, "inspected_on", f"{values['inspected_on']} 晚于今天"))
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
        if values["kind"] == "management" and line.get("score") is None:
            problems.append(problem(RESULT_FIELDS, "score", f"第 {n} 项“{line['text']}”没有得分"))
        lines.append({**line, "template_item_id": item_id, "max_score": top, "sort_order": n})
    rects: list[dict[str, Any]] = []
    for n, raw in enumerate(rectifications, start=1):
        try:
            rect = parse_changes(RECT_FIELDS, raw)
        except ValidationError as exc:
            problems += [FieldProblem(p.field, p.label, f"整改第 {n} 条：{p.message}") for p in exc.problems]
            continue
        if rect["deadline"] < values["inspected_on"]:
            problems.append(problem(RECT_FIELDS, "deadline", f"整改第 {n} 条：期限 {rect['deadline']} 早于检查日期"))
        rects.append(rect)
    if any(line.get("result") == "fail" for line in lines) and not rectifications:
        problems.append(problem(RECT_FIELDS, "problem", "有不合格项，须下达整改（写明问题和整改期限）"))
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
    session.flush()
    return inspection


def next_notice_no(session: Session, township_code: str | None, year: int) -> str:
    count = (
        session.scalar(
            select(func.count(Rectification.id)).where(
                Rectification.township_code == township_code, Rectification.notice_no.like(f"整改〔{year}〕%")
            )
        )
        or 0
    )
    return f"整改〔{year}〕{count + 1:03d}号"


def reply(session: Session, rectification_id: str, text: str, replied_on: Any) -> Rectification:
    """The contractor's reply (整改回复): what was done and when."""
    rect = records.get(session, Rectification, rectification_id)
    values = parse_changes(
        spec_of(Field("reply", "整改情况", required=True), Field("replied_on", "回复日期", "date", required=True)),
        {"reply": text, "replied_on": replied_on},
    )
    inspection = session.get(Inspection, rect.inspection_id)
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
    today: date | None = None,
) -> Reinspection:
    """A re-inspection: passed (with a photo or a note) closes; not passed needs a new deadline."""
    rect = records.get(session, Rectification, rectification_id)
    if rect.closed:
        raise ValidationError("该整改已销号，不需要再复查")
    values = parse_changes(REINSPECT_FIELDS, data)
    inspection = session.get(Inspection, rect.inspection_id)
    problems = []
    if values["inspected_on"] < inspection.inspected_on:
        problems.append(problem(REINSPECT_FIELDS, "inspected_on", "复查日期早于检查日期"))
    if values["inspected_on"] > (today or date.today()):
        problems.append(problem(REINSPECT_FIELDS, "inspected_on", f"{values['inspected_on']} 晚于今天"))
    if values["passed"] and photo is None and not values.get("note"):
        problems.append(problem(REINSPECT_FIELDS, "note", "复查合格须附整改后照片，或说明没有照片的原因"))
    if not values["passed"]:
        nd = values.get("new_deadline")
        if nd is None:
            problems.append(problem(REINSPECT_FIELDS, "new_deadline", "复查不合格须给出新的整改期限"))
        elif nd < values["inspected_on"]:
            problems.append(problem(REINSPECT_FIELDS, "new_deadline", "新整改期限早于复查日期"))
    if problems:
        raise ValidationError(problems)
    re = Reinspection(rectification_id=rect.id, township_code=rect.township_code, **values)
    session.add(re)
    session.flush()
    if photo is not None:
        attachments.add(session, re, photo, caption="整改后照片")
    if values["passed"]:
        rect.closed, rect.closed_on = True, values["inspected_on"]
    else:
        rect.current_deadline = values["new_deadline"]
    session.flush()
    return re


def state_of(rect: Rectification, today: date | None = None) -> str:
    today = today or date.today()
    if rect.closed:
        return "closed"
    if rect.current_deadline < today:
        return "overdue"
    if rect.replied_on is not None:
        return "awaiting"
    return "open"


def overdue_count(session: Session, today: date | None = None, township: str | None = None) -> int:
    q = select(func.count(Rectification.id)).where(
        Rectification.deleted_at.is_(None),
        Rectification.closed.is_(False),
        Rectification.current_deadline < (today or date.today()),
    )
    if township:
        q = q.where(Rectification.township_code == township)
    return session.scalar(q) or 0


def delete(session: Session, inspection_id: str) -> None:
    inspection = records.get(session, Inspection, inspection_id)
    records.soft_delete(session, inspection)
    for rect in session.scalars(select(Rectification).where(Rectification.inspection_id == inspection.id)):
        records.soft_delete(session, rect)
    session.flush()
