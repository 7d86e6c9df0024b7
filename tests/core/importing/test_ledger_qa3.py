"""QA round 3 on the ledger import: a header unit nothing converts, a unit line above the table, a hidden column
that is the only one of its kind, template rows of zeros, long 备注 text in messages, a status cell holding only
a date, and traditional names in search. Each found wrong, each built in the test."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from oldcomm_desktop.storage.database import Database
from tests.core.importing.conftest import CHENGGUAN
from tests.core.importing.ledgers import _communities, _import, write

TITLE = ["城关街道2023年老旧小区改造台账"]


@pytest.mark.parametrize("header", ["建筑面积（亩）", "建筑面积（公顷）", "改造面积（亩）"])
def test_a_header_unit_nothing_converts_refuses_the_column(county_db: Database, tmp_path: Path, header: str) -> None:
    """建筑面积（亩） 12 was read as 12 m² (or asked about as 万平方米): refused, naming the column and its unit.
    (占地面积 is not imported, whatever its unit.)"""
    rows = [TITLE, ["乡镇（街道）", "小区名称", "户数", header], ["城关街道", "幸福里", 100, 12]]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path)
    unit = header[header.index("（") + 1 : -1]
    assert p.rows[0].action == "rejected"
    assert header in p.rows[0].reason and unit in p.rows[0].reason
    assert _communities(county_db) == {}


@pytest.mark.parametrize(
    ("line", "stored"),
    [
        ("单位：千元", Decimal("500000")),
        ("单位：万元", Decimal("5000000")),
        ("金额单位：千元", Decimal("500000")),
        ("（单位：万元、平方米）", Decimal("5000000")),
    ],
)
def test_a_unit_line_above_the_table_applies_to_columns_without_a_unit(
    county_db: Database, tmp_path: Path, line: str, stored: Decimal
) -> None:
    """单位：千元 above the header was read as 元; a header's own unit wins over the line."""
    rows = [
        TITLE,
        [line],
        ["乡镇（街道）", "小区名称", "户数", "总投资", "中央补助（元）"],
        ["城关街道", "幸福里", 100, 500, 3000],
    ]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path, confirm=True)
    assert p.rows[0].action == "new", p.rows[0].reason
    assert _communities(county_db)["幸福里"].total_investment == stored
    assert _import(county_db, path, confirm=True).counts()["unchanged"] == 1


def test_a_hidden_column_that_is_the_only_one_of_its_kind_is_said(county_db: Database, tmp_path: Path) -> None:
    rows = [TITLE, ["乡镇（街道）", "小区名称", "户数"], ["城关街道", "幸福里", 100]]
    path = write(tmp_path / "a.xlsx", rows)
    wb = load_workbook(path)
    wb.active.column_dimensions["C"].hidden = True
    wb.save(path)
    p = _import(county_db, path)
    assert p.rows[0].action == "new"
    assert _communities(county_db)["幸福里"].households == 100
    assert any("列“户数”在表中被隐藏" in n for n in p.notices), p.notices


def test_template_rows_of_zeros(county_db: Database, tmp_path: Path) -> None:
    """A row with no name and only 0s is an empty template row (skipped, said); a named row with 0s imports, 0
    read as not filled where the field takes no 0."""
    rows = [
        TITLE,
        ["乡镇（街道）", "小区名称", "建成年份", "楼栋数", "户数", "建筑面积（平方米）", "总投资（万元）"],
        ["城关街道", "幸福里", 0, 0, 0, 0, 0],
        [None, None, 0, 0, 0, 0, 0],
        ["城关街道", "和平里", 1995, 3, 120, 5000, 80],
    ]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path)
    by_row = {r.row: r for r in p.rows}
    assert by_row[3].action == "new", by_row[3].reason
    assert any("户数" in f for f in by_row[3].flags), by_row[3].flags
    assert by_row[4].action == "skipped" and "空" in by_row[4].reason
    assert p.counts()["skipped"] == 1
    c = _communities(county_db)
    assert c["幸福里"].households is None and c["幸福里"].year_built is None and c["和平里"].households == 120
    assert c["幸福里"].total_investment == 0  # 总投资 takes 0: kept
    again = _import(county_db, path)
    assert again.counts()["unchanged"] == 2 and again.counts()["rejected"] == 0


