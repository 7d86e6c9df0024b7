"""Every produced return opens in LibreOffice (converted to CSV) with the database's numbers, and a county's
own template keeps its merged cells, styles, widths, print settings and formulas when filled."""

from __future__ import annotations

import csv
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill
from sqlalchemy import select

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.model import Community
from oldcomm_desktop.core.returns import export, standard_templates, templates
from oldcomm_desktop.core.returns.layouts import LAYOUTS
from oldcomm_desktop.core.returns.periods import Period

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
NOV = Period(2026, 11)


def to_csv(xlsx: Path, tmp: Path) -> list[list[str]]:
    out = tmp / "csv"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp}/lo_profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(out),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with (out / (xlsx.stem + ".csv")).open(encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _num(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


@needs_soffice
def test_libreoffice_reads_every_return_with_the_databases_numbers(ledger, tmp_path: Path) -> None:
    db, _ = ledger
    files = {}
    with db.transaction() as s:
        for kind in LAYOUTS:
            files[kind] = export.produce(s, kind, NOV, tmp_path / f"{kind}.xlsx")
        facts = {
            c.name: c
            for c in s.scalars(select(Community).where(Community.plan_year == 2026, Community.deleted_at.is_(None)))
        }
    for produced in files.values():
        rows = to_csv(produced.path, tmp_path)
        assert rows[0][0] == produced.title and "（草稿）" in rows[0][0]
        assert any("填报人" in c for c in rows[-1])
    progress = to_csv(files["progress"].path, tmp_path)
    head = progress[2]
    col = {name: head.index(name) for name in ("小区名称", "户数（户）", "总投资（万元）", "建筑面积（万平方米）")}
    data = [r for r in progress[4:] if r[0].isdigit()]
    assert {r[col["小区名称"]] for r in data} == set(facts)
    for r in data:
        c = facts[r[col["小区名称"]]]
        assert int(r[col["户数（户）"]]) == c.households
        assert _num(r[col["总投资（万元）"]]) == (c.total_investment / 10000).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert _num(r[col["建筑面积（万平方米）"]]) == (c.floor_area / 10000).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    total = next(r for r in progress if r[1] == "合计")
    assert int(total[col["户数（户）"]]) == sum(c.households for c in facts.values())
    assert _num(total[col["总投资（万元）"]]) == sum(_num(r[col["总投资（万元）"]]) for r in data)
    funding = to_csv(files["funding"].path, tmp_path)
    ftotal = next(r for r in funding if r[1] == "合计")
    assert _num(ftotal[2]) == sum(
        _num(r[2]) for r in funding[4:] if r[0].isdigit() and not r[1].startswith("　") and r[1] != "合计"
    )


def _county_template(tmp_path: Path) -> Path:
    """The standard progress template as a county might change it: title, colours, widths, a formula, a footer."""
    path = standard_templates.build("progress", tmp_path / "county.xlsx")
    wb = load_workbook(path)
    ws = wb.active
    ws["A1"] = "附件2：{{title}}（{{period_key}}）"
    ws["A1"].fill = PatternFill("solid", fgColor="FFC000")
    ws["A1"].font = Font(name="黑体", sz=18, b=True)
    ws.column_dimensions["D"].width = 33
    ws["AI4"] = "户均投资（万元）"
    ws["AI5"] = "=M5/H5"  # a formula in the data row: moves with each row
    ws["AI5"].number_format = "0.000"
    ws["A10"] = "单位负责人："
    ws.merge_cells("A10:C10")
    ws["D10"] = "=1+1"  # a formula in the footer moves with it
    ws.page_setup.orientation = "portrait"
    ws.print_title_rows = "3:4"
    wb.save(path)
    return path


def test_a_county_template_keeps_merges_styles_widths_print_settings_and_formulas(ledger, tmp_path) -> None:
    db, _ = ledger
    template = _county_template(tmp_path)
    src = load_workbook(template).active
    with db.transaction() as s:
        produced = export.produce(s, "progress", NOV, tmp_path / "filled.xlsx", template=template)
    out = load_workbook(produced.path).active
    n = produced.rows  # data rows + 小计 + 合计
    shift = n - 3  # three marker rows (data, 小计, 合计) became n rows
    src_merges = {str(r) for r in src.merged_cells.ranges}
    header = {r for r in src_merges if int(r.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) < 5}
    assert header <= {str(r) for r in out.merged_cells.ranges}
    footer = {r for r in src_merges if r not in header}
    from openpyxl.worksheet.cell_range import CellRange

    for r in footer:
        cr = CellRange(r)
        cr.shift(0, shift)
        assert cr.coord in {str(x) for x in out.merged_cells.ranges}
    assert out["A1"].value == "附件2：青禾县老旧小区改造进度月报表（2026年1–11月）（草稿）（2026-11）"
    assert out["A1"].font.name == "黑体" and out["A1"].font.b and out["A1"].fill.fgColor.rgb == "00FFC000"
    assert out.column_dimensions["D"].width == 33
    assert out.page_setup.orientation == "portrait" and out.freeze_panes == "A5"
    assert out.print_title_rows == "$3:$4"
    assert out["AI5"].value == "=M5/H5" and out["AI6"].value == "=M6/H6"
    assert out["M5"].number_format == src["M5"].number_format and out["M5"].border.left.style == "thin"
    assert out["B7"].value == "城关街道小计" and out["B7"].font.b and out["B7"].fill.fgColor.rgb == "00FFF2CC"
    assert out.cell(row=10 + shift, column=1).value == "单位负责人："
    assert out.cell(row=10 + shift, column=4).value == "=1+1"
    assert out.cell(row=9 + shift, column=1).value.startswith("填报人：")


def test_a_template_without_a_data_row_or_with_an_unknown_code_is_refused(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "{{title}}"
    wb.save(tmp_path / "none.xlsx")
    with pytest.raises(OldcommError, match="没有数据行"):
        templates.inspect_template(tmp_path / "none.xlsx", LAYOUTS["progress"].codes)
    wb.active["A2"] = "{{row.householdz}}"
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(OldcommError, match="A2.*householdz"):
        templates.inspect_template(tmp_path / "bad.xlsx", LAYOUTS["progress"].codes)
    (tmp_path / "junk.xlsx").write_bytes(b"not a zip")
    with pytest.raises(OldcommError, match="无法打开"):
        templates.inspect_template(tmp_path / "junk.xlsx")


class _Cancelling:
    """A progress object whose clerk presses 取消 at once."""

    cancelled = True

    def report(self, done: int, total: int, text: str = "") -> None:
        pass


def test_a_cancelled_export_leaves_no_file(tmp_path: Path) -> None:
    from oldcomm_desktop.core.returns.printing import PrintedRow

    rows = (PrintedRow("data", str(i), {"seq": i, "name": f"小区{i}"}) for i in range(1, 5000))
    out = tmp_path / "big.xlsx"
    with pytest.raises(templates.Cancelled, match="已取消"):
        templates.fill(standard_templates.standard_path("progress"), rows, out, {}, progress=_Cancelling())
    assert not out.exists() and list(tmp_path.iterdir()) == []
    n = templates.fill(
        standard_templates.standard_path("progress"),
        (PrintedRow("data", str(i), {"seq": i, "name": f"小区{i}"}) for i in range(1, 3001)),
        out,
        {},
    )
    assert n == 3000 and load_workbook(out).active.max_row == 4 + 3000 + 2
