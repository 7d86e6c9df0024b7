"""The townships' annual performance assessment (年度绩效考核), county mode.

Indicators computed from the data (start rate against the plan by communities and by households,
completion, investment completed, funds arrived, rectifications closed on time, orders answered on
time, management-check scores, residents' satisfaction) plus indicators scored by hand, each with its
weight. An indicator's points are its weight times its rate (capped at 1); a rate with nothing to
measure gives full points for the "nothing went wrong" indicators (rectifications, orders) and none
for the others. Townships rank by score, 1 = best, ties sharing a rank.

A rectification counts as done on time when it was closed and its reply (or, without one, the closing
re-inspection) is dated on or before its first deadline.

The scheme (indicators, weights, grade bands) is data: the one in force for a year is the latest whose
`effective_from` is on or before 31 December of that year, so weights changed in July apply to the
whole year; a saved result keeps a copy of the scheme it used, so a later change never rewrites it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import divisions, inspections, records, summary, workspace
from oldcomm_desktop.core.errors import FieldProblem, OldcommError, ValidationError
from oldcomm_desktop.core.fields import Field, spec_of
from oldcomm_desktop.core.model import (
    Community,
    FundingLine,
    Inspection,
    InvestmentEntry,
    Milestone,
    Rectification,
)
from oldcomm_desktop.core.model.base import utcnow
from oldcomm_desktop.core.model.supervision import (
    AssessmentManualScore,
    AssessmentResult,
    AssessmentScheme,
    OrderTarget,
)
from oldcomm_desktop.core.supervision import requests
from oldcomm_desktop.core.supervision.scoring.rankings import competition_ranks

COMPUTED = {
    "start_communities": "开工率（按小区）",
    "start_households": "开工率（按户数）",
    "completion": "完工率",
    "investment": "投资完成率",
    "funds_arrived": "资金到位率",
    "rectifications_on_time": "整改按期销号率",
    "orders_on_time": "督办按期办理率",
    "management": "长效管理检查得分率",
    "satisfaction": "群众满意度",
}
NO_CASES_FULL_POINTS = {"rectifications_on_time", "orders_on_time"}
DEFAULT_BANDS = [["优秀", 90], ["良好", 80], ["合格", 60], ["不合格", 0]]
DEFAULT_INDICATORS = [
    {"code": "start_communities", "weight": 15},
    {"code": "start_households", "weight": 10},
    {"code": "completion", "weight": 15},
    {"code": "investment", "weight": 10},
    {"code": "funds_arrived", "weight": 10},
    {"code": "rectifications_on_time", "weight": 10},
    {"code": "orders_on_time", "weight": 10},
    {"code": "management", "weight": 10},
    {"code": "satisfaction", "weight": 5},
    {"code": "mechanism", "label": "工作机制（领导小组、例会、宣传）", "weight": 5, "manual": True},
]
TWO = Decimal("0.01")
FOUR = Decimal("0.0001")


def _normalise(indicators: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Check a scheme's indicators (codes known or manual, weights positive, codes unique); Chinese errors."""
    out, seen, problems = [], set(), []
    for n, ind in enumerate(indicators, start=1):
        code = str(ind.get("code") or "").strip()
        manual = bool(ind.get("manual"))
        label = str(ind.get("label") or COMPUTED.get(code, "")).strip()
        try:
            weight = Decimal(str(ind.get("weight")))
        except ArithmeticError:
            weight = Decimal(-1)
        if not code:
            problems.append(FieldProblem("indicators", "考核指标", f"第 {n} 项：没有代码"))
        elif code in seen:
            problems.append(FieldProblem("indicators", "考核指标", f"第 {n} 项：代码“{code}”重复"))
        elif not manual and code not in COMPUTED:
            problems.append(
                FieldProblem("indicators", "考核指标", f"第 {n} 项：“{code}”不是可计算的指标，手工评分请标明")
            )
        if manual and not label:
            problems.append(FieldProblem("indicators", "考核指标", f"第 {n} 项：手工评分指标须有名称"))
        if weight <= 0:
            problems.append(FieldProblem("indicators", "考核指标", f"第 {n} 项：分值应为正数"))
        seen.add(code)
        out.append({"code": code, "label": label, "weight": str(weight), "manual": manual})
    if not out:
        problems.append(FieldProblem("indicators", "考核指标", "至少要有一项指标"))
    if problems:
        raise ValidationError(problems)
    return out


def default_scheme() -> dict:
    return {
        "name": "默认考核方案",
        "effective_from": None,
        "indicators": _normalise(DEFAULT_INDICATORS),
        "grade_bands": DEFAULT_BANDS,
    }


