"""From exact values to the numbers a return writes, with 小计 and 合计 that agree with the written rows.

Inside, money is yuan to the fen and area m² to 0.01. A return writes 万元 with 2 places and 万平方米 with 4
(half up). Rounding each row and then adding can differ from rounding the exact sum by a few hundredths, and
a county clerk adds the printed column with a calculator. So a subtotal is the sum of the *written* values of
its rows, and the total the sum of the written subtotals: every total agrees with its rows to the last digit,
as written numbers. The exact sum is kept too; where its rounding differs from the written total, the return
says so in a footnote (`PrintedReturn.notes`) instead of hiding the difference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

WAN = Decimal(10000)


@dataclass(frozen=True)
class Column:
    """One column of a return: its field code (the template marker `{{row.CODE}}`), header and unit."""

    code: str
    header: str
    unit: str = ""
    kind: str = "text"  # text | int | money | area | qty | date | percent | seq
    places: int = 0
    summed: bool = False
    width: float = 10
    group: str = ""  # the upper header cell, merged over adjacent columns with the same group

    @property
    def title(self) -> str:
        return f"{self.header}（{self.unit}）" if self.unit else self.header

    @property
    def number_format(self) -> str:
        if self.kind in ("money", "area", "qty"):
            return "#,##0" + ("." + "0" * self.places if self.places else "")
        if self.kind in ("int", "seq", "percent"):
            return "0"
        if self.kind == "date":
            return "yyyy-mm-dd"
        return "@"

    def written(self, exact: Any) -> Any:
        """The value as the return writes it (Decimal rounded half up, int, date or text)."""
        if exact is None or exact == "":
            return None
        if self.kind == "money":
            return (Decimal(exact) / WAN).quantize(Decimal(1).scaleb(-self.places), ROUND_HALF_UP)
        if self.kind == "area":
            return (Decimal(exact) / WAN).quantize(Decimal(1).scaleb(-self.places), ROUND_HALF_UP)
        if self.kind == "qty":
            return Decimal(exact).quantize(Decimal(1).scaleb(-self.places), ROUND_HALF_UP)
        if self.kind in ("int", "seq", "percent"):
            return int(exact)
        if self.kind == "date":
            return exact if isinstance(exact, date) else None
        return str(exact)


@dataclass
class ExactRow:
    """A data row before printing: its group (township, category …), a stable key, exact values."""

    group: str
    key: str
    values: dict[str, Any]


@dataclass
class PrintedRow:
    kind: str  # data | subtotal | total
    key: str
    values: dict[str, Any]  # column code → written value


@dataclass
class Totals:
    """What printing learned on the way: written and exact sums, and the footnote."""

    written: dict[str, Any] = field(default_factory=dict)
    exact: dict[str, Decimal] = field(default_factory=dict)
    data_rows: int = 0
    notes: list[str] = field(default_factory=list)


def converter(col: Column) -> Callable[[Any], Any]:
    """`col.written` as one small function per column, decided once (a big return calls it millions of times)."""
    if col.kind in ("money", "area"):
        q = Decimal(1).scaleb(-col.places)

        def scaled(v: Any) -> Any:
            return None if v is None or v == "" else (Decimal(v) / WAN).quantize(q, ROUND_HALF_UP)

        return scaled
    if col.kind == "qty":
        q = Decimal(1).scaleb(-col.places)

        def qty(v: Any) -> Any:
            return None if v is None or v == "" else Decimal(v).quantize(q, ROUND_HALF_UP)

        return qty
    if col.kind == "text":

        def text(v: Any) -> Any:
            return None if v is None or v == "" else (v if type(v) is str else str(v))

        return text
    return col.written


def _zero(col: Column) -> Any:
    return 0 if col.kind in ("int", "seq", "percent") else Decimal(0).quantize(Decimal(1).scaleb(-col.places))


def printed(
    columns: list[Column],
    rows: Iterable[ExactRow],
    *,
    label_code: str,
    subtotals: bool = True,
    totals: Totals | None = None,
    total_label: str = "合计",
) -> Iterator[PrintedRow]:
    """Write the rows, a 小计 after each group, and a 合计; fills `totals` as it goes (streaming)."""
    totals = totals if totals is not None else Totals()
    summed = [c for c in columns if c.summed]
    grand = {c.code: _zero(c) for c in summed}
    exact = {c.code: Decimal(0) for c in summed}
    group_sum: dict[str, Any] | None = None
    group: str | None = None
    seq = 0
    convs = [(c.code, converter(c)) for c in columns if c.kind != "seq"]
    seq_code = next((c.code for c in columns if c.kind == "seq"), None)

    def subtotal_row(label: str, sums: dict[str, Any]) -> PrintedRow:
        values: dict[str, Any] = {c.code: None for c in columns}
        values[label_code] = label
        values.update(sums)
        return PrintedRow("subtotal", f"subtotal:{label}", values)

    for row in rows:
        if subtotals and row.group != group:
            if group is not None and group_sum is not None:
                yield subtotal_row(f"{group}小计", group_sum)
            group, group_sum = row.group, {c.code: _zero(c) for c in summed}
        seq += 1
        raw_values = row.values
        values = {code: conv(raw_values.get(code)) for code, conv in convs}
        if seq_code:
            values[seq_code] = seq
        for c in summed:
            v = values[c.code]
            if v is not None:
                grand[c.code] += v
                if group_sum is not None:
                    group_sum[c.code] += v
            raw = row.values.get(c.code)
            if raw is not None:
                exact[c.code] += Decimal(raw)
        yield PrintedRow("data", row.key, values)
    if subtotals and group is not None and group_sum is not None:
        yield subtotal_row(f"{group}小计", group_sum)
    total: dict[str, Any] = {c.code: None for c in columns}
    total[label_code] = total_label
    total.update(grand)
    totals.written = grand
    totals.exact = exact
    totals.data_rows = seq
    totals.notes = rounding_notes(summed, grand, exact)
    yield PrintedRow("total", "total", total)


def rounding_notes(summed: list[Column], written: dict[str, Any], exact: dict[str, Decimal]) -> list[str]:
    """A footnote for each column whose written total differs from its exact sum rounded once."""
    notes = []
    for c in summed:
        if c.kind not in ("money", "area"):
            continue
        once = c.written(exact[c.code])
        if once != written[c.code]:
            notes.append(f"{c.header}按精确值合计为 {once:,} {c.unit}（表中合计为各行列示数之和：{written[c.code]:,}）")
    return notes
