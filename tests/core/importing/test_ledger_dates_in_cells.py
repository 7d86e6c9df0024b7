"""Dates as clerks type them into ledgers: 2021.10 in a number cell (kept as 2021.1 by Excel), a date inside a
status phrase (2023年3月15日开工, 2022年底完工), a year with its month (1995.6): each built in the test."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from oldcomm_desktop.core.model import Milestone
from oldcomm_desktop.storage.database import Database
from tests.core.importing.ledgers import _communities, _import, _plan, write


def _milestones(db: Database, name: str) -> dict[str, date]:
    c = _communities(db)[name]
    with db.transaction("测试员") as s:
        return {m.kind: m.reached_on for m in s.scalars(select(Milestone).where(Milestone.community_id == c.id))}


def _twice(db: Database, path: Path) -> None:
    """The same file again changes nothing."""
    counts = _import(db, path).counts()
    assert counts["new"] == counts["updated"] == 0, counts


def test_a_number_cell_2021_1_may_be_october_and_is_flagged(county_db: Database, tmp_path: Path) -> None:
    """2021.10 typed into a number cell is stored as 2021.1: it was read as January without a word. January it
    stays, but the row says it may be October; 2021.11 and 2021.12 are no doubt, and the text '2021.10' is October."""
    rows: list[list[Any]] = [
        ["乡镇（街道）", "小区名称", "状态", "完工时间"],
        ["城关街道", "甲", "已完工", 2021.1],
        ["城关街道", "乙", "已完工", 2021.12],
        ["城关街道", "丙", "已完工", "2021.10"],
        ["城关街道", "丁", "已完工", 2021.11],
    ]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path)
    assert [r.action for r in p.rows] == ["new"] * 4
    assert p.rows[0].flags == [
        "完工时间 2021.1 可能是2021年10月（Excel 把 2021.10 存成了 2021.1），已按2021年1月导入，请核对"
    ]
    for r in p.rows[1:]:
        assert r.flags == ["完工时间只写到月，按当月 1 日记录"]
    assert _milestones(county_db, "甲")["completion"] == date(2021, 1, 1)
    assert _milestones(county_db, "乙")["completion"] == date(2021, 12, 1)
    assert _milestones(county_db, "丙")["completion"] == date(2021, 10, 1)
    assert _milestones(county_db, "丁")["completion"] == date(2021, 11, 1)
    _twice(county_db, path)


def test_a_date_in_the_status_cell_dates_the_milestone_its_word_names(county_db: Database, tmp_path: Path) -> None:
    """2023年3月15日开工 in the status cell: started, on that day (it was dated the day of the import); 完工 and
    竣工 date the completion; a date alone with 已完工 after it too."""
    rows: list[list[Any]] = [
        ["乡镇（街道）", "小区名称", "状态"],
        ["城关街道", "甲", "2023年3月15日开工"],
        ["城关街道", "乙", "已于2023年3月开工"],
        ["城关街道", "丙", "2022年底完工"],
        ["城关街道", "丁", "2022.12竣工"],
        ["城关街道", "戊", "2021年12月已完工"],
        ["城关街道", "己", "2023年3月开工，2024年5月完工"],
    ]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path)
    assert [r.action for r in p.rows] == ["new"] * 6
    c = _communities(county_db)
    assert c["甲"].status == "started" and _milestones(county_db, "甲") == {"start": date(2023, 3, 15)}
    assert p.rows[0].flags == []
    assert _milestones(county_db, "乙") == {"start": date(2023, 3, 1)}
    assert p.rows[1].flags == ["状态“已于2023年3月开工”中的日期只写到月（2023年3月），按当月 1 日记录"]
    for name in ("丙", "丁"):
        assert c[name].status == "completed"
        assert _milestones(county_db, name) == {"start": date(2022, 12, 1), "completion": date(2022, 12, 1)}
    assert _milestones(county_db, "戊")["completion"] == date(2021, 12, 1) and c["戊"].status == "completed"
    assert _milestones(county_db, "己") == {"start": date(2023, 3, 1), "completion": date(2024, 5, 1)}
    assert not any("导入日期" in f for r in p.rows for f in r.flags)
    _twice(county_db, path)


def test_a_date_phrase_in_a_date_column_is_read_not_refused(county_db: Database, tmp_path: Path) -> None:
    """2023年3月15日开工 under 开工时间 refused the row; a phrase naming the other milestone goes to it, said."""
    rows: list[list[Any]] = [
        ["乡镇（街道）", "小区名称", "开工时间", "完工时间"],
        ["城关街道", "甲", "2023年3月15日开工", "2023年11月底完工"],
        ["城关街道", "乙", "2022年底完工", None],
    ]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path)
    assert [r.action for r in p.rows] == ["new", "new"]
    assert _milestones(county_db, "甲") == {"start": date(2023, 3, 15), "completion": date(2023, 11, 1)}
    assert _milestones(county_db, "乙") == {"start": date(2022, 12, 1), "completion": date(2022, 12, 1)}
    assert "开工时间“2022年底完工”写的是完工，按完工时间导入，请核对" in p.rows[1].flags
    _twice(county_db, path)


def test_a_column_s_date_wins_over_the_status_cell_s_and_a_different_one_is_said(
    county_db: Database, tmp_path: Path
) -> None:
    rows: list[list[Any]] = [
        ["乡镇（街道）", "小区名称", "状态", "开工时间"],
        ["城关街道", "甲", "2023年3月开工", "2023-03-15"],  # agree (the month): the column's day
        ["城关街道", "乙", "2023年3月开工", "2023-05-20"],  # disagree: the column, said
    ]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    assert _milestones(county_db, "甲") == {"start": date(2023, 3, 15)} and p.rows[0].flags == []
    assert _milestones(county_db, "乙") == {"start": date(2023, 5, 20)}
    assert p.rows[1].flags == [
        "状态“2023年3月开工”中的日期 2023年3月 与开工时间“2023-05-20”不一致，按开工时间导入，请核对"
    ]


def test_a_planned_date_in_a_status_cell_is_the_planned_start_not_a_start(county_db: Database, tmp_path: Path) -> None:
    """计划2024年6月开工 is a plan; 2024年6月底前完工 a deadline (it was completed, on the day of the import); a date
    beside words that name no milestone (2023年3月施工中: the works were going on then) is left out, said."""
    rows: list[list[Any]] = [
        ["乡镇（街道）", "小区名称", "状态"],
        ["城关街道", "甲", "计划2024年6月开工"],
        ["城关街道", "乙", "2024年6月底前完工"],
        ["城关街道", "丙", "2023年3月施工中"],
    ]
    p = _import(county_db, write(tmp_path / "a.xlsx", rows))
    c = _communities(county_db)
    assert [r.action for r in p.rows] == ["new"] * 3
    assert _milestones(county_db, "甲") == _milestones(county_db, "乙") == {}
    assert c["甲"].planned_start == date(2024, 6, 1) and c["乙"].planned_completion == date(2024, 6, 1)
    assert c["丙"].status == "started"
    assert p.rows[2].flags[0] == "状态“2023年3月施工中”中的日期 2023年3月 不能确定是哪个进度节点的日期，未导入"


def test_a_bad_date_in_a_status_cell_is_said_and_the_word_still_counts(county_db: Database, tmp_path: Path) -> None:
    rows: list[list[Any]] = [["乡镇（街道）", "小区名称", "状态"], ["城关街道", "甲", "2023年13月开工"]]
    p = _plan(county_db, write(tmp_path / "a.xlsx", rows))
    assert p.rows[0].action == "new"
    assert "状态“2023年13月开工”中“2023年13月”不是有效日期，日期未导入" in p.rows[0].flags


def test_a_year_typed_with_its_month_is_the_year(county_db: Database, tmp_path: Path) -> None:
    """1995.6 in a number cell under 建成年代 was refused (不是年份): it is 1995 (June), as the text 1995.06 is."""
    rows: list[list[Any]] = [
        ["乡镇（街道）", "小区名称", "建成年代"],
        ["城关街道", "甲", 1995.6],
        ["城关街道", "乙", "1995.06"],
        ["城关街道", "丙", 1995.1],
    ]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path)
    assert [(r.action, r.flags) for r in p.rows] == [("new", [])] * 3
    assert {n: c.year_built for n, c in _communities(county_db).items()} == {"甲": 1995, "乙": 1995, "丙": 1995}
    _twice(county_db, path)
