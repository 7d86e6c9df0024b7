"""A second QA round of ledger layouts (columns that read alike, headings and notes merged across the row, a
parent header's unit, summary sheets, hidden sheets and columns, messages): each found wrong, each built here."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from oldcomm_desktop.storage.database import Database
from tests.core.importing.ledgers import _communities, _import, _plan, write


@pytest.mark.parametrize(
    ("headers", "cells", "field", "expected"),
    [
        (["户数（户）", "户数（原）"], [120, 999], "households", 120),
        (["建筑面积（平方米）", "建筑面积（万平方米）"], [12000, 1.2], "floor_area", Decimal("12000.00")),
    ],
)
def test_the_same_file_imported_again_reads_the_same_columns(
    county_db: Database, tmp_path: Path, headers: list[str], cells: list[object], field: str, expected: object
) -> None:
    """户数（户） and 户数（原） were both remembered as 户数: the second import read the other column (120 → 999,
    12,000 m² → 1.2 m²). The remembered mapping keeps the full header and the position; the first import says
    which of the two columns it reads."""
    rows = [["乡镇（街道）", "小区名称", *headers], ["城关街道", "幸福里", *cells]]
    path = write(tmp_path / "a.xlsx", rows)
    first = _import(county_db, path)
    assert getattr(_communities(county_db)["幸福里"], field) == expected
    assert any("第 3 列" in n and "第 4 列" in n and "不导入" in n for n in first.notices)
    again = _import(county_db, path)
    assert again.counts()["unchanged"] == 1 and again.counts()["updated"] == 0
    assert getattr(_communities(county_db)["幸福里"], field) == expected


def test_a_mapping_file_header_that_two_columns_read_as_is_an_error(county_db: Database, tmp_path: Path) -> None:
    from oldcomm_desktop.core.errors import OldcommError

    rows = [["乡镇（街道）", "小区名称", "户数（户）", "户数（原）"], ["城关街道", "幸福里", 120, 999]]
    path = write(tmp_path / "a.xlsx", rows)
    with pytest.raises(OldcommError, match="不止一列"):
        _plan(county_db, path, mapping={"columns": {"小区名称": "name", "户数": "households"}})
    p = _plan(county_db, path, mapping={"columns": {"小区名称": "name", "户数（原）": "households"}})
    assert p.mapping[3] == "households" and 2 not in p.mapping


@pytest.mark.parametrize("merged", [False, True])
def test_a_notes_block_under_the_table_is_skipped_merged_or_not(
    county_db: Database, tmp_path: Path, merged: bool
) -> None:
    """2.户数以2022年入户调查为准。 under 备注：1.…, merged across the row, was refused as a community and its 2 was
    added to the reconciliation; 填表说明：… likewise."""
    rows = [
        ["乡镇（街道）", "小区名称", "户数（户）", "总投资（万元）", "状态"],
        ["城关街道", "幸福里", 100, 200, "在建"],
        ["城关街道", "建设路", 100, 200, "在建"],
        ["合计", None, 200, 400, None],
        ["备注：1.本表共2个小区。"],
        ["2.户数以2022年入户调查为准。"],
        ["填表说明：总投资含2022年已下达资金300万元"],
    ]
    merges = tuple(f"A{r}:E{r}" for r in (5, 6, 7)) if merged else ()
    p = _plan(county_db, write(tmp_path / "a.xlsx", rows, merges=merges))
    assert p.counts()["rejected"] == 0 and p.counts()["new"] == 2
    assert not p.mismatches


@pytest.mark.parametrize(
    "parent", ["资金来源（万元）", "资金情况（万元）", "投资情况（万元）", "计划投资（万元）", "资金来源及构成（万元）"]
)
def test_a_parent_header_over_its_children_gives_them_its_unit(
    county_db: Database, tmp_path: Path, parent: str
) -> None:
    """资金来源（万元） merged over 中央补助 | 省级补助 | 总投资: the children's row named more columns, so the header
    was read as that one row and 总投资 800 was stored as 800 元."""
    rows = [
        ["城关街道2023年度老旧小区改造台账"],
        ["乡镇（街道）", "小区名称", "户数", parent, None, None],
        [None, None, None, "中央补助", "省级补助", "总投资"],
        ["城关街道", "幸福里", 100, 100, 100, 300],
    ]
    merges = ("A2:A3", "B2:B3", "C2:C3", "D2:F2")
    p = _import(county_db, write(tmp_path / "a.xlsx", rows, merges=merges))
    assert p.header.rows == 2 and p.mapping[5] == "total_investment" and p.units["total_investment"] == "万元"
    assert _communities(county_db)["幸福里"].total_investment == Decimal("3000000.00")


@pytest.mark.parametrize("count", ["小区（个）", "改造小区(个)", "项目（个）"])
def test_a_count_column_headed_with_a_unit_makes_a_summary_sheet(
    county_db: Database, tmp_path: Path, count: str
) -> None:
    """小区（个） counts each district's communities: it was taken as 小区名称, importing communities named 12 and 3."""
    from oldcomm_desktop.core.errors import OldcommError

    rows = [
        ["序号", "乡镇（街道）", count, "户数（户）", "总投资（万元）"],
        [1, "城关街道", 12, 2300, 4200],
        [2, "东城街道", 3, 500, 800],
    ]
    with pytest.raises(OldcommError, match="不是小区清单"):
        _plan(county_db, write(tmp_path / "a.xlsx", rows))


