"""Importing messy ledgers, each feature from a workbook built in the test (see ledgers.py)."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from oldcomm_desktop.core import communities, divisions, listings, workspace
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.importing import ledger
from oldcomm_desktop.core.model import AuditEntry, Community, Division, Milestone, Project
from oldcomm_desktop.storage.database import Database
from tests.core.importing.conftest import CHENGGUAN, DONGCHENG
from tests.core.importing.ledgers import _communities, _import, _plan, messy_county_ledger, write

HEAD = [
    "序号",
    "乡镇（街道）",
    "小区名称",
    "建成年份",
    "楼栋数",
    "户数",
    "建筑面积（平方米）",
    "总投资（万元）",
    "状态",
]


def _state(db: Database) -> tuple:
    with db.transaction("测试员") as s:
        return tuple(
            s.scalar(select(func.count()).select_from(m)) for m in (Community, Project, Milestone, AuditEntry, Division)
        )


def test_the_messy_county_ledger_imports_exactly(county_db: Database, tmp_path: Path) -> None:
    path = messy_county_ledger(tmp_path / "台账.xlsx")
    p = _import(county_db, path)
    assert p.header.rows == 2 and p.header.first_row == 2  # title + headline above a two-row merged header
    assert p.header.year == 2024
    assert p.counts() == {"new": 3, "updated": 0, "unchanged": 0, "rejected": 0, "skipped": 4}
    c = _communities(county_db)
    assert set(c) == {"幸福里小区", "和平苑", "建设新村"}  # list numbers stripped, traditional → simplified
    x, y, z = c["幸福里小区"], c["和平苑"], c["建设新村"]
    assert (x.households, x.floor_area, x.total_investment, x.year_built) == (
        1200,
        Decimal("12000.00"),
        Decimal("4000000.00"),
        1995,
    )
    assert (x.township_code, y.township_code, z.township_code) == (CHENGGUAN, CHENGGUAN, DONGCHENG)
    assert y.households == 230 and y.floor_area == Decimal("14500.00")  # 其中 part not added
    assert y.total_investment == Decimal("2680000.00")  # "268万元" in a 万元 column: the cell's unit, exactly
    assert z.floor_area == Decimal("15000.00") and z.year_built == 1983
    assert "约数" in y.notes and "其中0.4万平方米" in y.notes  # approximations are flagged, visible
    assert "不确切" in z.notes
    assert (x.status, y.status, z.status) == ("completed", "started", "planned")  # status words → milestones
    assert x.plan_year == 2024  # from the title
    with county_db.transaction("测试员") as s:
        starts = {m.kind: m.reached_on for m in s.scalars(select(Milestone).where(Milestone.community_id == y.id))}
        assert starts == {"start": date(2024, 5, 1)}  # "2024年5月": month precision, flagged
    assert any("只写到月" in f for f in p.rows[2].flags)


def test_subtotals_first_middle_and_totals_are_skipped_and_reconciled(county_db: Database, tmp_path: Path) -> None:
    p = _plan(county_db, messy_county_ledger(tmp_path / "a.xlsx"))
    kinds = {r.row: r.kind for r in p.rows}
    assert kinds[5] == "subtotal" and kinds[8] == "subtotal" and kinds[10] == "total" and kinds[11] == "footer"
    bad = {(c.label, c.field) for c in p.mismatches}
    assert bad == {("全县小计:", "households")}  # the file's own subtotal does not add up: said so
    good = {(c.label, c.field) for c in p.checks if c.agrees}
    assert ("北关片区小计", "households") in good and ("合计", "floor_area") in good
    assert p.header.headline["households"] == 960  # the prose headline's figure is shown, not trusted


def test_figures_in_messages_show_no_stray_point_zero_or_float_noise(county_db: Database, tmp_path: Path) -> None:
    """1930 户 and 46 栋, not 1930.0 and 46.0; 0.30000000000000004 万元 is 3,000 元; a date cell 1930 is “1930”."""
    rows = [
        ["乡镇（街道）", "小区名称", "楼栋数", "户数", "建筑面积", "总投资（万元）", "开工时间"],
        ["城关街道", "甲", "46.0", "1930.0", "1.2万平方米", "0.30000000000000004", None],
        ["城关街道", "乙", 4, "0.2万户", "0.5万m2", "0.1", 1930],
        ["合计", None, "46栋", "3930.0户", "1.75万平方米", "0.3", None],
    ]
    p = _plan(county_db, write(tmp_path / "a.xlsx", rows))
    said = [c.message() for c in p.checks] + [r.reason for r in p.rows] + [f for r in p.rows for f in r.flags]
    assert "第 4 行“合计”楼栋数 46 栋，明细合计 50 栋，不一致" in said
    assert "第 4 行“合计”户数 3,930 户，明细合计 3,930 户，一致" in said
    assert "第 4 行“合计”建筑面积 17,500 平方米，明细合计 17,000 平方米，不一致" in said
    assert "第 4 行“合计”总投资 3,000 元，明细合计 4,000 元，不一致" in said
    assert any("“1930”不是日期" in r for r in said), said
    figures = [re.sub(r"“[^”]*”", "", m) for m in said]  # a cell quoted as the file wrote it is left as it is
    assert not [m for m in figures if re.search(r"\d\.0(?!\d)|0000000", m)], said


def test_a_subtotal_is_named_by_its_own_text_not_a_township_merged_down_over_it(
    county_db: Database, tmp_path: Path
) -> None:
    """城关街道 merged over its rows and the 片区小计 under them: the subtotal is “片区小计”, and a 全县小计 last
    (东城街道 merged over it) checks every row, not 东城街道's."""
    rows = [
        ["序号", "乡镇（街道）", "小区名称", "户数"],
        [1, "城关街道", "甲", 10],
        [2, None, "乙", 20],
        [None, None, "片区小计", 30],
        [3, "东城街道", "丙", 5],
        [None, None, "全县小计", 35],
        ["一、", "城关街道", "小计", 30],
    ]
    p = _plan(county_db, write(tmp_path / "a.xlsx", rows, merges=("B2:B4", "B5:B6")))
    assert [r.name for r in p.rows if r.kind == "subtotal"] == ["片区小计", "全县小计", "城关街道小计"]
    assert [c.message() for c in p.checks] == [
        "第 4 行“片区小计”户数 30 户，明细合计 30 户，一致",
        "第 6 行“全县小计”户数 35 户，明细合计 35 户，一致",
        "第 7 行“城关街道小计”户数 30 户，明细合计 30 户，一致",
    ]


def test_importing_the_same_file_twice_changes_nothing(county_db: Database, tmp_path: Path) -> None:
    path = messy_county_ledger(tmp_path / "a.xlsx")
    _import(county_db, path)
    before = _state(county_db)
    p = _import(county_db, path)
    assert p.counts()["unchanged"] == 3 and p.counts()["new"] == 0
    assert _state(county_db) == before


def test_a_dry_run_changes_nothing(county_db: Database, tmp_path: Path) -> None:
    before = _state(county_db)
    p = _plan(county_db, messy_county_ledger(tmp_path / "a.xlsx"))
    assert p.counts()["new"] == 3
    assert _state(county_db) == before


def test_a_changed_figure_updates_only_that_field(county_db: Database, tmp_path: Path) -> None:
    rows = [HEAD, [1, "城关街道", "幸福里", 1995, 6, 1200, 12000, 400, "在建"]]
    _import(county_db, write(tmp_path / "a.xlsx", rows))
    rows[1][5] = 1250
    p = _import(county_db, write(tmp_path / "b.xlsx", rows))
    assert p.counts()["updated"] == 1
    c = _communities(county_db)["幸福里"]
    assert c.households == 1250 and c.version == 2
    with county_db.transaction("测试员") as s:
        changes = list(s.scalars(select(AuditEntry).where(AuditEntry.record_id == c.id, AuditEntry.action == "update")))
        assert [(e.field, e.old_value, e.new_value) for e in changes] == [("households", "1200", "1250")]


def test_townships_match_with_or_without_suffix_and_unknown_ones_are_listed_then_added(
    county_db: Database, tmp_path: Path
) -> None:
    rows = [
        HEAD,
        [1, "城关", "甲小区", 1995, 1, 10, 100, 1, None],
        [2, "东城街道办事处", "乙小区", 1995, 1, 10, 100, 1, None],
        [3, "南河镇", "丙小区", 1995, 1, 10, 100, 1, None],
    ]
    path = write(tmp_path / "a.xlsx", rows)
    p = _plan(county_db, path)
    assert p.unknown_townships == ["南河镇"]
    assert [r.action for r in p.rows] == ["new", "new", "rejected"] and "未登记" in p.rows[2].reason
    _import(county_db, path, add_townships=True)
    c = _communities(county_db)
    assert c["甲小区"].township_code == CHENGGUAN and c["乙小区"].township_code == DONGCHENG
    code = c["丙小区"].township_code
    assert code.startswith("341122") and 100 <= int(code[6:9]) <= 199  # a 镇's code range
    with county_db.transaction("测试员") as s:
        assert s.scalar(select(Division.name).where(Division.code == code)) == "南河镇"


