"""The period a return is for: a month, its figures cumulative from January (1–N 月), and its due day.

County returns are cumulative: the May return shows January to May. The numbers are those of the period's
end — the last day of the month — so a return for a past month is produced again with the numbers it had.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from oldcomm_desktop.core.errors import FieldProblem, ValidationError

_PATTERN = re.compile(r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?\s*$")


@dataclass(frozen=True, order=True)
class Period:
    """A reporting month; `key` ("2026-05") is how it is stored and typed."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str, *, label: str = "报表期间") -> Period:
        """ "2026-05", "2026.5" or "2026年5月"; anything else is refused with a Chinese message."""
        m = _PATTERN.match(str(text or ""))
        if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
            message = f"“{text}”不是有效的月份，应写作 YYYY-MM（如 2026-05）"
            raise ValidationError(FieldProblem("period", label, message))
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> date:
        """1 January: the returns are cumulative from the start of the year."""
        return date(self.year, 1, 1)

    @property
    def month_start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        """The last day of the month: records dated after it do not count."""
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def label(self) -> str:
        """ "2026年1–5月" (or "2026年1月" for January), as county returns title themselves."""
        months = "1月" if self.month == 1 else f"1–{self.month}月"
        return f"{self.year}年{months}"

    def previous(self) -> Period | None:
        """The month before within the same year (None for January: a new year starts from zero)."""
        return None if self.month == 1 else Period(self.year, self.month - 1)

    def due(self, due_day: int) -> date:
        """The day the return is due: `due_day` of the period's month, or its last day in a short month."""
        last = calendar.monthrange(self.year, self.month)[1]
        return date(self.year, self.month, min(max(int(due_day), 1), last))

    def __str__(self) -> str:
        return self.key


def current(today: date | None = None) -> Period:
    return Period.of(today or date.today())
