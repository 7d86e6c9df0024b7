"""Cell values as real ledgers write them: numbers with units inside, 约/余, ranges, dates, years, status words.

Every parser returns the exact value (Decimal, date, int) and a flag when the ledger itself says the figure
is not exact (约, 余, a range, a masked **), so an approximation is imported with a note the clerk sees,
never silently as exact. Text is normalised first: NFKC (full-width digits and punctuation), traditional
characters to simplified (OpenCC, as reposted lists are often converted), stray spaces removed.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from oldcomm_desktop.core.lifecycle import STATUS_WORDS

EXCEL_EPOCH = date(1899, 12, 30)

# unit word -> (quantity, factor to the stored unit). Longest first when matching.
UNITS: dict[str, tuple[str, Decimal]] = {
    "万平方米": ("area", Decimal(10000)),
    "万方平米": ("area", Decimal(10000)),  # a real typo in published lists
    "万平米": ("area", Decimal(10000)),
    "万㎡": ("area", Decimal(10000)),
    "万m2": ("area", Decimal(10000)),
    "万m²": ("area", Decimal(10000)),
    "平方米": ("area", Decimal(1)),
    "平米": ("area", Decimal(1)),
    "㎡": ("area", Decimal(1)),
    "m2": ("area", Decimal(1)),
    "m²": ("area", Decimal(1)),
    "亿元": ("money", Decimal(100_000_000)),
    "万元": ("money", Decimal(10000)),
    "元": ("money", Decimal(1)),
    "栋": ("count", Decimal(1)),
    "幢": ("count", Decimal(1)),
    "户": ("count", Decimal(1)),
    "个": ("count", Decimal(1)),
    "套": ("count", Decimal(1)),
}
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_RANGE = re.compile(r"(-|~|～|至|到)\d")
_PLAIN = re.compile(r"-?\d+(\.\d+)?")
_GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")  # 1,930 or 12,345.67: thousands separators in place
_NUMBER = re.compile(rf"(约|近|超过|逾)?\s*(-?\d[\d,]*(?:\.\d+)?)\s*(余|多)?\s*({_UNIT_RE})?\s*(余|多)?", re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def _t2s() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


@functools.lru_cache(maxsize=1)
def _traditional() -> frozenset[str]:
    """Characters OpenCC's t2s changes (its TSCharacters dictionary): text without any is left as it is."""
    import os

    import opencc

    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
    found = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            key, _, values = line.rstrip("\n").partition("\t")
            if values.split(" ")[0] != key:
                found.add(key)
    return frozenset(found)


@functools.lru_cache(maxsize=50_000)
def normalise(text: str) -> str:
    """NFKC, traditional → simplified, spaces (also inner ones in CJK text) removed; for matching words.

    OpenCC's pure-Python converter costs ~200 µs a cell; it only runs on text holding a traditional character.
    """
    text = unicodedata.normalize("NFKC", text)
    if not _traditional().isdisjoint(text):
        text = _t2s().convert(text)
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Number:
    value: Decimal  # in the stored unit (m², yuan, or a count) after the unit's factor
    unit: str | None  # the unit word found in the cell, if any
    approximate: bool = False  # 约 / 余 / 多 / a range: the ledger says the figure is not exact
    note: str = ""  # what was left out (其中… parts), shown to the clerk


def parse_number(value: Any, *, default_unit: str | None = None) -> Number | None:
    """A figure from a cell: 1930, '1,930', '１９３０', '31.5万平方米', '约2.1亿元', '2300余户', '46栋'.

    The unit in the cell wins over `default_unit` (the header's). "其中…" sub-figures are not added: only
    the figure before 其中 counts, the rest goes into the note. None for an empty cell; ValueError in Chinese
    for text that holds no figure.
    """
    if value is None:
        return None
    kind = type(value)
    # fast paths for what most cells hold (an int, a float, plain or comma-grouped digits), then the full parser
    if kind is int:
        return Number(Decimal(value) * _factor(default_unit), default_unit)
    if kind is float and math.isfinite(value):
        number = Decimal(repr(value)) if value != int(value) else Decimal(int(value))
        return Number(number * _factor(default_unit), default_unit)
    if kind is str and value.isascii():
        text = value.strip()
        if _PLAIN.fullmatch(text):
            return Number(Decimal(text) * _factor(default_unit), default_unit)
        if _GROUPED.fullmatch(text):
            return Number(Decimal(text.replace(",", "")) * _factor(default_unit), default_unit)
    if isinstance(value, bool):
        raise ValueError(f"“{value}”不是数字")
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
        if isinstance(value, float) and number == number.to_integral_value():
            number = number.quantize(Decimal(1))
        return Number(number * _factor(default_unit), default_unit)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if text in ("", "-", "—", "/", "无"):
        return None
    if _PLAIN.fullmatch(text):  # digits only
        return Number(Decimal(text) * _factor(default_unit), default_unit)
    note = ""
    for marker in ("其中", "含", "(其中", "(含"):
        at = text.find(marker)
        if at > 0:
            text, note = text[:at].rstrip("(,，;；、 "), text[at:]
            break
    m = _NUMBER.search(text.replace(" ", ""))
    if m is None:
        raise ValueError(f"“{value}”不是数字")
    about, digits, more1, unit, more2 = m.groups()
    try:
        number = Decimal(digits.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"“{value}”不是数字") from None
    rest = text.replace(" ", "")[m.end() :]
    ranged = bool(rest) and bool(_RANGE.match(rest))
    unit_word = unit or default_unit
    if unit and unit not in UNITS:
        unit_word = next(u for u in UNITS if u.lower() == unit.lower())
    return Number(
        number * _factor(unit_word),
        unit_word,
        approximate=bool(about or more1 or more2 or ranged),
        note=(note or (f"范围 {text}" if ranged else "")),
    )