def test_township_mode_refuses_rows_of_another_township(db: Database, tmp_path: Path) -> None:
    rows = [
        HEAD,
        [1, "城关街道", "甲小区", 1995, 1, 10, 100, 1, None],
        [2, "东城街道", "乙小区", 1995, 1, 10, 100, 1, None],
    ]
    p = _import(db, write(tmp_path / "a.xlsx", rows))
    assert [r.action for r in p.rows] == ["new", "rejected"]
    assert "不是本乡镇" in p.rows[1].reason
    assert set(_communities(db)) == {"甲小区"}


def test_a_township_ledger_without_a_township_column_goes_to_the_own_township(db: Database, tmp_path: Path) -> None:
    rows = [["小区名称", "户数", "建筑面积"], ["幸福里", "1,200", "8,500㎡"]]
    _import(db, write(tmp_path / "a.xlsx", rows))
    c = _communities(db)["幸福里"]
    assert c.township_code == "341122001000" and c.floor_area == Decimal("8500.00")


def test_a_summary_sheet_is_refused_with_its_reason(county_db: Database, tmp_path: Path) -> None:
    rows = [
        ["县（市、区）", "项目数量", "小区数", "户数", "建筑面积（万平方米）"],
        ["城关街道", 3, 7, 1012, 4.15],
        ["东城街道", 2, 4, 800, 3.1],
    ]
    before = _state(county_db)
    with pytest.raises(OldcommError, match="不是小区清单.*小区数|不是小区清单.*项目数量"):
        _plan(county_db, write(tmp_path / "a.xlsx", rows))
    assert _state(county_db) == before


def test_a_row_standing_for_a_batch_is_flagged_not_imported(county_db: Database, tmp_path: Path) -> None:
    rows = [
        ["批次", "乡镇（街道）", "小区名称", "户数", "总投资（万元）"],
        ["第二批次", "城关街道", "某社区连片改造项目（7个小区）", "1012户", "4150万元"],
        ["第二批次", "城关街道", "幸福里", "100户", 50],
    ]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert p.rows[0].action == "rejected" and "7 个小区" in p.rows[0].reason
    assert set(_communities(county_db)) == {"幸福里"}


def test_areas_of_different_meaning_are_never_summed(county_db: Database, tmp_path: Path) -> None:
    rows = [
        ["乡镇", "小区名称", "占地面积（平方米）", "总建筑面积（平方米）", "改造面积（平方米）"],
        ["城关街道", "甲", 30000, 12000, 9000],
    ]
    _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert _communities(county_db)["甲"].floor_area == Decimal("12000.00")
    rows = [["乡镇", "小区名称", "占地面积（平方米）", "改造面积（平方米）"], ["城关街道", "乙", 30000, 9000]]
    _import(county_db, write(tmp_path / "b.xlsx", rows))
    assert _communities(county_db)["乙"].floor_area == Decimal("9000.00")  # 改造面积 only when no 建筑面积


@pytest.mark.parametrize(
    ("header", "cells", "area"), [("面积（㎡）", 3000, "3000.00"), ("面积(万平方米)", 1.2, "12000.00")]
)
def test_a_lone_area_column_headed_only_mianji_is_proposed_as_floor_area_and_said(
    county_db: Database, tmp_path: Path, header: str, cells: float, area: str
) -> None:
    """面积 as the sheet's only area column: proposed as 建筑面积 (the mapping shows it, the clerk can change it),
    each row saying so; beside 建筑面积 or 占地面积 it is left out, as before."""
    rows = [["乡镇（街道）", "小区名称", header], ["城关街道", "甲", cells]]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert p.mapping[2] == "floor_area" and p.counts()["new"] == 1
    assert p.rows[0].flags == [f"“{header}”列只写了面积，按建筑面积导入（如不是建筑面积，请在列的对应关系中改正）"]
    assert _communities(county_db)["甲"].floor_area == Decimal(area)
    p = _plan(county_db, write(tmp_path / "b.xlsx", rows), mapping={"columns": {header: None}})
    assert 2 not in p.mapping and p.rows[0].flags == []  # the clerk's correction wins
    for other in ("建筑面积（平方米）", "占地面积（平方米）"):
        rows = [["乡镇（街道）", "小区名称", other, header], ["城关街道", "乙", 5000, cells]]
        p = _plan(county_db, write(tmp_path / "c.xlsx", rows))
        assert 3 not in p.mapping and p.rows[0].flags == []


def test_a_header_without_unit_holding_wan_square_metres_is_asked_not_guessed(
    county_db: Database, tmp_path: Path
) -> None:
    rows = [
        ["乡镇", "小区名称", "建筑面积"],
        ["城关街道", "甲", 1.84],
        ["城关街道", "乙", 2.5],
        ["城关街道", "丙", 0.9],
    ]
    path = write(tmp_path / "a.xlsx", rows)
    p = _plan(county_db, path)
    assert p.questions and "万平方米" in p.questions[0]
    before = _state(county_db)
    with pytest.raises(OldcommError, match="需要确认"), county_db.transaction("测试员") as s:
        ledger.apply(s, ledger.plan(s, path))
    assert _state(county_db) == before
    mapping = {"columns": {"建筑面积": "floor_area"}, "units": {"floor_area": "万平方米"}}
    _import(county_db, path, mapping=mapping)
    assert _communities(county_db)["甲"].floor_area == Decimal("18400.00")


def test_bare_figures_beside_cells_that_write_their_unit_are_asked_about_or_kept_as_square_metres(
    county_db: Database, tmp_path: Path
) -> None:
    """改造面积 without a unit: 1.2万 and 31.5万m2 say their unit, bare 0.8 and 2.35 do not. The bare ones are
    asked about (the written ones no longer hide the question); with --confirm they are 万平方米 and the written
    ones exactly what they say. Bare 3500 and 12000 beside a few 万 cells stay square metres without a question."""
    rows = [
        ["乡镇（街道）", "小区名称", "户数", "改造面积"],
        ["城关街道", "甲", 100, "1.2万"],
        ["城关街道", "乙", 200, "3.1万"],
        ["城关街道", "丙", 100, 0.8],
        ["城关街道", "丁", 300, "2.35"],
        ["城关街道", "戊", 300, "31.5万m2"],
    ]
    path = write(tmp_path / "a.xlsx", rows)
    before = _state(county_db)
    p = _plan(county_db, path)
    assert len(p.questions) == 1 and "“改造面积”列没有写单位" in p.questions[0] and "中位数 2.35" in p.questions[0]
    assert "写明了单位" in p.questions[0]
    with pytest.raises(OldcommError, match="需要确认"), county_db.transaction("测试员") as s:
        ledger.apply(s, ledger.plan(s, path))
    assert _state(county_db) == before
    _import(county_db, path, confirm=True)
    c = _communities(county_db)
    assert [c[n].floor_area for n in "甲乙丙丁戊"] == [
        Decimal("12000.00"),
        Decimal("31000.00"),
        Decimal("8000.00"),
        Decimal("23500.00"),
        Decimal("315000.00"),
    ]
    rows = [
        ["乡镇（街道）", "小区名称", "户数", "建筑面积"],
        ["东城街道", "子", 100, "1.2万平方米"],
        ["东城街道", "丑", 100, "0.5万"],
        ["东城街道", "寅", 60, 3500],
        ["东城街道", "卯", 200, "12000"],
        ["东城街道", "辰", 200, 0.8],
    ]
    p = _import(county_db, write(tmp_path / "b.xlsx", rows))
    assert p.questions == [] and p.counts()["new"] == 5
    c = _communities(county_db)
    assert [c[n].floor_area for n in "子丑寅卯"] == [Decimal(12000), Decimal(5000), Decimal(3500), Decimal(12000)]
    assert [r.flags for r in p.rows[:4]] == [[], [], [], []]
    assert p.rows[4].flags == [
        "建筑面积“0.8”没有写单位，按平方米导入；一个小区不会这么小，如是万平方米请写明单位（如 0.8万平方米）"
    ]


def test_a_renovation_area_taken_as_floor_area_is_said_on_each_row(county_db: Database, tmp_path: Path) -> None:
    """改造面积 as the sheet's only area column is imported as 建筑面积 (as before); each row now says so, as a column
    headed only 面积 does; beside a 建筑面积 column it is not floor area and nothing is said."""
    header = "改造面积（平方米）"
    rows = [["乡镇（街道）", "小区名称", "占地面积（平方米）", header], ["城关街道", "甲", 30000, 9000]]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert p.mapping[3] == "floor_area" and _communities(county_db)["甲"].floor_area == Decimal("9000.00")
    hint = f"“{header}”列是改造面积，表中没有建筑面积，按建筑面积导入（如不是建筑面积，请在列的对应关系中改正）"
    assert p.rows[0].flags == [hint]
    assert hint.replace("（", "(").replace("）", ")").replace("，", ",") in _communities(county_db)["甲"].notes
    rows = [["乡镇（街道）", "小区名称", "建筑面积（平方米）", header], ["城关街道", "乙", 12000, 9000]]
    p = _plan(county_db, write(tmp_path / "b.xlsx", rows))
    assert p.mapping[2] == "floor_area" and p.mapping[3] == "renovation_area" and p.rows[0].flags == []


