"""The meeting briefing (工作汇报): the headline a leader reads out, the township table and the items done.

"截至目前，全县已累计完成老旧小区改造126个，涉及居民15800余户，改造建筑面积135万平方米，投入改造资金8.7亿元"

Speeches round *down* to a round figure and say 余 where something was cut off; they never say more than
was done. `households_phrase`, `area_phrase` and `money_phrase` do that (property-tested: the spoken figure
is never above the true one and less than one spoken unit below it). Every number is traceable: the
briefing is written with an .xlsx beside it (`*-明细.xlsx`) listing each community and item row it adds up,
and the .docx carries the same list as an appendix when it is short enough to print.

Counting (domain.md): 完成改造 = completed + accepted as of the date; households and floor area are those
communities'; 投入改造资金 is the investment completed by the date in all communities of the plan.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import divisions, workspace
from oldcomm_desktop.core.lifecycle import ACCEPTED, COMPLETED, STARTED, STATUS_LABELS
from oldcomm_desktop.core.model import Community, ItemType, RenovationItem
from oldcomm_desktop.core.returns import figures
from oldcomm_desktop.core.returns.printing import Column, ExactRow, PrintedRow, Totals, printed

WAN, YI = Decimal(10000), Decimal(100_000_000)
FINISHED = (COMPLETED, ACCEPTED)

# The items a briefing names: (label, verb, item type codes, unit as spoken)
ITEMS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("道路", "硬化或铺设道路", ("road",), "平方米"),
    ("管网", "改造各类管网", ("water_pipe", "drain_pipe", "power_line", "gas_pipe", "heat_pipe", "rain_sewage"), "米"),
    ("休闲广场", "新建休闲广场", ("plaza",), "个"),
    ("健身器材", "安装健身器材", ("fitness",), "件"),
    ("停车位", "增设停车位", ("parking",), "个"),
    ("电梯", "加装电梯", ("elevator",), "部"),
)


def _floor(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_FLOOR)


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def households_phrase(n: int) -> str:
    """15862 → "15800余户"; 15800 → "15800户"; below 100 exactly."""
    if n < 100:
        return f"{n}户"
    unit = 10 if n < 1000 else 100
    down = n // unit * unit
    return f"{n}户" if down == n else f"{down}余户"


def households_value(n: int) -> int:
    unit = 1 if n < 100 else (10 if n < 1000 else 100)
    return n // unit * unit


def area_phrase(m2: Decimal) -> str:
    """1,352,345 m² → "135万平方米"; 82,345 → "8.23万平方米"; 8,500.7 → "8500平方米" (never rounded up)."""
    value, unit = area_value(m2)
    return f"{_plain(value)}{unit}"


def area_value(m2: Decimal) -> tuple[Decimal, str]:
    m2 = Decimal(m2)
    if m2 < WAN:
        return _floor(m2, 0), "平方米"
    wan = m2 / WAN
    places = 0 if wan >= 100 else (1 if wan >= 10 else 2)
    return _floor(wan, places), "万平方米"


def money_phrase(yuan: Decimal) -> str:
    """870,123,456 → "8.7亿元"; 31,000,000 → "3100万元"; 6,800 → "6800元" (never rounded up)."""
    value, unit = money_value(yuan)
    return f"{_plain(value)}{unit}"


def money_value(yuan: Decimal) -> tuple[Decimal, str]:
    yuan = Decimal(yuan)
    if yuan >= YI:
        yi = yuan / YI
        return _floor(yi, 1 if yi < 100 else 0), "亿元"
    if yuan >= WAN:
        return _floor(yuan / WAN, 0), "万元"
    return _floor(yuan, 0), "元"


def quantity_phrase(q: Decimal, unit: str) -> str:
    q = Decimal(q)
    if q >= 100 * WAN:
        return f"{_plain(_floor(q / WAN, 0))}万{unit}"
    return f"{_plain(_floor(q, 0))}{unit}"


# -- the figures -------------------------------------------------------------------------------------------
@dataclass
class Briefing:
    day: date
    area: str
    headline: str
    plan_sentence: str
    items_sentence: str
    township_rows: list[PrintedRow]
    items: list[tuple[str, str, Decimal, str]]  # label, verb, quantity, unit
    sources: list[dict[str, Any]] = field(default_factory=list)  # the communities behind the numbers
    item_sources: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        lines = [f"{self.area}老旧小区改造工作汇报", "", self.headline]
        if self.plan_sentence:
            lines.append(self.plan_sentence)
        if self.items_sentence:
            lines.append(self.items_sentence)
        lines += ["", "各乡镇（街道）完成情况："]
        header = [c.title for c in TOWNSHIP_COLUMNS]
        lines.append("\t".join(header))
        for r in self.township_rows:
            lines.append("\t".join("" if r.values[c.code] is None else f"{r.values[c.code]}" for c in TOWNSHIP_COLUMNS))
        lines += ["", f"（数字来源：截至 {self.day} 的台账，逐项明细见附表。）"]
        return "\n".join(lines) + "\n"


TOWNSHIP_COLUMNS = [
    Column("township", "乡镇（街道）", width=14),
    Column("finished", "完成改造小区", "个", "int", summed=True, width=12),
    Column("started", "在建小区", "个", "int", summed=True, width=10),
    Column("households", "完成改造户数", "户", "int", summed=True, width=12),
    Column("floor_area", "完成改造面积", "万平方米", "area", 2, True, 14),
    Column("invested", "完成投资", "万元", "money", 2, True, 14),
]


def build(session: Session, *, day: date | None = None, township: str | None = None) -> Briefing:
    """The briefing of the area (the county, or one township) as of `day` (default today)."""
    today = date.today()
    day = day or today
    if township:
        divisions.parse_code(township, label="乡镇（街道）代码", field="township")
    elif workspace.mode(session) == workspace.TOWNSHIP:
        township = workspace.own_code(session)
    from oldcomm_desktop.core.returns.export import area_name

    area = (
        area_name(session, township)
        if township
        else ("全县" if workspace.mode(session) == workspace.COUNTY else area_name(session, None))
    )
    per_town: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"finished": 0, "started": 0, "households": 0, "floor_area": Decimal(0), "invested": Decimal(0)}
    )
    names: dict[str, str] = {}
    sources = []
    n = hh = 0
    area_m2 = invested = Decimal(0)
    plan_n = plan_started = 0
    for f in figures.communities_as_of(session, day, township=township):
        done = f.status in FINISHED
        names[f.township_code] = f.township
        t = per_town[f.township_code]
        t["invested"] += f.completed_total
        invested += f.completed_total
        if done:
            n += 1
            hh += f.households or 0
            area_m2 += f.floor_area or 0
            t["finished"] += 1
            t["households"] += f.households or 0
            t["floor_area"] += f.floor_area or 0
        elif f.status == STARTED:
            t["started"] += 1
        if f.plan_year == day.year:
            plan_n += 1
            plan_started += f.status in (STARTED, *FINISHED)
        sources.append(
            {
                "乡镇（街道）": f.township,
                "小区名称": f.name,
                "改造年度": f.plan_year,
                "状态（截至当日）": STATUS_LABELS.get(f.status, f.status),
                "计入完成改造": "是" if done else "否",
                "户数": f.households,
                "建筑面积（平方米）": f.floor_area,
                "累计完成投资（元）": f.completed_total,
                "完工日期": f.actual_completion,
            }
        )
    rows = [ExactRow(names[code], code, {"township": names[code], **v}) for code, v in sorted(per_town.items())]
    totals = Totals()
    table = list(
        printed(TOWNSHIP_COLUMNS, rows, label_code="township", subtotals=False, totals=totals, total_label="合计")
    )
    when = "截至目前" if day == today else f"截至{day.year}年{day.month}月{day.day}日"
    headline = (
        f"{when}，{area}已累计完成老旧小区改造{n}个，涉及居民{households_phrase(hh)}，"
        f"改造建筑面积{area_phrase(area_m2)}，投入改造资金{money_phrase(invested)}。"
    )
    plan_sentence = ""
    if plan_n:
        plan_sentence = f"{day.year}年计划改造老旧小区{plan_n}个，已开工{plan_started}个（含已完工）。"
    done_items, item_sources = _items_done(session, day, township)
    parts = [f"{verb}{quantity_phrase(q, unit)}" for _label, verb, q, unit in done_items if q > 0]
    items_sentence = f"累计{'，'.join(parts)}。" if parts else ""
    return Briefing(
        day,
        area,
        headline,
        plan_sentence,
        items_sentence,
        table,
        done_items,
        sources,
        item_sources,
        {"communities": n, "households": hh, "floor_area_m2": area_m2, "invested_yuan": invested},
    )


def _items_done(session: Session, day: date, township: str | None) -> tuple[list, list]:
    """Completed quantities (completed on or before `day`) of the items a briefing names, with their rows."""
    codes = {c: label for label, _v, cs, _u in ITEMS for c in cs}
    q = (
        select(
            Community.name, ItemType.code, ItemType.name, RenovationItem.completed_quantity, RenovationItem.completed_on
        )
        .join(ItemType, ItemType.id == RenovationItem.item_type_id)
        .join(Community, Community.id == RenovationItem.community_id)
        .where(
            RenovationItem.deleted_at.is_(None),
            Community.deleted_at.is_(None),
            ItemType.code.in_(list(codes)),
            RenovationItem.completed_on <= day,
            RenovationItem.completed_quantity > 0,
        )
        .order_by(ItemType.code, Community.name)
    )
    if township:
        q = q.where(Community.township_code == township)
    sums: dict[str, Decimal] = defaultdict(Decimal)
    rows = []
    for cname, code, tname, qty, on in session.execute(q):
        sums[codes[code]] += qty or Decimal(0)
        rows.append({"小区名称": cname, "改造内容": tname, "完成数量": qty, "完成日期": on, "计入": codes[code]})
    done = [(label, verb, sums.get(label, Decimal(0)), unit) for label, verb, _c, unit in ITEMS]
    return done, rows


def count_sources(session: Session) -> int:
    return session.scalar(select(func.count(Community.id)).where(Community.deleted_at.is_(None))) or 0


# -- files -------------------------------------------------------------------------------------------------
APPENDIX_LIMIT = 300  # rows printed in the .docx itself; the .xlsx beside always has them all


def sources_path(out: Path) -> Path:
    return out.with_name(out.stem + "-明细.xlsx")


def write(b: Briefing, out: Path) -> list[Path]:
    """Write the briefing as .docx or .txt (by suffix), and its sources .xlsx beside; returns the files."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".docx", ".txt"):
        from oldcomm_desktop.core.errors import FieldProblem, ValidationError

        raise ValidationError(FieldProblem("out", "输出文件", f"“{out.name}”应以 .docx 或 .txt 结尾"))
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".txt":
        out.write_text(b.text, encoding="utf-8")
    else:
        _docx(b, out)
    beside = sources_path(out)
    _sources_xlsx(b, beside)
    return [out, beside]


