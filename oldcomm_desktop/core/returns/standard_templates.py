"""The four standard returns as templates of the marker convention (see templates.py), built with openpyxl.

`scripts/make_return_templates.py` writes them to resources/templates/ so a county can copy one, change the
title rows, widths, colours or column order in Excel or WPS, and hand it back to the program with
`--template`. When the resources folder is missing (a stripped install) the same template is built on the fly.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from oldcomm_desktop.core.returns.layouts import LAYOUTS, Layout

FILE_NAMES = {
    "progress": "进度月报表.xlsx",
    "items": "改造内容及成效指标表.xlsx",
    "funding": "资金到位及完成投资表.xlsx",
    "rectification": "检查及整改情况表.xlsx",
}


def _resource_dirs() -> Iterator[Path]:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        yield Path(bundle) / "resources" / "templates"
    package_dir = Path(__file__).resolve().parents[2]
    yield package_dir.parent / "resources" / "templates"
    yield package_dir / "resources" / "templates"


def standard_path(kind: str) -> Path:
    """The shipped template of a return, or one built now into a temporary folder."""
    for d in _resource_dirs():
        p = d / FILE_NAMES[kind]
        if p.is_file():
            return p
    out = Path(tempfile.mkdtemp(prefix="oldcomm-templates-")) / FILE_NAMES[kind]
    build(kind, out)
    return out


def build(kind: str | Layout, out: Path) -> Path:
    """Write the standard template of `kind` (or of any layout) to `out`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties
    from openpyxl.worksheet.worksheet import Worksheet

    layout: Layout = kind if isinstance(kind, Layout) else LAYOUTS[kind]
    cols = layout.columns
    n = len(cols)
    last = get_column_letter(n)
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook's one sheet
    ws.title = layout.name
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    song = "宋体"
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    ws["A1"] = "{{title}}"
    ws["A1"].font = Font(name=song, sz=16, b=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = 30
    half = max(n // 2, 1)
    ws["A2"] = "填报单位：{{unit}}"
    ws.cell(row=2, column=half + 1, value="统计期间：{{period}}　金额单位：万元　面积单位：万平方米")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=half)
    ws.merge_cells(start_row=2, start_column=half + 1, end_row=2, end_column=n)
    ws.cell(row=2, column=half + 1).alignment = Alignment(horizontal="right")
    for c in (1, half + 1):
        ws.cell(row=2, column=c).font = Font(name=song, sz=10)

    head_fill = PatternFill("solid", fgColor="DDEBF7")
    i = 0
    while i < n:
        col = cols[i]
        j = i
        while col.group and j + 1 < n and cols[j + 1].group == col.group:
            j += 1
        if col.group:
            ws.cell(row=3, column=i + 1, value=col.group)
            if j > i:
                ws.merge_cells(start_row=3, start_column=i + 1, end_row=3, end_column=j + 1)
            for k in range(i, j + 1):
                ws.cell(
                    row=4,
                    column=k + 1,
                    value=cols[k].title if not cols[k].unit or cols[k].unit not in col.group else cols[k].header,
                )
        else:
            ws.cell(row=3, column=i + 1, value=col.title)
            ws.merge_cells(start_row=3, start_column=i + 1, end_row=4, end_column=i + 1)
        i = j + 1
    for r in (3, 4):
        ws.row_dimensions[r].height = 28
        for c in range(1, n + 1):
            cell = ws.cell(row=r, column=c)
            cell.font = Font(name=song, sz=10, b=True)
            cell.alignment = center
            cell.border = box
            cell.fill = head_fill

    total_fill = PatternFill("solid", fgColor="FFF2CC")
    for r, which in ((5, "row"), (6, "subtotal"), (7, "total")):
        for c, col in enumerate(cols, 1):
            cell = ws.cell(row=r, column=c, value=f"{{{{{which}.{col.code}}}}}")
            cell.border = box
            cell.number_format = col.number_format
            cell.font = Font(name=song, sz=10, b=which != "row")
            numeric = col.kind in ("money", "area", "qty", "int", "percent", "seq")
            cell.alignment = Alignment(
                horizontal="right" if numeric else ("center" if col.kind == "date" else "left"),
                vertical="center",
                shrink_to_fit=False,
            )
            if which != "row":
                cell.fill = total_fill
    ws["A8"] = "{{notes}}"
    ws["A8"].font = Font(name=song, sz=9, i=True)
    ws["A8"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(f"A8:{last}8")
    ws.row_dimensions[8].height = 36  # the rounding footnote may run to two lines
    quarter = max(n // 4, 1)
    footer = ["填报人：{{filled_by}}", "审核人：{{reviewer}}", "联系电话：{{phone}}", "填报日期：{{date}}"]
    for k, text in enumerate(footer):
        start = k * quarter + 1
        end = n if k == 3 else (k + 1) * quarter
        ws.cell(row=9, column=start, value=text).font = Font(name=song, sz=10)
        if end > start:
            ws.merge_cells(start_row=9, start_column=start, end_row=9, end_column=end)
    ws.row_dimensions[9].height = 22

    for c, col in enumerate(cols, 1):
        ws.column_dimensions[get_column_letter(c)].width = col.width
    ws.freeze_panes = "A5"
    ws.print_title_rows = "3:4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if n > 16 else ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    # openpyxl creates every header and footer with its three parts; the stubs leave them optional
    assert ws.oddFooter is not None and ws.oddFooter.center is not None
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
