"""A QA round of messy ledgers (header cells on two lines, 其中 in brackets before a unit, a 单位 line above the
table, status words for a step before the works, group headings): each found wrong, each built in the test."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from oldcomm_desktop.core.importing import rows as kinds
from oldcomm_desktop.core.importing import values
from oldcomm_desktop.storage.database import Database
from tests.core.importing.conftest import CHENGGUAN, DONGCHENG
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
        ("完工并通过验收", "accepted"),  # acceptance passed (QA round 2)
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
    assert p.rows[0].reason == kinds.KIND_LABELS[kinds.HEADING]
    assert p.rows[0].reason.startswith("分组标题行（如“一、新开工项目”，不是小区，不导入；")
    assert set(_communities(county_db)) == {"甲", "乙", "丙", "丁"}
    names = [["序号", "乡镇（街道）", "小区名称"], ["一、", "东城街道", "幸福里"], ["二、", "东城街道", "和平苑"]]
    assert _plan(county_db, write(tmp_path / "b.xlsx", names)).counts()["new"] == 2  # a list numbered 一、 throughout


def test_group_headings_pass_their_township_status_and_start_kind_to_the_rows_below(
    county_db: Database, tmp_path: Path
) -> None:
    """一、新开工项目 / （一）城关街道 / 城关街道（2个）: the rows below took nothing from them (their township cell
    empty: refused). A heading fills what a row leaves empty, said in its hints; a row's own cell wins; 续建 is
    started, 新开工 only the start kind (a start planned for the year says nothing sure of the status)."""
    rows: list[list[object]] = [
        ["序号", "乡镇（街道）", "小区名称", "户数", "状态", "新开工/续建"],
        ["一、", None, "新开工项目", None, None, None],
        ["（一）", None, "城关街道", None, None, None],
        [1, None, "甲", 100, None, None],
        [2, "东城街道", "乙", 120, "在建", None],  # its own township and status win
        [None, None, "（二）东城街道", None, None, None],
        [3, None, "丙", 130, None, "续建"],  # its own start kind wins
        [None, None, "二、续建项目", None, None, None],  # a new group: the township under 一、 no longer holds
        [None, None, "城关街道（2个）", None, None, None],
        [4, None, "丁", 140, None, None],
        [5, None, "戊", 150, "已完工", None],
        [None, "城关街道小计", None, 290, None, None],  # closes the township's group, not the 续建 one
        [6, None, "己", 160, None, None],  # no township of its own any more: refused
        [7, "东城街道", "庚", 170, None, None],
    ]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path)
    assert [(r.name, r.action) for r in p.rows if r.kind == "community"] == [
        ("甲", "new"),
        ("乙", "new"),
        ("丙", "new"),
        ("丁", "new"),
        ("戊", "new"),
        ("己", "rejected"),
        ("庚", "new"),
    ]
    assert p.rows[-2].reason == "没有填写乡镇（街道）"
    assert [r.name for r in p.rows if r.kind == "heading"] == [
        "新开工项目",
        "城关街道",
        "（二）东城街道",
        "二、续建项目",
        "城关街道（2个）",
    ]
    c = _communities(county_db)
    assert {n: (x.township_code, x.start_kind, x.status) for n, x in c.items()} == {
        "甲": (CHENGGUAN, "new", "reserve"),  # no milestone: as a new community without a status word
        "乙": (DONGCHENG, "new", "started"),
        "丙": (DONGCHENG, "continued", "reserve"),
        "丁": (CHENGGUAN, "continued", "started"),
        "戊": (CHENGGUAN, "continued", "completed"),
        "庚": (DONGCHENG, "continued", "started"),
    }
    flags = {r.name: r.flags for r in p.rows if r.kind == "community"}
    assert flags["甲"][:3] == [
        "乡镇（街道）按分组标题“（一）城关街道”记为城关街道",
        "新开工/续建按分组标题“一、新开工项目”记为新开工",
        "分组标题“一、新开工项目”未说明是否已开工，状态未据此改动",
    ]
    assert flags["乙"][0] == "新开工/续建按分组标题“一、新开工项目”记为新开工"
    assert flags["丙"] == ["乡镇（街道）按分组标题“（二）东城街道”记为东城街道"]
    assert flags["丁"][:3] == [
        "乡镇（街道）按分组标题“城关街道（2个）”记为城关街道",
        "新开工/续建按分组标题“二、续建项目”记为续建",
        "状态按分组标题“二、续建项目”记为已开工",
    ]
    assert not any("状态按分组标题" in f for f in flags["戊"])
    assert flags["庚"][:2] == ["新开工/续建按分组标题“二、续建项目”记为续建", "状态按分组标题“二、续建项目”记为已开工"]
    assert _import(county_db, path).counts()["unchanged"] == 6


def test_a_heading_merged_across_the_row_a_planned_one_and_one_not_understood(
    county_db: Database, tmp_path: Path
) -> None:
    """一、拟改造项目 merged over the whole row (every cell held it: imported as a community of that name, or
    refused) gives planned; 二、北关片区 says nothing the model holds: each row under it says it is there."""
    rows: list[list[object]] = [
        ["2024年城关街道老旧小区改造计划表"],
        ["序号", "乡镇（街道）", "小区名称", "户数", "开工时间"],
        ["一、拟改造项目"],
        [1, "城关街道", "甲", 100, None],
        [2, "城关街道", "乙", 110, "2024-03-01"],  # its own date wins over the heading's plan
        ["二、北关片区"],
        [3, "城关街道", "丙", 120, None],
    ]
    path = write(tmp_path / "a.xlsx", rows, merges=("A1:E1", "A3:E3", "A6:E6"))
    p = _import(county_db, path)
    assert [(r.name, r.kind, r.action) for r in p.rows] == [
        ("一、拟改造项目", "heading", "skipped"),
        ("甲", "community", "new"),
        ("乙", "community", "new"),
        ("二、北关片区", "heading", "skipped"),
        ("丙", "community", "new"),
    ]
    flags = {r.name: r.flags for r in p.rows}
    assert flags["甲"] == ["状态按分组标题“一、拟改造项目”记为计划"]
    assert "分组标题“一、拟改造项目”为计划，本行有开工/完工时间，按时间记录" in flags["乙"]
    assert flags["丙"] == ["在分组标题“二、北关片区”下"]
    c = _communities(county_db)
    assert (c["甲"].status, c["乙"].status, c["丙"].status) == ("planned", "started", "planned")  # 2024's plan
    assert _import(county_db, path).counts()["unchanged"] == 3


def _township_headings(tmp_path: Path) -> Path:
    rows: list[list[object]] = [
        ["序号", "乡镇（街道）", "小区名称", "户数"],
        [None, None, "（一）柳林镇", None],
        [1, None, "甲", 100],
        [None, None, "（二）东城街道", None],
        [2, None, "乙", 100],
    ]
    return write(tmp_path / "a.xlsx", rows)


def test_a_heading_naming_a_township_the_county_lacks_lists_it(county_db: Database, tmp_path: Path) -> None:
    p = _plan(county_db, _township_headings(tmp_path))
    assert [(r.name, r.action) for r in p.rows if r.kind == "community"] == [("甲", "rejected"), ("乙", "new")]
    assert p.unknown_townships == ["柳林镇"] and "柳林镇" in p.rows[1].reason


def test_a_township_ledger_refuses_rows_under_a_heading_naming_another_township(db: Database, tmp_path: Path) -> None:
    p = _plan(db, _township_headings(tmp_path))  # 城关街道's own database
    assert [(r.name, r.action) for r in p.rows if r.kind == "community"] == [("甲", "rejected"), ("乙", "rejected")]
    assert "不是本乡镇" in p.rows[3].reason