def test_without_a_sheet_named_the_visible_active_sheet_is_read(county_db: Database, tmp_path: Path) -> None:
    """A hidden first sheet (an old copy) was imported when no sheet was named; the workbook opens on another."""
    from openpyxl import Workbook

    wb = Workbook()
    old = wb.active
    assert old is not None
    old.title = "旧表"
    for row in (["乡镇（街道）", "小区名称", "户数"], ["城关街道", "幸福里", 999]):
        old.append(row)
    old.sheet_state = "hidden"
    new = wb.create_sheet("2023台账")
    for row in (["乡镇（街道）", "小区名称", "户数"], ["城关街道", "幸福里", 100]):
        new.append(row)
    wb.active = 1
    path = tmp_path / "a.xlsx"
    wb.save(path)
    p = _import(county_db, path)
    assert p.sheet == "2023台账" and _communities(county_db)["幸福里"].households == 100
    assert any("2023台账" in n and "旧表" in n and "--sheet" in n for n in p.notices)
    assert _plan(county_db, path, sheet="旧表").sheet == "旧表"  # named: read, hidden or not


def test_a_visible_column_wins_over_a_hidden_one_of_the_same_meaning(county_db: Database, tmp_path: Path) -> None:
    """户数（户） hidden beside 核实户数（户）: the hidden column's old figures were imported, with no word."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in (
        ["乡镇（街道）", "小区名称", "户数（户）", "核实户数（户）"],
        ["城关街道", "幸福里", 999, 100],
    ):
        ws.append(row)
    ws.column_dimensions["C"].hidden = True
    path = tmp_path / "a.xlsx"
    wb.save(path)
    p = _import(county_db, path)
    assert p.mapping.get(3) == "households" and 2 not in p.mapping
    assert _communities(county_db)["幸福里"].households == 100
    assert any("隐藏列" in n and "户数（户）" in n for n in p.notices)


def test_messages_name_the_other_sheets_and_stay_chinese(county_db: Database, tmp_path: Path) -> None:
    """A first sheet of 填表说明 said only 找不到表头; a report path that cannot be written said the OS's English."""
    from oldcomm_desktop.core.errors import OldcommError
    from oldcomm_desktop.core.importing import ledger

    rows = [["填表说明"], ["1.户数填写实际户数"]]
    path = write(tmp_path / "a.xlsx", rows, title="填表说明", extra_sheets={"台账": [["小区名称", "户数"], ["甲", 1]]})
    with pytest.raises(OldcommError, match="“台账”.*--sheet"):
        _plan(county_db, path)
    p = _plan(county_db, path, sheet="台账")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OldcommError) as caught:
        ledger.write_report(p, blocker / "r.xlsx")
    reason = str(caught.value).rsplit("：", 1)[1]
    assert "无法保存" in str(caught.value) and "系统错误" not in reason and not any(ch.isascii() for ch in reason)


def test_section_headings_merged_across_the_row_are_skipped(county_db: Database, tmp_path: Path) -> None:
    """二、续建项目, 以下为续建项目, 续建项目, 2022年续建小区 merged across the row are headings, not communities: with
    a 乡镇（街道） column first the merged text landed in it, and the rows were refused (户数：…不是数字)."""
    heads = ["二、续建项目", "以下为续建项目", "续建项目", "2022年续建小区"]
    rows: list[list[object]] = [["乡镇（街道）", "小区名称", "户数（户）", "总投资（万元）"], ["一、新开工项目"]]
    rows.append(["城关街道", "幸福里", 100, 200])
    merges = ["A2:D2"]
    for i, h in enumerate(heads):
        rows.append([h])
        merges.append(f"A{len(rows)}:D{len(rows)}")
        rows.append(["城关街道", f"续建{i}", 100, 200])
    p = _plan(county_db, write(tmp_path / "a.xlsx", rows, merges=tuple(merges)))
    assert p.counts()["rejected"] == 0 and p.counts()["new"] == 5
    assert sum(1 for r in p.rows if r.kind == "heading") == 5
