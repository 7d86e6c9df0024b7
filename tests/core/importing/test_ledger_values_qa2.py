"""QA round 2 on cell values: header units the import did not know, figures written as sums or ranges, status
words, 储备, dates written in other forms. Each found wrong, each built in the test."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from oldcomm_desktop.storage.database import Database
from tests.core.importing.ledgers import _communities, _import, write


@pytest.mark.parametrize(
    ("header", "cell", "field", "stored"),
    [
        ("总投资(万)", 268, "total_investment", Decimal("2680000")),
        ("总投资（万）", 268, "total_investment", Decimal("2680000")),
        ("总投资（千元）", 2680, "total_investment", Decimal("2680000")),
        ("总投资（百万元）", 2.68, "total_investment", Decimal("2680000")),
        ("建筑面积（千平方米）", 12, "floor_area", Decimal("12000")),
    ],
)
def test_a_header_unit_with_a_magnitude_converts(
    county_db: Database, tmp_path: Path, header: str, cell: object, field: str, stored: Decimal
) -> None:
    """总投资(万) 268 was 268 yuan, 总投资（千元） 2680 was 2,680 yuan, 总投资（百万元） 2.68 was 26,800 yuan (the 万元
    inside 百万元 was read), 建筑面积（千平方米） 12 was 12 m²: each is the figure times its unit."""
    rows = [
        ["城关街道2023年老旧小区改造台账"],
        ["乡镇（街道）", "小区名称", "户数（户）", header],
        ["城关街道", "幸福里", 100, cell],
    ]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path, confirm=True)
    assert p.rows[0].action != "rejected"
    assert getattr(_communities(county_db)["幸福里"], field) == stored
    assert _import(county_db, path, confirm=True).counts()["unchanged"] == 1  # the remembered unit reads back
    assert getattr(_communities(county_db)["幸福里"], field) == stored


STATUS_CASES = [
    ("已完工并通过验收", "accepted"),
    ("已完工已验收", "accepted"),
    ("完工验收", "accepted"),
    ("基本完工", "started"),
    ("部分完工", "started"),
    ("验收中", "completed"),
    ("正在验收", "completed"),
    ("调整出计划", "withdrawn"),
    ("已交工", "completed"),
    ("在施", "started"),
    ("已进场", "started"),
    ("未启动", "planned"),
]


def test_status_words_clerks_write_are_read_as_their_stage(county_db: Database, tmp_path: Path) -> None:
    """已完工并通过验收 was completed (accepted), 基本完工 completed (started), 验收中 accepted (completed), 调整出计划,
    在施, 已进场, 未启动 were refused; 已交工 (handed over, acceptance to come) is completed."""
    rows: list[list[object]] = [
        ["城关街道2023年老旧小区改造进度台账"],
        ["乡镇（街道）", "小区名称", "开工时间", "完工时间", "进展情况"],
    ]
    rows += [["城关街道", f"小区{i:02d}", "2023-03-01", "2023-09-30", w] for i, (w, _) in enumerate(STATUS_CASES)]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path)
    assert [r.action for r in p.rows] == ["new"] * len(STATUS_CASES)
    got = _communities(county_db)
    assert [got[f"小区{i:02d}"].status for i in range(len(STATUS_CASES))] == [s for _, s in STATUS_CASES]
    assert _import(county_db, path).counts()["unchanged"] == len(STATUS_CASES)


def test_a_reserve_row_takes_no_plan_year_from_the_title(county_db: Database, tmp_path: Path) -> None:
    """储备 / 谋划 rows in a file whose title names 2024 took that year (from the row and from the title's project)
    and counted as planned; they are the project pool: reserve, no plan year, said in the row's hints."""
    rows = [
        ["城关街道2024年老旧小区改造项目储备库"],
        ["乡镇（街道）", "小区名称", "户数（户）", "状态"],
        ["城关街道", "幸福里", 100, "储备"],
        ["城关街道", "建设路", 200, "谋划"],
        ["城关街道", "粮站宿舍", 50, "未开工"],
    ]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path)
    got = _communities(county_db)
    assert [(got[n].status, got[n].plan_year) for n in ("幸福里", "建设路", "粮站宿舍")] == [
        ("reserve", None),
        ("reserve", None),
        ("planned", 2024),
    ]
    assert p.rows[0].flags == ["状态为“储备”（储备），未按标题记入 2024 年度计划"]
    assert _import(county_db, path).counts()["unchanged"] == 3


