"""Money by funding source: standing measures per source, completed investment by date, the source tree.

Rules (domain.md): money goes on leaf sources only, parents are sums; arrived ≤ approved; paid ≤ arrived;
the sources' approved amounts add up to the total investment; completed ≤ total investment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, records
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.fields import Field, parse_changes, problem, spec_of
from oldcomm_desktop.core.model import Community, FundingLine, FundingSource, InvestmentEntry, Project
from oldcomm_desktop.core.model.base import utcnow

MEASURES = {"approved": "批复（概算）", "annual_plan": "年度计划", "arrived": "到位", "paid": "拨付"}

LINE_FIELDS = spec_of(
    *(Field(k, f"{label}资金", "money", minimum=0, unit="元") for k, label in MEASURES.items()),
    Field("source_note", "资金来源说明", max_length=200),
)
ENTRY_FIELDS = spec_of(
    Field("entry_date", "完成日期", "date", required=True),
    Field("amount", "完成投资", "money", required=True, unit="元"),
    Field("source_id", "资金来源", max_length=36),
    Field("notes", "备注"),
)

Target = Community | Project


def _target_filter(cls: type[FundingLine] | type[InvestmentEntry], target: Target):  # a SQL expression
    return cls.community_id == target.id if isinstance(target, Community) else cls.project_id == target.id


def line_problems(values: Mapping[str, Decimal | None], prefix: str = "") -> list[FieldProblem]:
    """arrived ≤ approved and paid ≤ arrived, for one source."""
    problems = []
    approved, arrived, paid = values.get("approved"), values.get("arrived"), values.get("paid")
    if approved is not None and arrived is not None and arrived > approved:
        problems.append(problem(LINE_FIELDS, "arrived", f"{prefix}到位资金 {arrived} 元超过批复资金 {approved} 元"))
    if arrived is not None and paid is not None and paid > arrived:
        problems.append(problem(LINE_FIELDS, "paid", f"{prefix}拨付资金 {paid} 元超过到位资金 {arrived} 元"))
    if paid is not None and arrived is None:
        problems.append(problem(LINE_FIELDS, "arrived", f"{prefix}已填拨付资金，请先填写到位资金"))
    return problems


def approved_sum_problems(approved_sum: Decimal, total: Decimal | None) -> list[FieldProblem]:
    """The sources' approved amounts add up to the target's total investment (when it has one)."""
    if total is not None and approved_sum != total:
        why = f"各来源批复资金合计 {approved_sum} 元，与总投资 {total} 元不一致"
        return [FieldProblem("approved", "批复（概算）资金", why)]
    return []


def entry_problems(values: Mapping[str, Any], today: date) -> list[FieldProblem]:
    """Rules on one completed-investment entry's own values (shared with the bulk write path)."""
    if values["amount"] == 0:
        return [problem(ENTRY_FIELDS, "amount", "金额不能为 0")]
    if values["entry_date"] > today:
        return [problem(ENTRY_FIELDS, "entry_date", f"{values['entry_date']} 晚于今天")]
    return []


def running_total_problems(done: Decimal, total: Decimal | None) -> list[FieldProblem]:
    """The running completed investment is never negative and never passes the total investment."""
    if done < 0:
        return [problem(ENTRY_FIELDS, "amount", f"冲减后累计完成投资为负数（{done} 元）")]
    if total is not None and done > total:
        return [problem(ENTRY_FIELDS, "amount", f"累计完成投资 {done} 元将超过总投资 {total} 元")]
    return []


def table_version(session: Session, target: Target) -> int:
    """The version of the target's funding table as a whole: the sum of its lines' versions, deleted ones too.

    Every change to the table adds at least one (a changed or removed line moves its own version, a new
    line brings version 1), so the number only grows; `set_lines(expected_version=…)` compares it.
    """
    q = select(func.coalesce(func.sum(FundingLine.version), 0)).where(_target_filter(FundingLine, target))
    with session.no_autoflush:
        return int(session.scalar(q) or 0)


