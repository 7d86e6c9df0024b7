"""A return's way up: submitted, then approved (the period locks) or sent back with an opinion; every round kept.

Every submission archives what was sent — the .xlsx itself and a snapshot of its written numbers — so it can
be opened again and compared with what the database says now. Approving, sending back and reopening are the
county's acts (county mode). Reopening an approved period needs a reason; the status change and the reason
go into the audit log through the ordinary session hook (they are fields of the submission record).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, divisions, workspace
from oldcomm_desktop.core.errors import FieldProblem, OldcommError, ValidationError
from oldcomm_desktop.core.model import ReturnArchive, ReturnRound, ReturnSubmission
from oldcomm_desktop.core.model.base import new_id, utcnow
from oldcomm_desktop.core.returns import KINDS, checks, export
from oldcomm_desktop.core.returns.layouts import LAYOUTS
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.core.returns.printing import PrintedRow

SUBMITTED, APPROVED, SENT_BACK, REOPENED = "submitted", "approved", "sent_back", "reopened"
RETURNS_NAMESPACE = uuid.UUID("6f1d6c1e-9a39-5d4e-8d7b-0c6a1f3e2b71")
STATUS_LABELS = {SUBMITTED: "已上报待审核", APPROVED: "已审核通过", SENT_BACK: "退回修改", REOPENED: "已重新打开"}
ACTION_LABELS = {SUBMITTED: "上报", APPROVED: "审核通过", SENT_BACK: "退回修改", REOPENED: "重新打开"}


def due_day(session: Session) -> int:
    return int(catalogues.get_setting(session, "return_due_day") or 25)


def _json_value(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return v


def _code(session: Session, township: str | None) -> str:
    code = export.scope(session, township) or workspace.own_code(session)
    if not code:
        raise OldcommError("数据库尚未初始化，请先运行 oldcomm init")
    return code


def find(session: Session, kind: str, period: Period, township: str | None = None) -> ReturnSubmission | None:
    return session.scalar(
        select(ReturnSubmission).where(
            ReturnSubmission.kind == kind,
            ReturnSubmission.period == period.key,
            ReturnSubmission.township_code == _code(session, township),
            ReturnSubmission.deleted_at.is_(None),
        )
    )


def submission_id(session: Session, kind: str, period: Period, township: str) -> str:
    """The same id on every installation for one township's return of a kind and period.

    A township submits at home and the county may record a paper return for it: with one id, the two meet as
    one record when they exchange packages (their differences become sync conflicts), never as two returns
    for the same period. An id already used by a deleted submission falls back to a random one.
    """
    ident = str(uuid.uuid5(RETURNS_NAMESPACE, f"{kind}|{period.key}|{township}"))
    return ident if session.get(ReturnSubmission, ident) is None else new_id()


def _round(
    session: Session,
    sub: ReturnSubmission,
    action: str,
    operator: str | None,
    opinion: str | None,
    archive: ReturnArchive | None = None,
) -> ReturnRound:
    r = ReturnRound(
        submission_id=sub.id,
        round=sub.rounds,
        action=action,
        at=utcnow(),
        operator=operator,
        opinion=opinion,
        archive_id=archive.id if archive else None,
        township_code=sub.township_code,
    )
    session.add(r)
    return r


def submit(
    session: Session,
    kind: str,
    period: Period,
    *,
    township: str | None = None,
    operator: str | None = None,
    template: Path | None = None,
    progress: Any = None,
) -> ReturnSubmission:
    """Check, produce and archive the return, and record it as submitted. Errors in the checks refuse it."""
    export.check_kind(kind)
    code = _code(session, township)
    scope = export.scope(session, township)
    result = checks.run(session, kind, period, township=scope)
    if result.errors:
        shown = [FieldProblem(f.field, f"第 {f.row} 行 {f.name} {f.label}", f.message) for f in result.errors[:20]]
        more = len(result.errors) - len(shown)
        if more:
            shown.append(
                FieldProblem("", "", f"另有 {more} 个错误未列出（oldcomm return check {kind} --period {period}）")
            )
        raise ValidationError([FieldProblem("", "", f"审核发现 {len(result.errors)} 个错误，不能上报："), *shown])
    sub = find(session, kind, period, township)
    if sub is not None and sub.status == SUBMITTED:
        raise OldcommError(f"{period.label}{KINDS[kind]}已上报，正在等待审核")
    if sub is not None and sub.status == APPROVED:
        raise OldcommError(f"{period.label}{KINDS[kind]}已审核通过并锁定；如需重报，请县里先重新打开该期")
    now = utcnow()
    if sub is None:
        sub = ReturnSubmission(
            id=submission_id(session, kind, period, code),
            kind=kind,
            period=period.key,
            township_code=code,
            status=SUBMITTED,
            rounds=1,
        )
        session.add(sub)
    else:
        sub.rounds += 1
        sub.status = SUBMITTED
    sub.due_on = period.due(due_day(session))
    sub.submitted_at, sub.submitted_by = now, operator
    sub.decided_at = sub.decided_by = None
    session.flush()
    archive = _archive(session, sub, kind, period, scope, operator, template, progress)
    _round(session, sub, SUBMITTED, operator, None, archive)
    session.flush()
    return sub


def _archive(
    session: Session,
    sub: ReturnSubmission,
    kind: str,
    period: Period,
    scope: str | None,
    operator: str | None,
    template: Path | None,
    progress: Any,
) -> ReturnArchive:
    layout = LAYOUTS[kind]
    buf = tempfile.SpooledTemporaryFile(max_size=8 << 20)
    gz = gzip.GzipFile(fileobj=buf, mode="wb")
    gz.write(
        json.dumps(
            {"kind": kind, "period": period.key, "township": scope, "columns": layout.codes}, ensure_ascii=False
        ).encode()
        + b"\n"
    )

    def keep(r: PrintedRow) -> None:
        line = {"kind": r.kind, "key": r.key, "values": {k: _json_value(v) for k, v in r.values.items()}}
        gz.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")

    with tempfile.TemporaryDirectory(prefix="oldcomm-return-") as d:
        name = f"{period.key}-{layout.name}.xlsx"
        path = Path(d) / name
        produced = export.produce(
            session,
            kind,
            period,
            path,
            township=scope,
            template=template,
            operator=operator,
            draft=False,
            progress=progress,
            on_row=keep,
        )
        content = path.read_bytes()
    gz.close()
    buf.seek(0)
    snapshot = buf.read()
    archive = ReturnArchive(
        submission_id=sub.id,
        round=sub.rounds,
        kind=kind,
        period=period.key,
        file_name=name,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content=content,
        snapshot=snapshot,
        rows=produced.rows,
        operator=operator,
        archived_at=utcnow(),
        township_code=sub.township_code,
    )
    session.add(archive)
    session.flush()
    return archive


def _require_county(session: Session, what: str) -> None:
    if workspace.mode(session) != workspace.COUNTY:
        raise OldcommError(f"{what}由县里进行：请在县级模式的数据库中操作")


def _submission(session: Session, kind: str, period: Period, township: str | None) -> ReturnSubmission:
    export.check_kind(kind)
    sub = find(session, kind, period, township)
    if sub is None:
        raise OldcommError(f"{period.label}{KINDS[kind]}尚未上报")
    return sub


def approve(
    session: Session,
    kind: str,
    period: Period,
    *,
    township: str | None = None,
    operator: str | None = None,
    opinion: str | None = None,
) -> ReturnSubmission:
    """审核通过: the period's return is locked from now on."""
    _require_county(session, "审核")
    sub = _submission(session, kind, period, township)
    if sub.status != SUBMITTED:
        raise OldcommError(f"该报表当前状态为“{STATUS_LABELS[sub.status]}”，只有已上报待审核的报表可以审核通过")
    sub.status, sub.decided_at, sub.decided_by, sub.opinion = APPROVED, utcnow(), operator, opinion
    _round(session, sub, APPROVED, operator, opinion)
    session.flush()
    return sub