def test_a_plain_list_of_names_is_imported_by_name_in_a_township(db: Database, tmp_path: Path) -> None:
    """A sheet whose only column is 小区名称 (a title above it): the communities by name, one project for the file;
    the title (老旧小区名单 holds 小区名) is not taken for the header."""
    rows = [["2023年度城关街道老旧小区名单"], ["小区名称"], ["幸福里"], ["2、和平苑"], [None], ["建设新村"]]
    p = _import(db, write(tmp_path / "名单.xlsx", rows, merges=("A1:C1",)))
    assert p.header.first_row == 1 and p.mapping == {0: "name"}
    assert p.counts()["new"] == 3 and p.counts()["rejected"] == 0
    c = _communities(db)
    assert set(c) == {"幸福里", "和平苑", "建设新村"} and {x.plan_year for x in c.values()} == {2023}
    with db.transaction("测试员") as s:
        assert [x.name for x in s.scalars(select(Project))] == ["2023年度城关街道老旧小区名单(城关街道)"]
    assert {x.project_id for x in c.values()} != {None} and len({x.project_id for x in c.values()}) == 1
    assert _import(db, write(tmp_path / "名单.xlsx", rows)).counts()["unchanged"] == 3


def test_a_plain_list_of_names_in_a_county_takes_the_township_its_title_names_or_says_why_not(
    county_db: Database, tmp_path: Path
) -> None:
    rows = [["东城街道老旧小区名单"], ["小区名称"], ["幸福里"], ["和平苑"]]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert p.counts()["new"] == 2 and p.rows[0].flags == ["表中没有乡镇（街道）列，按标题中的“东城街道”导入"]
    assert {x.township_code for x in _communities(county_db).values()} == {DONGCHENG}
    before = _state(county_db)
    p = _plan(county_db, write(tmp_path / "b.xlsx", [["老旧小区名单"], ["名称"], ["甲"], ["乙"]]))
    assert p.mapping == {0: "name"} and p.counts()["rejected"] == 2
    assert "表中没有“乡镇（街道）”列，标题中也没有写明是哪个乡镇（街道）" in p.rows[0].reason
    assert _state(county_db) == before
    with pytest.raises(OldcommError, match="找不到表头"):
        _plan(county_db, write(tmp_path / "c.xlsx", [["老旧小区名单"], ["甲"], ["乙"]]))


def test_a_plain_list_whose_title_could_be_two_townships_names_them_and_takes_neither(
    county_db: Database, tmp_path: Path
) -> None:
    """城关镇 and 城关街道 both registered: a title saying 城关… is either, so every row is refused naming both (the
    clerk adds a 乡镇（街道） column or maps one); a title with the full name takes that one, not the other."""
    with county_db.transaction("测试员") as s:
        divisions.ensure(s, "341122101000", "城关镇")
    before = _state(county_db)
    for title in ("城关老旧小区名单", "城关街道、东城街道老旧小区名单"):
        p = _plan(county_db, write(tmp_path / "a.xlsx", [[title], ["小区名称"], ["幸福里"], ["和平苑"]]))
        assert p.counts()["rejected"] == 2 and p.counts()["new"] == 0
        named = "城关街道、城关镇" if title.startswith("城关老") else "东城街道、城关街道"
        assert [r.reason for r in p.rows] == [
            f"表中没有“乡镇（街道）”列，标题“{title}”可能指{named}中的任何一个，无法确定是哪个乡镇（街道）："
            "请在表中加一列乡镇（街道），或在列的对应关系中指定哪一列是乡镇（街道）"
        ] * 2
    assert _state(county_db) == before
    p = _import(county_db, write(tmp_path / "b.xlsx", [["城关镇老旧小区名单"], ["小区名称"], ["幸福里"]]))
    assert p.counts()["new"] == 1 and p.rows[0].flags == ["表中没有乡镇（街道）列，按标题中的“城关镇”导入"]
    assert _communities(county_db)["幸福里"].township_code == "341122101000"


def test_a_township_two_registered_ones_share_without_their_suffix_is_written_in_full(
    county_db: Database, tmp_path: Path
) -> None:
    """城关镇 and 城关街道 are both 城关 without the suffix: a row saying 城关镇 is 城关镇 (it went to 城关街道, the
    first registered), and one saying only 城关 is refused naming both."""
    with county_db.transaction("测试员") as s:
        divisions.ensure(s, "341122101000", "城关镇")
    rows = [["乡镇", "小区名称"], ["城关镇", "甲"], ["城关街道", "乙"], ["城关", "丙"]]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert [r.action for r in p.rows] == ["new", "new", "rejected"]
    assert p.rows[2].reason == "乡镇（街道）“城关”可能是城关街道、城关镇中的任何一个，请写全称"
    c = _communities(county_db)
    assert (c["甲"].township_code, c["乙"].township_code) == ("341122101000", CHENGGUAN) and "丙" not in c


def test_a_township_named_by_its_office_is_the_township_of_that_kind(county_db: Database, tmp_path: Path) -> None:
    """城关镇 and 城关街道 both registered: 城关街道办事处 and 城关办事处 say 街道, 城关镇人民政府 says 镇, so each goes
    to its own (all three were refused as either); 城关乡人民政府 is neither: an unknown 城关乡, added as such. A
    title saying 城关办事处 takes 城关街道."""
    with county_db.transaction("测试员") as s:
        divisions.ensure(s, "341122101000", "城关镇")
    rows = [
        ["乡镇", "小区名称"],
        ["城关街道办事处", "甲"],
        ["城关办事处", "乙"],
        ["城关镇人民政府", "丙"],
        ["城关乡人民政府", "丁"],
    ]
    p = _plan(county_db, write(tmp_path / "a.xlsx", rows))
    assert [r.action for r in p.rows] == ["new", "new", "new", "rejected"]
    assert p.rows[3].reason == (
        "乡镇（街道）“城关乡人民政府”未登记，已登记的有城关街道、城关镇；如果是同一个乡镇（街道）（如撤镇设街道），"
        "请把表中的名称改为城关街道或城关镇；确是另一个乡镇（街道）时，可选择“添加乡镇”（命令行 --add-townships）"
    )
    p = _import(county_db, write(tmp_path / "a.xlsx", rows), add_townships=True)
    assert p.new_townships == {"341122399000": "城关乡"}
    c = _communities(county_db)
    assert [c[n].township_code for n in "甲乙丙丁"] == [CHENGGUAN, CHENGGUAN, "341122101000", "341122399000"]
    title = "城关办事处2024年老旧小区名单"
    p = _plan(county_db, write(tmp_path / "b.xlsx", [[title], ["小区名称"], ["幸福里"]]))
    assert p.counts()["new"] == 1 and p.rows[0].flags == ["表中没有乡镇（街道）列，按标题中的“城关街道”导入"]


def test_a_township_of_the_same_name_and_another_kind_is_never_taken_for_a_registered_one(
    county_db: Database, tmp_path: Path
) -> None:
    """Only 城关街道 registered: a row saying 城关镇 is another township (listed as unknown, added on
    --add-townships), not 城关街道 (it went there); a row saying only 城关 is still 城关街道, before or after it."""
    rows = [["乡镇", "小区名称"], ["城关镇", "甲"], ["城关", "乙"]]
    p = _plan(county_db, write(tmp_path / "a.xlsx", rows))
    assert [r.action for r in p.rows] == ["rejected", "new"] and p.unknown_townships == ["城关镇"]
    assert p.rows[0].reason == (  # the clerk of a renamed township (撤镇设街道) is told what to write
        "乡镇（街道）“城关镇”未登记，已登记的有城关街道；如果是同一个乡镇（街道）（如撤镇设街道），请把表中的名称改为"
        "城关街道；确是另一个乡镇（街道）时，可选择“添加乡镇”（命令行 --add-townships）"
    )
    _import(county_db, write(tmp_path / "a.xlsx", rows), add_townships=True)
    c = _communities(county_db)
    assert c["乙"].township_code == CHENGGUAN and c["甲"].township_code == "341122199000"


def test_township_mode_refuses_a_township_of_the_same_name_and_another_kind(empty_db: Database, tmp_path: Path) -> None:
    """Own township 城关镇: 城关街道 (and 城关街道办事处) shorten to the same 城关 but are another township, refused
    as one; 城关, 城关镇人民政府 and an empty cell are the own."""
    with empty_db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code="341122101000", name="城关镇", operator="测试员")
    rows = [
        ["乡镇（街道）", "小区名称"],
        ["城关镇", "甲"],
        ["城关街道", "乙"],
        ["城关", "丙"],
        ["城关街道办事处", "丁"],
        ["城关镇人民政府", "戊"],
        [None, "己"],
    ]
    p = _import(empty_db, write(tmp_path / "a.xlsx", rows))
    assert [r.action for r in p.rows] == ["new", "rejected", "new", "rejected", "new", "new"]
    renamed = "；如果是本乡镇（街道）改名前的名称（如撤镇设街道），请把表中的名称改为城关镇"
    assert p.rows[1].reason == "属于“城关街道”，不是本乡镇（街道）城关镇的小区" + renamed
    assert p.rows[3].reason == "属于“城关街道办事处”，不是本乡镇（街道）城关镇的小区" + renamed
    assert set(_communities(empty_db)) == {"甲", "丙", "戊", "己"}


