"""A county's template is carried over whole: every sheet, conditional formatting, data validation, defined
names, print settings, merges, formulas and widths — the data sheet's ranges grown over the written rows as
Excel grows them when rows are inserted — and the marker cells on the other sheets are filled too."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from oldcomm_desktop.core.returns import export, standard_templates, templates
from oldcomm_desktop.core.returns.layouts import LAYOUTS
from oldcomm_desktop.core.returns.periods import Period

from .test_files_libreoffice import to_csv

NOV = Period(2026, 11)
CODES = LAYOUTS["progress"].codes
H = get_column_letter(CODES.index("households") + 1)  # 户数
K = get_column_letter(CODES.index("start_kind") + 1)  # 新开工/续建
S = get_column_letter(CODES.index("actual_start") + 1)  # 实际开工
LAST = get_column_letter(len(CODES))
DATA = "进度月报表"


def _county_workbook(tmp_path: Path) -> Path:
    """The standard progress template with what counties add: a cover sheet with the header fields, a total
    and formulas pointing at the return, a hidden list sheet behind a drop-down, colour rules, names."""
    path = standard_templates.build("progress", tmp_path / "county.xlsx")
    wb = load_workbook(path)
    data = wb[DATA]
    cover = wb.create_sheet("封面", 0)
    cover["A1"] = "{{title}}"
    cover.merge_cells("A1:D1")
    cover["A2"] = "统计期间：{{period}}（{{period_key}}）"
    cover["A3"] = "填报单位：{{unit}}　填报人：{{filled_by}}　填报日期：{{date}}"
    cover["A4"], cover["B4"] = "户数合计（户）", "{{total.households}}"
    cover["B4"].number_format = "#,##0"
    cover["A5"], cover["B5"] = "表内合计行", f"='{DATA}'!{H}7"  # the 合计 style row: the written 合计
    cover["A6"], cover["B6"] = "核对（应为0）", f"={DATA}!{H}7-B4"
    cover["A7"] = "总投资 {{total.total_investment}} 万元"
    cover.column_dimensions["A"].width = 24
    cover.page_setup.orientation = "landscape"
    cover.conditional_formatting.add(
        "B6", CellIsRule(operator="notEqual", formula=["0"], fill=PatternFill("solid", fgColor="FF0000"))
    )
    cover.sheet_properties.tabColor = "FF0000"
    cover.protection.sheet = True
    cover.row_dimensions[8].hidden = True
    lists = wb.create_sheet("选项")
    lists["A1"], lists["A2"] = "新开工", "续建"
    lists.sheet_state = "hidden"
    data.conditional_formatting.add(
        f"{H}5", CellIsRule(operator="greaterThan", formula=["100"], fill=PatternFill("solid", fgColor="FFC7CE"))
    )
    dv = DataValidation(type="list", formula1="=选项!$A$1:$A$2", allow_blank=True)
    dv.add(f"{K}5")
    data.add_data_validation(dv)
    wb.defined_names["户数列"] = DefinedName("户数列", attr_text=f"'{DATA}'!${H}$5:${H}$5")
    wb.defined_names["户数合计"] = DefinedName("户数合计", attr_text=f"'{DATA}'!${H}$7")
    wb.defined_names["表头"] = DefinedName("表头", attr_text=f"'{DATA}'!$A$3:${LAST}$4")
    data.print_area = f"A1:{LAST}9"
    data.auto_filter.ref = f"A4:{LAST}5"  # the filter over the column headings and the data row
    data["A10"] = f'="合计户数："&{H}7'  # a footer formula pointing at the 合计
    data["AJ1"] = f"={H}7"  # a header formula pointing at the 合计 (the header is written after the rows)
    data["AJ2"] = "{{total.households}}"
    data["AK2"] = "共 {{total.households}} 户"
    wb.save(path)
    return path


def test_every_sheet_and_setting_of_the_template_is_carried_and_grown(ledger, tmp_path: Path) -> None:
    db, _ = ledger
    template = _county_workbook(tmp_path)
    with db.transaction() as s:
        produced = export.produce(s, "progress", NOV, tmp_path / "filled.xlsx", template=template)
    src, out = load_workbook(template), load_workbook(produced.path)
    last = 5 + produced.rows - 1  # the written 合计 row
    shift = last - 7

    assert out.sheetnames == src.sheetnames == ["封面", DATA, "选项"]
    assert out["选项"].sheet_state == "hidden" and out["选项"]["A2"].value == "续建"
    assert out.active.title == src.active.title

    cover = out["封面"]
    assert cover["A1"].value == produced.title and "A1:D1" in {str(r) for r in cover.merged_cells.ranges}
    assert cover["A2"].value == "统计期间：2026年1–11月（2026-11）"
    assert cover["A3"].value.startswith("填报单位：") and "填报日期：" in cover["A3"].value
    assert cover["B4"].value == 400 and cover["B4"].number_format == "#,##0"
    assert cover["B5"].value == f"='{DATA}'!{H}{last}"
    assert cover["B6"].value == f"={DATA}!{H}{last}-B4"
    assert cover["A7"].value == f"总投资 {produced.totals.written['total_investment']} 万元"
    assert cover.column_dimensions["A"].width == 24 and cover.page_setup.orientation == "landscape"
    assert [str(cf.sqref) for cf in cover.conditional_formatting] == ["B6"]
    assert cover.sheet_properties.tabColor.rgb == "00FF0000" and cover.protection.sheet
    assert cover.row_dimensions[8].hidden

    data = out[DATA]
    assert data[f"{H}{last}"].value == 400 and data[f"B{last}"].value == "合计"
    rules = {str(cf.sqref): [r.formula for r in cf.rules] for cf in data.conditional_formatting}
    assert rules == {f"{H}5:{H}{last}": [["100"]]}
    assert [(str(v.sqref), v.formula1) for v in data.data_validations.dataValidation] == [
        (f"{K}5:{K}{last}", "=选项!$A$1:$A$2")
    ]
    assert out.defined_names["户数列"].attr_text == f"'{DATA}'!${H}$5:${H}${last}"
    assert out.defined_names["户数合计"].attr_text == f"'{DATA}'!${H}${last}"
    assert out.defined_names["表头"].attr_text == f"'{DATA}'!$A$3:${LAST}$4"
    assert data.print_area == f"'{DATA}'!$A$1:${LAST}${9 + shift}"
    assert data.print_title_rows == "$3:$4" and data.freeze_panes == "A5"
    assert data.auto_filter.ref == f"A4:{LAST}{last}"
    assert data[f"A{10 + shift}"].value == f'="合计户数："&{H}{last}'
    assert data["AJ1"].value == f"={H}{last}" and data["AJ2"].value == 400 and data["AK2"].value == "共 400 户"
    for r in src[DATA].merged_cells.ranges:  # header merges stay, footer merges move down
        if r.max_row < 5:
            assert r.coord in {str(x) for x in data.merged_cells.ranges}
    assert f"A{8 + shift}:{LAST}{8 + shift}" in {str(x) for x in data.merged_cells.ranges}
    for col in ("A", "D", H, LAST):
        assert data.column_dimensions[col].width == src[DATA].column_dimensions[col].width
    assert data[f"{H}5"].number_format == src[DATA][f"{H}5"].number_format
    starts = [data[f"{S}{r}"].value for r in range(5, last)]
    assert date(2026, 3, 10) in [d.date() if d else None for d in starts]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_computes_the_cover_sheet_from_the_filled_return(ledger, tmp_path: Path) -> None:
    db, _ = ledger
    template = _county_workbook(tmp_path)
    with db.transaction() as s:
        produced = export.produce(s, "progress", NOV, tmp_path / "filled.xlsx", template=template)
    rows = to_csv(produced.path, tmp_path)  # the first sheet: the cover, its formulas computed by LibreOffice
    assert rows[0][0] == produced.title
    assert rows[3][1].replace(",", "") == "400"
    assert rows[4][1].replace(",", "") == "400" and Decimal(rows[5][1]) == 0


def test_a_total_marker_with_an_unknown_code_on_another_sheet_is_refused(tmp_path: Path) -> None:
    path = standard_templates.build("progress", tmp_path / "t.xlsx")
    wb = load_workbook(path)
    wb.create_sheet("封面", 0)["B2"] = "{{total.househols}}"
    wb.save(path)
    with pytest.raises(templates.OldcommError, match="封面.*B2.*househols"):
        templates.inspect_template(path, CODES)


def test_messy_text_numbers_and_dates_come_out_as_openpyxl_and_libreoffice_read_them(tmp_path: Path) -> None:
    """The data rows are written as row XML (not cell by cell through openpyxl): what a real ledger holds —
    control characters, markup characters, edge and full-width spaces, big money, dates — must survive."""
    from openpyxl.utils import column_index_from_string

    from oldcomm_desktop.core.returns.printing import PrintedRow

    texts = ["幸福\x01里", "<b>&amp;</b>", "  前有空格", "后有制表符\t", "\u3000全角空格", "\x02", "普通小区"]
    money = Decimal("123456789012.34")
    rows = [
        PrintedRow(
            "data",
            str(i),
            {"seq": i, "name": t, "total_investment": money, "actual_start": date(2026, 3, 10), "households": 10**9},
        )
        for i, t in enumerate(texts, 1)
    ]
    rows.append(PrintedRow("total", "total", {"township": "合计", "households": 7 * 10**9}))
    out = tmp_path / "messy.xlsx"
    assert templates.fill(standard_templates.standard_path("progress"), iter(rows), out, {"title": "标题"}) == 8
    ws = load_workbook(out)[DATA]
    name, inv = CODES.index("name") + 1, CODES.index("total_investment") + 1
    start, hh = column_index_from_string(S), column_index_from_string(H)
    assert [ws.cell(r, name).value for r in range(5, 12)] == [
        "幸福里",
        "<b>&amp;</b>",
        "  前有空格",
        "后有制表符\t",
        "\u3000全角空格",
        None,
        "普通小区",
    ]
    assert {ws.cell(r, inv).value for r in range(5, 12)} == {float(money)}
    assert {ws.cell(r, start).value.date() for r in range(5, 12)} == {date(2026, 3, 10)}
    assert ws.cell(12, hh).value == 7 * 10**9 and ws.cell(12, 2).value == "合计"
    assert ws.cell(12, hh).font.b and ws.cell(5, inv).number_format == "#,##0.00"
    assert ws.cell(13, 1).value is None or "{{" not in str(ws.cell(13, 1).value)  # the footer follows
    if shutil.which("soffice"):
        csv_rows = to_csv(out, tmp_path)
        assert csv_rows[4][name - 1] == "幸福里" and csv_rows[5][name - 1] == "<b>&amp;</b>"
        assert csv_rows[4][inv - 1].replace(",", "") == "123456789012.34"
        assert csv_rows[4][start - 1] == "2026-03-10"