def send_back(
    session: Session,
    kind: str,
    period: Period,
    *,
    township: str | None = None,
    operator: str | None = None,
    opinion: str,
) -> ReturnSubmission:
    """退回修改 with the county's opinion; the township corrects and submits again (a new round)."""
    _require_county(session, "退回")
    if not (opinion or "").strip():
        raise ValidationError(FieldProblem("opinion", "退回意见", "必须填写退回修改的意见"))
    sub = _submission(session, kind, period, township)
    if sub.status != SUBMITTED:
        raise OldcommError(f"该报表当前状态为“{STATUS_LABELS[sub.status]}”，只有已上报待审核的报表可以退回")
    sub.status, sub.decided_at, sub.decided_by, sub.opinion = SENT_BACK, utcnow(), operator, opinion.strip()
    _round(session, sub, SENT_BACK, operator, opinion.strip())
    session.flush()
    return sub


def reopen(
    session: Session,
    kind: str,
    period: Period,
    *,
    township: str | None = None,
    operator: str | None = None,
    reason: str,
) -> ReturnSubmission:
    """Unlock an approved period so its records can be corrected; the reason goes into the audit log."""
    _require_county(session, "重新打开")
    if not (reason or "").strip():
        raise ValidationError(FieldProblem("reason", "原因", "重新打开已审核的报表必须写明原因"))
    sub = _submission(session, kind, period, township)
    if sub.status != APPROVED:
        raise OldcommError(f"该报表当前状态为“{STATUS_LABELS[sub.status]}”，只有已审核通过的报表可以重新打开")
    sub.status, sub.decided_at, sub.decided_by, sub.opinion = REOPENED, utcnow(), operator, reason.strip()
    _round(session, sub, REOPENED, operator, reason.strip())
    session.flush()
    return sub


