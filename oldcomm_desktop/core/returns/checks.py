"""Checks before a return is submitted (审核): rules as data, each finding naming the row and the field.

Errors block submission; warnings are listed and each can carry the clerk's explanation (kept as a
`ReturnNote`, so it is there next month and in the archive). Outlier ranges are settings, not constants.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues
from oldcomm_desktop.core.lifecycle import ACCEPTED, COMPLETED
from oldcomm_desktop.core.model import FundingLine, FundingSource, InvestmentEntry, ReturnNote
from oldcomm_desktop.core.returns import figures
from oldcomm_desktop.core.returns.export import check_kind, scope
from oldcomm_desktop.core.returns.layouts import LAYOUTS, ROW_BUILDERS, funding_measures
from oldcomm_desktop.core.returns.periods import Period

ERROR, WARNING = "error", "warning"
LEVEL_LABELS = {ERROR: "错误", WARNING: "提示"}

# Settings (stored in the `setting` table, editable; these are the defaults)
SETTINGS: dict[str, Any] = {
    "returns_jump_factor": 10,  # a month's figure this many times last month's is flagged
    "returns_area_per_household_m2": [20, 300],
    "returns_investment_per_m2_yuan": [30, 3000],
}


@dataclass(frozen=True)
class Rule:
    code: str
    level: str
    kinds: tuple[str, ...]
    field: str
    label: str
    text: str  # what the rule asks, for the rule list


RULES: tuple[Rule, ...] = (
    Rule("completed_over_total", ERROR, ("progress",), "completed_total", "累计完成投资", "累计完成投资不超过总投资"),
    Rule("funding_parts", ERROR, ("progress",), "total_investment", "总投资", "各资金来源合计等于总投资"),
    Rule("arrived_over_approved", ERROR, ("progress", "funding"), "arrived", "到位资金", "到位资金不超过批复资金"),
    Rule("paid_over_arrived", ERROR, ("progress", "funding"), "paid", "拨付资金", "拨付资金不超过到位资金"),
    Rule("dates_order", ERROR, ("progress",), "actual_completion", "实际完工", "实际完工不早于实际开工"),
    Rule("planned_dates_order", WARNING, ("progress",), "planned_completion", "计划完工", "计划完工不早于计划开工"),
    Rule("completion_date", ERROR, ("progress",), "actual_completion", "实际完工", "已完工小区有完工日期"),
    Rule("households_positive", ERROR, ("progress",), "households", "户数", "户数大于 0"),
    Rule("area_positive", ERROR, ("progress",), "floor_area", "建筑面积", "建筑面积大于 0"),
    Rule("progress_status", WARNING, ("progress",), "progress", "形象进度", "形象进度 100% 与已完工一致"),
    Rule("month_jump", WARNING, ("progress",), "completed_month", "本月完成投资", "本月完成投资不超过上月的若干倍"),
    Rule("area_per_household", WARNING, ("progress",), "floor_area", "建筑面积", "户均面积在合理范围内"),
    Rule("investment_per_m2", WARNING, ("progress",), "total_investment", "总投资", "单位面积投资在合理范围内"),
    Rule("completed_over_planned", WARNING, ("items",), "completed", "完成数量", "完成数量不超过计划数量"),
    Rule("overdue_rectifications", WARNING, ("rectification",), "overdue", "其中逾期", "没有逾期未整改的问题"),
)
RULE_BY_CODE = {r.code: r for r in RULES}


@dataclass
class Finding:
    rule: str
    level: str
    row: int  # the data row's 序号 in the return (0: the return as a whole)
    key: str  # the row's record id
    name: str  # the row's name (小区, 改造内容, 资金来源)
    field: str
    label: str
    message: str
    explanation: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"第 {self.row} 行（{self.name}）" if self.row else self.name
        return f"[{LEVEL_LABELS[self.level]}] {where} {self.label}：{self.message}"


@dataclass
class CheckResult:
    kind: str
    period: str
    township: str | None
    findings: list[Finding]
    rows: int

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == WARNING]

    @property
    def unexplained(self) -> list[Finding]:
        return [f for f in self.warnings if not f.explanation]

    @property
    def can_submit(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "period": self.period,
            "township": self.township,
            "rows": self.rows,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "can_submit": self.can_submit,
            "findings": [f.as_json() for f in self.findings],
        }


def setting(session: Session, key: str) -> Any:
    return catalogues.get_setting(session, key, SETTINGS[key])


def _wan(v: Decimal | None) -> str:
    return f"{(Decimal(v or 0) / 10000).quantize(Decimal('0.01')):,}"


def _line_problems(session: Session, ids: set[str]) -> dict[str, list[tuple[str, str, str]]]:
    """Funding lines of these communities where arrived > approved or paid > arrived."""
    out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    q = (
        select(
            FundingLine.community_id, FundingSource.name, FundingLine.approved, FundingLine.arrived, FundingLine.paid
        )
        .join(FundingSource, FundingSource.id == FundingLine.source_id)
        .where(
            FundingLine.deleted_at.is_(None),
            FundingLine.community_id.is_not(None),
            or_(FundingLine.arrived > FundingLine.approved, FundingLine.paid > FundingLine.arrived),
        )
    )
    for cid, source, approved, arrived, paid in session.execute(q):
        if cid not in ids:
            continue
        if approved is not None and arrived is not None and arrived > approved:
            out[cid].append(
                ("arrived_over_approved", source, f"{source}到位 {_wan(arrived)} 万元超过批复 {_wan(approved)} 万元")
            )
        if arrived is not None and paid is not None and paid > arrived:
            out[cid].append(
                ("paid_over_arrived", source, f"{source}拨付 {_wan(paid)} 万元超过到位 {_wan(arrived)} 万元")
            )
    return out


def _month_before(session: Session, period: Period, township: str | None) -> dict[str, Decimal]:
    """Each community's completed investment in the month before the period (same year)."""
    prev = period.previous()
    if prev is None:
        return {}
    q = (
        select(InvestmentEntry.community_id, func.sum(InvestmentEntry.amount))
        .where(
            InvestmentEntry.deleted_at.is_(None),
            InvestmentEntry.community_id.is_not(None),
            InvestmentEntry.entry_date >= prev.month_start,
            InvestmentEntry.entry_date <= prev.end,
        )
        .group_by(InvestmentEntry.community_id)
    )
    if township:
        q = q.where(InvestmentEntry.township_code == township)
    return {cid: v for cid, v in session.execute(q) if v and cid}