def test_long_notes_are_shortened_in_messages_not_in_the_report(county_db: Database, tmp_path: Path) -> None:
    from oldcomm_desktop.core.importing import ledger

    long_text = "楼道照明、雨污分流、屋面防水" * 20
    rows = [TITLE, ["乡镇（街道）", "小区名称", "户数", "状态"], ["城关街道", "幸福里", 100, long_text]]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path)
    r = p.rows[0]
    text = r.shown_reason + "".join(r.shown_flags)
    assert long_text[:20] in text and long_text not in text and "…" in text
    out = ledger.write_report(p, tmp_path / "r.xlsx", only_rejected=False)
    cells = [str(c.value) for row in load_workbook(out).active.iter_rows() for c in row]
    assert long_text in cells  # the cell itself
    assert any(long_text in c and c != long_text for c in cells)  # and the 原因 column, whole


def test_the_command_line_says_it_all(tmp_path: Path) -> None:
    """The dry run prints a long cell shortened and an empty template row as skipped; a traditional search
    finds the imported community."""
    from tests.cli.test_cli import ok

    db = tmp_path / "c.sqlite3"
    ok(tmp_path, "--db", db, "init", "--county-code", "341122000000", "--county-name", "青禾县")
    long_text = "楼道照明、雨污分流、屋面防水" * 20
    rows = [
        TITLE,
        ["乡镇（街道）", "小区名称", "户数", "状态"],
        ["城关街道", "建设路小区", 100, long_text],
        [None, None, 0, None],
    ]
    path = write(tmp_path / "a.xlsx", rows)
    r = ok(tmp_path, "--db", db, "import-excel", path, "--dry-run", "--add-townships")
    assert long_text not in r.out and long_text[:30] + "…" in r.out
    assert "跳过 第 4 行：空白模板行" in r.out
    rows[2][3] = "在建"
    ok(tmp_path, "--db", db, "import-excel", write(tmp_path / "b.xlsx", rows), "--add-townships")
    assert "建设路小区" in ok(tmp_path, "--db", db, "list", "communities", "--search", "建設路").out


@pytest.mark.parametrize("cell", ["2023.6", "2023年6月", "date"])
def test_a_status_cell_holding_only_a_date_keeps_the_row(county_db: Database, tmp_path: Path, cell: str) -> None:
    from datetime import datetime

    value: object = datetime(2023, 6, 1) if cell == "date" else cell
    rows = [TITLE, ["乡镇（街道）", "小区名称", "户数", "状态"], ["城关街道", "幸福里", 100, value]]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path)
    assert p.rows[0].action == "new", p.rows[0].reason
    assert any("状态" in f and "日期" in f for f in p.rows[0].flags), p.rows[0].flags
    assert _import(county_db, path).counts()["unchanged"] == 1


def test_traditional_names_are_found_by_a_simplified_search_and_back(county_db: Database, tmp_path: Path) -> None:
    """建設路小區 was not found by 建设路 (nor 和平里 by 和平裏): the search key holds the simplified form and a query
    looks for its simplified form too, while the stored name stays as the clerk typed it."""
    from oldcomm_desktop.core import communities, listings

    with county_db.transaction("测试员") as s:
        communities.create(s, {"name": "建設路小區", "township_code": CHENGGUAN})
        communities.create(s, {"name": "和平里小区", "township_code": CHENGGUAN, "address": "解放路東段"})
    rows = [TITLE, ["乡镇（街道）", "小区名称", "户数"], ["城关街道", "幸福里", 100]]
    _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert "建設路小區" in _communities(county_db)
    with county_db.transaction("测试员") as s:
        for query, found in (
            ("建设路", "建設路小區"),
            ("建設路", "建設路小區"),
            ("和平裏", "和平里小区"),
            ("jsl", "建設路小區"),
            ("東段", "和平里小区"),  # an address kept in traditional characters is still found as typed
        ):
            names = [r["name"] for r in listings.page(s, "communities", listings.ListQuery(search=query))]
            assert names == [found], (query, names)
