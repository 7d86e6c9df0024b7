"""Calendar arithmetic of schedules: month windows end on month ends (leap years too), weeks run Monday to
Sunday, and the windows tile the time without gaps or overlaps."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oldcomm_desktop.core.supervision.periods import (
    month_end,
    month_windows,
    next_month,
    parse_period,
    previous_period,
    week_windows,
)

days = st.dates(min_value=date(1999, 1, 1), max_value=date(2040, 12, 31))


@given(days, st.integers(min_value=0, max_value=800))
def test_month_windows_tile_the_months(start: date, span: int) -> None:
    until = start + timedelta(days=span)
    ws = list(month_windows(start, until))
    assert ws[0].start == start
    months = (until.year - start.year) * 12 + until.month - start.month + 1
    assert len(ws) == months
    for w in ws:
        assert w.end == date(w.start.year, w.start.month, calendar.monthrange(w.start.year, w.start.month)[1])
        assert w.start.month == w.end.month and w.start <= w.end
    for a, b in zip(ws, ws[1:], strict=False):
        assert b.start == a.end + timedelta(days=1)
        assert b.start.day == 1
    assert ws[-1].start <= until <= ws[-1].end


@given(days, st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=400))
def test_a_stop_day_cuts_the_last_window(start: date, span: int, stop_after: int) -> None:
    until = start + timedelta(days=span)
    stop = start + timedelta(days=stop_after)
    ws = list(month_windows(start, until, stop))
    assert all(w.end <= stop for w in ws)
    assert all(w.start <= min(until, stop) for w in ws)
    if ws:
        assert ws[-1].end == min(stop, month_end(ws[-1].start))


@given(days, st.integers(min_value=0, max_value=400))
def test_week_windows_run_monday_to_sunday(start: date, span: int) -> None:
    until = start + timedelta(days=span)
    ws = list(week_windows(start, until))
    assert ws[0].start == start
    for w in ws:
        assert w.end.weekday() == 6 and (w.end - w.start).days <= 6
    for a, b in zip(ws, ws[1:], strict=False):
        assert b.start == a.end + timedelta(days=1) and b.start.weekday() == 0
    assert ws[-1].start <= until <= ws[-1].end


@given(days)
def test_next_month_is_the_first_of_the_following_month(day: date) -> None:
    n = next_month(day)
    assert n.day == 1 and n > day and n - timedelta(days=1) == month_end(day)


@pytest.mark.parametrize(
    ("day", "end"),
    [
        (date(2024, 2, 10), date(2024, 2, 29)),  # leap year
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2000, 2, 5), date(2000, 2, 29)),  # divisible by 400: leap
        (date(2100, 2, 5), date(2100, 2, 28)),  # divisible by 100 only: not leap
        (date(2026, 12, 31), date(2026, 12, 31)),
        (date(2026, 4, 30), date(2026, 4, 30)),
    ],
)
def test_month_ends(day: date, end: date) -> None:
    assert month_end(day) == end


def test_a_window_starting_on_the_31st_ends_that_day() -> None:
    ws = list(month_windows(date(2026, 1, 31), date(2026, 3, 1)))
    assert [(w.start, w.end) for w in ws] == [
        (date(2026, 1, 31), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 31)),
    ]


def test_periods_parse_and_step_back_over_the_year() -> None:
    assert parse_period("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert previous_period("2026-01") == "2025-12"
    assert previous_period("2024-03") == "2024-02"
    with pytest.raises(ValueError, match="不是有效的年月"):
        parse_period("2026-13")
    with pytest.raises(ValueError, match="不是有效的年月"):
        parse_period("五月")
