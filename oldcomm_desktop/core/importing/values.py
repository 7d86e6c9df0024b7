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

from oldcomm_desktop.core.chinese_script import simplified
from oldcomm_desktop.core.lifecycle import ACCEPTED, COMPLETED, PLANNED, STARTED, STATUS_WORDS, WITHDRAWN

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
# A magnitude written in the cell without the header's unit ("2.1亿" under 总投资（万元）, "1.2万" under 平方米):
# the figure is that many of the quantity's base unit (yuan, m², one), whatever unit the header names.
MAGNITUDES: dict[str, Decimal] = {
    "千万": Decimal(10_000_000),
    "百万": Decimal(1_000_000),
    "十万": Decimal(100_000),
    "亿": Decimal(100_000_000),
    "万": Decimal(10_000),
    "千": Decimal(1000),
}
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_BASE_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True) if UNITS[u][1] == 1)
_MAGNITUDE_RE = "|".join(sorted(MAGNITUDES, key=len, reverse=True))
_RANGE = re.compile(r"(-|~|～|至|到)\d")
_PLAIN = re.compile(r"-?\d+(\.\d+)?")
_GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")  # 1,930 or 12,345.67: thousands separators in place
# a full unit first (万平方米, 万方平米, 亿元 …), else a magnitude with or without a base unit (3.15万余平方米, 2.1亿)
_NUMBER = re.compile(
    rf"(约|近|超过|逾|不足|不到|少于|低于|多于|高于|大于|小于|至少|最少|最多|大约|将近|接近)?\s*"
    rf"(-?\d[\d,]*(?:\.\d+)?)\s*(余|多)?\s*"
    rf"(?:({_UNIT_RE})|({_MAGNITUDE_RE})\s*(余|多)?\s*({_BASE_UNIT_RE})?)?\s*(余|多|左右|以上|以下|以内|上下|不到|许)?",
    re.IGNORECASE,
)
# a second figure after the first (100+50, 100/50, 100、50): not one figure, refused rather than read as the first
_SEVERAL = re.compile(r"[+/、&]\s*\d")
# what follows a figure that no unit of ours converts: refused rather than stored as if it were the header's unit
_UNCONVERTIBLE = re.compile(r"(%|％|公顷|亩|平方公里|km|公里|米(?!²)|e\d|E\d)")


@functools.lru_cache(maxsize=50_000)
def normalise(text: str) -> str:
    """NFKC, traditional → simplified, spaces (also inner ones in CJK text) removed; for matching words.

    OpenCC's pure-Python converter costs ~200 µs a cell; it only runs on text holding a traditional character.
    """
    text = simplified(unicodedata.normalize("NFKC", text))
    return re.sub(r"\s+", "", text)


def shown(value: Any) -> str:
    """A cell as Excel shows it: 800, not the 800.0 a reader hands back for a number cell; "" for an empty one."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


QUOTE_LIMIT = 30  # characters of a cell a message or the mapping step shows; the rest is …
_QUOTED = re.compile(f"“([^“”]{{{QUOTE_LIMIT + 1},}})”")


def shortened(text: str) -> str:
    """A cell's text cut to QUOTE_LIMIT characters and …: a 备注 of a few hundred characters shown whole drowns
    the dry-run table, the mapping step and the command line's lines. Reports keep the text whole."""
    return text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT] + "…"