def save_scheme(
    session: Session,
    name: str,
    effective_from: date,
    indicators: Sequence[Mapping[str, Any]],
    grade_bands: list | None = None,
) -> AssessmentScheme:
    """A scheme in force from a day on (a later one replaces it from its own day)."""
    if not name or not str(name).strip():
        raise ValidationError(FieldProblem("name", "方案名称", "必须填写"))
    scheme = AssessmentScheme(
        name=str(name).strip(),
        effective_from=effective_from,
        indicators=_normalise(indicators),
        grade_bands=grade_bands or DEFAULT_BANDS,
    )
    session.add(scheme)
    session.flush()
    return scheme


def scheme_for(session: Session, year: int) -> dict:
    """The scheme in force for `year` (in force on its last day), as plain data; the default if none."""
    found = session.scalar(
        select(AssessmentScheme)
        .where(AssessmentScheme.deleted_at.is_(None), AssessmentScheme.effective_from <= date(year, 12, 31))
        .order_by(AssessmentScheme.effective_from.desc(), AssessmentScheme.created_at.desc())
        .limit(1)
    )
    if found is None:
        return default_scheme()
    return {
        "id": found.id,
        "name": found.name,
        "effective_from": found.effective_from.isoformat(),
        "indicators": found.indicators,
        "grade_bands": found.grade_bands or DEFAULT_BANDS,
    }


MANUAL_FIELDS = spec_of(
    Field("year", "年度", "int", required=True),
    Field("township_code", "乡镇（街道）", required=True, max_length=12),
    Field("indicator", "考核指标", required=True, max_length=40),
    Field("points", "得分", required=True, max_length=20),
    Field("note", "说明"),
)
ONE_SCORE = "同一乡镇同一年度的同一指标只能有一条手工评分"


def manual_points(scheme: Mapping[str, Any], year: int, township: str, indicator: str, points: Any) -> str:
    """Hand-given points checked against the year's scheme (0 … the indicator's weight, a manual indicator of
    that scheme, a real township code) and written as stored (two places). One definition, run by
    `set_manual` and by the bulk write path (importing/bulk_tables.py); ValidationError with the reason."""
    ind = next((i for i in scheme["indicators"] if i["code"] == indicator and i["manual"]), None)
    if ind is None:
        raise ValidationError(FieldProblem("indicator", "考核指标", f"“{indicator}”不是 {year} 年方案中的手工评分指标"))
    try:
        value = Decimal(str(points)).quantize(TWO)
    except ArithmeticError:
        raise ValidationError(FieldProblem("points", "得分", f"“{points}”不是数字")) from None
    if value < 0 or value > Decimal(ind["weight"]):
        raise ValidationError(FieldProblem("points", "得分", f"应在 0 到 {ind['weight']} 之间"))
    divisions.parse_code(township, label="乡镇（街道）")
    return str(value)


def set_manual(
    session: Session, year: int, township: str, indicator: str, points: Any, note: str | None = None
) -> None:
    """Points given by hand (0 … the indicator's weight in the year's scheme)."""
    value = manual_points(scheme_for(session, year), year, township, indicator, points)
    row = session.scalar(
        select(AssessmentManualScore).where(
            AssessmentManualScore.deleted_at.is_(None),
            AssessmentManualScore.year == year,
            AssessmentManualScore.township_code == township,
            AssessmentManualScore.indicator == indicator,
        )
    )
    if row is None:
        row = AssessmentManualScore(year=year, township_code=township, indicator=indicator)
        session.add(row)
    row.points, row.note = value, note
    session.flush()


@dataclass
class Measure:
    done: Decimal = Decimal(0)
    of: Decimal = Decimal(0)

    def rate(self) -> Decimal | None:
        return (self.done / self.of).quantize(FOUR) if self.of else None


@dataclass
class TownshipFigures:
    measures: dict[str, Measure] = field(default_factory=dict)
    direct: dict[str, Decimal | None] = field(default_factory=dict)  # rates given as such (0..1)


def _measure(figs: dict[str, TownshipFigures], code: str, township: str | None, key: str) -> Measure:
    return figs.setdefault(township or "", TownshipFigures()).measures.setdefault(key, Measure())


