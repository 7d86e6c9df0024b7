"""The four standard returns: their columns (the template's field codes) and their rows as of a period.

- progress (进度月报表): a row per community of the period's plan year, grouped by township (小计, 合计);
- items (改造内容及成效指标表): a row per item type, grouped by category, with the national effect indicators;
- funding (资金到位及完成投资表): a row per funding source in the five measures, parents as sums;
- rectification (检查及整改情况表): a row per community inspected this year: inspections, found, rectified,
  open, overdue — grouped by township.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import funding_dates
from oldcomm_desktop.core.lifecycle import STATUS_LABELS
from oldcomm_desktop.core.model import (
    Category,
    Community,
    Division,
    EffectIndicator,
    FundingLine,
    FundingSource,
    Inspection,
    InvestmentEntry,
    ItemType,
    Milestone,
    Project,
    Rectification,
    RenovationItem,
)
from oldcomm_desktop.core.returns import figures
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.core.returns.printing import Column, ExactRow, PrintedRow, Totals, printed

M = "万元"
START_KIND = {"new": "新开工", "continued": "续建"}


def _money(code: str, header: str, group: str = "", width: float = 11) -> Column:
    return Column(code, header, M, "money", 2, True, width, group)


PROGRESS = [
    Column("seq", "序号", kind="seq", width=6),
    Column("township", "乡镇（街道）", width=12),
    Column("project", "项目名称", width=22),
    Column("name", "小区名称", width=18),
    Column("village", "所属社区", width=10),
    Column("year_built", "建成年份", kind="int", width=8),
    Column("buildings", "楼栋数", "栋", "int", summed=True, width=7),
    Column("households", "户数", "户", "int", summed=True, width=8),
    Column("floor_area", "建筑面积", "万平方米", "area", 4, True, 11),
    Column("plan_year", "改造年度", kind="int", width=8),
    Column("start_kind", "新开工/续建", width=8),
    Column("content", "主要改造内容", width=30),
    _money("total_investment", "总投资"),
    *(_money(code, label, "资金来源（万元）") for code, label, _c in figures.FUND_GROUPS),
    _money("arrived", "到位资金"),
    _money("completed_year", "本年完成投资", "完成投资（万元）"),
    _money("completed_total", "累计完成投资", "完成投资（万元）"),
    Column("planned_start", "计划开工", kind="date", width=11, group="开工日期"),
    Column("actual_start", "实际开工", kind="date", width=11, group="开工日期"),
    Column("planned_completion", "计划完工", kind="date", width=11, group="完工日期"),
    Column("actual_completion", "实际完工", kind="date", width=11, group="完工日期"),
    Column("progress", "形象进度", "%", "percent", width=8),
    Column("status", "状态", width=8),
    *(
        Column(code, label, unit, "qty", 3 if unit == "公里" else 0, True, 9, "成效指标（计划）")
        for code, label, unit, _c in figures.INDICATOR_GROUPS
    ),
    Column("notes", "备注", width=16),
]

ITEMS = [
    Column("seq", "序号", kind="seq", width=6),
    Column("category", "类别", width=10),
    Column("name", "改造内容", width=22),
    Column("unit", "单位", width=8),
    Column("communities", "涉及小区", "个", "int", width=9),
    Column("planned", "计划数量", kind="qty", places=2, width=12),
    Column("completed", "完成数量", kind="qty", places=2, width=12),
    _money("investment", "投资"),
    Column("indicator", "对应成效指标", width=20),
    Column("indicator_unit", "指标单位", width=8),
    Column("indicator_planned", "指标计划", kind="qty", places=3, width=11),
    Column("indicator_done", "指标完成", kind="qty", places=3, width=11),
]

FUNDING = [
    Column("seq", "序号", kind="seq", width=6),
    Column("source", "资金来源", width=28),
    _money("approved", "批复（概算）", "资金（万元）", 13),
    _money("annual_plan", "年度计划", "资金（万元）", 13),
    _money("arrived", "实际到位", "资金（万元）", 13),
    _money("paid", "已拨付", "资金（万元）", 13),
    _money("completed_year", "本年完成投资", "资金（万元）", 13),
    _money("completed_total", "累计完成投资", "资金（万元）", 13),
]

RECTIFICATION = [
    Column("seq", "序号", kind="seq", width=6),
    Column("township", "乡镇（街道）", width=12),
    Column("name", "小区（项目）", width=24),
    Column("patrols", "质量安全巡查", "次", "int", summed=True, width=10, group="检查次数"),
    Column("acceptances", "竣工验收", "次", "int", summed=True, width=10, group="检查次数"),
    Column("management", "长效管理检查", "次", "int", summed=True, width=10, group="检查次数"),
    Column("found", "发现问题", "项", "int", summed=True, width=10, group="整改情况"),
    Column("rectified", "已整改", "项", "int", summed=True, width=9, group="整改情况"),
    Column("open", "未整改", "项", "int", summed=True, width=9, group="整改情况"),
    Column("overdue", "其中逾期", "项", "int", summed=True, width=9, group="整改情况"),
]


@dataclass(frozen=True)
class Layout:
    kind: str
    name: str
    columns: list[Column]
    label_code: str  # the column 小计 / 合计 are written in
    subtotals: bool = True

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.columns]


LAYOUTS: dict[str, Layout] = {
    "progress": Layout("progress", "进度月报表", PROGRESS, "township"),
    "items": Layout("items", "改造内容及成效指标表", ITEMS, "category"),
    "funding": Layout("funding", "资金到位及完成投资表", FUNDING, "source", subtotals=False),
    "rectification": Layout("rectification", "检查及整改情况表", RECTIFICATION, "township"),
}


# -- rows --------------------------------------------------------------------------------------------------
def progress_rows(session: Session, period: Period, township: str | None) -> Iterator[ExactRow]:
    for f in figures.communities_as_of(session, period.end, plan_year=period.year, township=township):
        yield ExactRow(
            f.township,
            f.id,
            {
                "township": f.township,
                "project": f.project,
                "name": f.name,
                "village": f.village,
                "year_built": f.year_built,
                "buildings": f.buildings,
                "households": f.households,
                "floor_area": f.floor_area,
                "plan_year": f.plan_year,
                "start_kind": START_KIND.get(f.start_kind or "", f.start_kind or ""),
                "content": f.content,
                "total_investment": f.total_investment,
                **f.funds,
                "arrived": f.arrived,
                "completed_year": f.completed_year,
                "completed_total": f.completed_total,
                "completed_month": f.completed_month,
                "planned_start": f.planned_start,
                "actual_start": f.actual_start,
                "planned_completion": f.planned_completion,
                "actual_completion": f.actual_completion,
                "progress": f.progress_percent,
                "status": STATUS_LABELS.get(f.status, f.status),
                "status_code": f.status,
                **f.indicators,
                "notes": f.notes,
            },
        )


def _withdrawn_by(period: Period):  # a SQL condition
    """Communities that left the plan on or before the period's end."""
    return Community.id.in_(
        select(Milestone.community_id).where(
            Milestone.kind == "withdrawal", Milestone.deleted_at.is_(None), Milestone.reached_on <= period.end
        )
    )