# -- history, archive, comparison ------------------------------------------------------------------------
@dataclass
class HistoryRow:
    kind: str
    period: str
    township: str
    status: str
    round: int
    action: str
    at: datetime
    operator: str | None
    opinion: str | None
    archive_id: str | None

    def as_json(self) -> dict[str, Any]:
        return {k: _json_value(v) for k, v in self.__dict__.items()}


def history(
    session: Session, *, kind: str | None = None, period: Period | None = None, township: str | None = None
) -> list[HistoryRow]:
    """Every review round, newest first."""
    q = (
        select(ReturnRound, ReturnSubmission)
        .join(ReturnSubmission, ReturnSubmission.id == ReturnRound.submission_id)
        .where(ReturnRound.deleted_at.is_(None))
        .order_by(ReturnRound.at.desc(), ReturnRound.round.desc())
    )
    if kind:
        q = q.where(ReturnSubmission.kind == kind)
    if period:
        q = q.where(ReturnSubmission.period == period.key)
    if township:
        q = q.where(ReturnSubmission.township_code == township)
    return [
        HistoryRow(
            s.kind,
            s.period,
            s.township_code or "",
            s.status,
            r.round,
            r.action,
            r.at,
            r.operator,
            r.opinion,
            r.archive_id,
        )
        for r, s in session.execute(q)
    ]


def archive_file(session: Session, archive_id: str) -> tuple[str, bytes]:
    a = session.get(ReturnArchive, archive_id)
    if a is None:
        raise OldcommError(f"找不到归档 {archive_id}")
    return a.file_name, a.content


def latest_archive(session: Session, kind: str, period: Period, township: str | None = None) -> ReturnArchive | None:
    sub = find(session, kind, period, township)
    if sub is None:
        return None
    return session.scalar(
        select(ReturnArchive).where(ReturnArchive.submission_id == sub.id).order_by(ReturnArchive.round.desc()).limit(1)
    )