def agrees_as_written(stored: Decimal, number: Number) -> bool:
    """Whether `stored` rounds to the figure as the file wrote it: 19530.49 m² is what a return shows as
    1.953 万平方米 (to 10 m²). Re-importing a file we exported must not overwrite exact values with rounded ones."""
    exponent = number.value.as_tuple().exponent
    if not isinstance(exponent, int):
        return False
    step = Decimal(1).scaleb(exponent) * _factor(number.unit)
    if step <= 0:
        return False
    return (stored / step).to_integral_value(ROUND_HALF_UP) * step == number.value


@functools.lru_cache(maxsize=256)
def _factor(unit: str | None) -> Decimal:
    if not unit:
        return Decimal(1)
    found = UNITS.get(unit) or UNITS.get(unit.lower())
    return found[1] if found else Decimal(1)


def unit_in(text: str) -> str | None:
    """The unit a header names ('建筑面积(万平方米)' → '万平方米'), or None."""
    m = re.search(_UNIT_RE, unicodedata.normalize("NFKC", text), re.IGNORECASE)
    if m is None:
        return None
    return next(u for u in UNITS if u.lower() == m.group(0).lower())


_YEAR = re.compile(r"\s*(1[89]\d\d|20\d\d)\s*年?\s*")


@dataclass(frozen=True)
class Year:
    value: int | None
    approximate: bool = False
    note: str = ""


def parse_year(value: Any) -> Year | None:
    """'1995', 1995.0, '1995年', '1983年至20xx年' (the first year, flagged), '20xx' (unknown, flagged)."""
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return Year(value.year)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value) != int(value):
            raise ValueError(f"“{value}”不是年份")
        return Year(int(value))
    if type(value) is str:
        m = _YEAR.fullmatch(value)
        if m:  # '1995' or '1995年', the common case
            return Year(int(m[1]))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    years = re.findall(r"(1[89]\d\d|20[\dxX*]{2})", text)
    if not years:
        raise ValueError(f"“{value}”不是年份")
    known = [y for y in years if y.isdigit()]
    masked = len(known) < len(years)
    if not known:
        return Year(None, True, f"年份不详：{text}")
    several = len(years) > 1 or "年代" in text or "约" in text or "以前" in text or "前" in text
    return Year(int(known[0]), masked or several, text if (masked or several) else "")


@dataclass(frozen=True)
class Day:
    value: date
    precision: str = "day"  # day | month (2021.3, 2021年3月: the first of the month, flagged)


def parse_date(value: Any, *, year: int | None = None) -> Day | None:
    """A date cell: a real date, an Excel serial (44270), '2021-03-15', '2021.3', '2021年3月', '3月15日'.

    A date without its year takes `year` (from the sheet's title); without one it is refused with a message.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return Day(value.date())
    if isinstance(value, date):
        return Day(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:
            return Day(EXCEL_EPOCH + timedelta(days=int(value)))
        raise ValueError(f"“{value}”不是日期")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{5}(\.0)?", text):
        return parse_date(float(text), year=year)
    m = re.fullmatch(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?(\s.*)?", text)
    try:
        if m:
            return Day(date(int(m[1]), int(m[2]), int(m[3])))
        m = re.fullmatch(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?(份)?", text)
        if m:
            return Day(date(int(m[1]), int(m[2]), 1), "month")
        m = re.fullmatch(r"(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?", text)
        if m:
            if year is None:
                raise ValueError(f"“{text}”没有年份，请在标题中写明年度或在导入时给出年份")
            return Day(date(year, int(m[1]), int(m[2])))
    except ValueError as exc:
        if "年份" in str(exc):
            raise
        raise ValueError(f"“{text}”不是有效日期") from None
    raise ValueError(f"“{text}”不是日期（应为 2021-03-15、2021.3、2021年3月 这样的格式）")


def parse_status(value: Any) -> str | None:
    """A status word (完工 / 已完工 / 竣工 / 已完成; 在建 / 已开工 / 施工中; 未开工 …) → a status code."""
    if value is None:
        return None
    text = normalise(str(value))
    if not text:
        return None
    if text in STATUS_WORDS:
        return STATUS_WORDS[text]
    for word in sorted(STATUS_WORDS, key=len, reverse=True):
        if word in text:
            return STATUS_WORDS[word]
    raise ValueError(f"“{value}”不是可识别的状态（如 已完工、在建、未开工）")


_PART = re.compile(r"^其中[:：]?")
_LIST_NUMBER = re.compile(r"^(\(?\d{1,3}[.、)．]|[（(]\d{1,3}[)）]|[一二三四五六七八九十]+[、.])\s*")
_LIST_START = frozenset("0123456789(（其一二三四五六七八九十")


def strip_list_number(name: str) -> str:
    """'其中:1.城东区' → '城东区', '2、城西区' → '城西区', '(3)幸福里' → '幸福里'."""
    text = name.strip()
    if not text or (text[0] not in _LIST_START and not text[0].isdecimal()):  # most names: neither a number nor 其中
        return text
    text = _PART.sub("", text)
    return _LIST_NUMBER.sub("", text).strip()


def is_masked(text: str) -> bool:
    return "**" in text or "xx" in text.lower() or "××" in text