def _in_scope(q, period: Period, township: str | None):
    q = q.where(Community.deleted_at.is_(None), Community.plan_year == period.year, ~_withdrawn_by(period))
    if township:
        q = q.where(Community.township_code == township)
    return q


def items_rows(session: Session, period: Period, township: str | None) -> Iterator[ExactRow]:
    done = RenovationItem.completed_on <= period.end
    q = (
        _in_scope(
            select(
                Category.name,
                ItemType.id,
                ItemType.name,
                ItemType.unit,
                ItemType.indicator_factor,
                EffectIndicator.name,
                EffectIndicator.unit,
                func.count(func.distinct(RenovationItem.community_id)),
                func.sum(RenovationItem.planned_quantity),
                func.sum(RenovationItem.completed_quantity).filter(done),
                func.sum(RenovationItem.investment),
            )
            .join(ItemType, ItemType.id == RenovationItem.item_type_id)
            .join(Category, Category.id == ItemType.category_id)
            .outerjoin(EffectIndicator, EffectIndicator.id == ItemType.indicator_id)
            .join(Community, Community.id == RenovationItem.community_id)
            .where(RenovationItem.deleted_at.is_(None)),
            period,
            township,
        )
        .group_by(
            Category.sort_order,
            Category.name,
            ItemType.sort_order,
            ItemType.id,
            ItemType.name,
            ItemType.unit,
            ItemType.indicator_factor,
            EffectIndicator.name,
            EffectIndicator.unit,
        )
        .order_by(Category.sort_order, ItemType.sort_order)
    )
    for cat, tid, name, unit, factor, ind, ind_unit, n, planned, completed, inv in session.execute(q):
        f = Decimal(factor or "1")
        yield ExactRow(
            cat,
            tid,
            {
                "category": cat,
                "name": name,
                "unit": unit,
                "communities": n,
                "planned": planned or Decimal(0),
                "completed": completed or Decimal(0),
                "investment": inv or Decimal(0),
                "indicator": ind or "",
                "indicator_unit": ind_unit or "",
                "indicator_planned": (planned or Decimal(0)) * f if ind else None,
                "indicator_done": (completed or Decimal(0)) * f if ind else None,
            },
        )