def test_one_row_header_with_vertically_merged_township(county_db: Database, tmp_path: Path) -> None:
    rows = [["乡镇（街道）", "小区名称", "户数"], ["东城街道", "甲", 10], [None, "乙", 20], [None, "丙", 30]]
    _import(county_db, write(tmp_path / "a.xlsx", rows, merges=("A2:A4",)))
    assert {c.township_code for c in _communities(county_db).values()} == {DONGCHENG}


def test_a_ledger_of_names_only_keeps_its_first_row(county_db: Database, tmp_path: Path) -> None:
    """No 序号 and no figures: the first row's 城关街道 names the township column's field, as its label does; it is
    data, not a second header row (it used to be read as one, and the first community was lost)."""
    rows = [["乡镇（街道）", "小区名称"], ["城关街道", "幸福里小区"], ["东城街道", "和平苑"], ["城关街道", "建设新村"]]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert p.counts()["new"] == 3
    assert sorted(_communities(county_db)) == ["和平苑", "幸福里小区", "建设新村"]


def test_figures_without_a_name_are_refused_not_passed_over(county_db: Database, tmp_path: Path) -> None:
    """A row with figures but an empty name cell used to be taken for an empty row: its figures were lost without
    a word. It is refused, naming the column; a heading row without figures (一、城关街道) is still passed over,
    and a 其中 part under a total written in another column is still the total's part."""
    rows = [
        ["乡镇（街道）", "小区名称", "户数", "总投资（万元）"],
        ["一、城关街道", None, None, None],
        ["城关街道", "幸福里", 120, 400],
        ["城关街道", None, 80, 300],
        ["城关街道", "和平苑", 60, 200],
        ["合计", None, 260, 900],
        ["其中：城关街道", None, 260, 900],
    ]
    p = _plan(county_db, write(tmp_path / "a.xlsx", rows))
    by_row = {r.row: r for r in p.rows}
    assert by_row[4].action == ledger.REJECTED and "“小区名称”是空的" in by_row[4].reason
    assert 2 not in by_row  # the heading
    assert by_row[7].action == ledger.SKIPPED and "其中" in by_row[7].reason
    assert p.counts()["new"] == 2 and p.counts()["rejected"] == 1


def test_text_numbers_dates_and_status_synonyms(county_db: Database, tmp_path: Path) -> None:
    head = ["小区名称", "乡镇", "户数", "楼栋数", "建成年份", "开工时间", "完工时间", "状态"]
    rows = [
        head,
        ["甲", "城关街道", " 1 200 ", "６", "1995年", "3月15日", "2024-09-30", "竣工"],
        ["乙", "城关街道", "1,200", 6.0, 1995.0, 45000, None, "施工中"],
        ["丙", "城关街道", "1200", "6栋", "1995", "2024年3月15日", "2024.10", "已完成"],
        ["丁", "城关街道", 1200, 6, 1995, None, None, "未开工"],
    ]
    path = write(tmp_path / "a.xlsx", [["2024年城关街道老旧小区改造进度表"], *rows])
    p = _import(county_db, path)
    assert p.counts()["new"] == 4
    c = _communities(county_db)
    assert {x.households for x in c.values()} == {1200} and {x.buildings for x in c.values()} == {6}
    assert [c[n].status for n in "甲乙丙丁"] == ["completed", "started", "completed", "planned"]
    with county_db.transaction("测试员") as s:
        start = s.scalar(
            select(Milestone.reached_on).where(Milestone.community_id == c["甲"].id, Milestone.kind == "start")
        )
        assert start == date(2024, 3, 15)  # year from the title
        start = s.scalar(
            select(Milestone.reached_on).where(Milestone.community_id == c["乙"].id, Milestone.kind == "start")
        )
        assert start == date(2023, 3, 15)  # an Excel serial number


def test_masked_names_are_imported_with_a_flag(county_db: Database, tmp_path: Path) -> None:
    rows = [["乡镇", "小区名称", "户数"], ["城关街道", "**县粮食局宿舍", "约300户"]]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert any("隐去" in f for f in p.rows[0].flags) and any("约数" in f for f in p.rows[0].flags)
    assert "导入提示" in _communities(county_db)["**县粮食局宿舍"].notes


def test_masked_years_are_imported_empty_with_the_text_in_the_hint(county_db: Database, tmp_path: Path) -> None:
    """19xx年, 199x年, 20xx年: imported without a year (the model has no place for a decade), flagged with the
    file's text; 1983年至20xx年 keeps the year it knows. None of them refuses the row."""
    rows = [
        ["乡镇（街道）", "小区名称", "建成年份"],
        ["城关街道", "甲", "19xx年"],
        ["城关街道", "乙", "199x年"],
        ["城关街道", "丙", "20xx年"],
        ["城关街道", "丁", "1983年至20xx年"],
    ]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert p.counts()["new"] == 4 and p.counts()["rejected"] == 0
    c = _communities(county_db)
    assert [c[n].year_built for n in "甲乙丙丁"] == [None, None, None, 1983]
    assert "建成年份不确切(年份不详:199x年(1990年代))" in c["乙"].notes  # stored text is NFKC
    for n, text in zip("甲丙丁", ("19xx年", "20xx年", "1983年至20xx年"), strict=True):
        assert "导入提示" in c[n].notes and text in c[n].notes and "不确切" in c[n].notes


def test_decades_are_imported_empty_with_the_text_and_the_decade_in_the_hint(
    county_db: Database, tmp_path: Path
) -> None:
    """80年代, 上世纪80年代, 八十年代, 20世纪90年代, 90年代初: as a masked 198x, no year is stored and the row is
    flagged with the file's text and the decade it names; none refuses the row."""
    cells = ["80年代", "上世纪80年代", "八十年代", "20世纪90年代", "90年代初"]
    rows = [["乡镇（街道）", "小区名称", "建成年代"], *(["城关街道", f"{n}号院", y] for n, y in enumerate(cells, 1))]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert p.counts()["new"] == 5 and p.counts()["rejected"] == 0
    c = _communities(county_db)
    assert {c[f"{n}号院"].year_built for n in range(1, 6)} == {None}
    decades = ["1980年代", "1980年代", "1980年代", "1990年代", "1990年代"]
    for n, (text, decade) in enumerate(zip(cells, decades, strict=True), 1):
        assert p.rows[n - 1].flags == [f"建成年代不确切（年份不详：{text}（{decade}））"]
        assert f"建成年代不确切(年份不详:{text}({decade}))" in c[f"{n}号院"].notes  # stored text is NFKC


def test_two_decades_at_once_are_imported_empty_with_the_decades_in_the_hint(
    county_db: Database, tmp_path: Path
) -> None:
    """五六十年代, 50-60年代, 八九十年代, 上世纪七八十年代, 1980-1990年代: no year is stored and the row is flagged
    with the file's text and both decades, as a single 80年代 is; they were refused (1980-1990年代 taken as 1980)."""
    cells = ["五六十年代", "50-60年代", "80-90年代", "八九十年代", "上世纪七八十年代", "1980-1990年代"]
    decades = ["1950", "1950", "1980", "1980", "1970", "1980"]
    rows = [["乡镇（街道）", "小区名称", "建成年份"], *(["城关街道", f"{n}号院", y] for n, y in enumerate(cells, 1))]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert p.counts()["new"] == 6 and p.counts()["rejected"] == 0
    c = _communities(county_db)
    assert {c[f"{n}号院"].year_built for n in range(1, 7)} == {None}
    for n, (text, first) in enumerate(zip(cells, decades, strict=True), 1):
        named = f"{first}年代、{int(first) + 10}年代"
        assert p.rows[n - 1].flags == [f"建成年份不确切（年份不详：{text}（{named}））"]
        assert f"建成年份不确切(年份不详:{text}({named}))" in c[f"{n}号院"].notes  # stored text is NFKC