def set_lines(
    session: Session,
    target: Target,
    lines: Mapping[str, Mapping[str, Any]],
    *,
    expected_version: int | None = None,
) -> list[FundingLine]:
    """Replace the target's whole funding table ({source code: {measure: amount}}), all or nothing.

    When the target has a total investment, the approved amounts must add up to it exactly. With
    `expected_version` (`table_version` when the table was loaded), StaleRecord if it changed since. Refused
    (InRecycleBin) for a community or project in the recycle bin: its money would count again unseen.
    """
    records.refuse_if_binned(session, target, "修改资金")
    if expected_version is not None:
        current = table_version(session, target)
        if current != expected_version:
            last = session.scalar(
                select(FundingLine.id)
                .where(_target_filter(FundingLine, target))
                .order_by(FundingLine.updated_at.desc())
                .limit(1)
            )
            stale = records.stale(session, FundingLine.__tablename__, last or target.id, expected_version, current)
            stale.record_id = target.id
            raise stale
    problems: list[FieldProblem] = []
    parsed: dict[str, tuple[FundingSource, dict[str, Any]]] = {}
    retired = catalogues.retired_ids(session)
    live = (_target_filter(FundingLine, target), FundingLine.deleted_at.is_(None))
    recorded = set(session.scalars(select(FundingLine.source_id).where(*live))) if retired else set()
    for key, raw in lines.items():
        try:
            source = catalogues.funding_source(session, key)
        except ValidationError as exc:
            problems += exc.problems
            continue
        prefix = f"{source.name}："
        if not catalogues.is_leaf(session, source):
            problems.append(FieldProblem("source_id", "资金来源", f"“{source.name}”是汇总项，请填在它的下级来源上"))
            continue
        if source.id in retired and source.id not in recorded:  # a line already there keeps working
            problems.append(FieldProblem("source_id", "资金来源", catalogues.RETIRED_TEXT.format(name=source.name)))
            continue
        try:
            values = parse_changes(LINE_FIELDS, raw)
        except ValidationError as exc:
            problems += [FieldProblem(p.field, p.label, prefix + p.message) for p in exc.problems]
            continue
        problems += line_problems(values, prefix)
        if source.needs_note and not values.get("source_note") and any(values.get(k) for k in MEASURES):
            problems.append(problem(LINE_FIELDS, "source_note", f"{prefix}请写明资金的具体来源"))
        parsed[source.id] = (source, values)
    approved_sum = sum((v.get("approved") or Decimal(0) for _, v in parsed.values()), Decimal(0))
    if parsed:
        problems += approved_sum_problems(approved_sum, target.total_investment)
    if problems:
        raise ValidationError(problems)
    existing = {
        fl.source_id: fl
        for fl in session.scalars(
            select(FundingLine).where(_target_filter(FundingLine, target), FundingLine.deleted_at.is_(None))
        )
    }
    result = []
    for source_id, (_source, values) in parsed.items():
        fl = existing.pop(source_id, None)
        if fl is None:
            fl = FundingLine(source_id=source_id, township_code=target.township_code)
            if isinstance(target, Community):
                fl.community_id = target.id
            else:
                fl.project_id = target.id
            session.add(fl)
        for k in (*MEASURES, "source_note"):
            if getattr(fl, k) != values.get(k):
                setattr(fl, k, values.get(k))
        result.append(fl)
    for fl in existing.values():
        records.soft_delete(session, fl)
    session.flush()
    return result


def add_investment(session: Session, target: Target, data: Mapping[str, Any]) -> InvestmentEntry:
    """Record investment completed on a date; the running total may not pass the total investment.

    Refused (InRecycleBin) for a community or project in the recycle bin, as `set_lines` is."""
    records.refuse_if_binned(session, target, "登记完成投资")
    values = parse_changes(ENTRY_FIELDS, data, new=True)
    problems = entry_problems(values, date.today())
    if problems:
        raise ValidationError(problems)
    if values.get("source_id"):
        source = catalogues.funding_source(session, values["source_id"])
        if source.id in catalogues.retired_ids(session):
            raise ValidationError(
                FieldProblem("source_id", "资金来源", catalogues.RETIRED_TEXT.format(name=source.name))
            )
        values["source_id"] = source.id
    problems = running_total_problems(completed_to_date(session, target) + values["amount"], target.total_investment)
    if problems:
        raise ValidationError(problems)
    entry = InvestmentEntry(**values, township_code=target.township_code)
    if isinstance(target, Community):
        entry.community_id = target.id
    else:
        entry.project_id = target.id
    session.add(entry)
    session.flush()
    return entry