def funding_measures(session: Session, period: Period, township: str | None) -> dict[str | None, dict[str, Decimal]]:
    """Source id → the five measures, for the period's plan-year communities and projects (leaf sources)."""
    out: dict[str | None, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    comm_ids = _in_scope(select(Community.id), period, township)
    proj_ids = select(Project.id).where(Project.deleted_at.is_(None), Project.plan_year == period.year)
    if township:
        proj_ids = proj_ids.where(Project.township_code == township)
    target = or_(FundingLine.community_id.in_(comm_ids), FundingLine.project_id.in_(proj_ids))
    for sid, a, p, r, d in session.execute(
        select(
            FundingLine.source_id,
            func.sum(FundingLine.approved),
            func.sum(FundingLine.annual_plan),
            func.sum(funding_dates.measure("arrived", period.end)),  # as they stood at the period's end
            func.sum(funding_dates.measure("paid", period.end)),
        )
        .where(FundingLine.deleted_at.is_(None), target)
        .group_by(FundingLine.source_id)
    ):
        for k, v in (("approved", a), ("annual_plan", p), ("arrived", r), ("paid", d)):
            out[sid][k] += v or Decimal(0)
    etarget = or_(InvestmentEntry.community_id.in_(comm_ids), InvestmentEntry.project_id.in_(proj_ids))
    for esid, total, year in session.execute(
        select(
            InvestmentEntry.source_id,
            func.sum(InvestmentEntry.amount),
            func.sum(InvestmentEntry.amount).filter(InvestmentEntry.entry_date >= period.start),
        )
        .where(InvestmentEntry.deleted_at.is_(None), InvestmentEntry.entry_date <= period.end, etarget)
        .group_by(InvestmentEntry.source_id)
    ):
        out[esid]["completed_total"] += total or Decimal(0)
        out[esid]["completed_year"] += year or Decimal(0)
    return out


MEASURE_CODES = ("approved", "annual_plan", "arrived", "paid", "completed_year", "completed_total")


def funding_printed(session: Session, period: Period, township: str | None, totals: Totals) -> Iterator[PrintedRow]:
    """The source tree: leaves written from exact values, each parent the sum of its written children."""
    layout = LAYOUTS["funding"]
    cols = {c.code: c for c in layout.columns}
    measures = funding_measures(session, period, township)
    sources = list(
        session.scalars(
            select(FundingSource).where(FundingSource.deleted_at.is_(None)).order_by(FundingSource.sort_order)
        )
    )
    children: dict[str | None, list[FundingSource]] = defaultdict(list)
    ids = {s.id for s in sources}
    for s in sources:
        children[s.parent_id if s.parent_id in ids else None].append(s)
    rows: list[tuple[int, FundingSource | None, dict[str, Any]]] = []
    exact: dict[str, Decimal] = defaultdict(Decimal)

    def walk(s: FundingSource, depth: int) -> dict[str, Any]:
        index = len(rows)
        rows.append((depth, s, {}))
        kids = children.get(s.id, [])
        if kids:
            sums = {m: Decimal("0.00") for m in MEASURE_CODES}
            for k in kids:
                sub = walk(k, depth + 1)
                for m in MEASURE_CODES:
                    sums[m] += sub[m]
        else:
            own = measures.get(s.id, {})
            sums = {m: cols[m].written(own.get(m, Decimal(0))) for m in MEASURE_CODES}
            for m in MEASURE_CODES:
                exact[m] += own.get(m, Decimal(0))
        rows[index] = (depth, s, sums)
        return sums

    grand = {m: Decimal("0.00") for m in MEASURE_CODES}
    for root in children[None]:
        sub = walk(root, 0)
        for m in MEASURE_CODES:
            grand[m] += sub[m]
    unsourced = measures.get(None)
    if unsourced:
        sums = {m: cols[m].written(unsourced.get(m, Decimal(0))) for m in MEASURE_CODES}
        rows.append((0, None, sums))
        for m in MEASURE_CODES:
            grand[m] += sums[m]
            exact[m] += unsourced.get(m, Decimal(0))
    for i, (depth, src, sums) in enumerate(rows, 1):
        name = src.name if src is not None else "未注明来源（仅完成投资）"
        yield PrintedRow(
            "data" if src is None or not children.get(src.id) else "subtotal",
            src.id if src is not None else "unsourced",
            {"seq": i, "source": "　" * depth + name, **sums},
        )
    from oldcomm_desktop.core.returns.printing import rounding_notes

    totals.written, totals.exact, totals.data_rows = grand, dict(exact), len(rows)
    totals.notes = rounding_notes([cols[m] for m in MEASURE_CODES], grand, {m: exact[m] for m in MEASURE_CODES})
    yield PrintedRow("total", "total", {"seq": None, "source": "合计", **grand})


def rectification_rows(session: Session, period: Period, township: str | None) -> Iterator[ExactRow]:
    """Inspections this year up to the period's end, per community (or project), with rectification counts."""
    q = (
        select(
            Inspection.id,
            Inspection.kind,
            Inspection.township_code,
            Community.id,
            Community.name,
            Project.id,
            Project.name,
        )
        .outerjoin(Community, Community.id == Inspection.community_id)
        .outerjoin(Project, Project.id == Inspection.project_id)
        .where(
            Inspection.deleted_at.is_(None),
            Inspection.inspected_on >= period.start,
            Inspection.inspected_on <= period.end,
        )
    )
    if township:
        q = q.where(Inspection.township_code == township)
    targets: dict[tuple[str, str], dict[str, Any]] = {}
    of_inspection: dict[str, tuple[str, str]] = {}
    kinds = {"patrol": "patrols", "acceptance": "acceptances", "management": "management"}
    for iid, kind, town, cid, cname, pid, pname in session.execute(q):
        key = (town or "", cid or pid or iid)
        row = targets.setdefault(
            key,
            {
                "name": cname or pname or "（未指明小区）",
                "patrols": 0,
                "acceptances": 0,
                "management": 0,
                "found": 0,
                "rectified": 0,
                "open": 0,
                "overdue": 0,
            },
        )
        row[kinds.get(kind, "patrols")] += 1
        of_inspection[iid] = key
    if of_inspection:
        ids = list(of_inspection)
        for i in range(0, len(ids), 500):
            for iid, closed_on, closed, deadline in session.execute(
                select(
                    Rectification.inspection_id,
                    Rectification.closed_on,
                    Rectification.closed,
                    Rectification.current_deadline,
                ).where(Rectification.deleted_at.is_(None), Rectification.inspection_id.in_(ids[i : i + 500]))
            ):
                row = targets[of_inspection[iid]]
                row["found"] += 1
                if closed and closed_on is not None and closed_on <= period.end:
                    row["rectified"] += 1
                else:
                    row["open"] += 1
                    if deadline < period.end:
                        row["overdue"] += 1
    names = dict(session.execute(select(Division.code, Division.name).where(Division.level == "township")).all())
    for (town, target), values in sorted(targets.items(), key=lambda kv: (kv[0][0], kv[1]["name"])):
        tname = names.get(town, town)
        yield ExactRow(tname, target, {"township": tname, **values})


ROW_BUILDERS = {"progress": progress_rows, "items": items_rows, "rectification": rectification_rows}


def printed_rows(
    session: Session, kind: str, period: Period, township: str | None, totals: Totals
) -> Iterator[PrintedRow]:
    """The written rows of a return (data, 小计, 合计), streamed; `totals` is complete when they end."""
    layout = LAYOUTS[kind]
    if kind == "funding":
        yield from funding_printed(session, period, township, totals)
        return
    yield from printed(
        layout.columns,
        ROW_BUILDERS[kind](session, period, township),
        label_code=layout.label_code,
        subtotals=layout.subtotals,
        totals=totals,
    )


def expected_rows(session: Session, kind: str, period: Period, township: str | None) -> int:
    """About how many rows a return will have (for a progress bar)."""
    if kind == "progress":
        return figures.count(session, period.end, plan_year=period.year, township=township)
    return 0


__all__ = ["LAYOUTS", "Layout", "expected_rows", "printed_rows"]