def _figures(session: Session, year: int, today: date) -> dict[str, TownshipFigures]:
    start, end = date(year, 1, 1), min(date(year, 12, 31), today)
    figs: dict[str, TownshipFigures] = {}
    plan = select(Community.id, Community.township_code, Community.households, Community.total_investment).where(
        Community.deleted_at.is_(None), Community.plan_year == year, Community.status != "withdrawn"
    )
    planned = list(session.execute(plan))
    ids = [r[0] for r in planned]
    reached: dict[tuple[str, str], date] = {}
    if ids:
        for cid, kind, on in session.execute(
            select(Milestone.community_id, Milestone.kind, func.min(Milestone.reached_on))
            .where(
                Milestone.deleted_at.is_(None),
                Milestone.kind.in_(("start", "completion")),
                Milestone.community_id.in_(ids),
            )
            .group_by(Milestone.community_id, Milestone.kind)
        ):
            assert cid is not None  # filtered by community_id IN (...)
            reached[(cid, kind)] = on
    invested = (
        dict(
            session.execute(
                select(InvestmentEntry.community_id, func.sum(InvestmentEntry.amount))
                .where(
                    InvestmentEntry.deleted_at.is_(None),
                    InvestmentEntry.community_id.in_(ids),
                    InvestmentEntry.entry_date <= end,
                )
                .group_by(InvestmentEntry.community_id)
            ).all()
        )
        if ids
        else {}
    )
    money = (
        {
            cid: (summary._dec(arr), summary._dec(appr))
            for cid, arr, appr in session.execute(
                select(FundingLine.community_id, func.sum(FundingLine.arrived), func.sum(FundingLine.approved))
                .where(FundingLine.deleted_at.is_(None), FundingLine.community_id.in_(ids))
                .group_by(FundingLine.community_id)
            )
        }
        if ids
        else {}
    )
    for cid, tcode, households, total in planned:
        started = (reached.get((cid, "start")) or date.max) <= end
        completed = (reached.get((cid, "completion")) or date.max) <= end
        m = _measure(figs, "", tcode, "start_communities")
        m.of += 1
        m.done += started
        m = _measure(figs, "", tcode, "start_households")
        m.of += households or 0
        m.done += (households or 0) if started else 0
        m = _measure(figs, "", tcode, "completion")
        m.of += 1
        m.done += completed
        m = _measure(figs, "", tcode, "investment")
        m.of += summary._dec(total)
        m.done += summary._dec(invested.get(cid))
        arrived, approved = money.get(cid, (Decimal(0), Decimal(0)))
        m = _measure(figs, "", tcode, "funds_arrived")
        m.of += approved
        m.done += arrived
    # rectifications due in the year: done by their first deadline? (the reply dated by then, confirmed by
    # the passed re-inspection that closed it, which may come a few days later; or closed by then)
    for tcode, deadline, closed, closed_on, replied_on in session.execute(
        select(
            Rectification.township_code,
            Rectification.deadline,
            Rectification.closed,
            Rectification.closed_on,
            Rectification.replied_on,
        ).where(Rectification.deleted_at.is_(None), Rectification.deadline.between(start, end))
    ):
        m = _measure(figs, "", tcode, "rectifications_on_time")
        m.of += 1
        done_on = min(d for d in (closed_on, replied_on, date.max) if d is not None)
        m.done += bool(closed and done_on <= deadline)
    for tcode, deadline, first in session.execute(
        select(OrderTarget.township_code, OrderTarget.deadline, OrderTarget.first_answered_on).where(
            OrderTarget.deleted_at.is_(None), OrderTarget.deadline.between(start, end)
        )
    ):
        if deadline >= today and first is None:
            continue  # not due yet and not answered: nothing to judge
        m = _measure(figs, "", tcode, "orders_on_time")
        m.of += 1
        m.done += bool(first is not None and first <= deadline)
    scores: dict[str, list[Decimal]] = {}
    for tcode, score in session.execute(
        select(Inspection.township_code, Inspection.total_score).where(
            Inspection.deleted_at.is_(None),
            Inspection.kind == "management",
            Inspection.total_score.is_not(None),
            Inspection.inspected_on.between(start, end),
        )
    ):
        assert score is not None  # filtered by total_score IS NOT NULL
        scores.setdefault(tcode or "", []).append(score)
    for tcode, found in scores.items():  # sheets of 100 points: the average score as a rate
        average = sum(found, Decimal(0)) / len(found)
        figs.setdefault(tcode, TownshipFigures()).direct["management"] = (average / 100).quantize(FOUR)
    for tcode in list(figs) + [d.code for d in divisions.townships(session)]:
        f = figs.setdefault(tcode, TownshipFigures())
        sat = requests.township_figure(session, tcode, start, end)
        if sat is None:  # no rated replies: the communities' recorded satisfaction
            found = [
                v
                for v in session.scalars(
                    select(Community.satisfaction_percent).where(
                        Community.deleted_at.is_(None),
                        Community.township_code == tcode,
                        Community.satisfaction_percent.is_not(None),
                    )
                )
                if v is not None
            ]
            sat = sum(found, Decimal(0)) / len(found) if found else None
        f.direct["satisfaction"] = (sat / 100).quantize(FOUR) if sat is not None else None
    return figs


