"""Period arithmetic as properties (hypothesis): every month of every year the program accepts."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from oldcomm_desktop.core.returns.periods import Period

periods = st.builds(Period, st.integers(min_value=2000, max_value=2100), st.integers(min_value=1, max_value=12))


@given(periods)
def test_a_period_is_typed_back_from_its_key_and_its_chinese_form(p: Period) -> None:
    assert Period.parse(p.key) == p
    assert Period.parse(f"{p.year}年{p.month}月") == p
    assert Period.parse(f"{p.year}.{p.month}") == p


@given(periods)
def test_the_figures_run_from_1_january_to_the_last_day_of_the_month(p: Period) -> None:
    assert p.start == date(p.year, 1, 1) and p.month_start == date(p.year, p.month, 1)
    assert p.end.month == p.month and (p.end + timedelta(days=1)).day == 1
    assert p.start <= p.month_start <= p.end
    assert Period.of(p.end) == p == Period.of(p.month_start)
    assert p.label.startswith(f"{p.year}年1") and p.label.endswith(f"{p.month}月")


@given(periods)
def test_previous_stays_in_the_year_and_january_starts_from_zero(p: Period) -> None:
    prev = p.previous()
    if p.month == 1:
        assert prev is None
    else:
        assert prev is not None and prev < p and prev.year == p.year and prev.end + timedelta(days=1) == p.month_start


@given(periods, st.integers(min_value=-5, max_value=40))
def test_the_due_day_is_in_the_month_clamped_to_its_length(p: Period, day: int) -> None:
    due = p.due(day)
    last = calendar.monthrange(p.year, p.month)[1]
    assert Period.of(due) == p
    assert due.day == min(max(day, 1), last)
