"""`oldcomm check`: the database engine's own integrity check, then the domain's consistency rules.

Each rule is a SQL query that finds offending rows, so the check runs on a 200,000-community ledger in
seconds and names every record at fault in Chinese.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, func, select, text
from sqlalchemy.orm import Session, aliased

from oldcomm_desktop.core import record_names, record_parents
from oldcomm_desktop.core.lifecycle import FILING_DAYS, STATUS_LABELS, derive_status
from oldcomm_desktop.core.model import Community, FundingLine, InvestmentEntry, Milestone, Project


@dataclass(frozen=True)
class Finding:
    severity: str  # error | warning
    record: str  # what the record is called
    message: str

    def __str__(self) -> str:
        mark = "错误" if self.severity == "error" else "提醒"
        return f"[{mark}] {self.record}：{self.message}"


def engine_check(session: Session, *, deep: bool = False) -> list[Finding]:
    """SQLite's own check: `quick_check` (seconds on 1.6 GB) by default, the full `integrity_check`
    (which also verifies every index against its table: ~35 s at 200,000 communities) when `deep`."""
    if session.get_bind().dialect.name != "sqlite":
        return []
    pragma = "integrity_check" if deep else "quick_check"
    rows = [r[0] for r in session.execute(text(f"PRAGMA {pragma}"))]
    bad = [Finding("error", "数据库文件", r) for r in rows if r != "ok"]
    fk = session.execute(text("PRAGMA foreign_key_check")).all()
    bad += [Finding("error", f"表 {r[0]}", f"第 {r[1]} 行引用的 {r[2]} 不存在") for r in fk]
    return bad


def _live_communities():
    return select(Community).where(Community.deleted_at.is_(None))


def _status_rule(session: Session) -> Iterator[Finding]:
    kinds: dict[str, set[str]] = {}
    project_kinds: dict[str, set[str]] = {}
    for cid, pid, kind in session.execute(
        select(Milestone.community_id, Milestone.project_id, Milestone.kind).where(Milestone.deleted_at.is_(None))
    ):
        if cid:
            kinds.setdefault(cid, set()).add(kind)
        elif pid:
            project_kinds.setdefault(pid, set()).add(kind)
    for cid, name, pid, year, status in session.execute(
        select(Community.id, Community.name, Community.project_id, Community.plan_year, Community.status).where(
            Community.deleted_at.is_(None)
        )
    ):
        derived = derive_status(
            kinds.get(cid, set()) | (project_kinds.get(pid, set()) if pid else set()), year is not None
        )
        if derived != status:
            shown, should = STATUS_LABELS.get(status, status), STATUS_LABELS.get(derived, derived)
            yield Finding("error", f"小区“{name}”", f"记录的状态“{shown}”与节点推出的状态“{should}”不一致")


def _money_rules(session: Session) -> Iterator[Finding]:
    """The money checks, on money kept per community and on money kept on a project alike."""
    for target, word in ((Community, "小区"), (Project, "项目")):
        yield from _money_rules_for(session, target, word)


def _money_rules_for(session: Session, target: type[Community] | type[Project], word: str) -> Iterator[Finding]:
    key = "community_id" if target is Community else "project_id"
    line_key, entry_key = getattr(FundingLine, key), getattr(InvestmentEntry, key)
    live = (FundingLine.deleted_at.is_(None), target.deleted_at.is_(None))
    for n, arrived, approved in session.execute(
        select(target.name, FundingLine.arrived, FundingLine.approved)
        .join(target, target.id == line_key)
        .where(*live, FundingLine.arrived > FundingLine.approved)
    ):
        yield Finding("error", f"{word}“{n}”", f"到位资金 {arrived} 元超过批复资金 {approved} 元")
    for n, paid, arrived in session.execute(
        select(target.name, FundingLine.paid, FundingLine.arrived)
        .join(target, target.id == line_key)
        .where(*live, FundingLine.paid > FundingLine.arrived)
    ):
        yield Finding("error", f"{word}“{n}”", f"拨付资金 {paid} 元超过到位资金 {arrived} 元")
    approved_sums = (
        select(line_key.label("tid"), func.sum(FundingLine.approved).label("s"))
        .where(FundingLine.deleted_at.is_(None), line_key.is_not(None))
        .group_by(line_key)
        .subquery()
    )
    for n, total, s in session.execute(
        select(target.name, target.total_investment, approved_sums.c.s)
        .join(approved_sums, approved_sums.c.tid == target.id)
        .where(
            target.deleted_at.is_(None),
            target.total_investment.is_not(None),
            approved_sums.c.s != target.total_investment,
        )
    ):
        yield Finding("error", f"{word}“{n}”", f"各来源批复资金合计 {s} 元与总投资 {total} 元不一致")
    done = (
        select(entry_key.label("tid"), func.sum(InvestmentEntry.amount).label("s"))
        .where(InvestmentEntry.deleted_at.is_(None), entry_key.is_not(None))
        .group_by(entry_key)
        .subquery()
    )
    for n, total, s in session.execute(
        select(target.name, target.total_investment, done.c.s)
        .join(done, done.c.tid == target.id)
        .where(target.deleted_at.is_(None), done.c.s > target.total_investment)
    ):
        yield Finding("error", f"{word}“{n}”", f"累计完成投资 {s} 元超过总投资 {total} 元")


def _milestone_rules(session: Session) -> Iterator[Finding]:
    start, end = aliased(Milestone), aliased(Milestone)
    live = and_(start.deleted_at.is_(None), end.deleted_at.is_(None))
    for name, s, e in session.execute(
        select(Community.name, start.reached_on, end.reached_on)
        .join(start, and_(start.community_id == Community.id, start.kind == "start"))
        .join(end, and_(end.community_id == Community.id, end.kind == "completion"))
        .where(live, Community.deleted_at.is_(None), end.reached_on < start.reached_on)
    ):
        yield Finding("error", f"小区“{name}”", f"完工日期 {e} 早于开工日期 {s}")
    acc, filing = aliased(Milestone), aliased(Milestone)
    for name, a in session.execute(
        select(Community.name, acc.reached_on)
        .join(acc, and_(acc.community_id == Community.id, acc.kind == "acceptance", acc.deleted_at.is_(None)))
        .outerjoin(
            filing, and_(filing.community_id == Community.id, filing.kind == "filing", filing.deleted_at.is_(None))
        )
        .where(Community.deleted_at.is_(None), filing.id.is_(None))
    ):
        yield Finding(
            "warning",
            f"小区“{name}”",
            f"{a} 已竣工验收，尚未记录备案（应在 {FILING_DAYS} 日内，即 {a + timedelta(days=FILING_DAYS)} 前）",
        )


def _ledger_rules(session: Session) -> Iterator[Finding]:
    for name, status, progress in session.execute(
        select(Community.name, Community.status, Community.progress_percent).where(
            Community.deleted_at.is_(None), Community.progress_percent.is_not(None)
        )
    ):
        finished = status in ("completed", "accepted")
        if (progress == 100) != finished:
            yield Finding(
                "warning", f"小区“{name}”", f"形象进度 {progress}% 与状态“{status}”不符（100% 应当且仅当已完工）"
            )
    for (name,) in session.execute(
        select(Community.name).where(
            Community.deleted_at.is_(None),
            Community.status.in_(("started", "completed", "accepted")),
            (Community.households.is_(None)) | (Community.floor_area.is_(None)),
        )
    ):
        yield Finding("warning", f"小区“{name}”", "已开工，但户数或建筑面积未填写")


def _item_rules(session: Session) -> Iterator[Finding]:
    """Items against their community (the warnings items.create/update ask the clerk to confirm)."""
    from oldcomm_desktop.core.items import FINISHED_COMMUNITY, ITEM_STATUSES
    from oldcomm_desktop.core.model import RenovationItem
    from oldcomm_desktop.core.money import format_yuan

    live = and_(RenovationItem.community_id == Community.id, RenovationItem.deleted_at.is_(None))
    summed = func.sum(RenovationItem.investment)
    for name, total, items_total in session.execute(
        select(Community.name, Community.total_investment, summed)
        .join(RenovationItem, live)
        .where(Community.deleted_at.is_(None), Community.total_investment.is_not(None))
        .group_by(Community.id, Community.name, Community.total_investment)
        .having(summed > Community.total_investment)
    ):
        yield Finding(
            "warning",
            f"小区“{name}”",
            f"改造内容投资合计 {format_yuan(items_total)} 元，超过小区总投资 {format_yuan(total)} 元",
        )
    for name, status, item_status, n in session.execute(
        select(Community.name, Community.status, RenovationItem.status, func.count(RenovationItem.id))
        .join(RenovationItem, live)
        .where(
            Community.deleted_at.is_(None),
            Community.status.in_(tuple(FINISHED_COMMUNITY)),
            RenovationItem.status != "completed",
        )
        .group_by(Community.id, Community.name, Community.status, RenovationItem.status)
    ):
        yield Finding(
            "warning",
            f"小区“{name}”",
            f"小区{FINISHED_COMMUNITY[status]}，仍有 {n:,} 项改造内容为“{ITEM_STATUSES.get(item_status, item_status)}”",
        )


KEPT_WITH_PARENT = record_parents.KEPT_WITH_PARENT  # the pairs every edit keeps together


def _orphan_rule(session: Session) -> Iterator[Finding]:
    """A live record under a deleted parent (an item of a deleted community): no edit allows it, so one found
    means a write went around the rules (an old release, a hand-edited file); the recycle bin restores the parent
    or the record can be deleted."""
    from oldcomm_desktop.core.model import Base

    meta = Base.metadata.tables
    for child, col, parent in KEPT_WITH_PARENT:
        t, p = meta[child], meta[parent]
        what = record_names.TABLE_LABELS.get(child, child)
        q = (
            select(p.c.id, func.count())
            .select_from(t.join(p, p.c.id == t.c[col]))
            .where(t.c.deleted_at.is_(None), p.c.deleted_at.is_not(None))
            .group_by(p.c.id)
        )
        conn = session.connection()
        for pid, n in session.execute(q):  # named as every message names a record (an inspection by kind and date)
            yield Finding(
                "error",
                record_names.named(conn, parent, pid),
                f"已删除，但其中还有 {n:,} 条{what}未删除；请在回收站恢复它，或删除这些{what}",
            )


def _notice_number_rule(session: Session) -> Iterator[Finding]:
    """One 整改通知单编号 on two live notices: a returned reply or a re-inspection could be matched to the wrong
    one. Each unit numbers in its own series (core/notice_numbers.py), so only older data or a number typed by
    hand can repeat. The numbers stay as printed (a notice is on paper with the contractor): reported, so a
    clerk matches replies and re-inspections by community and date."""
    from oldcomm_desktop.core.model import Rectification

    for no, n in session.execute(
        select(Rectification.notice_no, func.count())
        .where(Rectification.deleted_at.is_(None), Rectification.notice_no.is_not(None))
        .group_by(Rectification.notice_no)
        .having(func.count() > 1)
        .order_by(Rectification.notice_no)
    ):
        yield Finding(
            "warning",
            f"整改通知单“{no}”",
            f"这个编号有 {n:,} 条整改通知共用；已印发的编号不改，回执和复查请按小区和检查日期核对",
        )


RULES = (_status_rule, _money_rules, _milestone_rules, _ledger_rules, _item_rules, _orphan_rule, _notice_number_rule)


def check(session: Session, *, deep: bool = False) -> list[Finding]:
    findings = engine_check(session, deep=deep)
    for rule in RULES:
        findings.extend(rule(session))
    return findings
