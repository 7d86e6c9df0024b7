"""Finding the header in a sheet: title and headline rows above it, one or two header rows, their units.

Published ledgers open with a title ("2024年××县老旧小区改造计划表") and often a prose headline with
totals ("计划改造项目15个…惠及居民960户"); then one header row, or two where a merged parent spans its
children (资金来源（万元） over 中央补助 / 省级补助). The header is the row among the first 20 that names
the most known columns; a second row below it is part of the header when it names columns too and holds
no figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from oldcomm_desktop.core.importing.columns import exact, is_summary_header, match
from oldcomm_desktop.core.importing.values import (
    MAGNITUDES,
    UNITS,
    normalise,
    numeral_years,
    parse_number,
    shortened,
    shown,
    unit_in,
)

SCAN_ROWS = 20


@dataclass
class Header:
    first_row: int  # 0-based index of the first header row
    rows: int  # 1 or 2
    labels: list[str]  # one label per column ("资金来源(万元)/中央补助" for a two-row header)
    units: dict[int, str]  # column -> unit the header names
    title: str = ""  # the first line above the header (the sheet's title)
    year: int | None = None  # a year named in the title (for dates without one, and the plan year)
    year_as_of: bool = False  # the title's only year is when the figures were taken (截至2024年6月底): assumed
    headline: dict[str, Decimal] = field(default_factory=dict)  # figures the prose headline claims
    sheet_units: dict[str, str] = field(default_factory=dict)  # quantity -> unit a 单位：万元 line above names

    @property
    def data_start(self) -> int:
        return self.first_row + self.rows


def _text(value: Any) -> str:
    return shown(value).strip()


def _label(value: Any) -> str:
    """A header cell on one line: 建筑面积 and （万平方米） typed on two lines of one cell (Alt+Enter) are one
    label, or every hint naming the column would break the 备注 line the import's hints are kept on."""
    return re.sub(r"\s*\n\s*", "", _text(value))


def _score(row: list[Any], known: frozenset[str]) -> int:
    seen = set()
    for cell in row:
        text = _text(cell)
        if text and len(text) <= 30 and not re.fullmatch(r"[\d.,\s]+", text):
            f = match(text)
            if f:
                seen.add(f)
            elif is_summary_header([text]) or normalise(text) in known:
                seen.add(text)
    return len(seen)


def _lone_name_row(cells: list[list[Any]]) -> int | None:
    """A plain list of names: the row whose only known column is headed 小区名称 (or 名称, 小区 …) word for word,
    with names under it — one column scores too little to be told from a title otherwise (老旧小区名单 above it
    holds 小区名 but is not a header)."""
    for r, row in enumerate(cells[:SCAN_ROWS]):
        texts = {c: _text(cell) for c, cell in enumerate(row)}
        named = [c for c, t in texts.items() if t and len(t) <= 30 and match(t)]
        if len(named) != 1 or exact(texts[named[0]]) != "name":
            continue
        col = named[0]
        if any(col < len(below) and _text(below[col]) for below in cells[r + 1 :]):
            return r
    return None


