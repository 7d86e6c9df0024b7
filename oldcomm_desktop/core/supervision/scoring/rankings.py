"""Long-term-management ranking (长效管理检查评比排名): communities per township and month, from scored checks.

The score scheme is the management check's template (items with their maximum scores as weights, and its
grade bands), so a county that changes its sheet changes the ranking with it. A community's score in a
month is its latest scored check of that month; communities with the same score share a rank (1, 1, 3);
last month's grade stands beside this month's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import divisions
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import ChecklistTemplate, Community, Inspection
from oldcomm_desktop.core.supervision.periods import parse_period, previous_period


@dataclass
class RankRow:
    township_code: str
    township: str
    community_id: str
    community: str
    score: Decimal
    grade: str | None
    rank: int
    inspected_on: date
    inspection_id: str
    bands: list  # the grade bands of the check's template, best first
    previous_score: Decimal | None = None
    previous_grade: str | None = None

    def as_json(self) -> dict:
        return {
            "township_code": self.township_code,
            "township": self.township,
            "community_id": self.community_id,
            "community": self.community,
            "score": float(self.score),
            "grade": self.grade,
            "rank": self.rank,
            "inspected_on": self.inspected_on.isoformat(),
            "previous_score": float(self.previous_score) if self.previous_score is not None else None,
            "previous_grade": self.previous_grade,
        }


def competition_ranks(scores: list[Decimal]) -> list[int]:
    """Ranks for scores in descending order, ties sharing the better rank (1, 1, 3)."""
    ranks: list[int] = []
    for i, s in enumerate(scores):
        ranks.append(ranks[i - 1] if i and s == scores[i - 1] else i + 1)
    return ranks


def period_checks(session: Session, period: str, township: str | None = None) -> dict[str, tuple]:
    """community id → (score, grade, day, inspection id, template id): its latest scored check of the month."""
    try:
        start, end = parse_period(period)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    q = (
        select(
            Inspection.community_id,
            Inspection.total_score,
            Inspection.grade,
            Inspection.inspected_on,
            Inspection.id,
            Inspection.template_id,
        )
        .join(Community, Community.id == Inspection.community_id)
        .where(
            Inspection.deleted_at.is_(None),
            Community.deleted_at.is_(None),
            Inspection.kind == "management",
            Inspection.total_score.is_not(None),
            Inspection.inspected_on.between(start, end),
        )
        .order_by(Inspection.inspected_on, Inspection.created_at)
    )
    if township:
        q = q.where(Inspection.township_code == township)
    found: dict[str, tuple] = {}
    for cid, score, grade, day, iid, tid in session.execute(q):
        assert cid is not None  # the inner join with community
        found[cid] = (score, grade, day, iid, tid)  # later rows replace earlier: the month's latest check
    return found


def ranking(session: Session, period: str, township: str | None = None) -> list[RankRow]:
    """The ranking of `period` ("2026-05"), township by township, best first within each."""
    if township:
        divisions.parse_code(township, label="乡镇（街道）")
    now = period_checks(session, period, township)
    before = period_checks(session, previous_period(period), township)
    if not now:
        return []
    info = {
        cid: (name, tcode)
        for cid, name, tcode in session.execute(
            select(Community.id, Community.name, Community.township_code).where(Community.id.in_(list(now)))
        )
    }
    bands = {
        tid: sorted(b or [], key=lambda x: -float(x[1]))
        for tid, b in session.execute(select(ChecklistTemplate.id, ChecklistTemplate.grade_bands))
    }
    names = {d.code: d.name for d in divisions.townships(session)}
    by_township: dict[str, list[RankRow]] = {}
    for cid, (score, grade, day, iid, tid) in now.items():
        name, tcode = info[cid]
        prev = before.get(cid)
        by_township.setdefault(tcode or "", []).append(
            RankRow(
                tcode or "",
                names.get(tcode or "", tcode or ""),
                cid,
                name,
                score,
                grade,
                0,
                day,
                iid,
                bands.get(tid, []),
                prev[0] if prev else None,
                prev[1] if prev else None,
            )
        )
    out: list[RankRow] = []
    for tcode in sorted(by_township):
        group = sorted(by_township[tcode], key=lambda r: (-r.score, r.community))
        for row, rank in zip(group, competition_ranks([r.score for r in group]), strict=True):
            row.rank = rank
        out += group
    return out