def test_years_and_dates_in_chinese_numerals_are_read_as_in_digits(county_db: Database, tmp_path: Path) -> None:
    """二〇〇三年, 二零零三年, 一九九五年 in a year cell; 二〇二一年三月 in a date cell is 2021年3月 (the 1st, flagged
    as a month), 二〇二一年三月十五日 the day itself. (2003 is in the extension years: --confirm answers that.)"""
    rows = [
        ["乡镇（街道）", "小区名称", "建成年份", "状态", "开工时间"],
        ["城关街道", "甲", "二〇〇三年", "在建", "二〇二一年三月"],
        ["城关街道", "乙", "二零零三年", "在建", "二〇二一年三月十五日"],
        ["城关街道", "丙", "一九九五年", None, None],
    ]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows), confirm=True)
    assert p.counts()["new"] == 3 and p.counts()["rejected"] == 0
    assert [r.flags for r in p.rows] == [["开工时间只写到月，按当月 1 日记录"], [], []]
    c = _communities(county_db)
    assert [c[n].year_built for n in "甲乙丙"] == [2003, 2003, 1995]
    with county_db.transaction("测试员") as s:
        started = [s.scalar(select(Milestone.reached_on).where(Milestone.community_id == c[n].id)) for n in "甲乙"]
    assert started == [date(2021, 3, 1), date(2021, 3, 15)]


def test_qizhong_rows_are_parts_not_communities(county_db: Database, tmp_path: Path) -> None:
    rows = [
        ["乡镇", "小区名称", "户数"],
        ["城关街道", "幸福里", 300],
        ["城关街道", "其中：简易修缮", 100],
        ["城关街道", "其中:1.城东区", 50],
    ]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert [r.kind for r in p.rows] == ["community", "part", "community"]
    assert set(_communities(county_db)) == {"幸福里", "城东区"}


def test_rejected_rows_are_saved_with_a_reason_column(county_db: Database, tmp_path: Path) -> None:
    rows = [
        HEAD,
        [1, "城关街道", "甲", "很早", 1, 10, 100, 1, None],
        [2, "城关街道", "乙", 2999, 1, 10, 100, 1, None],
        [3, "城关街道", "丙", 1990, 1, 10, 100, 1, None],
    ]
    p = _plan(county_db, write(tmp_path / "a.xlsx", rows))
    assert [r.action for r in p.rows] == ["rejected", "rejected", "new"]
    assert "建成年份" in p.rows[0].reason and "建成年份" in p.rows[1].reason  # the field's own bounds
    out = ledger.write_report(p, tmp_path / "rejected.xlsx")
    ws = load_workbook(out).active
    table = [list(r) for r in ws.iter_rows(values_only=True)]
    assert table[0][:3] == ["行号", "处理", "原因"] and [r[0] for r in table[1:]] == [2, 3]
    assert table[2][2].startswith("建成年份") and table[1][4:7] == [1, "城关街道", "甲"]


def test_the_mapping_is_proposed_corrected_by_a_file_and_remembered(county_db: Database, tmp_path: Path) -> None:
    rows = [["街镇", "名字", "住户"], ["城关街道", "甲", 10]]
    path = write(tmp_path / "a.xlsx", rows)
    with pytest.raises(OldcommError, match="小区名称"):
        _plan(county_db, path)
    mapping = {"columns": {"街镇": "township", "名字": "name", "住户": "households"}}
    _import(county_db, path, mapping=json.loads(json.dumps(mapping)))
    assert _communities(county_db)["甲"].households == 10
    rows[1] = ["城关街道", "乙", 20]
    _import(county_db, write(tmp_path / "b.xlsx", rows))  # same layout: the corrected mapping is remembered
    assert _communities(county_db)["乙"].households == 20


def test_after_import_summary_and_pinyin_search_see_the_communities(county_db: Database, tmp_path: Path) -> None:
    from oldcomm_desktop.core import summary

    _import(county_db, messy_county_ledger(tmp_path / "a.xlsx"))
    with county_db.transaction("测试员") as s:
        t = summary.totals(s).total
        assert (t.communities, t.households, t.floor_area_m2) == (3, 1730, Decimal("41500.00"))
        assert t.investment_yuan == Decimal("11800000.00")
        found = listings.page(s, "communities", listings.ListQuery(search="xfl"))
        assert [r["name"] for r in found] == ["幸福里小区"]
        assert communities.find(s, "建设新村").name == "建设新村"


def test_the_mapping_step_shows_the_first_values_of_each_column_from_community_rows(
    county_db: Database, tmp_path: Path
) -> None:
    """A subtotal first, a 其中 part and a total: none of their figures is shown as a column's value."""
    path = write(
        tmp_path / "a.xlsx",
        [
            ["2024年老旧小区改造台账"],
            ["乡镇（街道）", "小区名称", "户数", "面积"],
            ["", "全县小计", 999, 99],
            ["城关街道", "甲小区", 100, 1.2],
            ["城关街道", "其中：简易修缮", 40, 0.3],
            ["城关街道", "乙小区", 100, 1.2],
            ["城关街道", "丙小区", "2,300余户", "1.45"],
            ["城关街道", "丁小区", 7, 8],
            ["", "合计", 2407, 4],
        ],
    )
    p = _plan(county_db, path)
    assert p.samples == [["城关街道"], ["甲小区", "乙小区", "丙小区"], ["100", "2,300余户", "7"], ["1.2", "1.45", "8"]]


def test_general_header_words_do_not_take_a_column_they_only_appear_in(county_db: Database, tmp_path: Path) -> None:
    """社区名称 is the village, not 小区名称; 累计完成投资 is not 总投资; 楼栋面积 is not 楼栋数; 计划 dates are
    planned dates."""
    path = write(
        tmp_path / "a.xlsx",
        [
            [
                "序号",
                "社区名称",
                "小区名称",
                "楼栋面积（㎡）",
                "楼栋数",
                "户数",
                "累计完成投资（万元）",
                "总投资（万元）",
            ],
            [1, "一街社区", "粮站家属院", 1000, 5, 100, 120, 300],
        ],
    )
    p = _plan(county_db, path)
    assert {p.header.labels[c]: f for c, f in p.mapping.items()} == {
        "序号": "seq",
        "社区名称": "village",
        "小区名称": "name",
        "楼栋数": "buildings",
        "户数": "households",
        "总投资（万元）": "total_investment",
    }
    two_rows = write(
        tmp_path / "b.xlsx",
        [["小区名称", "户数", "开工时间", "开工时间"], ["", "", "计划", "实际"], ["甲小区", 10, "2024.3", "2024.4"]],
    )
    p = _plan(county_db, two_rows)
    assert {p.header.labels[c]: f for c, f in p.mapping.items()}["开工时间/计划"] == "planned_start"
    assert {p.header.labels[c]: f for c, f in p.mapping.items()}["开工时间/实际"] == "start_date"


def test_magnitudes_traditional_units_and_gongji_totals(county_db: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.xlsx",
        [
            ["2024年台账"],
            ["乡镇（街道）", "小區名稱", "戶數", "建築面積（萬平方米）", "總投資（萬元）"],
            ["城关街道", "甲小区", 100, 1.84, "約2.1億元"],
            ["城关街道", "乙小区", 200, "1.2万平方米", "300万"],
            ["", "共计", 300, 3.04, ""],
        ],
    )
    p = _import(county_db, path)
    assert p.counts()["new"] == 2 and p.counts()["skipped"] == 1  # 共计 is a total, not a community
    got = {n: (c.households, c.floor_area, c.total_investment) for n, c in _communities(county_db).items()}
    assert got == {
        "甲小区": (100, Decimal("18400"), Decimal("210000000")),
        "乙小区": (200, Decimal("12000"), Decimal("3000000")),
    }


def test_actual_dates_without_a_status_word_become_milestones_and_contrary_ones_are_flagged(
    county_db: Database, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "a.xlsx",
        [
            ["2024年台账"],
            ["乡镇（街道）", "小区名称", "户数", "状态", "实际开工时间", "实际完工时间"],
            ["城关街道", "甲小区", 100, "", "2024-06-01", "2024-10-15"],
            ["城关街道", "乙小区", 80, "", "2024-06-01", ""],
            ["城关街道", "丙小区", 60, "在建", "2024-05-01", "2024-09-30"],
        ],
    )
    p = _import(county_db, path)
    flags = {r.name: r.flags for r in p.rows}
    assert "台账未写状态，按完工时间记为已完工" in flags["甲小区"]
    assert "台账未写状态，按开工时间记为在建" in flags["乙小区"]
    assert "状态为“在建”，台账中的完工时间 2024-09-30 未记为完工" in flags["丙小区"]
    got = {n: c.status for n, c in _communities(county_db).items()}
    assert got == {"甲小区": "completed", "乙小区": "started", "丙小区": "started"}
    with county_db.transaction("测试员") as s:
        kinds = sorted(
            s.scalars(
                select(Milestone.kind)
                .join(Community, Community.id == Milestone.community_id)
                .where(Community.name == "甲小区")
            )
        )
    assert kinds == ["completion", "start"]


