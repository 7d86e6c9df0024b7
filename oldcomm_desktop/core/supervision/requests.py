"""Residents' requests (居民诉求): what residents raise by hotline, visit or meeting, and the reply.

A request without a reply past its reply deadline is overdue and counts on the dashboard. Replies are
rated (满意 / 基本满意 / 不满意); per community the rated replies give a satisfaction figure
(满意 100, 基本满意 60, 不满意 0, averaged) that the township assessment uses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, divisions, inspections, records
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.fields import Field, parse_changes, problem, spec_of
from oldcomm_desktop.core.model import Community
from oldcomm_desktop.core.model.supervision import ResidentRequest
from oldcomm_desktop.core.townships import township_rule

CHANNELS = {"hotline": "热线电话", "visit": "来访", "meeting": "座谈会"}
SATISFACTION = {"satisfied": "满意", "basically": "基本满意", "unsatisfied": "不满意"}
SATISFACTION_POINTS = {"satisfied": Decimal(100), "basically": Decimal(60), "unsatisfied": Decimal(0)}
STATES = {"open": "待答复", "overdue": "逾期未答复", "replied": "已答复"}
DEFAULT_REPLY_DAYS = 15

FIELDS = spec_of(
    Field("community_id", "小区", required=True, max_length=36),
    Field("topic", "诉求事项", required=True, max_length=100),
    Field("content", "具体内容"),
    Field("raised_by", "反映人", max_length=100),
    Field("channel", "渠道", "choice", required=True, choices=CHANNELS),
    Field("raised_on", "反映日期", "date", required=True),
    Field("reply_deadline", "答复期限", "date"),
)
REPLY_FIELDS = spec_of(
    Field("reply", "答复内容", required=True),
    Field("replied_on", "答复日期", "date", required=True),
    Field("satisfaction", "满意度", "choice", choices=SATISFACTION),
)


TOWNSHIP = spec_of(Field("township_code", "乡镇（街道）"))  # a request's township is its community's


def community_problems(community: Any | None) -> list[FieldProblem]:
    """A request's community exists and is not in the recycle bin (shared with the bulk write path)."""
    if community is None or community.deleted_at is not None:
        return [problem(FIELDS, "community_id", "所选小区不存在或已删除")]
    return []


def reply_days(session: Session) -> int:
    """Days a reply may take when a request names no deadline (the setting, 15 by default)."""
    return int(catalogues.get_setting(session, "request_reply_days", DEFAULT_REPLY_DAYS))


def reply_deadline(given: date | None, raised_on: date, days: int) -> date:
    """The deadline a request keeps: the one given, else `days` after it was raised."""
    return given if given is not None else raised_on + timedelta(days=days)


def request_problems(r: Any, today: date) -> list[FieldProblem]:
    """A request is not raised in the future and its reply deadline is not before it was raised.
    One definition, run by `add` and by the bulk write path (importing/bulk_tables.py)."""
    problems = []
    if r.raised_on > today:
        problems.append(problem(FIELDS, "raised_on", f"{r.raised_on} 晚于今天"))
    if r.reply_deadline < r.raised_on:
        problems.append(problem(FIELDS, "reply_deadline", f"答复期限 {r.reply_deadline} 早于反映日期"))
    return problems


def reply_problems(replied_on: date, raised_on: date, today: date) -> list[FieldProblem]:
    """A reply is dated between the day the request was raised and today (shared with the bulk write path)."""
    if replied_on < raised_on:
        return [problem(REPLY_FIELDS, "replied_on", f"{replied_on} 早于反映日期 {raised_on}")]
    if replied_on > today:
        return [problem(REPLY_FIELDS, "replied_on", f"{replied_on} 晚于今天")]
    return []


def replied_already(reply: str | None, replied_on: date | None) -> str | None:
    """A request is answered once: the refusal when it already has a reply (shared with the bulk write path)."""
    if reply:
        return f"该诉求已于 {replied_on} 答复，不能重复答复（满意度可另行登记）"
    return None


NOT_REPLIED = "该诉求还没有答复，不能评价满意度"