def find(cells: list[list[Any]], known: frozenset[str] = frozenset()) -> Header | None:
    """The header of a sheet, or None when no row names at least two known columns, or a lone 小区名称 column
    (a plain list of names).

    `known`: header texts (normalised) of a mapping file or of remembered mappings, which count as known.
    """
    best, best_row = 0, -1
    for r, row in enumerate(cells[:SCAN_ROWS]):
        s = _score(row, known)
        if s > best:
            best, best_row = s, r
    if best < 2:
        lone = _lone_name_row(cells)
        if lone is None:
            return None
        best_row = lone
    width = max((len(r) for r in cells), default=0)
    if best < 2 or best_row == 0:
        pass
    elif _parent_row(cells[best_row - 1], cells[best_row], width):
        best_row -= 1  # the children's row named more columns: the parents' row above is the header's first
    top = [_label(c) for c in cells[best_row]] + [""] * (width - len(cells[best_row]))
    rows = 1
    labels = top
    unit_row = False
    if best_row + 1 < len(cells):
        below = [_label(c) for c in cells[best_row + 1]] + [""] * (width - len(cells[best_row + 1]))
        texts = [t for t in below if t]
        numbers = sum(1 for t in texts if _is_number(t))
        differs = [i for i, t in enumerate(below) if t and t != top[i]]
        unit_row = bool(texts) and all(_bare_unit(t) for t in texts)  # 户 | 万元 | 平方米 under the header
        if unit_row:
            rows = 2
        elif (
            texts
            and numbers == 0
            and differs
            and (any(_names_column(below[i], top[i]) for i in differs) or _spans(top, differs))
        ):
            rows = 2
            labels = [f"{t}/{b}" if b and b != t and t else (b or t) for t, b in zip(top, below, strict=True)]
    units = {}
    for col, label in enumerate(labels):
        unit = unit_in(label)
        if unit:
            units[col] = unit
    if unit_row:  # a row of units: each column's unit, the labels stay as they are
        for col, text in enumerate(below):
            unit = _bare_unit(text)
            if unit and col not in units:
                units[col] = unit
    # a title merged across the sheet is filled into every cell of its row: each text once
    title = " ".join(dict.fromkeys(_text(c) for row in cells[:best_row] for c in row if _text(c)))
    first_line = next((_text(c) for row in cells[:best_row] for c in row if _text(c)), "")
    header = Header(best_row, rows, labels, units, title=first_line)
    header.year, header.year_as_of = title_year(normalise(title))
    header.headline = headline_figures(title)  # from every line above the header
    header.sheet_units = sheet_units(_text(c) for row in cells[:best_row] for c in row)
    return header


# who 单位 is in a line that names a body, not a unit (填报单位：城关街道办事处)
_BODIES = ("填报", "建设", "实施", "责任", "施工", "监理", "设计", "主管", "报送", "编制", "牵头", "业主", "产权")
_SHEET_UNIT = re.compile(r"单位[:：]")
# a unit word, with the magnitude before it (千元, 百万元): 单位：千元 is thousands of yuan, not yuan
_ANY_UNIT = re.compile(
    "(" + "|".join(sorted(MAGNITUDES, key=len, reverse=True)) + ")?"
    "(" + "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True)) + ")",
    re.IGNORECASE,
)


def sheet_units(lines: Iterable[str]) -> dict[str, str]:
    """The units a line above the header gives the whole table (单位：万元、平方米; 金额单位：万元), by quantity
    (money, area): a column whose own header names no unit takes them, so 总投资 50 under 单位：万元 is 50万元."""
    found: dict[str, str] = {}
    for line in lines:
        text = normalise(line)
        for m in _SHEET_UNIT.finditer(text):
            if text[max(0, m.start() - 2) : m.start()] in _BODIES:
                continue
            for u in _ANY_UNIT.finditer(text[m.end() :]):
                unit = next(k for k in UNITS if k.lower() == u.group(2).lower())
                if UNITS[unit][0] in ("money", "area"):
                    magnitude = u.group(1) if u.group(1) and UNITS[unit][1] == 1 else ""
                    found.setdefault(UNITS[unit][0], magnitude + unit)
    return found


_AS_OF = re.compile(r"(截至|截止|截止到|截至到|至|到)$")


def title_year(text: str) -> tuple[int | None, bool]:
    """The year of work a title names, and whether it is only assumed: "…2023年度…" first, then a year that is not
    an as-of date (截至2024年6月底 says when the figures were taken, not which year's plan they are), else the
    first year — an as-of date's, which is then only assumed (True). Chinese numerals count (二〇二三年度)."""
    text = numeral_years(text)
    years = list(re.finditer(r"(20\d\d)\s*年(度)?", text))
    if not years:
        return None, False
    for m in years:
        if m.group(2):
            return int(m.group(1)), False
    for m in years:
        if not _AS_OF.search(text[max(0, m.start() - 4) : m.start()]):
            return int(m.group(1)), False
    return int(years[0].group(1)), True