def _docx(b: Briefing, out: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(14)
    title = doc.add_heading(f"{b.area}老旧小区改造工作汇报", level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in (b.headline, b.plan_sentence, b.items_sentence):
        if text:
            p = doc.add_paragraph(text)
            p.paragraph_format.first_line_indent = Pt(28)
    doc.add_heading("各乡镇（街道）完成情况", level=2)
    table = doc.add_table(rows=1, cols=len(TOWNSHIP_COLUMNS))
    table.style = "Table Grid"
    for cell, col in zip(table.rows[0].cells, TOWNSHIP_COLUMNS, strict=True):
        cell.text = col.title
    for r in b.township_rows:
        cells = table.add_row().cells
        for cell, col in zip(cells, TOWNSHIP_COLUMNS, strict=True):
            v = r.values[col.code]
            cell.text = "" if v is None else f"{v:,}" if not isinstance(v, str) else v
    doc.add_heading("附表：数字来源", level=2)
    doc.add_paragraph(
        f"以上数字由截至 {b.day} 的台账逐项相加：完成改造 {b.totals['communities']} 个小区、"
        f"{b.totals['households']} 户、{b.totals['floor_area_m2']} 平方米，完成投资 {b.totals['invested_yuan']} 元。"
        f"每个小区和改造内容的明细见同名文件“{sources_path(out).name}”。"
    )
    counted = [s for s in b.sources if s["计入完成改造"] == "是"]
    if counted and len(counted) <= APPENDIX_LIMIT:
        keys = ["乡镇（街道）", "小区名称", "户数", "建筑面积（平方米）", "完工日期"]
        t = doc.add_table(rows=1, cols=len(keys))
        t.style = "Table Grid"
        for cell, k in zip(t.rows[0].cells, keys, strict=True):
            cell.text = k
        for s in counted:
            for cell, k in zip(t.add_row().cells, keys, strict=True):
                cell.text = "" if s[k] is None else str(s[k])
    doc.save(str(out))


def _sources_xlsx(b: Briefing, out: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for title, rows in (("小区明细", b.sources), ("改造内容明细", b.item_sources)):
        ws = wb.create_sheet(title)
        if rows:
            keys = list(rows[0])
            ws.append(keys)
            for r in rows:
                ws.append([r[k] for k in keys])
        else:
            ws.append(["（无）"])
    ws = wb.create_sheet("汇报数字")
    ws.append(["项目", "精确值", "汇报中的说法"])
    t = b.totals
    ws.append(["完成改造小区（个）", t["communities"], f"{t['communities']}个"])
    ws.append(["涉及居民（户）", t["households"], households_phrase(t["households"])])
    ws.append(["改造建筑面积（平方米）", t["floor_area_m2"], area_phrase(t["floor_area_m2"])])
    ws.append(["投入改造资金（元）", t["invested_yuan"], money_phrase(t["invested_yuan"])])
    for label, _verb, q, unit in b.items:
        ws.append([f"{label}（{unit}）", q, quantity_phrase(q, unit)])
    wb.save(out)
