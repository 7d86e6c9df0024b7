"""The file's own subtotals and totals against the rows it lists: a file that does not add up says so.

A total (合计/总计) covers every community row. A subtotal covers the rows of its group when it names one
that a 片区 / 乡镇 column holds ("北关片区小计"), else the rows since the previous subtotal — or, when it
stands before any row ("全县小计:" first) or names the whole area (全县小计, 全市小计), every row. Its label
is the row's own text, never a 街道 filled down into it from a merged cell. Figures compared: buildings,
households, floor area and total investment, each in the stored unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from oldcomm_desktop.core.money import format_quantity

FIGURES = {
    "buildings": ("楼栋数", "栋"),
    "households": ("户数", "户"),
    "floor_area": ("建筑面积", "平方米"),
    "total_investment": ("总投资", "元"),
}


WHOLE_AREA = ("全县", "全市", "全区", "全旗", "全镇", "全乡", "全街道")  # a subtotal over every row of the sheet


@dataclass
class Check:
    row: int  # Excel row number of the subtotal or total
    label: str  # its text (北关片区小计, 合计 …)
    field: str
    stated: Decimal
    summed: Decimal

    @property
    def agrees(self) -> bool:
        return abs(self.stated - self.summed) <= Decimal("0.01") * max(1, len(str(int(self.summed))))

    def message(self) -> str:
        name, unit = FIGURES[self.field]
        verdict = "一致" if self.agrees else "不一致"
        stated, summed = format_quantity(self.stated), format_quantity(self.summed)
        return f"第 {self.row} 行“{self.label}”{name} {stated} {unit}，明细合计 {summed} {unit}，{verdict}"


@dataclass
class Line:
    """A row kept for reconciliation: a community's figures, or a subtotal/total's stated figures."""

    row: int
    kind: str  # community | subtotal | total
    label: str
    group: str  # the 片区 / 乡镇 text of a community row ("" when none)
    figures: dict[str, Decimal]


def reconcile(lines: list[Line]) -> list[Check]:
    checks: list[Check] = []
    communities = [x for x in lines if x.kind == "community"]
    groups: dict[str, list[Line]] = {}
    for c in communities:
        if c.group:
            groups.setdefault(c.group, []).append(c)
    since: list[Line] = []
    seen_any = False
    for x in lines:
        if x.kind == "community":
            since.append(x)
            seen_any = True
            continue
        if x.kind == "total":
            scope = communities
        else:
            named = [c for g, members in groups.items() if g in x.label for c in members]
            whole = x.label.startswith(WHOLE_AREA)  # 全县小计 last covers the county, not the rows since the last
            scope = named or (since if seen_any and not whole else communities)
            since = []
        for key, stated in x.figures.items():
            summed = sum((c.figures.get(key, Decimal(0)) for c in scope), Decimal(0))
            checks.append(Check(x.row, x.label, key, stated, summed))
    return checks
