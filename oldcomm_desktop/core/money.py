"""Exact amounts: money in yuan to the fen, areas and quantities to 0.01.

Everything is a `Decimal` with two places in Python and a scaled integer in the database, so sums
never drift the way floats do and a return's totals agree with its rows.
"""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
WAN = Decimal(10000)
YI = Decimal(100_000_000)


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
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "").replace(" ", "")
        if not text:
            raise ValueError("不能为空")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{value}”不是数字") from None
    else:
        raise ValueError("应为数字")
    if not number.is_finite():
        raise ValueError("应为有限的数字")
    quantum = Decimal(1).scaleb(-places)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
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


def format_quantity(value: Decimal | None) -> str:
    """A quantity without trailing zeros (12 not 12.00, 8.5 not 8.50), thousands separated."""
    if value is None:
        return ""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
