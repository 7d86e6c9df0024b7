"""Milestones and the lifecycle status that follows from them.

The status a ledger shows is never typed in: it is derived from the dated milestones reached (domain.md,
"Lifecycle"). The database keeps a copy of the derived status on each community only so lists can filter
and sort on it in SQL; `oldcomm check` verifies that copy against this derivation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

RESERVE, PLANNED, STARTED, COMPLETED, ACCEPTED, WITHDRAWN = (
    "reserve",
    "planned",
    "started",
    "completed",
    "accepted",
    "withdrawn",
)

STATUS_LABELS: dict[str, str] = {
    RESERVE: "储备",
    PLANNED: "计划",
    STARTED: "已开工",
    COMPLETED: "已完工",
    ACCEPTED: "已验收",
    WITHDRAWN: "已退出",
}
STATUSES: tuple[str, ...] = tuple(STATUS_LABELS)

# Words clerks write in their ledgers for each status (domain.md), for importing and for searching.
STATUS_WORDS: dict[str, str] = {
    "完工": COMPLETED,
    "已完工": COMPLETED,
    "竣工": COMPLETED,
    "已完成": COMPLETED,
    "已验收": ACCEPTED,
    "竣工验收": ACCEPTED,
    "在建": STARTED,
    "已开工": STARTED,
    "施工中": STARTED,
    "新开工": STARTED,
    "续建": STARTED,
    "未开工": PLANNED,
    "计划": PLANNED,
    "储备": RESERVE,
    "谋划": RESERVE,
    "退出": WITHDRAWN,
    "已退出": WITHDRAWN,
    "调出计划": WITHDRAWN,
}


@dataclass(frozen=True)
class MilestoneKind:
    code: str
    label: str
    stage: str  # "pre" (before the plan), "plan" (planning and preparation), "build", "after", "exit"
    once: bool  # may be reached only once per community
    on_project: bool  # may be recorded on a project (then it counts for all its communities)
    requires: str | None = None  # the milestone that must come first


MILESTONE_KINDS: tuple[MilestoneKind, ...] = (
    MilestoneKind("survey", "入户调查/意愿征询", "pre", False, True),
    MilestoneKind("publicity", "方案公示", "pre", False, True),
    MilestoneKind("plan", "纳入年度计划", "plan", True, True),
    MilestoneKind("approval", "立项/可研批复", "plan", True, True),
    MilestoneKind("design_review", "设计/施工图审查", "plan", True, True),
    MilestoneKind("tender", "招标", "plan", False, True),
    MilestoneKind("permit", "施工许可/质监注册", "plan", True, True),
    MilestoneKind("start", "开工", "build", True, False),
    MilestoneKind("completion", "完工", "build", True, False, requires="start"),
    MilestoneKind("acceptance", "竣工验收", "build", True, False, requires="completion"),
    MilestoneKind("filing", "竣工验收备案", "after", True, False, requires="acceptance"),
    MilestoneKind("settlement", "结算/审计", "after", True, True, requires="completion"),
    MilestoneKind("handover", "专营设施移交", "after", False, False, requires="completion"),
    MilestoneKind("takeover", "物业接管", "after", True, False, requires="completion"),
    MilestoneKind("withdrawal", "退出计划", "exit", True, False),
)
KIND_BY_CODE: dict[str, MilestoneKind] = {k.code: k for k in MILESTONE_KINDS}
FILING_DAYS = 15  # 竣工验收备案 within 15 days of acceptance (a national rule)


def derive_status(kinds: Iterable[str], in_annual_plan: bool = False) -> str:
    """The lifecycle status of a community from the milestone kinds it (or its project) has reached."""
    reached = set(kinds)
    if "withdrawal" in reached:
        return WITHDRAWN
    if "acceptance" in reached:
        return ACCEPTED
    if "completion" in reached:
        return COMPLETED
    if "start" in reached:
        return STARTED
    if in_annual_plan or any(KIND_BY_CODE[k].stage == "plan" for k in reached if k in KIND_BY_CODE):
        return PLANNED
    return RESERVE


@dataclass(frozen=True)
class Reached:
    kind: str
    on: date


def order_problem(existing: list[Reached], new: Reached, today: date) -> str | None:
    """Why `new` cannot join `existing` milestones, in Chinese, or None when it fits.

    The order rules: no future dates; a once-only milestone once; completion needs a start, acceptance a
    completion (and so on), each on or after the one before; preparation is not dated after the start;
    nothing is dated after a withdrawal, and an accepted community cannot be withdrawn (nor a withdrawn one
    accepted).

    Each rule between two milestones holds whichever of them is recorded first (a late 完工 dated before the
    withdrawal fits as the withdrawal recorded after that 完工 does): the township and the county record
    milestones apart and sync merges them in either order, and both sides must judge the merged log alike —
    both take it, or both hold the clash for a clerk.
    """
    kind = KIND_BY_CODE.get(new.kind)
    if kind is None:
        return f"未知的节点类型“{new.kind}”"
    if new.on > today:
        return f"{kind.label}日期 {new.on} 晚于今天，节点只记录已发生的事"
    by_kind: dict[str, list[date]] = {}
    for r in existing:
        by_kind.setdefault(r.kind, []).append(r.on)
    if kind.once and new.kind in by_kind:
        return f"已记录过“{kind.label}”（{by_kind[new.kind][0]}），不能重复记录"
    if "withdrawal" in by_kind and new.kind != "withdrawal":
        left = by_kind["withdrawal"][0]
        # the mirror of the withdrawal's own rules below (dated last; never after acceptance), so two logs merged
        # by sync are judged alike whichever side recorded its milestone first
        if new.on > left or new.kind == "acceptance":
            return f"该小区已于 {left} 退出计划，不能再记录“{kind.label}”"
    if kind.requires:
        before = KIND_BY_CODE[kind.requires]
        if kind.requires not in by_kind:
            return f"尚未记录“{before.label}”，不能先记录“{kind.label}”"
        earliest = min(by_kind[kind.requires])
        if new.on < earliest:
            return f"{kind.label}日期 {new.on} 早于{before.label}日期 {earliest}"
    if kind.stage in ("pre", "plan") and "start" in by_kind and new.on > min(by_kind["start"]):
        return f"{kind.label}日期 {new.on} 晚于开工日期 {min(by_kind['start'])}"
    if kind.code == "start":
        prep = [
            (d, KIND_BY_CODE[k].label)
            for k, ds in by_kind.items()
            if k in KIND_BY_CODE and KIND_BY_CODE[k].stage in ("pre", "plan")
            for d in ds
        ]
        late = [p for p in prep if p[0] > new.on]
        if late:
            d, label = max(late)
            return f"开工日期 {new.on} 早于{label}日期 {d}"
    if kind.code == "withdrawal":
        if "acceptance" in by_kind:
            return "已竣工验收的小区不能退出计划"
        latest = max((d for ds in by_kind.values() for d in ds), default=None)
        if latest and new.on < latest:
            return f"退出日期 {new.on} 早于已记录的最后一个节点日期 {latest}"
    return None


def removal_problem(existing: list[Reached], removing: Reached) -> str | None:
    """Why a milestone cannot be removed (a later one depends on it), or None."""
    remaining = {r.kind for r in existing if r is not removing and r != removing}
    if removing.kind in remaining:  # another milestone of the same kind still stands
        return None
    for kind in MILESTONE_KINDS:
        if kind.requires == removing.kind and kind.code in remaining:
            return f"已记录“{kind.label}”，须先删除它才能删除“{KIND_BY_CODE[removing.kind].label}”"
    return None
