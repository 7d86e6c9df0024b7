"""Review rounds (submit, send back, resubmit, approve), the archive and comparison, the period lock and
reopening with its reason in the audit log, and the county's completeness view."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from oldcomm_desktop.core import communities, funding
from oldcomm_desktop.core.errors import OldcommError, ValidationError
from oldcomm_desktop.core.model import AuditEntry, Community, ReturnSubmission
from oldcomm_desktop.core.returns import review
from oldcomm_desktop.core.returns.periods import Period

from .conftest import T1, T2

MAY = Period(2026, 5)


def test_rounds_are_kept_and_approval_locks_the_period(ledger) -> None:
    db, ids = ledger
    with db.transaction("城关街道填报员") as s:
        sub = review.submit(s, "progress", MAY, township=T1, operator="城关街道填报员")
        assert (sub.status, sub.rounds) == ("submitted", 1)
        with pytest.raises(OldcommError, match="等待审核"):
            review.submit(s, "progress", MAY, township=T1)
    with db.transaction("县审核员") as s:
        with pytest.raises(ValidationError, match="退回意见"):
            review.send_back(s, "progress", MAY, township=T1, opinion=" ")
        review.send_back(s, "progress", MAY, township=T1, operator="县审核员", opinion="和平苑户数请核实")
    with db.transaction("城关街道填报员") as s:
        sub = review.submit(s, "progress", MAY, township=T1, operator="城关街道填报员")
        assert sub.rounds == 2
    with db.transaction("县审核员") as s:
        review.approve(s, "progress", MAY, township=T1, operator="县审核员")
        hist = review.history(s, township=T1)
    assert [h.action for h in hist][::-1] == ["submitted", "sent_back", "submitted", "approved"]
    assert hist[-2].opinion == "和平苑户数请核实"

    # locked: a milestone dated within May's scope, or a standing figure of a 2026 community, is refused
    with pytest.raises(ValidationError, match="已审核通过并锁定"), db.transaction("测试员") as s:
        communities.update(s, ids["和平苑"], {"households": 81})
        s.flush()
    with pytest.raises(ValidationError, match="锁定"), db.transaction("测试员") as s:
        funding.add_investment(s, s.get(Community, ids["和平苑"]), {"entry_date": date(2026, 5, 2), "amount": "5"})
        s.flush()
    # … but a record dated after May, or another township's community, is not
    with db.transaction("测试员") as s:
        funding.add_investment(s, s.get(Community, ids["和平苑"]), {"entry_date": date(2026, 9, 2), "amount": "5"})
        communities.update(s, ids["临河新村"], {"households": 201})
    with db.transaction() as s:
        assert s.get(Community, ids["和平苑"]).households == 80

    # the county reopens with a reason (audited); then the change goes through
    with db.transaction("县审核员") as s:
        with pytest.raises(ValidationError, match="原因"):
            review.reopen(s, "progress", MAY, township=T1, reason="")
        review.reopen(s, "progress", MAY, township=T1, operator="县审核员", reason="和平苑户数更正")
    with db.transaction("测试员") as s:
        communities.update(s, ids["和平苑"], {"households": 81})
    with db.transaction() as s:
        sub = s.scalar(select(ReturnSubmission).where(ReturnSubmission.township_code == T1))
        audit = s.scalars(select(AuditEntry).where(AuditEntry.record_id == sub.id)).all()
    assert any(a.field == "opinion" and a.new_value == "和平苑户数更正" for a in audit)
    assert any(a.field == "status" and a.old_value == "approved" and a.new_value == "reopened" for a in audit)


def test_archive_keeps_the_file_and_compare_shows_what_changed(ledger) -> None:
    db, ids = ledger
    with db.transaction("填报员") as s:
        review.submit(s, "progress", MAY, township=T1, operator="填报员")
        archive = review.latest_archive(s, "progress", MAY, T1)
        name, content = review.archive_file(s, archive.id)
        archive_id = archive.id
    ws = load_workbook(io.BytesIO(content)).active
    assert "（草稿）" not in ws["A1"].value and "2026年1–5月" in ws["A1"].value
    assert name.endswith(".xlsx")
    with db.transaction("测试员") as s:  # not approved yet: not locked
        communities.update(s, ids["和平苑"], {"households": 90})
    with db.transaction() as s:
        diffs = review.compare(s, archive_id)
    changed = {(d.name, d.field): (d.archived, d.current) for d in diffs}
    assert changed[("和平苑", "households")] == (80, 90)
    assert ("城关街道小计", "households") in changed
    assert all(d.field != "total_investment" for d in diffs)


def test_errors_block_submission(ledger) -> None:
    db, ids = ledger
    with db.transaction("测试员") as s:
        s.get(Community, ids["临河新村"]).households = 0  # as an import might leave it
    with pytest.raises(ValidationError, match="不能上报"), db.transaction() as s:
        review.submit(s, "progress", MAY, township=T2)


def test_completeness_and_county_return_from_approved_numbers(ledger) -> None:
    db, _ids = ledger
    with db.transaction("填报员") as s:
        review.submit(s, "progress", MAY, township=T1, operator="填报员")
    with db.transaction("县审核员") as s:
        review.approve(s, "progress", MAY, township=T1, operator="县审核员")
        view = {c.township: c for c in review.completeness(s, "progress", MAY, today=date(2026, 12, 1))}
        rows = review.county_rows(s, "progress", MAY)
    assert view[T1].status == "approved" and view[T1].on_time is False  # submitted in December: late
    assert view[T2].status == "missing" and view[T2].overdue
    town = next(r for r in rows if r["township"] == "城关街道")
    assert town["households"] == 200 and town["rows"] == 2
    assert town["total_investment"] == Decimal("179.02")  # 123.46 + 55.56, the written rows