def _progress(session: Session, period: Period, township: str | None) -> Iterator[Finding]:
    factor = Decimal(str(setting(session, "returns_jump_factor")))
    a_lo, a_hi = (Decimal(str(x)) for x in setting(session, "returns_area_per_household_m2"))
    i_lo, i_hi = (Decimal(str(x)) for x in setting(session, "returns_investment_per_m2_yuan"))
    last_month = _month_before(session, period, township)
    list_keys: list[tuple[int, str, str]] = []  # for the funding-line pass below
    ids: set[str] = set()
    seq = 0
    for f in figures.communities_as_of(session, period.end, plan_year=period.year, township=township):
        seq += 1
        ids.add(f.id)
        list_keys.append((seq, f.id, f.name))

        def find(code: str, message: str, field: str | None = None, label: str | None = None) -> Finding:
            rule = RULE_BY_CODE[code]
            return Finding(code, rule.level, seq, f.id, f.name, field or rule.field, label or rule.label, message)  # noqa: B023

        if f.total_investment and f.completed_total > f.total_investment:
            yield find(
                "completed_over_total",
                f"累计完成投资 {_wan(f.completed_total)} 万元超过总投资 {_wan(f.total_investment)} 万元",
            )
        funds = sum(f.funds.values(), Decimal(0))
        if funds and funds != f.total_investment:
            yield find(
                "funding_parts", f"各资金来源合计 {_wan(funds)} 万元，与总投资 {_wan(f.total_investment)} 万元不一致"
            )
        if f.actual_start and f.actual_completion and f.actual_completion < f.actual_start:
            yield find("dates_order", f"实际完工 {f.actual_completion} 早于实际开工 {f.actual_start}")
        if f.planned_start and f.planned_completion and f.planned_completion < f.planned_start:
            yield find("planned_dates_order", f"计划完工 {f.planned_completion} 早于计划开工 {f.planned_start}")
        if f.status in (COMPLETED, ACCEPTED) and f.actual_completion is None:
            yield find("completion_date", "状态为已完工，但没有完工日期")
        if not f.households or f.households <= 0:
            yield find("households_positive", "户数未填写或不大于 0")
        if not f.floor_area or f.floor_area <= 0:
            yield find("area_positive", "建筑面积未填写或不大于 0")
        if f.progress_percent == 100 and f.status not in (COMPLETED, ACCEPTED):
            yield find("progress_status", "形象进度为 100%，但尚未记录完工")
        prev = last_month.get(f.id)
        if prev and prev > 0 and f.completed_month > prev * factor:
            times = (f.completed_month / prev).quantize(Decimal("0.1"))
            yield find(
                "month_jump",
                f"本月完成投资 {_wan(f.completed_month)} 万元，是上月（{_wan(prev)} 万元）的 {times} 倍",
            )
        if f.households and f.households > 0 and f.floor_area and f.floor_area > 0:
            per = (f.floor_area / f.households).quantize(Decimal("0.1"))
            if not a_lo <= per <= a_hi:
                yield find("area_per_household", f"户均面积 {per} 平方米，不在 {a_lo}–{a_hi} 平方米之间")
        if f.floor_area and f.floor_area > 0 and f.total_investment:
            per = (f.total_investment / f.floor_area).quantize(Decimal("0.1"))
            if not i_lo <= per <= i_hi:
                yield find("investment_per_m2", f"每平方米投资 {per} 元，不在 {i_lo}–{i_hi} 元之间")
    lines = _line_problems(session, ids)
    for seq, cid, name in list_keys:
        for code, source, message in lines.get(cid, []):
            rule = RULE_BY_CODE[code]
            yield Finding(code, rule.level, seq, cid, name, rule.field, f"{rule.label}（{source}）", message)


