"""A QA round of messy ledgers (header cells on two lines, 其中 in brackets before a unit, a 单位 line above the
table, status words for a step before the works, group headings): each found wrong, each built in the test."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from oldcomm_desktop.core.importing import values
from oldcomm_desktop.storage.database import Database
from tests.core.importing.ledgers import _communities, _import, _plan, write


def test_header_cells_typed_on_two_lines_name_their_column_on_one(county_db: Database, tmp_path: Path) -> None:
    """建成 and 年代 on two lines of one header cell (Alt+Enter): hints named the column with the line break, which
    split the 备注 hint line, so the same file imported again changed the notes every time."""
    rows = [
        ["乡镇\n（街道）", "小区\n名称", "建成\n年代", "建筑面积\n（平方米）"],
        ["城关街道", "幸福里", "八十年代", 12000],
    ]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path)
    assert p.header.labels == ["乡镇（街道）", "小区名称", "建成年代", "建筑面积（平方米）"]
    assert p.rows[0].flags == ["建成年代不确切（年份不详：八十年代（1980年代））"]
    notes = _communities(county_db)["幸福里"].notes
    assert notes == "导入提示:建成年代不确切(年份不详:八十年代(1980年代))"  # one line (stored text is NFKC)
    assert _import(county_db, path).counts()["unchanged"] == 1
    assert _communities(county_db)["幸福里"].notes == notes


def test_a_qizhong_part_in_brackets_keeps_the_unit_written_after_it(county_db: Database, tmp_path: Path) -> None:
    """268（其中中央补助120）万元 is 268万元: the unit after the bracket was cut off with the part, so a column
    without a unit in its header took 268 yuan."""
    rows = [
        ["乡镇（街道）", "小区名称", "户数", "总投资"],
        ["城关街道", "甲", "1200户（其中回迁户300户）", "268（其中中央补助120）万元"],
    ]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    c = _communities(county_db)["甲"]
    assert c.total_investment == Decimal("2680000.00") and c.households == 1200
    assert p.rows[0].flags == ["户数：(其中回迁户300户)", "总投资：(其中中央补助120)"]  # the cell's text, NFKC
    n = values.parse_number("约1.45万平方米，其中0.4万平方米为简易修缮")  # a part after a comma, as before
    assert n is not None and n.value == Decimal("14500") and n.note == "其中0.4万平方米为简易修缮"


def test_a_unit_line_above_the_table_gives_columns_without_one_their_unit(county_db: Database, tmp_path: Path) -> None:
    """单位：万元、平方米 under the title: 总投资 50 is 50万元 (it was 50 yuan); 建筑面积 is square metres, asked
    about no more; a column naming its own unit keeps it; 填报单位：… is a body, not a unit."""
    rows = [
        ["2024年城关街道老旧小区改造计划表"],
        ["填报单位：城关街道办事处", None, None, "单位：万元、平方米", None],
        ["乡镇（街道）", "小区名称", "建筑面积", "总投资", "占地面积（万平方米）"],
        ["城关街道", "甲", 12, 50, 1.5],
    ]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert p.questions == [] and p.units["total_investment"] == "万元" and p.units["floor_area"] == "平方米"
    c = _communities(county_db)["甲"]
    assert c.total_investment == Decimal("500000.00") and c.floor_area == Decimal("12.00")
    rows[1] = ["填报单位：城关街道办事处"]
    rows[2] = ["乡镇（街道）", "小区名称", "总建筑面积", "估算总投资", "占地面积（万平方米）"]  # not remembered
    p = _plan(county_db, write(tmp_path / "b.xlsx", rows))
    assert "total_investment" not in p.units and p.questions  # without the line: asked about, as before


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("待开工", "planned"),  # were started
        ("拟开工", "planned"),
        ("计划6月开工", "planned"),
        ("完成招标", "planned"),  # were completed
        ("已完成施工图设计", "planned"),
        ("已完成主体施工", "started"),
        ("主体已封顶", "started"),
        ("完工并通过验收", "completed"),  # as before
        ("已完成", "completed"),
        ("未开工", "planned"),
    ],
)
def test_status_words_for_a_step_before_the_works_or_the_structure_only(word: str, status: str) -> None:
    assert values.parse_status(word) == status


def test_group_headings_of_the_list_are_not_communities(county_db: Database, tmp_path: Path) -> None:
    """一、新开工项目 and 二、续建项目 over the rows they group were imported as two communities of those names."""
    rows = [
        ["序号", "乡镇（街道）", "小区名称", "建筑面积（平方米）", "总投资（万元）"],
        ["一、", None, "新开工项目", None, None],
        [1, "城关街道", "甲", 5000, 50],
        [2, "城关街道", "乙", 6000, 60],
        [None, None, "二、续建项目", None, None],
        [3, "城关街道", "丙", 7000, 70],
        [4, "城关街道", "丁", None, None],  # a community without figures yet: still a community
    ]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert [(r.name, r.action) for r in p.rows] == [
        ("新开工项目", "skipped"),
        ("甲", "new"),
        ("乙", "new"),
        ("二、续建项目", "skipped"),
        ("丙", "new"),
        ("丁", "new"),
    ]
    assert p.rows[0].reason == "分组标题行（如“一、新开工项目”，不是小区，不导入）"
    assert set(_communities(county_db)) == {"甲", "乙", "丙", "丁"}
    names = [["序号", "乡镇（街道）", "小区名称"], ["一、", "东城街道", "幸福里"], ["二、", "东城街道", "和平苑"]]
    assert _plan(county_db, write(tmp_path / "b.xlsx", names)).counts()["new"] == 2  # a list numbered 一、 throughout