def test_village_and_start_kind_columns_are_imported_or_named_as_left_out(county_db: Database, tmp_path: Path) -> None:
    from oldcomm_desktop.core import divisions

    village = CHENGGUAN[:9] + "201"
    with county_db.transaction("测试员") as s:
        divisions.ensure(s, village, "一街社区")
    path = write(
        tmp_path / "a.xlsx",
        [
            ["乡镇（街道）", "所属社区", "小区名称", "户数", "新开工/续建"],
            ["城关街道", "一街社区居委会", "甲小区", 10, "新开工"],
            ["城关街道", "一街", "乙小区", 20, "续建项目"],
            ["城关街道", "无此社区", "丙小区", 30, "其他"],
        ],
    )
    p = _import(county_db, path)
    got = {n: (c.village_code, c.start_kind) for n, c in _communities(county_db).items()}
    assert got == {"甲小区": (village, "new"), "乙小区": (village, "continued"), "丙小区": (None, None)}
    flags = {r.name: r.flags for r in p.rows}
    assert "所属社区“无此社区”不在本乡镇（街道）的社区（村）名单中，未导入" in flags["丙小区"]
    assert "新开工/续建“其他”无法识别，未导入" in flags["丙小区"]


def test_added_townships_take_the_national_code_and_an_unregistered_code_is_asked_about(
    county_db: Database, tmp_path: Path
) -> None:
    """青禾县 is 341122 (来安县 in the national list): 半塔 is 半塔镇 341122101000 there; 南河镇 is not listed and
    gets a 镇 code from the top of the range, never a listed one; a bare code of an unregistered township is not
    taken as registered."""
    path = write(
        tmp_path / "a.xlsx",
        [
            ["乡镇（街道）", "小区名称", "户数"],
            ["半塔", "甲小区", 10],
            ["南河镇", "乙小区", 20],
            ["341122102000", "丙小区", 30],
            ["341122999000", "丁小区", 40],
        ],
    )
    p = _plan(county_db, path)
    assert [r.action for r in p.rows] == ["rejected", "rejected", "rejected", "rejected"]
    assert "水口镇" in p.rows[2].reason and "不是本县已登记或全国区划代码表中的乡镇" in p.rows[3].reason
    _import(county_db, path, add_townships=True)
    c = _communities(county_db)
    assert c["甲小区"].township_code == "341122101000" and c["丙小区"].township_code == "341122102000"
    assert c["乙小区"].township_code == "341122199000" and "丁小区" not in c
    with county_db.transaction("测试员") as s:
        names = dict(s.execute(select(Division.code, Division.name).where(Division.level == "township")).all())
    assert names["341122101000"] == "半塔镇" and names["341122102000"] == "水口镇" and names["341122199000"] == "南河镇"


def test_a_formulas_extra_places_are_rounded_with_a_hint_not_refused(county_db: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.xlsx",
        [
            ["乡镇（街道）", "小区名称", "户数", "建筑面积（平方米）", "总投资（万元）"],
            ["城关街道", "甲小区", 99.99999999999999, 12345.678, 268 / 3],
            ["城关街道", "乙小区", 12.5, 100, 1],
        ],
    )
    p = _import(county_db, path)
    assert [r.action for r in p.rows] == ["new", "rejected"]  # half a household is still no count
    flags = p.rows[0].flags
    assert any("建筑面积（平方米）“12345.678”按两位小数" in f for f in flags) and any("总投资" in f for f in flags)
    c = _communities(county_db)["甲小区"]
    assert (c.households, c.floor_area, c.total_investment) == (100, Decimal("12345.68"), Decimal("893333.33"))


def test_a_row_of_units_under_the_header_gives_each_column_its_unit(county_db: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.xlsx",
        [
            ["2024年台账"],
            ["乡镇（街道）", "小区名称", "户数", "总投资", "建筑面积"],
            [None, None, "户", "（万元）", "平方米"],
            ["城关街道", "甲小区", 100, 268, 1000],
        ],
    )
    p = _import(county_db, path)
    assert p.counts()["new"] == 1 and p.header.rows == 2
    c = _communities(county_db)["甲小区"]
    assert (c.households, c.total_investment, c.floor_area) == (100, Decimal("2680000"), Decimal("1000"))


def test_an_older_status_over_a_newer_one_is_said_not_silently_ignored(county_db: Database, tmp_path: Path) -> None:
    head = ["乡镇（街道）", "小区名称", "户数", "状态", "完工时间"]
    _import(county_db, write(tmp_path / "a.xlsx", [head, ["城关街道", "乙小区", 80, "已完工", "2024-10-01"]]))
    p = _import(county_db, write(tmp_path / "b.xlsx", [head, ["城关街道", "乙小区", 80, "在建", ""]]))
    assert "台账状态“在建”早于本数据库中的“已完工”，状态未改动（进度只能前进）" in p.rows[0].flags
    assert _communities(county_db)["乙小区"].status == "completed"


def test_a_money_cell_merged_over_several_communities_is_not_copied_into_each(
    county_db: Database, tmp_path: Path
) -> None:
    """总投资 400 merged over three communities is one project's 400万元, not 1,200万元: without a project column
    grouping exactly those rows it is left out of each row with a hint naming the rows and the merged range."""
    path = write(
        tmp_path / "a.xlsx",
        [
            ["乡镇（街道）", "小区名称", "户数", "总投资（万元）"],
            ["城关街道", "甲小区", 100, 400],
            ["城关街道", "乙小区", 200, None],
            ["城关街道", "丙小区", 300, None],
            ["城关街道", "丁小区", 50, 80],
            ["", "合计", 650, 480],
        ],
        merges=("D2:D4",),
    )
    p = _plan(county_db, path)
    assert p.counts()["new"] == 4
    for r in p.rows[:3]:
        assert any("D2:D4" in f and "第 2–4 行" in f and "未导入" in f for f in r.flags), r.flags
    assert not p.rows[3].flags
    assert all(c.agrees for c in p.checks)  # the file's 合计 counts the merged 400 once, and so does the check
    _import(county_db, path)
    c = _communities(county_db)
    assert [c[n].total_investment for n in ("甲小区", "乙小区", "丙小区")] == [None, None, None]
    assert c["丁小区"].total_investment == Decimal("800000.00")


def test_a_money_cell_merged_over_exactly_one_projects_rows_goes_on_the_project(
    county_db: Database, tmp_path: Path
) -> None:
    from oldcomm_desktop.core import summary

    path = write(
        tmp_path / "a.xlsx",
        [
            ["乡镇（街道）", "项目名称", "小区名称", "户数", "建筑面积（平方米）", "总投资（万元）"],
            ["城关街道", "北关片区改造项目", "甲小区", 100, 1000, 400],
            ["城关街道", None, "乙小区", 200, 3000, None],
            ["城关街道", "南关项目", "丙小区", 300, 2000, 90],
        ],
        merges=("B2:B3", "F2:F3"),
    )
    p = _plan(county_db, path)
    assert p.counts()["new"] == 3
    for r in p.rows[:2]:
        assert any("F2:F3" in f and "北关片区改造项目" in f for f in r.flags), r.flags
    _import(county_db, path)
    c = _communities(county_db)
    assert c["甲小区"].total_investment is None and c["乙小区"].total_investment is None
    with county_db.transaction("测试员") as s:
        project = s.scalars(select(Project).where(Project.name == "北关片区改造项目")).one()
        assert project.total_investment == Decimal("4000000.00") and project.money_split is False
        assert summary.totals(s).total.investment_yuan == Decimal("4900000.00")  # 400 + 90 万元, not 890
    assert _import(county_db, path).counts()["unchanged"] == 3  # the same file again changes nothing


def test_an_import_keeps_the_clerks_notes_and_the_same_file_again_changes_nothing(
    county_db: Database, tmp_path: Path
) -> None:
    """The import's hints go on a line of their own in 备注: a clerk's own note stays (a file without a 备注 column
    used to replace it by the hint); and the second import of the same file, whose hints say less (the figure it
    cleared the first time is gone), changes nothing."""
    path = write(
        tmp_path / "a.xlsx",
        [
            ["乡镇（街道）", "项目名称", "小区名称", "户数", "总投资（万元）"],
            ["城关街道", "北关项目", "甲小区", "约316户", 400],
            ["城关街道", None, "乙小区", 200, None],
        ],
        merges=("B2:B3", "E2:E3"),
    )
    _import(county_db, path)
    with county_db.transaction("录入员") as s:
        cid = _communities(county_db)["甲小区"].id
        communities.update(s, cid, {"notes": "业主要求加装电梯", "total_investment": "120"}, confirm=True)
    first = _import(county_db, path)  # clears the figure stored on 甲小区 (the project holds the money)
    assert first.counts()["updated"] == 1
    notes = _communities(county_db)["甲小区"].notes or ""
    assert notes.startswith("业主要求加装电梯\n导入提示") and "约数" in notes
    assert _import(county_db, path).counts() == {"new": 0, "updated": 0, "unchanged": 2, "rejected": 0, "skipped": 0}


def test_a_count_merged_over_several_communities_is_not_copied_into_each(county_db: Database, tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.xlsx",
        [
            ["乡镇（街道）", "小区名称", "户数", "楼栋数"],
            ["城关街道", "甲小区", 120, 3],
            ["城关街道", "乙小区", None, 2],
        ],
        merges=("C2:C3",),
    )
    p = _import(county_db, path)
    assert all(any("户数" in f and "C2:C3" in f for f in r.flags) for r in p.rows)
    c = _communities(county_db)
    assert (c["甲小区"].households, c["乙小区"].households, c["乙小区"].buildings) == (None, None, 2)