def _funding(session: Session, period: Period, township: str | None) -> Iterator[Finding]:
    measures = funding_measures(session, period, township)
    names = dict(session.execute(select(FundingSource.id, FundingSource.name)).all())
    for sid, m in sorted(measures.items(), key=lambda kv: names.get(kv[0] or "", "")):
        name = names.get(sid or "", "未注明来源")
        if m.get("arrived", 0) > m.get("approved", 0):
            rule = RULE_BY_CODE["arrived_over_approved"]
            message = f"到位 {_wan(m['arrived'])} 万元超过批复 {_wan(m['approved'])} 万元"
            yield Finding(rule.code, rule.level, 0, sid or "", name, rule.field, rule.label, message)
        if m.get("paid", 0) > m.get("arrived", 0):
            rule = RULE_BY_CODE["paid_over_arrived"]
            message = f"拨付 {_wan(m['paid'])} 万元超过到位 {_wan(m['arrived'])} 万元"
            yield Finding(rule.code, rule.level, 0, sid or "", name, rule.field, rule.label, message)


def _items(session: Session, period: Period, township: str | None) -> Iterator[Finding]:
    rule = RULE_BY_CODE["completed_over_planned"]
    for seq, row in enumerate(ROW_BUILDERS["items"](session, period, township), 1):
        v = row.values
        if v["planned"] and v["completed"] > v["planned"]:
            yield Finding(
                rule.code,
                rule.level,
                seq,
                row.key,
                v["name"],
                rule.field,
                rule.label,
                f"完成 {v['completed'].normalize():f} {v['unit']}，超过计划 {v['planned'].normalize():f} {v['unit']}",
            )


def _rectification(session: Session, period: Period, township: str | None) -> Iterator[Finding]:
    rule = RULE_BY_CODE["overdue_rectifications"]
    for seq, row in enumerate(ROW_BUILDERS["rectification"](session, period, township), 1):
        if row.values["overdue"]:
            yield Finding(
                rule.code,
                rule.level,
                seq,
                row.key,
                row.values["name"],
                rule.field,
                rule.label,
                f"{row.values['overdue']} 项问题逾期未整改",
            )


CHECKERS: dict[str, Callable[[Session, Period, str | None], Iterator[Finding]]] = {
    "progress": _progress,
    "funding": _funding,
    "items": _items,
    "rectification": _rectification,
}


def run(session: Session, kind: str, period: Period, *, township: str | None = None) -> CheckResult:
    """Every rule of `kind` over the return's rows as of the period's end, with saved explanations."""
    check_kind(kind)
    code = scope(session, township)
    findings = list(CHECKERS[kind](session, period, code))
    notes = {
        (n.record_id, n.field, n.rule_code): n
        for n in session.scalars(
            select(ReturnNote).where(
                ReturnNote.kind == kind, ReturnNote.period == period.key, ReturnNote.deleted_at.is_(None)
            )
        )
    }
    for f in findings:
        note = notes.get((f.key, f.field, f.rule))
        if note is not None and note.explanation:
            f.explanation = note.explanation
    findings.sort(key=lambda f: (f.level != ERROR, f.row, f.rule))
    rows = len({f.key for f in findings})
    return CheckResult(kind, period.key, code, findings, rows)


def rules_for(kind: str) -> list[Rule]:
    return [r for r in RULES if kind in r.kinds]


# -- notes on figures -----------------------------------------------------------------------------------
def note(
    session: Session,
    kind: str,
    period: Period,
    record_id: str,
    field: str,
    *,
    rule: str | None = None,
    explanation: str | None = None,
    comment: str | None = None,
    follow_up: bool | None = None,
) -> ReturnNote:
    """Set the explanation of a warning, or a comment and follow-up flag on a figure (one note per figure)."""
    check_kind(kind)
    if field not in LAYOUTS[kind].codes and field not in {r.field for r in RULES}:
        from oldcomm_desktop.core.errors import FieldProblem, ValidationError

        raise ValidationError(FieldProblem("field", "字段", f"“{field}”不是{LAYOUTS[kind].name}的字段"))
    found = session.scalar(
        select(ReturnNote).where(
            ReturnNote.kind == kind,
            ReturnNote.period == period.key,
            ReturnNote.record_id == record_id,
            ReturnNote.field == field,
            (ReturnNote.rule_code == rule) if rule else ReturnNote.rule_code.is_(None),
            ReturnNote.deleted_at.is_(None),
        )
    )
    if found is None:
        found = ReturnNote(
            kind=kind, period=period.key, record_id=record_id, field=field, rule_code=rule, follow_up=False
        )
        session.add(found)
    if explanation is not None:
        found.explanation = explanation.strip() or None
    if comment is not None:
        found.comment = comment.strip() or None
    if follow_up is not None:
        found.follow_up = follow_up
    session.flush()
    return found


def notes(session: Session, kind: str, period: Period) -> list[ReturnNote]:
    return list(
        session.scalars(
            select(ReturnNote)
            .where(ReturnNote.kind == kind, ReturnNote.period == period.key, ReturnNote.deleted_at.is_(None))
            .order_by(ReturnNote.created_at)
        )
    )