def shortened_quotes(message: str) -> str:
    """A message with each quoted cell (“…”) `shortened`."""
    return _QUOTED.sub(lambda m: f"“{shortened(m.group(1))}”", message)


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
    if isinstance(value, (date, datetime)):  # a number cell formatted as a date shows a date, not the figure
        raise ValueError(f"“{value:%Y-%m-%d}”是日期格式的单元格，不是数字（请在 Excel 中把这一列设为“常规”或“数值”）")
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
        if isinstance(value, float) and number == number.to_integral_value():
            number = number.quantize(Decimal(1))
        return Number(number * _factor(default_unit), default_unit)
    text = normalise(str(value))  # NFKC, traditional → simplified (萬元 is 万元), spaces out
    if text in ("", "-", "—", "/", "无"):
        return None
    if _PLAIN.fullmatch(text):  # digits only
        return Number(Decimal(text) * _factor(default_unit), default_unit)
    note = ""
    bracketed = re.search(r"\((?:其中|含)[^()]*\)", text)
    if bracketed and bracketed.start() > 0:
        # 268(其中中央补助120)万元: the part in brackets is left out, the unit after it still counts
        text, note = text[: bracketed.start()] + text[bracketed.end() :], bracketed.group(0)
    else:
        for marker in ("其中", "含"):
            at = text.find(marker)
            if at > 0:
                text, note = text[:at].rstrip("(,，;；、 "), text[at:]
                break
    m = _NUMBER.search(text.replace(" ", ""))
    if m is None:
        raise ValueError(f"“{value}”不是数字")
    about, digits, more1, unit, magnitude, more2, base, more3 = m.groups()
    try:
        number = Decimal(digits.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"“{value}”不是数字") from None
    rest = text.replace(" ", "")[m.end() :]
    if default_unit == "%" and rest[:1] in ("%", "％") and not (unit or magnitude):
        rest = rest[1:]  # a percentage column (形象进度): 80% is 80
    if _UNCONVERTIBLE.match(rest):
        raise ValueError(f"“{value}”的单位无法换算（只认 万元、元、亿元、平方米、万平方米、户、栋 这样的单位）")
    if _SEVERAL.match(rest):
        raise ValueError(
            f"“{value}”写了不止一个数，不能确定应导入哪一个（不会自动相加或取第一个）；请只填一个数，分项写在备注中"
        )
    ranged = bool(rest) and bool(_RANGE.match(rest))
    approximate = bool(about or more1 or more2 or more3 or ranged)
    note = note or (f"范围 {text}" if ranged else "")
    if ranged and not (unit or magnitude):  # 1.2-1.5万平方米: the unit after the range is the first figure's too
        end = _NUMBER.match(rest[1:].lstrip("至到~～-"))
        if end is not None and end.group(2) and (end.group(4) or end.group(5)):
            unit, magnitude, base = end.group(4), end.group(5), end.group(7)
    if magnitude:  # "2.1亿", "1.2万平方米" spelt apart, "3.15万余平方米": the base unit times the magnitude
        base_word = _unit_word(base) if base else None
        return Number(number * MAGNITUDES[magnitude], f"{magnitude}{base_word or ''}", approximate, note)
    unit_word = _unit_word(unit) if unit else default_unit
    return Number(number * _factor(unit_word), unit_word, approximate=approximate, note=note)


def _unit_word(unit: str) -> str:
    """The UNITS key a cell's unit stands for (m2 and M2 alike)."""
    return unit if unit in UNITS else next(u for u in UNITS if u.lower() == unit.lower())


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
    if found:
        return found[1]
    for word, times in MAGNITUDES.items():  # a magnitude with a base unit ("万户", "亿") as parse_number makes
        if unit.startswith(word) and (unit == word or unit[len(word) :] in UNITS):
            return times * _factor(unit[len(word) :])
    return Decimal(1)


# a header's unit: a magnitude may stand before a unit (千元, 百万元, 千平方米: not the 万元 inside 百万元), or alone
# in brackets (总投资（万）: that many of the quantity's base unit, 万 yuan or 万 m²)
_HEADER_UNIT = re.compile(rf"({_MAGNITUDE_RE})?({_UNIT_RE})", re.IGNORECASE)
_HEADER_MAGNITUDE = re.compile(rf"\(({_MAGNITUDE_RE})\)")


