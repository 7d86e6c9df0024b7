"""Exact amounts: money in yuan to the fen, areas and quantities to 0.01.

Everything is a `Decimal` with two places in Python and a scaled integer in the database, so sums
never drift the way floats do and a return's totals agree with its rows.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
WAN = Decimal(10000)
YI = Decimal(100_000_000)
#: No number a clerk types has more digits before the point than this; larger ones (1e400, 10**30) are
#: refused before any arithmetic, so nothing downstream can overflow or raise InvalidOperation.
MAX_DIGITS = 15
# plain digits, or digits grouped by three with commas (or spaces): "1234.5", "1,234.50"; never "1,2,3" or 1e5
_NUMBER = re.compile(r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+)(?:\.\d+)?|[+-]?\.\d+")


def to_decimal(value: object, *, places: int = 2) -> Decimal:
    """Parse a number as a clerk writes it (full-width digits, thousands commas, spaces) into a Decimal.

    Raises `ValueError` with a Chinese message; callers add the field name.
    """
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, bool):
        raise ValueError("应为数字")
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if not text:
            raise ValueError("不能为空")
        if text.lower().lstrip("+-") in ("nan", "snan", "inf", "infinity"):
            raise ValueError("应为有限的数字")
        if len(text) > 40 or not _NUMBER.fullmatch(text):
            shown = value if len(value) <= 40 else value[:40] + "…"
            hint = ""
            if any(ch.isdigit() for ch in text):
                if "," in text or " " in text:
                    hint = "（千分位分隔须每三位一组，如 1,234）"
                elif "e" in text.lower():
                    hint = "（不能用科学计数法）"
            raise ValueError(f"“{shown}”不是数字{hint}")
        number = Decimal(text.replace(",", "").replace(" ", ""))
    else:
        raise ValueError("应为数字")
    if not number.is_finite():
        raise ValueError("应为有限的数字")
    if number and number.adjusted() >= MAX_DIGITS:
        raise ValueError("数值太大")
    quantum = Decimal(1).scaleb(-places)
    try:
        rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError("数值太大或小数位太多") from None
    if rounded != number:
        raise ValueError(f"最多保留 {places} 位小数")
    return rounded


def yuan(value: object) -> Decimal:
    """An amount in yuan, exact to the fen."""
    return to_decimal(value, places=2)


def to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)


def format_yuan(amount: Decimal | None, *, unit: str = "元") -> str:
    """Money for a screen or a form: 元 with fen, 万元 or 亿元 with two decimals, thousands separated."""
    if amount is None:
        return ""
    if unit == "万元":
        return f"{(amount / WAN).quantize(CENT, ROUND_HALF_UP):,}"
    if unit == "亿元":
        return f"{(amount / YI).quantize(CENT, ROUND_HALF_UP):,}"
    return f"{amount.quantize(CENT):,}"


def format_in_unit(amount: Decimal | None, unit: str) -> str:
    """An amount for a form field in the clerk's unit, exactly: 元 with fen (1,234,567.89); 万元 with two
    decimals and as many more as the fen need (680.00, 123.456789), so saving the form unchanged, or
    converting back, never loses a fen."""
    if amount is None:
        return ""
    if unit != "万元":
        return f"{amount.quantize(CENT):,}"
    text = f"{amount.quantize(CENT) / WAN:,.6f}"
    while text.endswith("0") and len(text) - text.index(".") > 3:
        text = text[:-1]
    return text


def parse_in_unit(text: str, unit: str) -> Decimal | str:
    """What a clerk typed in a money field shown in `unit`, as 元 for the core: exact (万元 × 10,000); text
    that is not a number is handed on unchanged, so the core's message about it is the one shown."""
    if unit != "万元" or not text.strip():
        return text
    try:
        number = to_decimal(text, places=12)
    except ValueError:
        return text
    return number * WAN


def format_quantity(value: Decimal | None) -> str:
    """A quantity without trailing zeros (12 not 12.00, 8.5 not 8.50), thousands separated."""
    if value is None:
        return ""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