def _rules(today: date):  # a records.Rule
    def rule(session: Session, r: ResidentRequest, confirm: bool) -> list[FieldProblem]:
        c = session.get(Community, r.community_id)
        missing = community_problems(c)
        if missing or c is None:
            return missing
        r.township_code = c.township_code
        problems = township_rule(session, TOWNSHIP, c.township_code)
        r.reply_deadline = reply_deadline(r.reply_deadline, r.raised_on, reply_days(session))
        return problems + request_problems(r, today)

    return rule


def add(session: Session, data: Mapping[str, Any], *, today: date | None = None) -> ResidentRequest:
    """Register a request; without a reply deadline it gets the setting's days (15 by default)."""
    data = dict(data)
    if data.get("community_id"):
        c = session.scalar(
            select(Community.id).where(
                Community.deleted_at.is_(None),
                (Community.id == str(data["community_id"])) | (Community.name == str(data["community_id"])),
            )
        )
        data["community_id"] = c or data["community_id"]
    req = ResidentRequest()
    records.apply(session, req, FIELDS, data, [_rules(today or inspections.today())])
    session.flush()
    return req


def reply(
    session: Session,
    request_id: str,
    text: str,
    on: Any = None,
    satisfaction: str | None = None,
    *,
    today: date | None = None,
) -> ResidentRequest:
    """The reply to a request (once), with the resident's satisfaction if known."""
    today = today or inspections.today()
    # a request may outlive its community (deleting one leaves its requests), but is not answered under it unseen
    req = records.get_writable(session, ResidentRequest, request_id, "答复居民诉求")
    refused = replied_already(req.reply, req.replied_on)
    if refused:
        raise ValidationError(refused)
    values = parse_changes(REPLY_FIELDS, {"reply": text, "replied_on": on or today, "satisfaction": satisfaction})
    problems = reply_problems(values["replied_on"], req.raised_on, today)
    if problems:
        raise ValidationError(problems)
    req.reply, req.replied_on, req.satisfaction = values["reply"], values["replied_on"], values.get("satisfaction")
    session.flush()
    return req


def rate(session: Session, request_id: str, satisfaction: str) -> ResidentRequest:
    """Record (or correct) the resident's satisfaction with a reply given earlier."""
    req = records.get_writable(session, ResidentRequest, request_id, "登记满意度")
    if not req.reply:
        raise ValidationError(NOT_REPLIED)
    req.satisfaction = parse_changes(REPLY_FIELDS, {"satisfaction": satisfaction})["satisfaction"]
    session.flush()
    return req


def state_of(replied_on: date | None, deadline: date, today: date) -> str:
    if replied_on is not None:
        return "replied"
    return "overdue" if deadline < today else "open"


def overdue_count(session: Session, today: date | None = None, township: str | None = None) -> int:
    q = (
        select(func.count(ResidentRequest.id))
        .join(Community, Community.id == ResidentRequest.community_id)
        .where(
            ResidentRequest.deleted_at.is_(None),
            Community.deleted_at.is_(None),
            ResidentRequest.replied_on.is_(None),
            ResidentRequest.reply_deadline < (today or inspections.today()),
        )
    )
    if township:
        q = q.where(ResidentRequest.township_code == township)
    return session.scalar(q) or 0