def unit_in(text: str) -> str | None:
    """The unit a header names ('建筑面积(万平方米)' → '万平方米', '(萬元)' → '万元', '（千元）' → '千元',
    '（百万元）' → '百万元', '总投资（万）' → '万'), or None. Every unit it returns converts (`known_unit`)."""
    text = normalise(text)
    m = _HEADER_UNIT.search(text)
    if m is None:
        bare = _HEADER_MAGNITUDE.search(text)
        return bare.group(1) if bare else None
    magnitude, unit = m.groups()
    word = next(u for u in UNITS if u.lower() == unit.lower())
    if magnitude and magnitude + word in UNITS:
        return magnitude + word  # 万元, 万平方米, 亿元
    if magnitude and word in UNITS and UNITS[word][1] == 1:
        return magnitude + word  # 千元, 百万元, 千平方米: the magnitude times the base unit
    return word


_BRACKETED = re.compile(r"\(([^()]+)\)")


def unconvertible_unit(header: str) -> str | None:
    """The unit a header names in brackets that nothing converts (建筑面积（亩）, 占地面积（公顷）), or None: its
    values are refused rather than read as the field's default unit, as a cell writing such a unit is."""
    if unit_in(header) is not None:
        return None
    for m in _BRACKETED.finditer(normalise(header)):
        if _UNCONVERTIBLE.match(m.group(1)):
            return m.group(1)
    return None


def known_unit(unit: str) -> bool:
    """Whether a unit converts: one of UNITS, a magnitude alone (万) or a magnitude before a base unit (千元)."""
    if unit in UNITS or unit in MAGNITUDES:
        return True
    return any(unit.startswith(m) and unit[len(m) :] in UNITS and UNITS[unit[len(m) :]][1] == 1 for m in MAGNITUDES)


_YEAR = re.compile(r"\s*(1[89]\d\d|20\d\d)\s*年?\s*")
# a year written in Chinese numerals (二〇二三年, 二0二三年, 一九九五年): digit by digit
_NUMERAL_DIGITS = str.maketrans("〇○零OoΟ一二三四五六七八九", "000000123456789")
_NUMERAL_YEAR = re.compile(r"[〇○零OoΟ0-9一二三四五六七八九]{4}(?=\s*年)")
# a month or a day in Chinese numerals (三月, 十二月, 二十一日): counted, not digit by digit
_NUMERAL_MONTH_DAY = re.compile(r"[一二三四五六七八九十]{1,3}(?=\s*[月日])")
_NUMERALS = {ch: i for i, ch in enumerate("一二三四五六七八九十", start=1)}
_COUNT = re.compile(r"([一二三四五六七八九])?(十)?([一二三四五六七八九])?")


def numeral_years(text: str) -> str:
    """Years in Chinese numerals written as digits: 二〇二三年度 → 2023年度, 一九九五年 → 1995年 (titles and cells)."""
    return _NUMERAL_YEAR.sub(lambda m: m.group(0).translate(_NUMERAL_DIGITS), text)


def _count(word: str) -> int | None:
    """A number from one to ninety-nine in Chinese numerals (三 → 3, 十二 → 12, 二十一 → 21, 八十 → 80), or None."""
    m = _COUNT.fullmatch(word)
    if not word or m is None:
        return None
    tens, ten, ones = m.groups()
    if ten is None:
        return _NUMERALS[tens] if ones is None else None  # 二三 is not a number
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[ones] if ones else 0)


def _numeral_date(text: str) -> str:
    """二〇二一年三月 → 2021年3月, 三月十五日 → 3月15日: a date in Chinese numerals read as one in digits."""
    text = numeral_years(text)
    return _NUMERAL_MONTH_DAY.sub(lambda m: str(_count(m.group(0)) or m.group(0)), text)