def test_qizhong_rows_under_a_total_are_its_breakdown_not_communities(county_db: Database, tmp_path: Path) -> None:
    """合计 first with its 其中：1.城东区 / 2.城西区 breakdown, and a 合计 last with 其中 rows: never communities."""
    path = write(
        tmp_path / "a.xlsx",
        [
            ["乡镇（街道）", "小区名称", "户数"],
            ["", "合计", 650],
            ["", "其中：1.城东区", 400],
            ["", "2.城西区", 250],
            ["城关街道", "1.幸福里", 400],
            ["城关街道", "2.和平苑", 250],
            ["", "合计", 650],
            ["", "其中:城关街道", 650],
            ["", "其中：1.老城片区", 100],
        ],
    )
    p = _import(county_db, path)
    assert [r.kind for r in p.rows] == ["total", "part", "part", "community", "community", "total", "part", "part"]
    assert p.counts() == {"new": 2, "updated": 0, "unchanged": 0, "rejected": 0, "skipped": 6}
    assert all(c.agrees for c in p.checks)
    assert set(_communities(county_db)) == {"幸福里", "和平苑"}


def test_qizhong_rows_under_a_closing_subtotal_are_its_breakdown(county_db: Database, tmp_path: Path) -> None:
    """A 小计 closing its township's rows, then 其中：1.新开工 / 2.续建: its breakdown (they used to become the
    communities 新开工 and 续建, and both totals then did not add up)."""
    path = write(
        tmp_path / "a.xlsx",
        [
            ["序号", "街道", "小区名称", "户数"],
            [1, "城关街道", "甲小区", 100],
            [2, "城关街道", "乙小区", 120],
            [None, "城关街道", "小计", 220],
            [None, "城关街道", "其中：1.新开工", 100],
            [None, "城关街道", "2.续建", 120],
            [3, "东城街道", "丁小区", 80],
            [None, "合计", None, 300],
        ],
    )
    p = _import(county_db, path)
    assert [r.kind for r in p.rows] == ["community", "community", "subtotal", "part", "part", "community", "total"]
    assert all(c.agrees for c in p.checks)
    assert set(_communities(county_db)) == {"甲小区", "乙小区", "丁小区"}


def test_a_total_first_whose_qizhong_list_is_the_whole_list_imports_it(county_db: Database, tmp_path: Path) -> None:
    """合计 first, then only 其中：1.城东小区, 2.城西小区, 3.城南小区: that list is the communities (nothing used to
    be imported, with exit code 0)."""
    path = write(
        tmp_path / "a.xlsx",
        [
            ["街道", "小区名称", "户数"],
            ["合计", None, 300],
            ["城关街道", "其中：1.城东小区", 100],
            ["城关街道", "2.城西小区", 120],
            ["城关街道", "3.城南小区", 80],
        ],
    )
    p = _import(county_db, path)
    assert p.counts()["new"] == 3 and all(c.agrees for c in p.checks)
    assert set(_communities(county_db)) == {"城东小区", "城西小区", "城南小区"}


def test_confirming_wan_square_metres_leaves_figures_that_are_plainly_square_metres(
    county_db: Database, tmp_path: Path
) -> None:
    """--confirm answers the column's question (万平方米), but 800 is not 800万平方米 and 90 for one household is
    not 90万平方米: those are imported as m² with a hint, not multiplied by 10,000."""
    path = write(
        tmp_path / "a.xlsx",
        [
            ["乡镇（街道）", "小区名称", "户数", "建筑面积"],
            ["城关街道", "甲小区", 100, 1.84],
            ["城关街道", "乙小区", 300, 2.5],
            ["城关街道", "丙小区", 80, 0.9],
            ["城关街道", "丁小区", 12, 800],
            ["城关街道", "戊小区", 1, 90],
            ["城关街道", "己小区", 60, "0.5万平方米"],
        ],
    )
    p = _import(county_db, path, confirm=True)
    assert p.answers and p.counts()["new"] == 6
    flags = {r.name: r.flags for r in p.rows}
    assert any("“800”" in f and "平方米" in f and "未乘" in f for f in flags["丁小区"]), flags["丁小区"]
    assert any("“90”" in f and "户数" in f for f in flags["戊小区"]), flags["戊小区"]
    assert not flags["甲小区"] and not flags["己小区"]
    got = {n: c.floor_area for n, c in _communities(county_db).items()}
    assert got == {
        "甲小区": Decimal("18400"),
        "乙小区": Decimal("25000"),
        "丙小区": Decimal("9000"),
        "丁小区": Decimal("800"),
        "戊小区": Decimal("90"),
        "己小区": Decimal("5000"),
    }


def _villages(db: Database) -> tuple[str, str]:
    from oldcomm_desktop.core import divisions

    one, two = CHENGGUAN[:9] + "201", CHENGGUAN[:9] + "202"
    with db.transaction("测试员") as s:
        divisions.ensure(s, one, "一街社区")
        divisions.ensure(s, two, "二街社区")
    return one, two


def test_same_named_communities_of_different_villages_are_two_communities(county_db: Database, tmp_path: Path) -> None:
    one, two = _villages(county_db)
    head = ["乡镇（街道）", "所属社区", "小区名称", "户数"]
    path = write(
        tmp_path / "a.xlsx",
        [head, ["城关街道", "一街社区", "幸福里", 100], ["城关街道", "二街社区", "幸福里", 200]],
    )
    p = _import(county_db, path)
    assert p.counts()["new"] == 2
    assert any("第 2 行" in f and "所属社区不同" in f for f in p.rows[1].flags), p.rows[1].flags
    with county_db.transaction("测试员") as s:
        got = sorted(s.execute(select(Community.village_code, Community.households)).all())
    assert got == [(one, 100), (two, 200)]
    p = _import(county_db, path)  # matched by township + 社区 + name: the same file again changes nothing
    assert p.counts()["unchanged"] == 2
    rows = [head, ["城关街道", "二街", "幸福里", 250]]
    p = _import(county_db, write(tmp_path / "b.xlsx", rows))
    assert p.counts()["updated"] == 1
    with county_db.transaction("测试员") as s:
        got = sorted(s.execute(select(Community.village_code, Community.households)).all())
    assert got == [(one, 100), (two, 250)]


def test_same_named_rows_that_cannot_be_told_apart_are_refused_naming_the_rows(
    county_db: Database, tmp_path: Path
) -> None:
    _villages(county_db)
    path = write(
        tmp_path / "a.xlsx",
        [
            ["乡镇（街道）", "所属社区", "小区名称", "户数"],
            ["城关街道", "一街社区", "幸福里", 100],
            ["城关街道", "一街社区", "幸福里", 120],
            ["城关街道", "", "幸福里", 130],
            ["城关街道", "无此社区", "幸福里", 140],
        ],
    )
    p = _import(county_db, path)
    assert [r.action for r in p.rows] == ["new", "rejected", "rejected", "rejected"]
    assert all("第 2 行" in r.reason for r in p.rows[1:]), [r.reason for r in p.rows]
    rows = [["乡镇（街道）", "所属社区", "小区名称", "户数"], ["城关街道", "二街", "幸福里", 80]]
    assert _import(county_db, write(tmp_path / "b.xlsx", rows)).counts()["new"] == 1
    p = _plan(county_db, write(tmp_path / "c.xlsx", [["乡镇（街道）", "小区名称", "户数"], ["城关街道", "幸福里", 99]]))
    assert p.rows[0].action == "rejected"  # two 幸福里 in 城关街道 now: a row without its 社区 is not guessed
    assert "一街社区" in p.rows[0].reason and "二街社区" in p.rows[0].reason


def test_a_name_that_is_only_a_number_is_kept_as_written(county_db: Database, tmp_path: Path) -> None:
    """1, 2.0 and "3" (a building counted as a community) are names "1", "2", "3" with a hint, never "" or "0";
    "4、" keeps its 4; "5.城东区" still loses its list number."""
    path = write(
        tmp_path / "a.xlsx",
        [
            ["乡镇（街道）", "小区名称", "户数"],
            ["城关街道", 1, 10],
            ["城关街道", 2.0, 20],
            ["城关街道", "3", 30],
            ["城关街道", "4、", 40],
            ["城关街道", "5.城东区", 50],
        ],
    )
    p = _import(county_db, path)
    assert p.counts()["new"] == 5
    assert [r.name for r in p.rows] == ["1", "2", "3", "4、", "5.城东区"]
    assert all(any("只有数字" in f for f in r.flags) for r in p.rows[:4])
    assert {n: c.households for n, c in _communities(county_db).items()} == {
        "1": 10,
        "2": 20,
        "3": 30,
        "4": 40,
        "城东区": 50,
    }
    assert _import(county_db, path).counts()["unchanged"] == 5