def rows(
    session: Session,
    *,
    township: str | None = None,
    state: str | None = None,
    today: date | None = None,
    limit: int | None = None,
) -> list[dict]:
    """The register, newest first; `state` open / overdue / replied filters it; `limit` keeps the newest."""
    today = today or inspections.today()
    q = (
        select(ResidentRequest.__table__, Community.name.label("community_name"))  # Core rows: read-only lists
        .join(Community, Community.id == ResidentRequest.community_id)
        .where(ResidentRequest.deleted_at.is_(None), Community.deleted_at.is_(None))
        .order_by(ResidentRequest.raised_on.desc(), ResidentRequest.created_at.desc())
    )
    if township:
        q = q.where(ResidentRequest.township_code == township)
    if state == "replied":
        q = q.where(ResidentRequest.replied_on.is_not(None))
    elif state == "overdue":
        q = q.where(ResidentRequest.replied_on.is_(None), ResidentRequest.reply_deadline < today)
    elif state == "open":
        q = q.where(ResidentRequest.replied_on.is_(None), ResidentRequest.reply_deadline >= today)
    if limit is not None:
        q = q.limit(limit)
    names = {d.code: d.name for d in divisions.townships(session)}
    out = []
    for r in session.execute(q):
        cname = r.community_name
        st = state_of(r.replied_on, r.reply_deadline, today)
        out.append(
            {
                "id": r.id,
                "township_code": r.township_code,
                "township": names.get(r.township_code or "", r.township_code),
                "community_id": r.community_id,
                "community": cname,
                "topic": r.topic,
                "content": r.content,
                "raised_by": r.raised_by,
                "channel": r.channel,
                "channel_label": CHANNELS.get(r.channel, r.channel),
                "raised_on": r.raised_on,
                "reply_deadline": r.reply_deadline,
                "reply": r.reply,
                "replied_on": r.replied_on,
                "satisfaction": r.satisfaction,
                "satisfaction_label": SATISFACTION.get(r.satisfaction or "", ""),
                "state": st,
                "state_label": STATES[st],
            }
        )
    return out


def figure(ratings: Sequence[str | None]) -> Decimal | None:
    """The satisfaction figure (0–100, two places) of some rated replies; None when none is rated."""
    rated = [SATISFACTION_POINTS[r] for r in ratings if r in SATISFACTION_POINTS]
    if not rated:
        return None
    return (sum(rated, Decimal(0)) / len(rated)).quantize(Decimal("0.01"))


def roll_up(
    session: Session, *, township: str | None = None, start: date | None = None, end: date | None = None
) -> list[dict]:
    """Per community: requests, replied, overdue, each topic's count, and the satisfaction figure."""
    today = inspections.today()
    q = (
        select(ResidentRequest.__table__, Community.name.label("community_name"))  # Core rows: read-only lists
        .join(Community, Community.id == ResidentRequest.community_id)
        .where(ResidentRequest.deleted_at.is_(None), Community.deleted_at.is_(None))
    )
    if township:
        q = q.where(ResidentRequest.township_code == township)
    if start:
        q = q.where(ResidentRequest.raised_on >= start)
    if end:
        q = q.where(ResidentRequest.raised_on <= end)
    by: dict[str, dict] = {}
    ratings: dict[str, list[str]] = defaultdict(list)
    for r in session.execute(q):
        cname = r.community_name
        row = by.setdefault(
            r.community_id,
            {
                "community_id": r.community_id,
                "community": cname,
                "township_code": r.township_code,
                "requests": 0,
                "replied": 0,
                "overdue": 0,
                "topics": defaultdict(int),
            },
        )
        row["requests"] += 1
        row["replied"] += r.replied_on is not None
        row["overdue"] += state_of(r.replied_on, r.reply_deadline, today) == "overdue"
        row["topics"][r.topic] += 1
        if r.satisfaction:
            ratings[r.community_id].append(r.satisfaction)
    out = []
    for cid, row in by.items():
        row["topics"] = dict(sorted(row["topics"].items(), key=lambda kv: (-kv[1], kv[0])))
        row["rated"] = len(ratings[cid])
        row["satisfaction"] = figure(ratings[cid])
        out.append(row)
    out.sort(key=lambda r: (r["township_code"] or "", r["community"]))
    return out


def township_figure(session: Session, township: str, start: date, end: date) -> Decimal | None:
    """The satisfaction figure of all rated replies of a township's requests raised in [start, end]."""
    ratings = session.scalars(
        select(ResidentRequest.satisfaction)
        .join(Community, Community.id == ResidentRequest.community_id)
        .where(
            Community.deleted_at.is_(None),
            ResidentRequest.deleted_at.is_(None),
            ResidentRequest.township_code == township,
            ResidentRequest.raised_on.between(start, end),
            ResidentRequest.satisfaction.is_not(None),
        )
    )
    return figure(list(ratings))