# an era before a decade: 上世纪, 20世纪, 二十一世纪 (which century a two-digit decade is in)
_ERA = r"(上个?世纪|(?:20|二十)世纪|(?:21|二十一)世纪)?"
_NUMERAL_TENS = r"[一二三四五六七八九]"
_JOINED = r"\s*(?:-|~|～|—|–|至|到|、|,|，|/|和|与|或)\s*"
# one decade (80年代, 上世纪80年代, 八十年代, 20世纪90年代, 1980年代, 90年代初), or two written as one
# (五六十年代, 七、八十年代, 50-60年代, 80、90年代, 1980-1990年代, 1970-80年代): no single year to store
_DECADE = re.compile(
    _ERA + r"(?:"
    rf"((?:19|20)?\d0){_JOINED}((?:19|20)?\d0)"  # 50-60, 1980-1990: a range of decades in digits
    rf"|({_NUMERAL_TENS})十?(?:{_JOINED})?({_NUMERAL_TENS})十"  # 五六十, 七、八十, 七十至八十
    rf"|((?:19|20)?\d0|(?<!{_NUMERAL_TENS}){_NUMERAL_TENS}十)"  # one: 80, 1980, 八十
    r")年代"
)


def _decade_year(tens: str, era: str | None, after: int | None = None) -> int:
    """The first year of a decade as written (80 → 1980, 八十 → 1980, 1980 → 1980; 00 and 10 are this century's);
    `after`: the decade a range starts from (90-00年代: the 00 after 1990 is 2000)."""
    n = int(tens) if tens.isdigit() else (_count(tens + "十") or 0)
    if n >= 1000:
        return n
    if after is not None:
        year = after // 100 * 100 + n
        return year if year > after else year + 100
    if era:
        return (2000 if "21" in era or "二十一" in era else 1900) + n
    return (2000 if n < 20 else 1900) + n


def _decades(text: str) -> list[int]:
    """The first years of the decades a cell names (80年代 → [1980], 五六十年代 → [1950, 1960], 80年代末90年代初 →
    [1980, 1990], 50-70年代 → [1950, 1960, 1970]) when decades are all the cell says of the year (not
    1983年至90年代); [] otherwise, and for a range that runs backwards (90-80年代): that is no year a clerk meant."""
    found: list[int] = []
    for m in _DECADE.finditer(text):
        era, first, last, first_cn, last_cn, one = m.groups()
        if one:
            found.append(_decade_year(one if one.isdigit() else one[0], era))
            continue
        start = _decade_year(first or first_cn, era)
        end = _decade_year(last or last_cn, era, after=start)
        if not 0 < end - start <= 50:
            return []
        found.extend(range(start, end + 1, 10))
    if not found or re.search(r"\d", _DECADE.sub("", text)):
        return []
    return sorted(set(found))


@dataclass(frozen=True)
class Year:
    value: int | None
    approximate: bool = False
    note: str = ""


def parse_year(value: Any) -> Year | None:
    """'1995', 1995.0, '1995年', '一九九五年', '1983年至20xx年' (the first year, flagged), '20xx', '19xx', '199x',
    '80年代', '八十年代', '上世纪90年代初', '五六十年代', '80-90年代' (unknown, flagged: the model holds one year, so
    it is left empty and the text, with the decades a 199x or a 年代 names, goes into the hint)."""
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return Year(value.year)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value) != int(value):
            if _year_and_month(value) is None:
                raise ValueError(f"“{shown(value)}”不是年份")
            return Year(int(value))  # 1995.6 typed into a number cell: June 1995; the model keeps the year
        return Year(int(value))
    if type(value) is str:
        m = _YEAR.fullmatch(value)
        if m:  # '1995' or '1995年', the common case
            return Year(int(m[1]))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    text = numeral_years(text)  # 二〇〇三年, 一九九五年
    decades = _decades(text)  # 80年代, 上世纪八十年代, 五六十年代, 80-90年代
    if not decades:
        years = re.findall(r"(1[89][\dxX*×]{2}|20[\dxX*×]{2})", text)  # 19xx, 199x, 20**: digits masked
        if not years:
            raise ValueError(f"“{shown(value)}”不是年份")
        known = [y for y in years if y.isdigit()]
        if known:
            masked = len(known) < len(years)
            several = len(years) > 1 or "年代" in text or "约" in text or "以前" in text or "前" in text
            return Year(int(known[0]), masked or several, text if (masked or several) else "")
        decades = [int(years[0][:3]) * 10] if years[0][:3].isdigit() else []
    # no place for a decade in the model: the year stays empty, the text and the decades it names go into the hint
    named = "、".join(f"{d}年代" for d in decades)
    return Year(None, True, f"年份不详：{text}" + (f"（{named}）" if named and named not in text else ""))


