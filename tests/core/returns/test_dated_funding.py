"""Money arrived (到位) and paid (拨付) are dated: a return for a past month shows them as they stood then.

Every change to a funding line's arrived/paid leaves a row in funding_line_history (through the ORM and
through the bulk write path); the returns read, per line, the latest row dated on or before the period's
end; migration 0012 dates the totals an older database already holds on the day each line was created.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, text, update

from oldcomm_desktop.core import communities, funding, funding_dates, workspace
from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.model import Community, FundingLine, FundingLineHistory, FundingSource
from oldcomm_desktop.core.returns import figures
from oldcomm_desktop.core.returns.layouts import funding_measures
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.storage.database import Database, open_database
from oldcomm_desktop.storage.migrations import current_revision, head_revision
from tests.conftest import TOWNSHIP_CODE, TOWNSHIP_NAME

XFL = "幸福里小区"


def _arrived(db: Database, day: date) -> Decimal:
    with db.transaction() as s:
        return {f.name: f.arrived for f in figures.communities_as_of(s, day, plan_year=2026)}[XFL]


def _measures(db: Database, period: Period, source_code: str) -> dict[str, Decimal]:
    with db.transaction() as s:
        sid = s.scalar(select(FundingSource.id).where(FundingSource.code == source_code))
        return dict(funding_measures(s, period, None)[sid])


def _set_city_county(db: Database, cid: str, arrived: str, paid: str, day: date | None = None) -> None:
    lines = {
        "central_budget": {"approved": "600000.00", "arrived": "600000.00"},
        "city_county": {"approved": "634567.89", "arrived": arrived, "paid": paid},
    }
    with db.transaction("测试员") as s:
        c = s.get(Community, cid)
        if day is None:
            funding.set_lines(s, c, lines)
        else:
            with funding_dates.dated(s, day):
                funding.set_lines(s, c, lines)


def test_a_later_arrival_leaves_the_past_return_as_it_was(ledger) -> None:
    db, ids = ledger
    # the fixture's money arrived on 2026-01-15: 600,000 + 300,000
    assert _arrived(db, date(2026, 8, 31)) == Decimal("900000.00")
    before = _measures(db, Period(2026, 8), "city_county")
    assert before["arrived"] == Decimal("300000.00") and before["paid"] == Decimal("0")
    _set_city_county(db, ids[XFL], "634567.89", "500000.00", date(2026, 9, 10))
    # August's return is produced again with August's numbers; September's has the new money
    assert _arrived(db, date(2026, 8, 31)) == Decimal("900000.00")
    assert _arrived(db, date(2026, 9, 30)) == Decimal("1234567.89")
    assert _measures(db, Period(2026, 8), "city_county") == before
    sept = _measures(db, Period(2026, 9), "city_county")
    assert (sept["arrived"], sept["paid"]) == (Decimal("634567.89"), Decimal("500000.00"))
    # before the money arrived at all, nothing had
    assert _arrived(db, date(2025, 12, 31)) == Decimal("0")


def test_a_change_today_is_dated_today_and_the_current_return_agrees_with_the_lines(ledger) -> None:
    db, ids = ledger
    _set_city_county(db, ids[XFL], "400000.00", "100000.00")
    with db.transaction() as s:
        line = s.scalars(
            select(FundingLine)
            .join(FundingSource, FundingSource.id == FundingLine.source_id)
            .where(FundingLine.community_id == ids[XFL], FundingSource.code == "city_county")
        ).one()
        rows = s.execute(
            select(FundingLineHistory.as_of, FundingLineHistory.arrived, FundingLineHistory.paid)
            .where(FundingLineHistory.funding_line_id == line.id)
            .order_by(FundingLineHistory.as_of)
        ).all()
    assert rows == [
        (date(2026, 1, 15), Decimal("300000.00"), None),
        (date.today(), Decimal("400000.00"), Decimal("100000.00")),
    ]
    # an edit that leaves arrived and paid alone writes no row
    with db.transaction("测试员") as s:
        s.get(FundingLine, line.id).source_note = "备注"
    with db.transaction() as s:
        assert s.query(FundingLineHistory).filter_by(funding_line_id=line.id).count() == 2
    # today's return (read from the lines) and the history read as of today give the same numbers
    with db.transaction() as s:
        then = [funding_dates.measure(m, date.today(), from_history=True) for m in funding_dates.MEASURES]
        from_history = s.execute(select(FundingLine.id, *then).order_by(FundingLine.id)).all()
        current = s.execute(
            select(FundingLine.id, FundingLine.arrived, FundingLine.paid).order_by(FundingLine.id)
        ).all()
    assert from_history == current
    assert _arrived(db, date.today()) == Decimal("1000000.00")


def test_the_bulk_path_dates_what_it_writes(ledger) -> None:
    db, ids = ledger
    with db.transaction() as s:
        central = s.scalars(
            select(FundingLine.id)
            .join(FundingSource, FundingSource.id == FundingLine.source_id)
            .where(FundingLine.community_id == ids[XFL], FundingSource.code == "central_budget")
        ).one()
    with db.transaction("测试员") as s, funding_dates.dated(s, date(2026, 10, 20)):
        plan = bulk.write(
            s,
            {
                "funding_line": [
                    {"id": central, "paid": "250000.00"},
                    {
                        "community_id": ids["和平苑"],
                        "source_id": "city_county",
                        "approved": "555555.55",
                        "arrived": "55555.55",
                    },
                ]
            },
            source="测试",
        )
    assert plan.counts()["funding_line"]["create"] == 1 and plan.counts()["funding_line"]["update"] == 1
    with db.transaction() as s:
        rows = s.execute(
            select(FundingLineHistory.funding_line_id, FundingLineHistory.arrived, FundingLineHistory.paid).where(
                FundingLineHistory.as_of == date(2026, 10, 20)
            )
        ).all()
        new_line = s.scalar(select(FundingLine.id).where(FundingLine.community_id == ids["和平苑"]))
    assert sorted(rows) == sorted(
        [(central, Decimal("600000.00"), Decimal("250000.00")), (new_line, Decimal("55555.55"), None)]
    )
    with db.transaction() as s:
        hp = {f.name: f.arrived for f in figures.communities_as_of(s, date(2026, 9, 30), plan_year=2026)}["和平苑"]
        hp_oct = {f.name: f.arrived for f in figures.communities_as_of(s, date(2026, 10, 31), plan_year=2026)}
    assert hp == Decimal("0") and hp_oct["和平苑"] == Decimal("55555.55")
    assert _measures(db, Period(2026, 9), "central_budget")["paid"] == Decimal("0")
    assert _measures(db, Period(2026, 10), "central_budget")["paid"] == Decimal("250000.00")


def test_migration_0012_dates_an_older_database_s_money_on_each_line_s_creation_day(raw_target: str) -> None:
    with open_database(raw_target) as db, db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code=TOWNSHIP_CODE, name=TOWNSHIP_NAME, operator="测试员")
        c = communities.create(
            s, {"name": XFL, "households": 10, "floor_area": "1000", "total_investment": "1000", "plan_year": 2026}
        )
        s.flush()
        funding.set_lines(s, c, {"central_budget": {"approved": "1000", "arrived": "800", "paid": "300"}})
        s.flush()
        s.execute(update(FundingLine).values(created_at=datetime(2026, 2, 3, 9, 0)))
    with open_database(raw_target) as db:  # make it a 0011 database: without what 0012 and later made
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE funding_line_history"))
            conn.execute(text("ALTER TABLE funding_source DROP COLUMN active"))  # 0013
            if db.engine.dialect.name == "sqlite":  # 0014's triggers and table
                from oldcomm_desktop.core.stored_landmarks import TRIGGER_NAMES

                for trigger in TRIGGER_NAMES:
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
            conn.execute(text("DROP TABLE item_landmark"))
            conn.execute(text("UPDATE alembic_version SET version_num = '0011'"))
        assert current_revision(db.engine) == "0011"
    with open_database(raw_target) as db:
        assert current_revision(db.engine) == head_revision()
        with db.transaction() as s:
            rows = s.execute(
                select(FundingLineHistory.as_of, FundingLineHistory.arrived, FundingLineHistory.paid)
            ).all()
            assert rows == [(date(2026, 2, 3), Decimal("800.00"), Decimal("300.00"))]
            day = {f.name: f.arrived for f in figures.communities_as_of(s, date(2026, 2, 28), plan_year=2026)}
            assert day[XFL] == Decimal("800.00")
            earlier = {f.name: f.arrived for f in figures.communities_as_of(s, date(2026, 1, 31), plan_year=2026)}
            assert earlier[XFL] == Decimal("0")


def test_money_dated_after_a_locked_period_is_not_refused(ledger) -> None:
    from oldcomm_desktop.core.errors import ValidationError
    from oldcomm_desktop.core.returns import review

    db, ids = ledger
    may = Period(2026, 5)
    with db.transaction("县审核员") as s:
        review.submit(s, "progress", may, township="341122001000", operator="填报员")
        review.approve(s, "progress", may, township="341122001000", operator="县审核员")
    # May is locked: money dated within it would change May's return and is refused …
    with pytest.raises(ValidationError, match="锁定"):
        _set_city_county(db, ids[XFL], "400000.00", "0", date(2026, 5, 20))
    # … money that arrived later (dated after May, or today) does not, and goes through
    _set_city_county(db, ids[XFL], "400000.00", "100000.00", date(2026, 6, 3))
    assert _arrived(db, date(2026, 5, 31)) == Decimal("900000.00")
    assert _arrived(db, date(2026, 6, 30)) == Decimal("1000000.00")
    # the approved figure itself is a standing fact: still locked
    with pytest.raises(ValidationError, match="锁定"), db.transaction("测试员") as s:
        line = s.scalars(select(FundingLine).where(FundingLine.community_id == ids[XFL])).first()
        line.approved = Decimal("1.00")
        s.flush()
