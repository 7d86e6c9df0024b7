"""通报 lists: public praise (通报表扬) and criticism (通报批评) with a rectification deadline (限期整改).

Made from a management ranking (communities) or from an assessment (townships): those graded in the top
band of their scheme are praised, those in the bottom band criticised and given a deadline, the bulletin
day plus the `criticism_rectify_days` setting (15 by default). The lists are computed, never stored:
the ranking or the saved assessment they come from is the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, inspections
from oldcomm_desktop.core.supervision.scoring.rankings import ranking

DEFAULT_RECTIFY_DAYS = 15


@dataclass
class Entry:
    township: str
    subject: str  # the community (ranking) or township (assessment)
    score: str
    grade: str | None
    rank: int
    deadline: date | None = None  # criticised only


@dataclass
class Bulletin:
    title: str
    issued_on: date
    praise: list[Entry] = field(default_factory=list)
    criticism: list[Entry] = field(default_factory=list)
    subject_label: str = "小区"

    def as_json(self) -> dict:
        def one(e: Entry) -> dict:
            return {
                "township": e.township,
                "subject": e.subject,
                "score": float(e.score),
                "grade": e.grade,
                "rank": e.rank,
                "deadline": e.deadline.isoformat() if e.deadline else None,
            }

        return {
            "title": self.title,
            "issued_on": self.issued_on.isoformat(),
            "praise": [one(e) for e in self.praise],
            "criticism": [one(e) for e in self.criticism],
        }


def rectify_days(session: Session) -> int:
    return int(catalogues.get_setting(session, "criticism_rectify_days", DEFAULT_RECTIFY_DAYS))


def _top_and_bottom(bands: list) -> tuple[str | None, str | None]:
    ordered = sorted(bands or [], key=lambda b: -float(b[1]))
    if len(ordered) < 2:
        return None, None
    return ordered[0][0], ordered[-1][0]


def from_ranking(
    session: Session, period: str, township: str | None = None, *, issued_on: date | None = None
) -> Bulletin:
    """The month's praise and criticism of communities, from their management checks."""
    issued_on = issued_on or inspections.today()
    deadline = issued_on + timedelta(days=rectify_days(session))
    b = Bulletin(f"{period[:4]}年{int(period[5:7])}月长效管理检查评比通报", issued_on)
    for row in ranking(session, period, township):
        top, bottom = _top_and_bottom(row.bands)
        entry = Entry(row.township, row.community, f"{row.score:.2f}", row.grade, row.rank)
        if row.grade and row.grade == top:
            b.praise.append(entry)
        elif row.grade and row.grade == bottom:
            entry.deadline = deadline
            b.criticism.append(entry)
    b.praise.sort(key=lambda e: -float(e.score))
    b.criticism.sort(key=lambda e: float(e.score))
    return b


def from_assessment(session: Session, result: dict, *, issued_on: date | None = None) -> Bulletin:
    """The year's praise and criticism of townships, from an assessment (computed or saved)."""
    issued_on = issued_on or inspections.today()
    deadline = issued_on + timedelta(days=rectify_days(session))
    top, bottom = _top_and_bottom(result["scheme"].get("grade_bands") or [])
    b = Bulletin(f"{result['year']}年度乡镇（街道）老旧小区改造工作考核通报", issued_on, subject_label="乡镇（街道）")
    for r in result["rows"]:
        entry = Entry(r["township"], r["township"], str(r["score"]), r["grade"], r["rank"])
        if r["grade"] and r["grade"] == top:
            b.praise.append(entry)
        elif r["grade"] and r["grade"] == bottom:
            entry.deadline = deadline
            b.criticism.append(entry)
    return b
