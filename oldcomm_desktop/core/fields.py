"""Field specifications: how each editable field is named in Chinese, parsed and range-checked.

One declaration per field serves every face: the GUI labels its widget and shows the message beside it,
the command line and the Excel import print the same message with the row. Cross-field rules (completion
not before start, paid ≤ arrived …) live with the service that owns the record.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.money import to_decimal

# Bounds every number has even when its field names none: each fits a 64-bit integer column with room for
# sums over millions of rows (money as fen: 10^10 yuan = 10^12 fen; 9 million of them still fit in int64),
# so no value a clerk can type makes a later `summary` overflow.
DEFAULT_MAXIMUM = {"int": 10**9, "decimal": Decimal(10**9), "money": Decimal(10**10)}
# Dates: nothing in this program happened before 1949, nor is planned more than 20 years ahead.
EARLIEST_DATE = date(1949, 1, 1)
FUTURE_YEARS = 20
# A text field is one line (names, codes, addresses) when it has a length limit of at most this.
ONE_LINE_MAX = 300
_INVISIBLE = {"Cf", "Zs", "Zl", "Zp", "Cc", "Mn", "Me", "Co", "Cn", "Cs"}


def latest_date() -> date:
    today = date.today()
    try:
        return today.replace(year=today.year + FUTURE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + FUTURE_YEARS, day=28)


def _number(n: Any) -> str:
    """A bound as a clerk reads it: 2100, 100; thousands separated from a million up (1,000,000,000)."""
    return f"{n:,}" if abs(n) >= 1_000_000 else str(n)


# Every character the loop in `text_problem` can object to (category Cc is exactly U+0000–001F and
# U+007F–009F, Cs the surrogates): text without any of them skips the per-character loop (a bulk import
# checks ~10 texts a row).
_MAYBE_BAD = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def text_problem(text: str, *, one_line: bool) -> str | None:
    """Why `text` cannot be stored (control characters, a line break in a one-line field), or None."""
    if _MAYBE_BAD.search(text) is None:
        if (
            text
            and unicodedata.category(text[0]) in _INVISIBLE
            and all(unicodedata.category(ch) in _INVISIBLE for ch in text)
        ):
            return "不能只有空白或看不见的字符"
        return None
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\n\t" and not one_line:
            continue
        if ch == "\n" or ch == "\r":
            return "不能换行（只能填一行）"
        if cat in ("Cc", "Cs") or ch in "\u2028\u2029" or "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069":
            return f"含有不能保存的控制字符（U+{ord(ch):04X}）"
    if text and all(unicodedata.category(ch) in _INVISIBLE for ch in text):
        return "不能只有空白或看不见的字符"
    return None


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text | int | decimal | money | date | bool | choice | division
    required: bool = False
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    positive: bool = False  # strictly above zero
    choices: Mapping[str, str] | None = None  # code -> Chinese label
    max_length: int | None = None
    unit: str = ""
    level: str | None = None  # for kind "division": county | township | village
    multiline: bool | None = None  # text: None = one line when max_length <= ONE_LINE_MAX

    @functools.cached_property  # asked for every text value a bulk import parses; the field never changes
    def one_line(self) -> bool:
        if self.multiline is not None:
            return not self.multiline
        return self.max_length is not None and self.max_length <= ONE_LINE_MAX

    @functools.cached_property
    def upper_bound(self) -> Any:
        """The largest value a number field takes (its own maximum, else the kind's default)."""
        if self.maximum is not None:
            return self.maximum
        return DEFAULT_MAXIMUM.get(self.kind)

    def parse(self, value: Any) -> Any:
        """The stored value for `value` (typed, or text as a clerk typed it); ValueError in Chinese."""
        if isinstance(value, str):
            if self.kind == "division":
                from oldcomm_desktop.core.divisions import normalise_code

                value = normalise_code(value)
            else:
                value = unicodedata.normalize("NFKC", value.replace("\r\n", "\n")).strip()
            if value == "":
                value = None
        if value is None:
            if self.required:
                raise ValueError("必须填写")
            return None
        parsed = _PARSERS[self.kind](self, value)
        if self.kind in _NUMERIC:
            self._check_range(parsed)
        return parsed

    def _parse_text(self, value: Any) -> str:
        text = str(value)
        if self.max_length and len(text) > self.max_length:
            raise ValueError(f"不能超过 {self.max_length} 个字")
        why = text_problem(text, one_line=self.one_line)
        if why:
            raise ValueError(why)
        return text

    def _parse_division(self, value: Any) -> str:
        from oldcomm_desktop.core.divisions import parse_code

        try:
            return parse_code(str(value), label=self.label, field=self.name, level=self.level).code
        except ValidationError as exc:
            raise ValueError(exc.problems[0].message) from None

    def _parse_int(self, value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError("应为整数")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value != value:  # NaN
            raise ValueError("应为整数")
        try:
            number = to_decimal(value, places=6)
        except ValueError:
            raise ValueError("应为整数") from None
        if number != number.to_integral_value():
            raise ValueError("应为整数，不能有小数")
        return int(number)

    def _parse_decimal(self, value: Any) -> Decimal:
        return to_decimal(value, places=2)

    _parse_money = _parse_decimal

    def _parse_date(self, value: Any) -> date:
        if isinstance(value, datetime):
            found = value.date()
        elif isinstance(value, date):
            found = value
        else:
            text = str(value)
            for mark, dash in (("年", "-"), ("月", "-"), ("日", ""), ("/", "-"), (".", "-")):
                text = text.replace(mark, dash)
            try:
                if len(text) > 20:
                    raise ValueError
                found = date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
            except ValueError:
                raise ValueError(f"“{value}”不是有效日期（应为 2026-05-01 这样的格式）") from None
        earliest, latest = EARLIEST_DATE, latest_date()
        if found < earliest:
            raise ValueError(f"{found} 早于 {earliest}，请检查")
        if found > latest:
            raise ValueError(f"{found} 晚于 {latest}（{FUTURE_YEARS} 年以后），请检查")
        return found

    def _parse_bool(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in ("1", "true", "yes", "y", "是", "√", "✓"):
            return True
        if text in ("0", "false", "no", "n", "否", "×"):
            return False
        raise ValueError(f"“{value}”应为 是 或 否")

    def _parse_choice(self, value: Any) -> str:
        assert self.choices is not None
        text = str(value)
        if text in self.choices:
            return text
        for code, label in self.choices.items():
            if text == label:
                return code
        raise ValueError(f"“{value}”不是可选值（可选：{'、'.join(self.choices.values())}）")

    def _check_range(self, value: Any) -> None:
        if self.kind not in _NUMERIC:
            return
        unit = self.unit
        top = self.upper_bound
        if self.positive and value <= 0:
            raise ValueError("必须大于 0" if self.kind != "int" else "必须是正整数")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"不能小于 {self.minimum}{unit}")
        if self.minimum is None and top is not None and value < -top:
            raise ValueError(f"不能小于 -{_number(top)}{unit}")
        if top is not None and value > top:
            raise ValueError(f"不能大于 {_number(top)}{unit}")


_NUMERIC = frozenset({"int", "decimal", "money"})
# kind -> parser, looked up once per value (a bulk import parses ~10 values a row)
_PARSERS = {
    name[len("_parse_") :]: fn for name, fn in vars(Field).items() if name.startswith("_parse_") and callable(fn)
}


def parse_changes(spec: Mapping[str, Field], changes: Mapping[str, Any], *, new: bool = False) -> dict[str, Any]:
    """Parse every change against its field; all problems are reported together, nothing is applied.

    `new`: the changes make a new record, so a required field left out is reported as 必须填写 too.
    """
    if new:
        changes = {**{n: None for n, f in spec.items() if f.required and n not in changes}, **changes}
    parsed: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for name, raw in changes.items():
        field = spec.get(name)
        if field is None:
            problems.append(FieldProblem(name, name, "不是可以修改的字段"))
            continue
        try:
            parsed[name] = field.parse(raw)
        except ValueError as exc:
            problems.append(FieldProblem(name, field.label, str(exc)))
    if problems:
        raise ValidationError(problems)
    return parsed


def spec_of(*fields: Field) -> dict[str, Field]:
    return {f.name: f for f in fields}


def problem(spec: Mapping[str, Field], name: str, message: str) -> FieldProblem:
    return FieldProblem(name, spec[name].label if name in spec else name, message)