def completed_to_date(
    session: Session, target: Target, *, until: date | None = None, since: date | None = None
) -> Decimal:
    q = select(func.sum(InvestmentEntry.amount)).where(
        _target_filter(InvestmentEntry, target), InvestmentEntry.deleted_at.is_(None)
    )
    if until:
        q = q.where(InvestmentEntry.entry_date <= until)
    if since:
        q = q.where(InvestmentEntry.entry_date >= since)
    return session.scalar(q) or Decimal("0.00")


@dataclass
class CompletedFigures:
    this_month: Decimal
    this_year: Decimal
    since_start: Decimal


def completed_figures(session: Session, target: Target, as_of: date) -> CompletedFigures:
    """The month, year-to-date and since-start completed investment a monthly return shows."""
    month_start = as_of.replace(day=1)
    year_start = as_of.replace(month=1, day=1)
    return CompletedFigures(
        this_month=completed_to_date(session, target, since=month_start, until=as_of),
        this_year=completed_to_date(session, target, since=year_start, until=as_of),
        since_start=completed_to_date(session, target, until=as_of),
    )


@dataclass
class SourceNode:
    """One node of the funding tree with its measures rolled up from its children."""

    source: FundingSource
    amounts: dict[str, Decimal] = field(default_factory=lambda: {k: Decimal("0.00") for k in MEASURES})
    children: list[SourceNode] = field(default_factory=list)


def tree(session: Session, target: Target | None = None) -> list[SourceNode]:
    """The funding-source tree with each measure summed: a leaf's own lines, a parent its children's.

    With no target, the sums run over every live funding line (the county's or township's totals).
    """
    q = (
        select(FundingLine.source_id, *(func.sum(getattr(FundingLine, k)) for k in MEASURES))
        .where(FundingLine.deleted_at.is_(None))
        .group_by(FundingLine.source_id)
    )
    if target is not None:
        q = q.where(_target_filter(FundingLine, target))
    own = {row[0]: dict(zip(MEASURES, row[1:], strict=True)) for row in session.execute(q)}
    sources = catalogues.funding_sources(session)
    nodes = {s.id: SourceNode(s) for s in sources}
    children: dict[str | None, list[SourceNode]] = defaultdict(list)
    for s in sources:
        children[s.parent_id if s.parent_id in nodes else None].append(nodes[s.id])

    def roll(node: SourceNode) -> None:
        node.children = children.get(node.source.id, [])
        for k, v in own.get(node.source.id, {}).items():
            node.amounts[k] += v or Decimal(0)
        for child in node.children:
            roll(child)
            for k in MEASURES:
                node.amounts[k] += child.amounts[k]

    roots = children[None]
    for r in roots:
        roll(r)
    return roots


def leaf_source_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of funding sources new money can be recorded on (leaves of the tree, not retired)."""
    retired = catalogues.retired_ids(session)
    return [
        (s.code, s.name)
        for s in catalogues.funding_sources(session)
        if s.id not in retired and catalogues.is_leaf(session, s)
    ]


# -- what the 小区台账 shows and edits of one community's money --------------------------------------------


@dataclass(frozen=True)
class MoneyRow:
    """One node of the funding-source tree with its measures (parents are sums of their children)."""

    code: str
    name: str
    depth: int
    leaf: bool
    amounts: dict[str, Decimal]

    @property
    def empty(self) -> bool:
        return not any(self.amounts.values())


@dataclass(frozen=True)
class MoneyView:
    total_investment: Decimal | None
    rows: list[MoneyRow]
    totals: dict[str, Decimal]  # the sum over the root sources, per measure
    this_month: Decimal
    this_year: Decimal
    since_start: Decimal
    as_of: date


def money_view(session: Session, community_id: str, as_of: date | None = None) -> MoneyView:
    """The community's money by source in each measure, and its completed investment figures."""
    c = records.get(session, Community, community_id)
    as_of = as_of or date.today()
    rows: list[MoneyRow] = []

    def walk(node: SourceNode, depth: int) -> None:
        rows.append(MoneyRow(node.source.code, node.source.name, depth, not node.children, dict(node.amounts)))
        for child in node.children:
            walk(child, depth + 1)

    roots = tree(session, c)
    for root in roots:
        walk(root, 0)
    totals = {k: sum((r.amounts[k] for r in roots), Decimal("0.00")) for k in MEASURES}
    figures = completed_figures(session, c, as_of)
    return MoneyView(
        c.total_investment, rows, totals, figures.this_month, figures.this_year, figures.since_start, as_of
    )


