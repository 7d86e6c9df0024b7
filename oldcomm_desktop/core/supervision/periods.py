"""Calendar arithmetic for schedules: the windows (months, ISO weeks) an inspection is due in.

Pure functions on dates, so month ends and leap years are tested on their own (property tests).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Window:
    """The days [start, end] (both included) in which one inspection of a schedule is due."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d}～{self.end:%Y-%m-%d}"


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_windows(start: date, until: date, stop: date | None = None) -> Iterator[Window]:
    """Calendar months from `start`'s month up to `until`'s; the first begins on `start`, `stop` cuts the last."""
    first = start
    while first <= until and (stop is None or first <= stop):
        end = month_end(first)
        yield Window(first, min(end, stop) if stop else end)
        first = next_month(first)


def week_windows(start: date, until: date, stop: date | None = None) -> Iterator[Window]:
    """ISO weeks (Monday to Sunday) from `start`'s week up to `until`'s; clipped to `start` and `stop`."""
    first = start
    while first <= until and (stop is None or first <= stop):
        end = first + timedelta(days=6 - first.weekday())
        yield Window(first, min(end, stop) if stop else end)
        first = end + timedelta(days=1)


def windows(frequency: str, start: date, until: date, stop: date | None = None) -> list[Window]:
    make = {"monthly": month_windows, "weekly": week_windows}[frequency]
    return list(make(start, until, stop))


def parse_period(text: str) -> tuple[date, date]:
    """ "2026-05" → (2026-05-01, 2026-05-31); ValueError in Chinese otherwise."""
    try:
        year, month = (int(p) for p in str(text).strip().replace("/", "-").split("-"))
        first = date(year, month, 1)
    except (ValueError, TypeError):
        raise ValueError(f"“{text}”不是有效的年月（应为 2026-05 这样的格式）") from None
    return first, month_end(first)


def previous_period(text: str) -> str:
    first, _ = parse_period(text)
    prev = first - timedelta(days=1)
    return f"{prev.year:04d}-{prev.month:02d}"