def test_error_cells_formulas_without_a_value_and_hidden_rows_are_named_not_read_silently(
    county_db: Database, tmp_path: Path
) -> None:
    """#DIV/0! and a formula no program computed read as empty cells: the field is left out and the row says which
    cell; an error in the name or township cell refuses the row; a hidden row is imported and flagged 隐藏行."""
    path = write(
        tmp_path / "a.xlsx",
        [
            ["乡镇（街道）", "小区名称", "户数", "建筑面积（平方米）", "总投资（万元）"],
            ["城关街道", "甲小区", 100, "#DIV/0!", 50],
            ["城关街道", "乙小区", "=1/0", 1000, "#VALUE!"],
            ["城关街道", "丙小区", 80, 900, 40],
            ["城关街道", "#REF!", 10, 100, 1],
            ["#N/A", "丁小区", 10, 100, 1],
        ],
        hidden=(4,),
    )
    p = _plan(county_db, path)
    flags = {r.row: r.flags for r in p.rows}
    assert [r.action for r in p.rows] == ["new", "new", "new", "rejected", "rejected"]
    assert any("建筑面积（平方米）（D2）" in f and "#DIV/0!" in f and "未导入" in f for f in flags[2]), flags[2]
    assert any("户数（C3）" in f and "公式" in f and "没有计算结果" in f for f in flags[3]), flags[3]
    assert any("总投资（万元）（E3）" in f and "#VALUE!" in f for f in flags[3]), flags[3]
    assert any("隐藏行" in f for f in flags[4]), flags[4]
    assert "B5" in p.rows[3].reason and "#REF!" in p.rows[3].reason
    assert "A6" in p.rows[4].reason and "#N/A" in p.rows[4].reason
    _import(county_db, path)
    c = _communities(county_db)
    assert (c["甲小区"].floor_area, c["甲小区"].total_investment) == (None, Decimal("500000.00"))
    assert c["乙小区"].households is None and "导入提示" in c["乙小区"].notes and "隐藏行" in c["丙小区"].notes


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("截至2024年6月底青禾县2023年度老旧小区改造进度表", 2023),
        ("截止2024年3月青禾县2023年老旧小区改造完成情况", 2023),
        ("2023年老旧小区改造台账（截至2024年6月30日）", 2023),
        ("2024年青禾县老旧小区改造计划表", 2024),
    ],
)
def test_the_plan_year_is_the_title_s_year_of_work_not_its_as_of_date(
    county_db: Database, tmp_path: Path, title: str, year: int
) -> None:
    path = write(tmp_path / "a.xlsx", [[title], ["乡镇（街道）", "小区名称", "户数"], ["城关街道", "甲小区", 10]])
    p = _import(county_db, path)
    assert p.header.year == year and p.year == year
    assert _communities(county_db)["甲小区"].plan_year == year


@pytest.mark.parametrize("title", ["二〇二三年度老旧小区改造计划", "二0二三年老旧小区改造计划", "２０２３年度改造计划"])
def test_a_title_year_in_chinese_numerals_or_full_width_digits_is_read(
    county_db: Database, tmp_path: Path, title: str
) -> None:
    rows = [[title], ["乡镇（街道）", "小区名称", "开工时间", "状态"], ["城关街道", "甲小区", "3月15日", "在建"]]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert p.year == 2023 and not p.year_assumed and p.rows[0].flags == []
    c = _communities(county_db)["甲小区"]
    assert c.plan_year == 2023
    with county_db.transaction("测试员") as s:
        assert s.scalar(select(Milestone.reached_on).where(Milestone.community_id == c.id)) == date(2023, 3, 15)


def test_a_year_taken_from_an_as_of_date_is_said_and_none_at_all_is_asked(county_db: Database, tmp_path: Path) -> None:
    """截至2024年6月底 names when the figures were taken: a date without a year (3月15日) and the plan year take it
    only with a hint the clerk sees; --year settles it; a title without any year refuses the date, naming --year."""
    rows = [["乡镇（街道）", "小区名称", "开工时间", "状态"], ["城关街道", "甲小区", "3月15日", "在建"]]
    path = write(tmp_path / "a.xlsx", [["截至2024年6月底城关街道老旧小区改造进度表"], *rows])
    p = _plan(county_db, path)
    assert p.year == 2024 and p.year_assumed
    flags = "；".join(p.rows[0].flags)
    assert "开工时间“3月15日”没有写年份，按标题中截至日期的年份记为 2024 年" in flags and "--year" in flags
    assert "改造年度按标题中截至日期的年份记为 2024 年" in flags
    p = _plan(county_db, path, year=2023)
    assert p.year == 2023 and not p.year_assumed and p.rows[0].flags == []
    p = _plan(county_db, write(tmp_path / "b.xlsx", [["城关街道老旧小区改造进度表"], *rows]))
    assert p.rows[0].action == ledger.REJECTED and "没有年份" in p.rows[0].reason and "--year" in p.rows[0].reason


_IDENTIFIER = re.compile(
    r"[A-Za-z]+_[A-Za-z_]+|\b(?:households|buildings|name|township|status)\b|[0-9a-f]{8}-[0-9a-f]{4}"
)


def test_every_refusal_and_hint_is_chinese_and_names_the_column_as_written(county_db: Database, tmp_path: Path) -> None:
    """No internal field name or record id reaches a clerk: each message names the file's own header."""
    head = [
        "乡镇（街道）",
        "小区名称",
        "建成年份",
        "楼栋数（栋）",
        "户数（户）",
        "建筑面积（平方米）",
        "总投资（万元）",
        "状态",
        "实际开工时间",
        "联系电话",
    ]
    path = write(
        tmp_path / "a.xlsx",
        [
            head,
            ["城关街道", "甲小区", 1995, -3, 12.5, -100, -5, "在建", "2024-05-01", "x" * 80],
            ["城关街道", "乙" * 300, 1800, 0, 0, 0, 0, "已完工", None, None],
            ["城关街道", "丙小区", 1990, 1, 10, 100, 1, "已完工", "2099-01-01", None],
            ["城关街道", "丁小区", "很早", "多", "约300户", "1.5亩", "x", "搁置", "昨天", None],
            ["城关街道", "戊小区", 1990, 1, 10, 12345.678, 268 / 3, "在建", "2024.3", None],
        ],
    )
    p = _plan(county_db, path)
    assert [r.action for r in p.rows][:4] == ["rejected"] * 4
    for r in p.rows:
        for text in (r.reason, *r.flags):
            assert not _IDENTIFIER.search(text), text
    reasons = {r.row: r.reason for r in p.rows}
    assert "户数（户）：" in reasons[2] and "楼栋数（栋）：" in reasons[2] and "联系电话：" in reasons[2]
    assert "建成年份：" in reasons[3] and "小区名称：" in reasons[3]
    assert "实际开工时间：" in reasons[4]
    assert "建筑面积（平方米）：" in reasons[5] and "状态：" in reasons[5] and "实际开工时间：" in reasons[5]
    flags = p.rows[4].flags
    assert any(f.startswith("建筑面积（平方米）“12345.678”") for f in flags), flags


def test_money_merged_over_two_townships_projects_of_one_name_is_not_counted_twice(
    county_db: Database, tmp_path: Path
) -> None:
    """A 项目名称 shared by two townships' rows names two projects: the merged 300万 went on both (600万 in all)."""
    from oldcomm_desktop.core import summary

    path = write(
        tmp_path / "a.xlsx",
        [
            ["乡镇（街道）", "项目名称", "小区名称", "户数", "总投资（万元）"],
            ["城关街道", "A项目", "甲小区", 100, 300],
            ["东城街道", "A项目", "乙小区", 200, None],
        ],
        merges=("E2:E3",),
    )
    p = _import(county_db, path)
    assert all(any("E2:E3" in f and "未导入" in f and "同一乡镇" in f for f in r.flags) for r in p.rows)
    with county_db.transaction("测试员") as s:
        assert summary.totals(s).total.investment_yuan == Decimal("0")


def test_a_ledger_that_splits_money_stored_on_the_project_clears_the_projects_figure(
    county_db: Database, tmp_path: Path
) -> None:
    """First a ledger with 450万 merged over the project's rows (on the project), then the updated ledger with the
    same money per community: the project's unsplit figure is cleared, not counted beside the communities'."""
    from oldcomm_desktop.core import summary

    def book(name: str, money: list[Any], merges: tuple[str, ...]) -> Path:
        head = ["乡镇（街道）", "项目名称", "小区名称", "户数", "总投资（万元）"]
        rows = [
            ["城关街道", "城关A项目", n, 100, m] for n, m in zip(("甲小区", "乙小区", "丙小区"), money, strict=True)
        ]
        return write(tmp_path / name, [head, *rows], merges=merges)

    _import(county_db, book("a.xlsx", [450, None, None], ("E2:E4",)))
    split = book("b.xlsx", [200, 150, 100], ())
    p = _import(county_db, split)
    assert any("原记为不分小区的总投资" in f for r in p.rows for f in r.flags)
    with county_db.transaction("测试员") as s:
        assert summary.totals(s).total.investment_yuan == Decimal("4500000.00")
    assert _import(county_db, split).counts()["unchanged"] == 3
