"""Period arithmetic and the figures as of a period's end (cumulative 1–N 月, later records not counted)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.returns import figures
from oldcomm_desktop.core.returns.layouts import printed_rows
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.core.returns.printing import Totals


@pytest.mark.parametrize(
    ("text", "key", "end", "label"),
    [
        ("2026-05", "2026-05", date(2026, 5, 31), "2026年1–5月"),
        ("2026.2", "2026-02", date(2026, 2, 28), "2026年1–2月"),
        ("2024年2月", "2024-02", date(2024, 2, 29), "2024年1–2月"),
        ("2026-01", "2026-01", date(2026, 1, 31), "2026年1月"),
    ],
)
def test_period_parse_end_and_label(text: str, key: str, end: date, label: str) -> None:
    p = Period.parse(text)
    assert (p.key, p.end, p.label, p.start) == (key, end, label, date(p.year, 1, 1))


@pytest.mark.parametrize("bad", ["2026-13", "26-05", "", "五月", "2026-00"])
def test_period_refuses_bad_text_in_chinese(bad: str) -> None:
    with pytest.raises(ValidationError, match="YYYY-MM"):
        Period.parse(bad)


def test_due_day_is_clamped_to_short_months_and_january_has_no_previous() -> None:
    assert Period(2026, 2).due(30) == date(2026, 2, 28)
    assert Period(2026, 5).due(25) == date(2026, 5, 25)
    assert Period(2026, 1).previous() is None
    assert Period(2026, 5).previous() == Period(2026, 4)


def _by_name(session, day: date) -> dict:
    return {f.name: f for f in figures.communities_as_of(session, day, plan_year=2026)}


def test_figures_follow_dated_records_only(ledger) -> None:
    db, _ids = ledger
    with db.transaction() as s:
        feb = _by_name(s, date(2026, 2, 28))
        apr = _by_name(s, date(2026, 4, 30))
        jun = _by_name(s, date(2026, 6, 30))
        nov = _by_name(s, date(2026, 11, 30))
    assert set(nov) == {"幸福里小区", "和平苑", "临河新村"}  # the 2025 community is not in the 2026 return
    a = "幸福里小区"
    assert (feb[a].status, feb[a].completed_total, feb[a].actual_start) == ("planned", Decimal("0.00"), None)
    assert (apr[a].status, apr[a].completed_total, apr[a].actual_start) == (
        "started",
        Decimal("300000.00"),
        date(2026, 3, 10),
    )
    assert (jun[a].status, jun[a].completed_total, jun[a].actual_completion, jun[a].progress_percent) == (
        "completed",
        Decimal("800000.00"),
        date(2026, 6, 20),
        100,
    )
    assert nov[a].completed_total == Decimal("900000.00")
    assert jun["和平苑"].status == "planned" and nov["和平苑"].status == "started"
    assert nov[a].completed_month == Decimal("0.00") and nov[a].completed_year == Decimal("900000.00")
    assert nov[a].funds["fund_central"] == Decimal("600000.00")
    assert nov[a].funds["fund_local"] == Decimal("634567.89")
    assert nov[a].indicators["ind_elevators"] == 2
    assert nov[a].indicators["ind_pipes_km"] == Decimal("1.2345")


def test_a_past_return_is_produced_again_with_the_numbers_it_had(ledger) -> None:
    from oldcomm_desktop.core import funding
    from oldcomm_desktop.core.model import Community

    db, ids = ledger
    with db.transaction() as s:
        before = [r.values for r in printed_rows(s, "progress", Period(2026, 5), None, Totals())]
    with db.transaction("测试员") as s:  # a later month's entry does not change May's return
        funding.add_investment(s, s.get(Community, ids["和平苑"]), {"entry_date": date(2026, 10, 5), "amount": "1.00"})
    with db.transaction() as s:
        after = [r.values for r in printed_rows(s, "progress", Period(2026, 5), None, Totals())]
    assert before == after


def test_subtotals_and_total_are_sums_of_the_written_rows(ledger) -> None:
    db, _ = ledger
    with db.transaction() as s:
        totals = Totals()
        rows = list(printed_rows(s, "progress", Period(2026, 11), None, totals))
    kinds = [r.kind for r in rows]
    assert kinds == ["data", "data", "subtotal", "data", "subtotal", "total"]
    assert rows[2].values["township"] == "城关街道小计" and rows[-1].values["township"] == "合计"
    for code in ("households", "floor_area", "total_investment", "completed_total", "fund_local"):
        assert rows[2].values[code] == rows[0].values[code] + rows[1].values[code]
        assert rows[-1].values[code] == rows[2].values[code] + rows[4].values[code]
    assert rows[0].values["floor_area"] == Decimal("0.5432")  # 5,432.10 m² → 万平方米, 4 places
    assert rows[1].values["total_investment"] == Decimal("123.46")  # 1,234,567.89 yuan → 万元
    assert rows[-1].values["households"] == 400
    assert totals.data_rows == 3