def snapshot_rows(archive: ReturnArchive) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    lines = gzip.decompress(archive.snapshot).decode().splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:]]


@dataclass
class Difference:
    key: str
    name: str
    field: str
    label: str
    archived: Any
    current: Any

    def as_json(self) -> dict[str, Any]:
        return {k: _json_value(v) for k, v in self.__dict__.items()}


def compare(session: Session, archive_id: str) -> list[Difference]:
    """What changed since the archived return: rows added or gone, and every written figure that differs."""
    archive = session.get(ReturnArchive, archive_id)
    if archive is None:
        raise OldcommError(f"找不到归档 {archive_id}")
    head, old_rows = snapshot_rows(archive)
    kind, period = head["kind"], Period.parse(head["period"])
    layout = LAYOUTS[kind]
    labels = {c.code: c.title for c in layout.columns}
    from oldcomm_desktop.core.returns.layouts import printed_rows
    from oldcomm_desktop.core.returns.printing import Totals

    name_code = {"progress": "name", "items": "name", "funding": "source", "rectification": "name"}[kind]
    old = {r["key"]: r for r in old_rows}
    out: list[Difference] = []
    seen = set()
    for r in printed_rows(session, kind, period, head.get("township"), Totals()):
        seen.add(r.key)
        values = {k: _json_value(v) for k, v in r.values.items()}
        name = str(values.get(name_code) or values.get(layout.label_code) or r.key)
        before = old.get(r.key)
        if before is None:
            out.append(Difference(r.key, name, "", "新增行", None, name))
            continue
        for code, v in values.items():
            if code == "seq":
                continue
            if before["values"].get(code) != v:
                out.append(Difference(r.key, name, code, labels.get(code, code), before["values"].get(code), v))
    for key, gone in old.items():
        if key not in seen:
            name = str(gone["values"].get(name_code) or gone["values"].get(layout.label_code) or key)
            out.append(Difference(key, name, "", "已不在报表中", name, None))
    return out


# -- county mode ----------------------------------------------------------------------------------------
@dataclass
class Completeness:
    township: str
    name: str
    status: str  # missing | submitted | approved | sent_back | reopened
    rounds: int
    submitted_at: datetime | None
    due_on: date
    on_time: bool | None  # None while not submitted
    overdue: bool  # not submitted and past due

    def as_json(self) -> dict[str, Any]:
        return {k: _json_value(v) for k, v in self.__dict__.items()}


def completeness(session: Session, kind: str, period: Period, today: date | None = None) -> list[Completeness]:
    """Which townships have submitted `kind` for `period`: on time or late, approved or sent back."""
    export.check_kind(kind)
    today = today or date.today()
    due = period.due(due_day(session))
    own = workspace.own_code(session) or ""
    subs = {
        s.township_code: s
        for s in session.scalars(
            select(ReturnSubmission).where(
                ReturnSubmission.kind == kind,
                ReturnSubmission.period == period.key,
                ReturnSubmission.deleted_at.is_(None),
            )
        )
    }
    out = []
    for t in divisions.townships(session):
        if own and workspace.mode(session) == workspace.COUNTY and t.code[:6] != own[:6]:
            continue
        s = subs.get(t.code)
        if s is None:
            out.append(Completeness(t.code, t.name, "missing", 0, None, due, None, today > due))
            continue
        first = session.scalar(
            select(ReturnRound.at)
            .where(ReturnRound.submission_id == s.id, ReturnRound.action == SUBMITTED)
            .order_by(ReturnRound.at)
            .limit(1)
        )
        on_time = first is not None and first.date() <= due
        out.append(Completeness(t.code, t.name, s.status, s.rounds, s.submitted_at, due, on_time, False))
    return out