def _year_and_month(value: float) -> tuple[int, int, str] | None:
    """A number cell that is a year and a month (2021.3, 1995.06): (year, month, the digits after the point as
    Excel keeps them), or None. 2021.10 typed into a number cell is kept as 2021.1: the caller says so."""
    if not (1800 < value < 2100) or value == int(value):
        return None
    text = repr(float(value))
    whole, _, places = text.partition(".")
    if not (places.isdigit() and len(places) <= 2 and 1 <= int(places) <= 12):
        return None
    return int(whole), int(places), places


@dataclass(frozen=True)
class Day:
    value: date
    precision: str = "day"  # day | month (2021.3, 2021年3月: the first of the month, flagged) | year (2022年完工)
    sheet_year: bool = False  # the cell names no year (3月15日): the sheet's (title, --year) was taken
    doubt: str = ""  # another reading the cell allows (2021.1 may be 2021.10): the row is flagged with it


def parse_date(value: Any, *, year: int | None = None) -> Day | None:
    """A date cell: a real date, an Excel serial (44270), '2021-03-15', '2021.3', '2021年3月', '3月15日', and the
    same in Chinese numerals ('二〇二一年三月', '三月十五日').

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
        if value == int(value) and 19000101 <= value <= 21001231:  # 20210315 typed as a number: a date in digits
            return parse_date(str(int(value)), year=year)
        if isinstance(value, float) and 1900 < value < 2100 and value != int(value):
            found = _year_and_month(value)
            if found is None:
                raise ValueError(f"“{shown(value)}”不是日期（应为 2021-03-15、2021.3、2021年3月 这样的格式）")
            y, month, places = found  # 2021.3 typed into a number cell: year and month
            if places == "1":  # 2021.10 typed into a number cell is stored as 2021.1: January or October?
                doubt = f"可能是{y}年10月（Excel 把 {y}.10 存成了 {y}.1），已按{y}年1月导入"
                return Day(date(y, 1, 1), "month", doubt=doubt)
            return Day(date(y, month, 1), "month")
        raise ValueError(f"“{shown(value)}”不是日期")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    if not text.isascii():
        text = _numeral_date(text)  # 二〇二一年三月 is 2021年3月
    if re.fullmatch(r"\d{5}(\.0)?", text):
        return parse_date(float(text), year=year)
    text = text.rstrip(".。")  # 2021.3.: a stray point at the end
    span = _SPAN.fullmatch(text)
    if span:  # 2021.3.15-2021.9.30: a span in one cell, its start taken
        first, end = parse_date(span[1], year=year), parse_date(span[2], year=year)
        if first is not None and end is not None:
            doubt = f"写的是一段时间，按开始日期 {first.value.isoformat()} 导入（结束 {end.value.isoformat()}）"
            return Day(first.value, first.precision, first.sheet_year, doubt)
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)  # 20210315
    if m is None:
        m = re.fullmatch(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*[日号]?(\s.*)?", text)
    try:
        if m:
            return Day(date(int(m[1]), int(m[2]), int(m[3])))
        m = re.fullmatch(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?(份)?", text)
        if m:
            return Day(date(int(m[1]), int(m[2]), 1), "month")
        m = re.fullmatch(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?份?(底|末|初|上旬|中旬|下旬)", text)
        if m:  # 2021年3月底, 3月中旬: a day in that part of the month, said
            y, month = int(m[1]), int(m[2])
            last = (date(y + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
            on = date(y, month, {"初": 1, "上旬": 1, "中旬": 15, "下旬": 21}.get(m[3], last))
            return Day(on, doubt=f"写的是{month}月{m[3]}，按 {on.isoformat()} 记录")
        m = re.fullmatch(r"(\d{4})\s*年(底|末|初)", text)
        if m:  # 2021年底: a day of that part of the year, said
            y = int(m[1])
            on = date(y, 12, 31) if m[2] != "初" else date(y, 1, 1)
            return Day(on, doubt=f"写的是{y}年{m[2]}，按 {on.isoformat()} 记录")
        m = re.fullmatch(r"(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?", text)
        if m:
            if year is None:
                raise ValueError(f"“{text}”没有年份，请在标题中写明年度，或在导入时给出年份（命令行 --year）")
            return Day(date(year, int(m[1]), int(m[2])), sheet_year=True)
    except ValueError as exc:
        if "年份" in str(exc):
            raise
        raise ValueError(f"“{text}”不是有效日期") from None
    raise ValueError(f"“{text}”不是日期（应为 2021-03-15、2021.3、2021年3月 这样的格式）")


# two dates in one cell (2021.3.15-2021.9.30, 2021年3月至2021年9月): the second starts with its year
_SPAN = re.compile(r"(\d{4}\S*?\d[日号月]?)\s*(?:-|~|～|—|–|至|到)\s*(\d{4}(?!\d)\S*)")


# a date inside a phrase (2023年3月15日开工, 已于2023年3月开工, 2022年底完工, 2022.12竣工), the most precise form
# first at each place: a day, a month (2023年3月, 2022.12), the end or start of a year, a year, a day of the
# sheet's year
_DATE_IN_TEXT = re.compile(
    r"(?<![\d.])(?:"
    r"(?P<y1>\d{4})[-./年](?P<m1>\d{1,2})[-./月](?P<d1>\d{1,2})(?!\d)[日号]?"
    r"|(?P<y2>\d{4})年(?P<m2>\d{1,2})月份?(?:底|末|初|上旬|中旬|下旬)?"
    r"|(?P<y3>\d{4})[-./](?P<m3>\d{1,2})(?![\d.])"
    r"|(?P<y4>\d{4})年(?P<e4>底|末|初)"
    r"|(?P<y5>\d{4})年(?!度)"
    r"|(?P<m6>\d{1,2})月(?P<d6>\d{1,2})[日号]"
    r")"
)


@dataclass(frozen=True)
class Dated:
    day: Day
    written: str  # the date as the cell writes it (2022年底)
    words: str  # the words that go with it (开工, 已完工): the text after it, else before it


def dates_in_text(value: Any, *, year: int | None = None) -> tuple[list[Dated], str]:
    """The dates a phrase holds and its words without them: '2023年3月15日开工' → ([2023-03-15 with 开工], '开工');
    '2022年底完工' → 2022年12月 (a month); '2022年完工' → 2022 (a year, recorded as its 1 January and flagged).
    ([], the text) for text without a date; ValueError in Chinese for a date that does not exist (2023年13月) or
    one without its year when the sheet names none."""
    if value is None or isinstance(value, (int, float, date)):
        return [], "" if value is None else shown(value)
    text = normalise(_numeral_date(str(value)))
    found = list(_DATE_IN_TEXT.finditer(text))
    if not found:
        return [], text
    rest = _DATE_IN_TEXT.sub("", text)
    out: list[Dated] = []
    for i, m in enumerate(found):
        after = text[m.end() : found[i + 1].start() if i + 1 < len(found) else len(text)]
        before = text[found[i - 1].end() if i else 0 : m.start()]
        words = after.strip("，,；;、 ") or before.strip("，,；;、 ")
        if len(found) == 1:
            words = rest
        out.append(Dated(_date_of(m, year), m.group(0), words))
    return out, rest


def _date_of(m: re.Match[str], year: int | None) -> Day:
    g = m.groupdict()
    written = m.group(0)
    try:
        if g["y1"]:
            y, day = int(g["y1"]), Day(date(int(g["y1"]), int(g["m1"]), int(g["d1"])))
        elif g["y2"] or g["y3"]:
            y, month = int(g["y2"] or g["y3"]), int(g["m2"] or g["m3"])
            day = Day(date(y, month, 1), "month")
        elif g["y4"]:
            y = int(g["y4"])
            day = Day(date(y, 1 if g["e4"] == "初" else 12, 1), "month")
        elif g["y5"]:
            y = int(g["y5"])
            day = Day(date(y, 1, 1), "year")
        else:
            if year is None:
                raise ValueError(f"“{written}”没有年份，请在标题中写明年度，或在导入时给出年份（命令行 --year）")
            y, day = year, Day(date(year, int(g["m6"]), int(g["d6"])), sheet_year=True)
    except ValueError as exc:
        if "年份" in str(exc):
            raise
        raise ValueError(f"“{written}”不是有效日期") from None
    if not 1900 < y < 2100:
        raise ValueError(f"“{written}”不是有效日期")
    return day


# Words ledgers use beside lifecycle.STATUS_WORDS (which the rest of the program shares), for the import only.
LEDGER_STATUS_WORDS: dict[str, str] = {
    "完成": COMPLETED,
    "主体完工": STARTED,  # the structure is done, the works are not
    "开工": STARTED,
    "施工": STARTED,
    "正在施工": STARTED,
    "停工": STARTED,
    "验收": ACCEPTED,
    "已竣工验收": ACCEPTED,
    "交工": COMPLETED,  # handed over by the contractor: the works are done, acceptance is still to come
    "已交工": COMPLETED,
    "交工验收": COMPLETED,
    "在施": STARTED,
    "进场": STARTED,
    "已进场": STARTED,
    "调整出计划": WITHDRAWN,
    "移出计划": WITHDRAWN,
    "前期": PLANNED,
    "前期工作": PLANNED,
    "未实施": PLANNED,
}
# after 未 / 尚未: what the negated word leaves (未完工: started, not completed; 未验收: completed, not accepted)
_NEGATED: dict[str, str] = {
    "验收": COMPLETED,
    "完工": STARTED,
    "完成": STARTED,
    "竣工": STARTED,
    "开工": PLANNED,
    "启动": PLANNED,
    "进场": PLANNED,
}
# acceptance under way or not passed (验收中, 正在验收, 待验收, 已完工未验收, 验收未通过): completed, not accepted
_ACCEPTANCE_PENDING = re.compile(r"(?:未|没有|待|正在|申请|准备|拟|组织)验收|验收(?:中|未通过|不合格|未合格)")
# works done in part (基本完工, 部分完工, 大部分完成): started, not completed
_PARTLY_DONE = re.compile(r"(?:基本|部分|大部|局部|陆续|大体)分?(?:完工|完成|竣工)")
# a step before the works (完成招标, 设计中, 已立项) and words that name the works themselves
NOT_YET = ("待", "拟", "准备", "计划", "即将", "预计", "尚待")
_BEFORE_WORKS = ("招标", "设计", "前期", "方案", "立项", "可研", "评审", "公示", "征询", "审批")
_WORKS = ("开工", "施工", "在建", "完工", "竣工", "验收", "进场")
_DEADLINE = re.compile(r"(?:月|日|号|底|末|年)(?:之|以)?前(?:开工|完工|竣工|完成)")
# every status word, the longest first (a word found inside a longer one must not win over it)
_WORDS_LONGEST_FIRST = sorted({**STATUS_WORDS, **LEDGER_STATUS_WORDS}.items(), key=lambda kv: len(kv[0]), reverse=True)


def parse_status(value: Any) -> str | None:
    """A status word (完工 / 已完工 / 竣工 / 已完成; 在建 / 已开工 / 施工中; 未开工 …) → a status code."""
    if value is None:
        return None
    text = normalise(str(value))
    if not text:
        return None
    if text in STATUS_WORDS:
        return STATUS_WORDS[text]
    if text in LEDGER_STATUS_WORDS:
        return LEDGER_STATUS_WORDS[text]
    percent = re.search(r"(\d+(?:\.\d+)?)%", text)
    if percent:  # 已完成80%: a share of the work done, not completion
        share = Decimal(percent[1])
        return COMPLETED if share >= 100 else (STARTED if share > 0 else PLANNED)
    if text.startswith(NOT_YET) and "开工" in text:  # 待开工, 拟开工, 计划6月开工: not started
        return PLANNED
    if _DEADLINE.search(text) and "已" not in text:  # 2024年6月底前完工: a deadline, the works are still to come
        return PLANNED
    if "主体" in text and not any(w in text for w in ("竣工", "验收")):  # 已完成主体施工: the works go on
        return STARTED
    works = text.replace("施工图", "")
    if any(w in works for w in _BEFORE_WORKS) and not any(w in works for w in _WORKS):  # 完成招标: not started
        return PLANNED
    if text.startswith(("未", "尚未")):  # 未完工, 尚未完成: a negation, never the word it negates
        for word, status in _NEGATED.items():
            if word in text:
                return status
    if "交工" not in text and "验收" in text:  # 已完工并通过验收, 完工验收: accepted; 验收中: not yet
        return COMPLETED if _ACCEPTANCE_PENDING.search(text) else ACCEPTED
    if _PARTLY_DONE.search(text):
        return STARTED
    for word, status in _WORDS_LONGEST_FIRST:
        if word in text:
            return status
    raise ValueError(f"“{value}”不是可识别的状态（如 已完工、在建、未开工）")


_PART = re.compile(r"^其中[:：]?")
# a list number is never followed by a digit: "1、2号楼" and "3.4号楼" are names of buildings, not 2号楼 and 4号楼
_LIST_NUMBER = re.compile(r"^(\(?\d{1,3}[.、)．]|[（(]\d{1,3}[)）]|[一二三四五六七八九十]+[、.])(?!\d)\s*")
_LIST_START = frozenset("0123456789(（其一二三四五六七八九十")


_BARE_NUMBER = re.compile(r"(\d+)(?:\.0+)?|\d+\.\d+")


def community_name(value: Any) -> str:
    """A community's name from its cell: list numbers stripped ('2、城西区' → '城西区'), but a name that is
    only a number (1, 2.0, '3' — a building counted as a community) kept as written, without the .0 a
    number cell reads back with; a list number with nothing after it ('4、') keeps its number."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = normalise(str(value))
    bare = _BARE_NUMBER.fullmatch(text)
    if bare:
        return bare.group(1) or text
    return strip_list_number(text) or text.rstrip(".、)）．")


def is_bare_number(name: str) -> bool:
    """Whether a name is nothing but a number (worth a hint: it may be a 序号 in the name column)."""
    return _BARE_NUMBER.fullmatch(name) is not None


def strip_list_number(name: str) -> str:
    """'其中:1.城东区' → '城东区', '2、城西区' → '城西区', '(3)幸福里' → '幸福里'."""
    text = name.strip()
    if not text or (text[0] not in _LIST_START and not text[0].isdecimal()):  # most names: neither a number nor 其中
        return text
    text = _PART.sub("", text)
    return _LIST_NUMBER.sub("", text).strip()


def list_number(name: str) -> int | None:
    """The list number a name starts with ('其中:1.城东区' → 1, '(3)幸福里' → 3, '二、城西区' → 2), or None."""
    text = _PART.sub("", name.strip())
    m = _LIST_NUMBER.match(text)
    if m is None:
        return None
    digits = re.sub(r"\D", "", m.group(0))
    if digits:
        return int(digits)
    return _count(re.sub(r"[、.\s]", "", m.group(0)))


def is_masked(text: str) -> bool:
    return "**" in text or "xx" in text.lower() or "××" in text
