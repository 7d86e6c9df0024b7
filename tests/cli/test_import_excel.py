"""`oldcomm import-excel`: dry run, mapping printed and read, rejected-rows report, township rules, twice = once."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from pathlib import Path

from tests.cli.test_cli import ok, oldcomm, refused
from tests.core.importing.ledgers import messy_county_ledger, write


def _county(tmp_path: Path) -> Path:
    db = tmp_path / "c.sqlite3"
    ok(tmp_path, "--db", db, "init", "--county-code", "341122000000", "--county-name", "青禾县")
    return db


def _rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_dry_run_import_summary_search_and_twice(tmp_path: Path) -> None:
    db = _county(tmp_path)
    path = messy_county_ledger(tmp_path / "台账.xlsx")
    r = ok(tmp_path, "--db", db, "import-excel", path, "--dry-run", "--add-townships")
    assert "预演：新增 3" in r.out and "数据库没有改动" in r.out and '"小区名称": "name"' in r.out
    assert "核对不符 第 5 行“全县小计:”户数" in r.out
    assert "第 7 列 户数 → 户数（1,200 | ２３０余户 | 300）" in r.out  # the values under it, not the subtotal's
    assert _rows(db, "select count(*) from community") == [(0,)]
    r = ok(tmp_path, "--db", db, "import-excel", path, "--add-townships")
    assert "已导入：新增 3 个" in r.out
    summary = json.loads(ok(tmp_path, "--db", db, "summary", "--json").out)
    assert (summary["communities"], summary["households"], summary["floor_area_m2"]) == (3, 1730, 41500.0)
    assert summary["investment_yuan"] == 11_800_000.0
    assert "幸福里小区" in ok(tmp_path, "--db", db, "list", "communities", "--search", "xfl").out
    assert "建设新村" in ok(tmp_path, "--db", db, "list", "communities", "--search", "建设").out
    audit = _rows(db, "select count(*) from audit_log")
    r = ok(tmp_path, "--db", db, "import-excel", path, "--add-townships")
    assert "无变化 3 个" in r.out
    assert _rows(db, "select count(*) from audit_log") == audit
    ok(tmp_path, "--db", db, "check")


def test_rejected_rows_report_is_read_by_libreoffice(tmp_path: Path) -> None:
    db = _county(tmp_path)
    path = write(tmp_path / "a.xlsx", [["乡镇", "小区名称", "户数"], ["城关街道", "甲", 10], ["南河镇", "乙", "很多"]])
    ok(tmp_path, "--db", db, "import-excel", path, "--report", tmp_path / "rej.xlsx", "--dry-run")
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "rej.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = (tmp_path / "rej.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith('"行号","处理","原因"')
    assert "南河镇" in text and "未登记" in text and "户数" in text


def test_mapping_file_and_questions(tmp_path: Path) -> None:
    db = _county(tmp_path)
    path = write(
        tmp_path / "a.xlsx",
        [["乡镇（街道）", "小区名称", "建筑面积"], ["城关街道", "甲", 1.84], ["城关街道", "乙", 2.2]],
    )
    r = oldcomm(tmp_path, "--db", db, "import-excel", path, "--add-townships")
    assert r.rc == 1 and "万平方米" in r.out + r.err and "Traceback" not in r.err
    mapping = tmp_path / "m.json"
    mapping.write_text(
        json.dumps({"columns": {"建筑面积": "floor_area"}, "units": {"floor_area": "万平方米"}}), encoding="utf-8"
    )
    ok(tmp_path, "--db", db, "import-excel", path, "--mapping", mapping, "--add-townships")
    assert _rows(db, "select name, floor_area from community order by name") == [("乙", 2200000), ("甲", 1840000)]


def test_township_mode_and_bad_files(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    ok(tmp_path, "--db", db, "init", "--township-code", "341122001000", "--township-name", "城关街道")
    path = write(tmp_path / "a.xlsx", [["乡镇", "小区名称", "户数"], ["城关街道", "甲", 10], ["东城街道", "乙", 20]])
    r = ok(tmp_path, "--db", db, "import-excel", path)
    assert "拒绝 第 3 行 乙" in r.out and "不是本乡镇" in r.out
    assert _rows(db, "select name from community") == [("甲",)]
    only_theirs = write(tmp_path / "b.xlsx", [["乡镇", "小区名称", "户数"], ["东城街道", "丙", 20]])
    r = oldcomm(tmp_path, "--db", db, "import-excel", only_theirs)  # nothing imported: said, and not exit 0
    assert r.rc == 1 and "没有导入任何小区" in r.out and "Traceback" not in r.err
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    r = oldcomm(tmp_path, "--db", db, "import-excel", tmp_path / "old.xls")
    assert r.rc == 1 and "另存为 .xlsx" in r.err and "Traceback" not in r.err
    r = oldcomm(tmp_path, "--db", db, "import-excel", tmp_path / "missing.xlsx")
    assert r.rc == 1 and "找不到文件" in r.err


def test_confirm_answers_the_dry_runs_questions(tmp_path: Path) -> None:
    """A unit the import must not guess and a year a single edit asks about: asked, imported only with --confirm."""
    from oldcomm_desktop.core import catalogues
    from oldcomm_desktop.storage.database import open_database

    db = _county(tmp_path)
    database = open_database(db)
    with database.transaction("测试员") as s:
        catalogues.set_setting(s, "eligibility_extension_year", 2005)
    database.close()
    path = write(
        tmp_path / "a.xlsx",
        [
            ["乡镇（街道）", "小区名称", "建成年份", "建筑面积"],
            ["城关街道", "甲", 1990, 1.84],
            ["城关街道", "乙", 2003, 2.2],
            ["城关街道", "丙", 1985, 0.9],
        ],
    )
    r = ok(tmp_path, "--db", db, "import-excel", path, "--add-townships", "--dry-run")
    assert "需要确认：“建筑面积”列没有写单位" in r.out and "--confirm" in r.out
    r = oldcomm(tmp_path, "--db", db, "import-excel", path, "--add-townships")
    assert r.rc == 1 and "--confirm" in r.err and "Traceback" not in r.err
    assert _rows(db, "select count(*) from community") == [(0,)]
    r = ok(tmp_path, "--db", db, "import-excel", path, "--add-townships", "--confirm")
    assert "已确认：“建筑面积”按万平方米导入" in r.out and "新增 3 个" in r.out
    assert _rows(db, "select name, year_built, floor_area from community order by year_built") == [
        ("丙", 1985, 900000),
        ("甲", 1990, 1840000),
        ("乙", 2003, 2200000),
    ]


def test_a_row_asking_about_the_extension_years_stops_the_import_until_confirmed(tmp_path: Path) -> None:
    from oldcomm_desktop.core import catalogues
    from oldcomm_desktop.storage.database import open_database

    db = _county(tmp_path)
    database = open_database(db)
    with database.transaction("测试员") as s:
        catalogues.set_setting(s, "eligibility_extension_year", 2005)
    database.close()
    rows = [["乡镇", "小区名称", "建成年份"], ["城关街道", "甲", 1990], ["城关街道", "乙", 2003]]
    path = write(tmp_path / "a.xlsx", rows)
    r = oldcomm(tmp_path, "--db", db, "import-excel", path, "--add-townships")
    assert r.rc == 1 and "需要确认：第 3 行 乙" in r.out and "--confirm" in r.err
    assert _rows(db, "select count(*) from community") == [(0,)]
    ok(tmp_path, "--db", db, "import-excel", path, "--add-townships", "--confirm")
    assert _rows(db, "select name from community order by name") == [("乙",), ("甲",)]


def test_a_bad_report_path_or_mapping_file_gets_a_chinese_message_and_no_traceback(tmp_path: Path) -> None:
    db = _county(tmp_path)
    path = write(tmp_path / "a.xlsx", [["乡镇", "小区名称", "户数"], ["城关街道", "甲", 10]])
    before = path.read_bytes()
    r = refused(tmp_path, 1, "--db", db, "import-excel", path, "--dry-run", "--report", path)
    assert "就是要导入的台账" in r.err and path.read_bytes() == before  # the clerk's ledger is never overwritten
    r = refused(tmp_path, 1, "--db", db, "import-excel", path, "--dry-run", "--report", tmp_path)
    assert "是一个文件夹" in r.err and "Exception ignored" not in r.err
    for content, said in [
        ('{"year": "二〇二三"}', "应为四位数字"),
        ('{"units": {"floor_area": "亩"}}', "无法换算"),
        ("{'columns': {}}", "不是有效的 JSON"),
    ]:
        m = tmp_path / "m.json"
        m.write_text(content, encoding="utf-8")
        r = refused(tmp_path, 1, "--db", db, "import-excel", path, "--dry-run", "--mapping", m)
        assert said in r.err, r.err
    (tmp_path / "gbk.json").write_bytes('{"columns": {"小区名称": "name"}}'.encode("gbk"))
    r = refused(tmp_path, 1, "--db", db, "import-excel", path, "--dry-run", "--mapping", tmp_path / "gbk.json")
    assert "不是 UTF-8 编码" in r.err
    assert "找不到对应关系文件" in refused(tmp_path, 1, "--db", db, "import-excel", path, "--mapping", "no.json").err


def test_the_dry_run_shows_merged_figures_error_cells_and_hidden_rows(tmp_path: Path) -> None:
    db = _county(tmp_path)
    path = write(
        tmp_path / "a.xlsx",
        [
            ["乡镇（街道）", "小区名称", "户数", "总投资（万元）"],
            ["城关街道", "甲小区", 100, 400],
            ["城关街道", "乙小区", "#DIV/0!", None],
            ["城关街道", "丙小区", 80, 20],
        ],
        merges=("D2:D3",),
        hidden=(4,),
    )
    r = ok(tmp_path, "--db", db, "import-excel", path, "--dry-run", "--add-townships")
    assert "提示 第 2 行 甲小区：总投资（万元）“400”是第 2–3 行合并的单元格（D2:D3）" in r.out
    assert "户数（C3）是 Excel 错误值“#DIV/0!”，未导入" in r.out
    assert "提示 第 4 行 丙小区：隐藏行" in r.out
    assert _rows(db, "select count(*) from community") == [(0,)]


def test_the_dry_run_says_the_headline_figures_and_mapping_mistakes_in_chinese(tmp_path: Path) -> None:
    db = _county(tmp_path)
    path = messy_county_ledger(tmp_path / "台账.xlsx")
    r = ok(tmp_path, "--db", db, "import-excel", path, "--dry-run", "--add-townships")
    headline = [line for line in r.out.splitlines() if "标题中的数字" in line]
    assert headline and "  标题中的数字 户数：960 户（仅供参考）" in headline
    assert not any(re.search(r"[A-Za-z]", line) for line in headline), headline
    m = tmp_path / "m.json"
    m.write_text('{"columns": {"户数": "household"}, "units": {"floor_area": "亩"}}', encoding="utf-8")
    err = refused(tmp_path, 1, "--db", db, "import-excel", path, "--dry-run", "--mapping", m).err
    assert "households（户数）" in err and "name（小区名称）" in err
    m.write_text('{"units": {"floor_area": "亩"}}', encoding="utf-8")
    err = refused(tmp_path, 1, "--db", db, "import-excel", path, "--dry-run", "--mapping", m).err
    assert "“floor_area”（建筑面积）的单位“亩”无法换算" in err


def test_a_year_that_is_not_one_gets_a_chinese_usage_message(tmp_path: Path) -> None:
    db = _county(tmp_path)
    path = write(tmp_path / "a.xlsx", [["乡镇", "小区名称", "开工时间"], ["城关街道", "甲", "3月15日"]])
    for given, said in (("20x5", "应为四位数字"), ("1800", "不在 1949–2100 之间")):
        r = refused(tmp_path, 2, "--db", db, "import-excel", path, "--year", given, "--dry-run")
        assert f"用法错误：--year “{given}”{said}" in r.err, r.err
        assert "argument" not in r.err and "invalid" not in r.err
    r = ok(tmp_path, "--db", db, "import-excel", path, "--year", "２０２４", "--dry-run", "--add-townships")
    assert "年份：2024" in r.out
    r = ok(tmp_path, "--db", db, "import-excel", path, "--dry-run", "--add-townships")
    assert "“3月15日”没有年份" in r.out and "--year" in r.out  # no year anywhere: asked, never assumed
    rows = [["截至2024年6月底老旧小区改造进度表"], ["乡镇", "小区名称", "开工时间"], ["城关街道", "甲", "3月15日"]]
    r = ok(tmp_path, "--db", db, "import-excel", write(tmp_path / "b.xlsx", rows), "--dry-run", "--add-townships")
    assert "年份：2024（标题中只有截至日期" in r.out and "按标题中截至日期的年份记为 2024 年" in r.out


def test_a_column_headed_only_mianji_is_shown_as_floor_area_in_the_dry_run(tmp_path: Path) -> None:
    db = _county(tmp_path)
    path = write(tmp_path / "a.xlsx", [["乡镇", "小区名称", "面积（㎡）"], ["城关街道", "甲", 3000]])
    r = ok(tmp_path, "--db", db, "import-excel", path, "--dry-run", "--add-townships")
    assert "第 3 列 面积（㎡） → 建筑面积（3000）" in r.out and '"面积（㎡）": "floor_area"' in r.out
    assert "“面积（㎡）”列只写了面积，按建筑面积导入" in r.out


def test_dry_run_shows_a_row_the_returns_period_lock_refuses(tmp_path: Path) -> None:
    """A row that would change an approved, locked return is listed as 拒绝 with the lock's reason; the import
    leaves the approved figure as it was and takes the rest of the file."""
    db = _county(tmp_path)
    head = ["乡镇（街道）", "小区名称", "户数", "建筑面积（平方米）", "总投资（万元）", "改造年度"]
    rows = [head, ["城关街道", "幸福里", 120, 12000, 400, 2026], ["城关街道", "旧年小区", 50, 3000, 100, 2025]]
    ok(tmp_path, "--db", db, "import-excel", write(tmp_path / "a.xlsx", rows), "--add-townships")
    [(town,)] = _rows(db, "select township_code from community where name = '幸福里'")
    for step in ("submit", "approve"):
        ok(tmp_path, "--db", db, "return", step, "progress", "--period", "2026-05", "--township", town)
    rows[1][2], rows[2][2] = 125, 55
    path = write(tmp_path / "b.xlsx", rows)
    r = ok(tmp_path, "--db", db, "import-excel", path, "--dry-run")
    assert "预演：新增 0，更新 1，无变化 0，拒绝 1" in r.out
    assert "拒绝 第 2 行 幸福里：2026年1–5月进度月报表已审核通过并锁定" in r.out and "重新打开" in r.out
    r = ok(tmp_path, "--db", db, "import-excel", path)
    assert "已导入：新增 0 个，更新 1 个，无变化 0 个，拒绝 1 行" in r.out
    assert sorted(_rows(db, "select name, households from community")) == [("幸福里", 120), ("旧年小区", 55)]