def overdue_returns(session: Session, today: date | None = None) -> list[tuple[str, Period]]:
    """(kind, period) this database owes and has not submitted, past their due day (this year so far)."""
    today = today or date.today()
    code = workspace.own_code(session)
    if not code or workspace.mode(session) != workspace.TOWNSHIP:
        return []
    day = due_day(session)
    done = {
        (s.kind, s.period)
        for s in session.scalars(
            select(ReturnSubmission).where(
                ReturnSubmission.township_code == code,
                ReturnSubmission.status.in_([SUBMITTED, APPROVED]),
                ReturnSubmission.deleted_at.is_(None),
            )
        )
    }
    out: list[tuple[str, Period]] = []
    for month in range(1, today.month + 1):
        p = Period(today.year, month)
        if p.due(day) < today:
            out.extend((k, p) for k in ("progress",) if (k, p.key) not in done)
    return out


def next_due(session: Session, today: date | None = None) -> tuple[Period, date, int]:
    """The period whose return is due next, its due date and the days left (negative: overdue)."""
    today = today or date.today()
    p = Period.of(today)
    due = p.due(due_day(session))
    return p, due, (due - today).days


def county_rows(session: Session, kind: str, period: Period) -> list[dict[str, Any]]:
    """The county return from the townships' approved numbers: each township's written total row."""
    export.check_kind(kind)
    layout = LAYOUTS[kind]
    rows = []
    for c in completeness(session, kind, period):
        values: dict[str, Any] = {"township": c.name, "status": STATUS_LABELS.get(c.status, "未上报")}
        if c.status == APPROVED:
            archive = latest_archive(session, kind, period, c.township)
            if archive is not None:
                _head, lines = snapshot_rows(archive)
                total = next((r for r in lines if r["kind"] == "total"), None)
                values["rows"] = sum(1 for r in lines if r["kind"] == "data")
                for col in layout.columns:
                    if col.summed and total is not None and total["values"].get(col.code) is not None:
                        values[col.code] = Decimal(str(total["values"][col.code]))
        rows.append(values)
    return rows


def county_layout(kind: str):  # a Layout
    """The county return's columns: a row per township with its approved return's written totals."""
    from dataclasses import replace

    from oldcomm_desktop.core.returns.layouts import Layout
    from oldcomm_desktop.core.returns.printing import Column

    cols = [
        Column("seq", "序号", kind="seq", width=6),
        Column("township", "乡镇（街道）", width=14),
        Column("status", "审核状态", width=12),
        Column("rows", "报表行数", kind="int", summed=True, width=9),
    ]
    for c in LAYOUTS[kind].columns:
        if c.summed:
            # already written numbers (万元, 万平方米): carried over as they are, no second rounding
            cols.append(replace(c, kind="qty" if c.kind in ("money", "area") else c.kind))
    return Layout(f"county_{kind}", f"{LAYOUTS[kind].name}（全县汇总）", cols, "township", subtotals=False)


def county_return(session: Session, kind: str, period: Period, out: Path) -> Path:
    """Write the county return (.xlsx) aggregated from the townships' approved numbers."""
    from oldcomm_desktop.core.returns import standard_templates, templates
    from oldcomm_desktop.core.returns.printing import ExactRow, Totals, printed

    layout = county_layout(kind)
    totals = Totals()
    rows = [ExactRow("", r["township"], r) for r in county_rows(session, kind, period)]
    with tempfile.TemporaryDirectory(prefix="oldcomm-county-") as d:
        template = standard_templates.build(layout, Path(d) / "county.xlsx")
        header = export.header_values(session, kind, period, None, draft=False)
        header["title"] = f"{export.area_name(session, None)}老旧小区改造{layout.name}（{period.label}）"
        templates.fill(
            template,
            printed(layout.columns, rows, label_code="township", subtotals=False, totals=totals),
            Path(out),
            header,
            known_codes=layout.codes,
        )
    return Path(out)