def test_figures_that_are_not_one_number_are_refused_or_flagged(county_db: Database, tmp_path: Path) -> None:
    """100+50, 100＋50, 100/50 under 总投资（万元） were stored as 100万元 silently: refused, the cell named;
    10户以上 and 不足100户 were exact: flagged; 1.2-1.5万平方米 was flagged but stored as 1.2 m²: the 万 is kept."""
    rows = [
        ["城关街道2023年老旧小区改造台账"],
        ["乡镇（街道）", "小区名称", "户数（户）", "建筑面积（平方米）", "总投资（万元）"],
        ["城关街道", "甲", 100, 5000, "100+50"],
        ["城关街道", "乙", 100, 5000, "100＋50"],
        ["城关街道", "丙", 100, 5000, "100/50"],
        ["城关街道", "丁", "10户以上", 5000, 100],
        ["城关街道", "戊", "不足100户", 5000, 100],
        ["城关街道", "己", 100, "1.2-1.5万平方米", 100],
    ]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path)
    for r, cell in zip(p.rows[:3], ("100+50", "100＋50", "100/50"), strict=True):
        assert r.action == "rejected"
        assert r.reason.startswith(f"总投资（万元）：“{cell}”写了不止一个数")
    got = _communities(county_db)
    assert set(got) == {"丁", "戊", "己"}
    assert p.rows[3].flags == ["户数（户）为约数（10户以上）"] and got["丁"].households == 10
    assert p.rows[4].flags == ["户数（户）为约数（不足100户）"] and got["戊"].households == 100
    assert got["己"].floor_area == Decimal("12000") and "建筑面积（平方米）为约数（1.2-1.5万平方米）" in p.rows[5].flags
    assert _import(county_db, path).counts()["unchanged"] == 3


def test_date_forms_clerks_type_are_read_and_never_refuse_the_row(county_db: Database, tmp_path: Path) -> None:
    """2021年3月15号, 2021年3月底/中旬/初, 20210315, 2021.3., 2021年底 and a span 2021.3.15-2021.9.30 in one cell
    refused the whole community row: each is read, the part of a month or year and the span said in a hint."""
    rows: list[list[object]] = [
        ["城关街道2021年老旧小区改造台账"],
        ["乡镇（街道）", "小区名称", "户数（户）", "实际开工时间", "计划完工时间", "状态"],
    ]
    cases = [
        ("2021年3月15号", None, "2021-03-15", None),
        ("2021年3月底", None, "2021-03-31", "实际开工时间 2021年3月底 写的是3月底，按 2021-03-31 记录，请核对"),
        ("2021年3月中旬", None, "2021-03-15", "实际开工时间 2021年3月中旬 写的是3月中旬，按 2021-03-15 记录，请核对"),
        ("2021年3月初", None, "2021-03-01", "实际开工时间 2021年3月初 写的是3月初，按 2021-03-01 记录，请核对"),
        ("20210315", None, "2021-03-15", None),
        (20210315, None, "2021-03-15", None),
        ("2021.3.", None, "2021-03-01", "实际开工时间只写到月，按当月 1 日记录"),
        ("2021-03-15", "2021年底", "2021-03-15", "计划完工时间 2021年底 写的是2021年底，按 2021-12-31 记录，请核对"),
        (
            "2021.3.15-2021.9.30",
            None,
            "2021-03-15",
            "实际开工时间 2021.3.15-2021.9.30 写的是一段时间，按开始日期 2021-03-15 导入（结束 2021-09-30），请核对",
        ),
    ]
    rows += [["城关街道", f"小区{i}", 100, a, b, "在建"] for i, (a, b, _, _) in enumerate(cases)]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path)
    assert [r.action for r in p.rows] == ["new"] * len(cases), [r.reason for r in p.rows]
    for r, (_, _, _, hint) in zip(p.rows, cases, strict=True):
        assert hint is None or hint in r.flags, r.flags
    assert p.rows[7].flags  # the planned completion's hint
    assert _import(county_db, path).counts()["unchanged"] == len(cases)