def _bare_unit(text: str) -> str | None:
    """The unit a cell holding nothing but a unit names ('万元', '（平方米）'), or None."""
    core = normalise(text).strip("()（）[]【】")
    unit = unit_in(core) if core else None
    return unit if unit is not None and len(core) == len(unit) else None


def _is_number(text: str) -> bool:
    try:
        return parse_number(text) is not None and bool(re.search(r"\d", text))
    except ValueError:
        return False


def _names_column(text: str, above: str) -> bool:
    """A cell under the header that names a column of its own: not the field the label above it names — 城关街道
    under 乡镇（街道） is a first row of data (a ledger of names only, without a 序号 to show it), not a header."""
    field = match(text)
    return field is not None and field != match(above)


def _parent_row(above: list[Any], row: list[Any], width: int) -> bool:
    """The first row of a two-row header found by its second: 资金来源（万元） merged over 中央补助 | 省级补助 | 总投资
    (the children name more known columns than the parents' row, so the header was found one row too low and the
    parent and its unit were lost). The row above holds no figure, repeats the label of some columns of the
    row (merged down over both rows) and spans a parent over two or more columns whose labels differ below."""
    top = [_label(c) for c in above] + [""] * (width - len(above))
    below = [_label(c) for c in row] + [""] * (width - len(row))
    if any(_is_number(t) for t in top if t):
        return False
    same = [i for i in range(width) if top[i] and top[i] == below[i]]
    differs = [i for i in range(width) if top[i] and below[i] and top[i] != below[i]]
    return bool(same) and bool(differs) and _spans(top, differs) and len({top[i] for i in differs}) < len(differs)


def _spans(top: list[str], cols: list[int]) -> bool:
    """A parent label repeated over neighbouring columns (a horizontally merged header cell)."""
    return any(c > 0 and top[c] and top[c] == top[c - 1] for c in cols) or any(
        c + 1 < len(top) and top[c] and top[c] == top[c + 1] for c in cols
    )


HEADLINE = {
    "communities": r"(?:改造|涉及)?(?:老旧)?小区(\d+)个",
    "projects": r"项目(\d+)个",
    "households": r"(?:惠及|涉及)?(?:居民)?(\d[\d,]*)户",
    "floor_area": r"(?:改造|建筑)面积(?:约)?([\d.,]+万?平方米)",
    "investment": r"(?:估算)?总投资(?:约)?([\d.,]+[万亿]?元)",
}


def headline_figures(text: str) -> dict[str, Decimal]:
    """Totals a prose headline claims (shown beside the rows' sums; they often differ, and that is said)."""
    text = normalise(text)
    out: dict[str, Decimal] = {}
    for key, pattern in HEADLINE.items():
        m = re.search(pattern, text)
        if m:
            try:
                n = parse_number(m.group(1))
            except ValueError:
                continue
            if n is not None:
                out[key] = n.value
    return out


SAMPLE_ROWS = 200  # rows under the header looked at for sample values (a column empty in all of them shows none)


def samples(cells: list[list[Any]], head: Header, mapping: dict[int, str], per_column: int = 3) -> list[list[str]]:
    """The first few values under each column, from rows that are communities (not subtotals, totals, 其中
    parts or footers): the mapping step shows them beside each header so a clerk can see what a column holds
    before choosing what it imports as (a bare 面积 header over values like 1.45 is 万平方米, not 平方米).
    Each value once per column, as the cell shows it (a long text cut with …)."""
    from oldcomm_desktop.core.importing.rows import COMMUNITY, classify

    out: list[list[str]] = [[] for _ in head.labels]
    missing = set(range(len(head.labels)))
    for row in cells[head.data_start : head.data_start + SAMPLE_ROWS]:
        if not missing:
            break
        if classify(row, mapping, head.labels).kind != COMMUNITY:
            continue
        for col in list(missing):
            text = shortened(_text(row[col])) if col < len(row) else ""
            if text and text not in out[col]:
                out[col].append(text)
                if len(out[col]) >= per_column:
                    missing.discard(col)
    return out