@dataclass(frozen=True)
class EditorRow:
    """A row of the funding-table editor: every source, with the values of the target's line on a leaf."""

    code: str
    name: str
    depth: int
    leaf: bool
    needs_note: bool
    values: dict[str, Decimal | None] = field(default_factory=dict)
    source_note: str | None = None
    retired: bool = False  # 已停用: no new money here; a line already recorded stays editable


def lines_of(session: Session, community_id: str) -> dict[str, dict[str, object]]:
    """The community's funding table as `set_lines` takes it ({source code: {measure: amount}})."""
    c = records.get(session, Community, community_id)
    q = (
        select(FundingLine)
        .where(FundingLine.community_id == c.id, FundingLine.deleted_at.is_(None))
        .order_by(FundingLine.created_at)
    )
    codes = {s.id: s.code for s in catalogues.funding_sources(session)}
    out: dict[str, dict[str, object]] = {}
    for line in session.scalars(q):
        code = codes.get(line.source_id)
        if code is None:
            continue
        out[code] = {**{k: getattr(line, k) for k in MEASURES}, "source_note": line.source_note}
    return out


def table_version_of(session: Session, community_id: str) -> int:
    """What the funding editor passes back as `set_lines(expected_version=…)` when it saves."""
    return table_version(session, records.get(session, Community, community_id))


def editor_rows(session: Session, community_id: str) -> list[EditorRow]:
    """Every source in tree order, leaves carrying the community's current amounts (None when blank)."""
    lines = lines_of(session, community_id)
    sources = catalogues.funding_sources(session)
    retired = catalogues.retired_ids(session)
    by_parent: dict[str | None, list] = {}
    ids = {s.id for s in sources}
    for s in sources:
        by_parent.setdefault(s.parent_id if s.parent_id in ids else None, []).append(s)
    rows: list[EditorRow] = []

    def walk(s, depth: int) -> None:  # a FundingSource
        children = by_parent.get(s.id, [])
        line = lines.get(s.code, {})
        rows.append(
            EditorRow(
                s.code,
                s.name,
                depth,
                not children,
                bool(s.needs_note),
                {k: line.get(k) for k in MEASURES},  # type: ignore[misc]
                line.get("source_note"),  # type: ignore[arg-type]
                s.id in retired,
            )
        )
        for child in children:
            walk(child, depth + 1)

    for root in by_parent.get(None, []):
        walk(root, 0)
    return rows


def delete_investment(session: Session, entry_id: str, *, expected_version: int | None = None) -> None:
    """Withdraw a completed-investment entry (undo of 登记完成投资): into the recycle bin."""
    records.soft_delete(session, records.get(session, InvestmentEntry, entry_id, expected_version=expected_version))
    session.flush()


def restore_investment(session: Session, entry_id: str, *, expected_version: int | None = None) -> InvestmentEntry:
    """Bring an entry back, unless the running total would then pass the total investment."""
    entry = records.get(session, InvestmentEntry, entry_id, include_deleted=True, expected_version=expected_version)
    if entry.deleted_at is None:
        return entry
    target = (
        session.get(Community, entry.community_id) if entry.community_id else session.get(Project, entry.project_id)
    )
    if target is None or target.deleted_at is not None:
        raise ValidationError("该完成投资所属的小区或项目在回收站中，请先恢复它")
    done = completed_to_date(session, target) + entry.amount
    if target.total_investment is not None and done > target.total_investment:
        raise ValidationError(
            FieldProblem("amount", "完成投资", f"累计完成投资 {done} 元将超过总投资 {target.total_investment} 元")
        )
    records.restore(session, entry)
    entry.updated_at = utcnow()
    session.flush()
    return entry