def grade_for(bands: list, score: Decimal) -> str | None:
    for name, lower in sorted(bands or [], key=lambda b: -float(b[1])):
        if score >= Decimal(str(lower)):
            return name
    return None


def compute(session: Session, year: int, *, today: date | None = None) -> dict:
    """The year's assessment as plain data: {"year", "scheme", "rows": [one per township, rank order]}."""
    if workspace.mode(session) != workspace.COUNTY:
        raise OldcommError("年度考核由县住建局在县级模式下进行")
    today = today or inspections.today()
    scheme = scheme_for(session, year)
    figs = _figures(session, year, today)
    manual = {
        (m.township_code, m.indicator): Decimal(m.points)
        for m in session.scalars(
            select(AssessmentManualScore).where(
                AssessmentManualScore.deleted_at.is_(None), AssessmentManualScore.year == year
            )
        )
    }
    names = {d.code: d.name for d in divisions.townships(session)}
    codes = sorted(c for c in set(names) | set(figs) if c)
    rows: list[dict[str, Any]] = []
    for tcode in codes:
        f = figs.get(tcode, TownshipFigures())
        indicators, score = {}, Decimal(0)
        for ind in scheme["indicators"]:
            weight = Decimal(ind["weight"])
            if ind["manual"]:
                value = manual.get((tcode, ind["code"]))
                points = min(value, weight) if value is not None else Decimal(0)
            else:
                value = (
                    f.direct[ind["code"]]
                    if ind["code"] in f.direct
                    else (f.measures[ind["code"]].rate() if ind["code"] in f.measures else None)
                )
                if value is None:
                    points = weight if ind["code"] in NO_CASES_FULL_POINTS else Decimal(0)
                else:
                    points = weight * min(value, Decimal(1))
            points = points.quantize(TWO)
            score += points
            indicators[ind["code"]] = {
                "label": ind["label"],
                "weight": str(weight),
                "manual": ind["manual"],
                "value": str(value) if value is not None else None,
                "points": str(points),
            }
        rows.append(
            {
                "township_code": tcode,
                "township": names.get(tcode, tcode),
                "indicators": indicators,
                "score": score.quantize(TWO),
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["township_code"]))
    for row, rank in zip(rows, competition_ranks([r["score"] for r in rows]), strict=True):
        row["rank"] = rank
        row["grade"] = grade_for(scheme["grade_bands"], row["score"])
        row["score"] = str(row["score"])
    return {"year": year, "computed_on": today.isoformat(), "scheme": scheme, "rows": rows}


def save(session: Session, year: int, *, today: date | None = None) -> AssessmentResult:
    """Compute and keep the year's result with its scheme (an earlier saved result of the year is replaced)."""
    result = compute(session, year, today=today)
    for old in session.scalars(
        select(AssessmentResult).where(AssessmentResult.deleted_at.is_(None), AssessmentResult.year == year)
    ):
        records.soft_delete(session, old)
    stored = AssessmentResult(
        year=year, computed_on=date.fromisoformat(result["computed_on"]), scheme=result["scheme"], rows=result["rows"]
    )
    session.add(stored)
    session.flush()
    return stored


def saved(session: Session, year: int) -> dict | None:
    """The result saved for the year, exactly as saved (with the scheme it used), or None."""
    found = session.scalar(
        select(AssessmentResult)
        .where(AssessmentResult.deleted_at.is_(None), AssessmentResult.year == year)
        .order_by(AssessmentResult.created_at.desc())
        .limit(1)
    )
    if found is None:
        return None
    return {
        "year": found.year,
        "computed_on": found.computed_on.isoformat(),
        "scheme": found.scheme,
        "rows": found.rows,
        "saved_at": found.created_at or utcnow(),
    }


def as_json(result: dict) -> list[dict]:
    """One row per township for `oldcomm assess --json`: numbers as numbers."""
    out = []
    for r in result["rows"]:
        out.append(
            {
                "township_code": r["township_code"],
                "township": r["township"],
                "indicators": {
                    code: {
                        "label": i["label"],
                        "weight": float(i["weight"]),
                        "value": float(i["value"]) if i["value"] is not None else None,
                        "points": float(i["points"]),
                    }
                    for code, i in r["indicators"].items()
                },
                "score": float(r["score"]),
                "rank": r["rank"],
                "grade": r["grade"],
            }
        )
    return out
