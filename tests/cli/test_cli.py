"""`oldcomm` end to end: every command run as a subprocess in a temporary folder.

OLDCOMM_DB is unset and HOME / XDG_DATA_HOME point into tmp, so nothing reaches the real user folder.
Figures are checked against the database itself (the `sqlite3` module, or SQLAlchemy on PostgreSQL).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from oldcomm_desktop.core.pinyin_search import sort_key

try:
    from tests.conftest import COUNTY_CODE, TOWNSHIP_CODE, TOWNSHIP_NAME, _reset_postgres, postgres_url
except ModuleNotFoundError:  # bare `pytest` does not put the repository root on sys.path
    import importlib.util

    _spec = importlib.util.spec_from_file_location("_oldcomm_conftest", Path(__file__).parents[1] / "conftest.py")
    _conftest = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_conftest)
    COUNTY_CODE, TOWNSHIP_CODE, TOWNSHIP_NAME = _conftest.COUNTY_CODE, _conftest.TOWNSHIP_CODE, _conftest.TOWNSHIP_NAME
    _reset_postgres, postgres_url = _conftest._reset_postgres, _conftest.postgres_url

STATUSES = ("reserve", "planned", "started", "completed", "accepted", "withdrawn")
DEMO_TOWNSHIPS = ("341122001000", "341122002000", "341122101000", "341122102000", "341122201000")
MEASURES = ("communities", "households", "floor_area_m2", "investment_yuan", "investment_completed_yuan")


@dataclass
class Result:
    rc: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OLDCOMM_DB", "XDG_DATA_HOME")}
    env.update(
        HOME=str(home / "home"),
        XDG_DATA_HOME=str(home / "xdg"),
        PYTHONUTF8="1",
        PYTHONIOENCODING="utf-8",
    )
    return env


def oldcomm(cwd: Path, *args: str | Path) -> Result:
    """Run `python -m oldcomm_desktop ARGS` in `cwd`, with a private home folder inside it."""
    proc = subprocess.run(
        [sys.executable, "-m", "oldcomm_desktop", *map(str, args)],
        cwd=cwd,
        env=_env(cwd),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def ok(cwd: Path, *args: str | Path) -> Result:
    r = oldcomm(cwd, *args)
    assert r.rc == 0, f"oldcomm {' '.join(map(str, args))} → {r.rc}\n{r.text}"
    assert "Traceback" not in r.err
    return r


def refused(cwd: Path, rc: int, *args: str | Path) -> Result:
    """The command must end with `rc` and a Chinese message, never a traceback."""
    r = oldcomm(cwd, *args)
    assert r.rc == rc, f"oldcomm {' '.join(map(str, args))} → {r.rc}, expected {rc}\n{r.text}"
    assert "Traceback" not in r.err, r.err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.err), f"no Chinese message: {r.err!r}"
    return r


def summary_json(cwd: Path, db: str | Path, *more: str) -> dict:
    return json.loads(ok(cwd, "summary", "--db", db, "--json", *more).out)


def list_json(cwd: Path, db: str | Path, what: str, *more: str) -> list[dict]:
    return json.loads(ok(cwd, "list", what, "--db", db, "--json", *more).out)


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def sql(path: Path, query: str, *params: object) -> list[tuple]:
    conn = connect(path)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def write_sql(path: Path, query: str, *params: object) -> int:
    conn = sqlite3.connect(path)
    try:
        n = conn.execute(query, params).rowcount
        conn.commit()
        return n
    finally:
        conn.close()


def dump(path: Path) -> list[str]:
    """The whole content of a database, to show that a refused command changed nothing."""
    conn = connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def database_in_backup(backup: Path, to: Path) -> Path:
    """The database a backup file (a zip with manifest.json) holds, extracted to `to`."""
    import zipfile

    with zipfile.ZipFile(backup) as zf:
        assert json.loads(zf.read("manifest.json"))["format"] == "oldcomm-backup"
        to.write_bytes(zf.read("database.sqlite3"))
    return to


def copy_db(src: Path, dst: Path) -> Path:
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()
    return dst


def _totals_from_sql(rows: list[tuple]) -> dict:
    n, hh, area, inv, done = rows[0]
    return {
        "communities": n,
        "households": hh or 0,
        "floor_area_fen": area or 0,
        "investment_fen": inv or 0,
        "completed_fen": done or 0,
    }


def _totals_from_json(t: dict) -> dict:
    return {
        "communities": t["communities"],
        "households": t["households"],
        "floor_area_fen": round(t["floor_area_m2"] * 100),
        "investment_fen": round(t["investment_yuan"] * 100),
        "completed_fen": round(t["investment_completed_yuan"] * 100),
    }


TOTALS_SQL = """
    SELECT count(*), sum(households), sum(floor_area), sum(total_investment),
           (SELECT sum(e.amount) FROM investment_entry e JOIN community k ON k.id = e.community_id
             WHERE e.deleted_at IS NULL AND k.deleted_at IS NULL {where_k})
      FROM community c WHERE c.deleted_at IS NULL {where_c}
"""


def sql_totals(path: Path, *, status: str | None = None, township: str | None = None) -> dict:
    where_c, where_k, params = "", "", []
    for column, value in (("status", status), ("township_code", township)):
        if value is not None:
            where_c += f" AND c.{column} = ?"
            where_k += f" AND k.{column} = ?"
            params.append(value)
    # the sub-select's placeholders come first in the text
    query = TOTALS_SQL.format(where_c=where_c, where_k=where_k)
    return _totals_from_sql(sql(path, query, *params, *params))


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo county for the whole module (read-only: tests that write use `demo_db`, a copy)."""
    cwd = tmp_path_factory.mktemp("demo")
    r = ok(cwd, "demo", "--db", "demo.sqlite3")
    assert "40 个小区" in r.out
    return cwd / "demo.sqlite3"


@pytest.fixture
def demo_db(demo_master: Path, tmp_path: Path) -> Path:
    return copy_db(demo_master, tmp_path / "ledger.sqlite3")


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[str]:
    url = postgres_url()
    _reset_postgres(url)
    yield url


# ---------------------------------------------------------------- init


def test_init_township_mode(tmp_path: Path) -> None:
    r = ok(tmp_path, "init", "--db", "t.sqlite3", "--township-code", TOWNSHIP_CODE, "--township-name", TOWNSHIP_NAME)
    db = tmp_path / "t.sqlite3"
    assert "乡镇模式" in r.out and TOWNSHIP_CODE in r.out and str(db) in r.out
    settings = dict(sql(db, "SELECT key, value FROM setting"))
    assert json.loads(settings["mode"]) == "township"
    assert json.loads(settings["own_division_code"]) == TOWNSHIP_CODE
    assert json.loads(settings["own_division_name"]) == TOWNSHIP_NAME
    divisions = dict(sql(db, "SELECT code, level FROM division"))
    assert divisions[TOWNSHIP_CODE] == "township" and divisions[COUNTY_CODE] == "county"
    assert sql(db, "SELECT count(*) FROM checklist_template")[0][0] >= 3  # catalogues seeded
    totals = summary_json(tmp_path, db)
    assert {k: totals[k] for k in MEASURES} == dict.fromkeys(MEASURES, 0)
    assert ok(tmp_path, "check", "--db", db).rc == 0


def test_init_county_mode_with_an_operator(tmp_path: Path) -> None:
    r = ok(
        tmp_path,
        "init",
        "--db",
        "c.sqlite3",
        "--county-code",
        COUNTY_CODE,
        "--county-name",
        "青禾县",
        "--operator",
        "王敏",
    )
    assert "县级模式" in r.out and "青禾县" in r.out
    db = tmp_path / "c.sqlite3"
    settings = dict(sql(db, "SELECT key, value FROM setting"))
    assert json.loads(settings["mode"]) == "county"
    assert json.loads(settings["own_division_code"]) == COUNTY_CODE
    assert sql(db, "SELECT name, role FROM operator") == [("王敏", "county")]
    assert ("王敏",) in sql(db, "SELECT DISTINCT operator FROM audit_log")  # changes are signed


def test_init_again_with_the_same_identity_is_harmless(tmp_path: Path) -> None:
    args = ("init", "--db", "t.sqlite3", "--township-code", TOWNSHIP_CODE, "--township-name", TOWNSHIP_NAME)
    ok(tmp_path, *args)
    n = sql(tmp_path / "t.sqlite3", "SELECT count(*) FROM item_type")[0][0]
    ok(tmp_path, *args)
    assert sql(tmp_path / "t.sqlite3", "SELECT count(*) FROM item_type")[0][0] == n  # not seeded twice


def test_init_without_db_uses_the_private_data_folder(tmp_path: Path) -> None:
    ok(tmp_path, "init", "--township-code", TOWNSHIP_CODE, "--township-name", TOWNSHIP_NAME)
    expected = tmp_path / "xdg" / "oldcomm" / "oldcomm.sqlite3"
    assert expected.is_file()
    assert json.loads(sql(expected, "SELECT value FROM setting WHERE key='mode'")[0][0]) == "township"
    assert summary_json(tmp_path, expected)["communities"] == 0
    assert ok(tmp_path, "summary", "--json").out == ok(tmp_path, "summary", "--db", expected, "--json").out


BAD_INITS = [
    pytest.param(1, "应为 12 位数字", ["--township-code", "12345", "--township-name", "城关"], id="short-code"),
    pytest.param(1, "应为 12 位数字", ["--township-code", "34112200100X", "--township-name", "城关"], id="not-digits"),
    pytest.param(
        1, "不是乡镇（街道）级", ["--township-code", COUNTY_CODE, "--township-name", "城关"], id="county-as-town"
    ),
    pytest.param(1, "不是县级", ["--county-code", TOWNSHIP_CODE, "--county-name", "青禾县"], id="town-as-county"),
    pytest.param(1, "名称：必须填写", ["--township-code", TOWNSHIP_CODE, "--township-name", "  "], id="blank-name"),
    pytest.param(2, "代码和名称都要给出", ["--township-code", TOWNSHIP_CODE], id="missing-name"),
    pytest.param(2, "代码和名称都要给出", ["--county-name", "青禾县"], id="missing-code"),
    pytest.param(2, "二选一", [], id="no-identity"),
    pytest.param(
        2, "二选一", ["--township-code", TOWNSHIP_CODE, "--county-code", COUNTY_CODE, "--county-name", "x"], id="both"
    ),
]


@pytest.mark.parametrize(("rc", "message", "args"), BAD_INITS)
def test_bad_init_on_an_existing_database_changes_nothing(tmp_path: Path, rc: int, message: str, args: list) -> None:
    ok(tmp_path, "init", "--db", "t.sqlite3", "--township-code", TOWNSHIP_CODE, "--township-name", TOWNSHIP_NAME)
    before = dump(tmp_path / "t.sqlite3")
    r = refused(tmp_path, rc, "init", "--db", "t.sqlite3", *args)
    assert message in r.err
    assert dump(tmp_path / "t.sqlite3") == before


@pytest.mark.parametrize(("rc", "message", "args"), BAD_INITS)
def test_bad_init_creates_no_database(tmp_path: Path, rc: int, message: str, args: list) -> None:
    r = refused(tmp_path, rc, "init", "--db", "new.sqlite3", *args)
    assert message in r.err
    assert not (tmp_path / "new.sqlite3").exists()
    assert not (tmp_path / "xdg").exists()


def test_init_cannot_change_whose_database_it_is(tmp_path: Path) -> None:
    ok(tmp_path, "init", "--db", "t.sqlite3", "--township-code", TOWNSHIP_CODE, "--township-name", TOWNSHIP_NAME)
    before = dump(tmp_path / "t.sqlite3")
    r = refused(
        tmp_path, 1, "init", "--db", "t.sqlite3", "--township-code", "341122002000", "--township-name", "东城街道"
    )
    assert f"已经属于 {TOWNSHIP_CODE}" in r.err
    assert dump(tmp_path / "t.sqlite3") == before


# ---------------------------------------------------------------- demo and summary


def test_demo_summary_agrees_with_itself_and_with_sql(demo_master: Path) -> None:
    cwd = demo_master.parent
    data = summary_json(cwd, demo_master)
    assert data["communities"] == 40
    by_status = data["by_status"]
    assert set(by_status) == set(STATUSES)
    for measure in MEASURES:  # the total is the sum over statuses (floats from exact hundredths: compare in fen)
        assert round(data[measure] * 100) == sum(round(g[measure] * 100) for g in by_status.values()), measure
    assert _totals_from_json(data) == sql_totals(demo_master)
    for status, group in by_status.items():
        assert _totals_from_json(group) == sql_totals(demo_master, status=status), status
    # the demo reaches every stage
    assert all(by_status[s]["communities"] > 0 for s in ("reserve", "started", "completed", "accepted", "withdrawn"))
    assert sql(demo_master, "SELECT count(*) FROM project WHERE money_split = 0")[0][0] == 0  # all money per community


def test_summary_filters_agree_with_sql(demo_master: Path) -> None:
    cwd = demo_master.parent
    total = 0
    for code in DEMO_TOWNSHIPS:
        data = summary_json(cwd, demo_master, "--township", code)
        assert _totals_from_json(data) == sql_totals(demo_master, township=code), code
        total += data["communities"]
    assert total == 40
    years = [y for (y,) in sql(demo_master, "SELECT DISTINCT plan_year FROM community WHERE plan_year IS NOT NULL")]
    assert years
    for year in years:
        data = summary_json(cwd, demo_master, "--year", str(year))
        n = sql(demo_master, "SELECT count(*) FROM community WHERE plan_year = ? AND deleted_at IS NULL", year)[0][0]
        assert data["communities"] == n


def test_summary_table_prints_the_same_figures(demo_master: Path) -> None:
    cwd = demo_master.parent
    data = summary_json(cwd, demo_master)
    out = ok(cwd, "summary", "--db", demo_master).out
    total_line = next(line for line in out.splitlines() if line.startswith("合计"))
    assert f"{data['households']:,}" in total_line and f"{data['floor_area_m2']:,.2f}" in total_line
    assert f"{data['investment_yuan'] / 10000:,.2f}" in total_line  # 万元 with 2 decimals
    done = data["by_status"]["completed"]["communities"] + data["by_status"]["accepted"]["communities"]
    assert f"完成改造（已完工+已验收）：{done} 个小区" in out
    assert "效果指标" in out and "加装电梯" in out
    for by, label in (("township", "城关街道"), ("year", "年"), ("project", "老旧小区改造项目")):
        table = ok(cwd, "summary", "--db", demo_master, "--by", by).out
        assert label in table
        assert next(line for line in table.splitlines() if line.startswith("合计")) == total_line, by


def test_demo_on_a_used_database_is_refused(demo_db: Path, tmp_path: Path) -> None:
    before = dump(demo_db)
    r = refused(tmp_path, 1, "demo", "--db", demo_db, "--communities", "3")
    assert "已有数据" in r.err
    assert dump(demo_db) == before
    ok(tmp_path, "init", "--db", "t.sqlite3", "--township-code", TOWNSHIP_CODE, "--township-name", TOWNSHIP_NAME)
    before = dump(tmp_path / "t.sqlite3")
    refused(tmp_path, 1, "demo", "--db", "t.sqlite3", "--communities", "3")  # a township database
    assert dump(tmp_path / "t.sqlite3") == before


def test_demo_into_a_fresh_county_database(tmp_path: Path) -> None:
    ok(tmp_path, "init", "--db", "c.sqlite3", "--county-code", COUNTY_CODE, "--county-name", "青禾县")
    ok(tmp_path, "demo", "--db", "c.sqlite3", "--communities", "7", "--seed", "5")
    data = summary_json(tmp_path, "c.sqlite3")
    assert data["communities"] == 7
    assert _totals_from_json(data) == sql_totals(tmp_path / "c.sqlite3")


def test_summary_needs_an_initialised_existing_database(tmp_path: Path) -> None:
    r = refused(tmp_path, 1, "summary", "--db", "missing.sqlite3")
    assert "不存在" in r.err and "oldcomm init" in r.err
    assert not (tmp_path / "missing.sqlite3").exists()
    sqlite3.connect(tmp_path / "empty.sqlite3").close()  # an empty file: migrated on open, but not initialised
    r = refused(tmp_path, 1, "summary", "--db", "empty.sqlite3", "--json")
    assert "尚未初始化" in r.err


def test_summary_usage(demo_master: Path) -> None:
    cwd = demo_master.parent
    assert "--by" in refused(cwd, 2, "summary", "--db", demo_master, "--json", "--by", "township").err
    assert "12 位数字" in refused(cwd, 1, "summary", "--db", demo_master, "--township", "3411").err


# ---------------------------------------------------------------- list


LIVE_COUNTS = {
    "communities": "SELECT count(*) FROM community WHERE deleted_at IS NULL",
    "projects": "SELECT count(*) FROM project WHERE deleted_at IS NULL",
    "items": "SELECT count(*) FROM renovation_item WHERE deleted_at IS NULL",
    "inspections": "SELECT count(*) FROM inspection WHERE deleted_at IS NULL",
    "rectifications": "SELECT count(*) FROM rectification WHERE deleted_at IS NULL",
}


@pytest.mark.parametrize("what", list(LIVE_COUNTS))
def test_list_each_kind(demo_master: Path, what: str) -> None:
    cwd = demo_master.parent
    n = sql(demo_master, LIVE_COUNTS[what])[0][0]
    assert n > 0
    rows = list_json(cwd, demo_master, what, "--limit", "5000")
    assert len(rows) == n
    assert len({r["id"] for r in rows}) == n
    table = ok(cwd, "list", what, "--db", demo_master, "--limit", "5000")
    header, *lines = table.out.splitlines()
    assert len(lines) == n
    columns = header.split("\t")
    assert columns[:2] == ["id", "version"] and "deleted_at" not in columns
    assert all(len(line.split("\t")) == len(columns) for line in lines)  # one fixed column per field, empty too
    by_id = {line.split("\t")[0]: dict(zip(columns, line.split("\t"), strict=True)) for line in lines}
    for r in rows:
        assert by_id[r["id"]]["version"] == str(r["version"])
        for key in columns:
            assert (by_id[r["id"]][key] == "") == (r[key] is None)
    assert f"共 {n} 条" in table.err
    if what in ("communities", "projects"):
        names = [r["name"] for r in rows]
        assert names == sorted(names, key=sort_key)  # by pinyin, in SQL (a stored key, migration 0006)


def test_list_communities_json_matches_the_database(demo_master: Path) -> None:
    rows = {r["id"]: r for r in list_json(demo_master.parent, demo_master, "communities")}
    for cid, name, hh, area, inv, status in sql(
        demo_master, "SELECT id, name, households, floor_area, total_investment, status FROM community"
    ):
        r = rows[cid]
        assert (r["name"], r["households"], r["status"]) == (name, hh, status)
        assert round(r["floor_area"] * 100) == area and round(r["total_investment"] * 100) == inv
        assert r["township"]  # the township's name, not only its code


def test_list_limit(demo_master: Path) -> None:
    r = ok(demo_master.parent, "list", "communities", "--db", demo_master, "--limit", "3")
    assert len(r.out.splitlines()) == 1 + 3  # the header, then three rows
    assert "共 40 条，显示前 3 条" in r.err
    refused(demo_master.parent, 2, "list", "communities", "--db", demo_master, "--limit", "0")


@pytest.mark.parametrize(
    ("what", "search", "expected"),
    [
        ("communities", "xfl", {"幸福里小区"}),
        ("communities", "XFL", {"幸福里小区"}),
        ("communities", "幸福", {"幸福里小区"}),
        ("communities", "hpy", {"和平苑"}),
        ("communities", "cqlxq", {"重庆路小区"}),  # 重 read as chong in 重庆
        ("communities", "xfl hpy", set()),  # words must all match
        ("items", "xfl", None),
        ("inspections", "xfl", None),
    ],
)
def test_list_search_by_pinyin_initials(demo_master: Path, what: str, search: str, expected: set | None) -> None:
    rows = list_json(demo_master.parent, demo_master, what, "--search", search)
    if expected is not None:
        assert {r["name"] for r in rows} == expected
    else:  # the rows of 幸福里小区 only
        assert rows and {r["community"] for r in rows} == {"幸福里小区"}


def test_list_search_projects_by_initials(demo_master: Path) -> None:
    rows = list_json(demo_master.parent, demo_master, "projects", "--search", "cgjd")  # 城关街道
    n = sql(demo_master, "SELECT count(*) FROM project WHERE name LIKE '城关街道%'")[0][0]
    assert len(rows) == n > 0
    assert all(r["name"].startswith("城关街道") for r in rows)


@pytest.mark.parametrize("status", STATUSES)
def test_list_communities_by_status(demo_master: Path, status: str) -> None:
    rows = list_json(demo_master.parent, demo_master, "communities", "--status", status)
    assert {r["status"] for r in rows} <= {status}
    assert len(rows) == sql(demo_master, "SELECT count(*) FROM community WHERE status = ?", status)[0][0]


def test_list_rectifications_by_state(demo_master: Path) -> None:
    cwd = demo_master.parent
    today = date.today().isoformat()
    expected = {
        "closed": "closed = 1",
        "overdue": "closed = 0 AND current_deadline < :t",
        "awaiting": "closed = 0 AND current_deadline >= :t AND replied_on IS NOT NULL",
        "open": "closed = 0 AND current_deadline >= :t AND replied_on IS NULL",
    }
    total = 0
    conn = connect(demo_master)
    try:
        for state, where in expected.items():
            ids = {r[0] for r in conn.execute(f"SELECT id FROM rectification WHERE {where}", {"t": today})}
            rows = list_json(cwd, demo_master, "rectifications", "--status", state)
            assert {r["id"] for r in rows} == ids, state
            total += len(ids)
        assert total == conn.execute("SELECT count(*) FROM rectification").fetchone()[0]
    finally:
        conn.close()
    assert sql(demo_master, "SELECT count(*) FROM rectification WHERE closed = 1")[0][0] > 0


def test_list_township_filter(demo_master: Path) -> None:
    cwd = demo_master.parent
    seen = 0
    for code in DEMO_TOWNSHIPS:
        rows = list_json(cwd, demo_master, "communities", "--township", code)
        assert {r["township_code"] for r in rows} <= {code}
        assert len(rows) == sql(demo_master, "SELECT count(*) FROM community WHERE township_code = ?", code)[0][0]
        seen += len(rows)
    assert seen == 40
    projects = list_json(cwd, demo_master, "projects", "--township", DEMO_TOWNSHIPS[2])
    assert projects and {r["township_code"] for r in projects} == {DEMO_TOWNSHIPS[2]}
    both = list_json(cwd, demo_master, "communities", "--township", DEMO_TOWNSHIPS[0], "--status", "accepted")
    assert all(r["township_code"] == DEMO_TOWNSHIPS[0] and r["status"] == "accepted" for r in both)


def test_list_bad_filters(demo_master: Path) -> None:
    cwd = demo_master.parent
    assert "--status 可选" in refused(cwd, 2, "list", "communities", "--db", demo_master, "--status", "done").err
    assert "12 位数字" in refused(cwd, 1, "list", "communities", "--db", demo_master, "--township", "abc").err


def test_list_rectifications_with_an_unknown_state_is_a_usage_error(demo_master: Path) -> None:
    r = refused(demo_master.parent, 2, "list", "rectifications", "--db", demo_master, "--status", "bogus")
    assert "--status 可选：open, awaiting, overdue, closed" in r.err


# ---------------------------------------------------------------- check


def test_check_passes_on_the_demo(demo_master: Path) -> None:
    r = ok(demo_master.parent, "check", "--db", demo_master)
    assert "检查完成：0 个错误" in r.out


def test_check_fails_on_a_tampered_status(demo_db: Path, tmp_path: Path) -> None:
    (cid, name), *_ = sql(demo_db, "SELECT id, name FROM community WHERE status = 'started' ORDER BY name")
    assert write_sql(demo_db, "UPDATE community SET status = 'accepted' WHERE id = ?", cid) == 1
    r = oldcomm(tmp_path, "check", "--db", demo_db)
    assert r.rc == 1, r.text
    assert f"[错误] 小区“{name}”：记录的状态“已验收”与节点推出的状态“已开工”不一致" in r.out
    assert "检查完成：1 个错误" in r.out
    # put back, the ledger checks clean again
    assert write_sql(demo_db, "UPDATE community SET status = 'started' WHERE id = ?", cid) == 1
    ok(tmp_path, "check", "--db", demo_db)


def test_check_fails_on_money_faults(demo_db: Path, tmp_path: Path) -> None:
    (cid, name), *_ = sql(
        demo_db,
        "SELECT c.id, c.name FROM community c JOIN funding_line f ON f.community_id = c.id"
        " WHERE f.arrived > 0 ORDER BY c.name",
    )
    write_sql(
        demo_db,
        "UPDATE funding_line SET arrived = approved + 1 WHERE id = (SELECT id FROM funding_line WHERE community_id = ?"
        " ORDER BY id LIMIT 1)",
        cid,
    )
    r = oldcomm(tmp_path, "check", "--db", demo_db)
    assert r.rc == 1 and f"小区“{name}”" in r.out and "超过批复资金" in r.out


# ---------------------------------------------------------------- backup and restore


def test_backup_and_restore_round_trip(demo_db: Path, tmp_path: Path) -> None:
    original = dump(demo_db)
    summary_before = summary_json(tmp_path, demo_db)
    r = ok(tmp_path, "backup", "--db", demo_db, "backups/b1.sqlite3")
    out = tmp_path / "backups" / "b1.sqlite3"
    assert "已备份到" in r.out and out.is_file()
    inner = database_in_backup(out, tmp_path / "inner.sqlite3")
    assert [line for line in dump(inner) if "last_backup" not in line] == original
    assert sql(inner, "PRAGMA journal_mode")[0][0] == "delete"  # one self-contained file
    assert not Path(str(out) + "-wal").exists()
    assert not list((tmp_path / "backups").glob("*.part"))
    # the backup is a fact of the database: recorded in it
    (recorded,) = sql(demo_db, "SELECT value FROM setting WHERE key = 'last_backup'")
    assert json.loads(recorded[0])["file"] == str(out)

    # change the ledger after the backup …
    write_sql(demo_db, "UPDATE community SET name = '改过的名字' WHERE name = '幸福里小区'")
    changed = dump(demo_db)
    assert changed != original
    # … then restore: the backup's content comes back, the replaced database is kept aside
    r = ok(tmp_path, "restore", "--db", demo_db, out)
    # as it was when backed up (before the backup was recorded), with a new mark for its sync edits
    assert _without_clock_mark(dump(demo_db)) == original
    kept = sorted(tmp_path.glob("ledger.replaced-*.sqlite3"))
    assert len(kept) == 1
    assert "原数据库另存为" in r.out and str(kept[0]) in r.out
    assert dump(kept[0]) == changed
    assert not list(tmp_path.glob(".*restoring*"))
    assert summary_json(tmp_path, demo_db) == summary_before
    ok(tmp_path, "check", "--db", demo_db)
    assert [r["name"] for r in list_json(tmp_path, demo_db, "communities", "--search", "xfl")] == ["幸福里小区"]


def test_backup_never_overwrites(demo_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "exists.sqlite3"
    target.write_bytes(b"precious")
    r = refused(tmp_path, 1, "backup", "--db", demo_db, target)
    assert "已存在" in r.err
    assert target.read_bytes() == b"precious"


def test_backup_of_a_missing_database_is_refused(tmp_path: Path) -> None:
    assert "不存在" in refused(tmp_path, 1, "backup", "--db", "none.sqlite3", "b.sqlite3").err
    assert not (tmp_path / "b.sqlite3").exists() and not (tmp_path / "none.sqlite3").exists()


def test_restore_into_a_new_path(demo_master: Path, tmp_path: Path) -> None:
    r = ok(tmp_path, "restore", "--db", "fresh.sqlite3", demo_master)
    assert "另存为" not in r.out
    assert _without_clock_mark(dump(tmp_path / "fresh.sqlite3")) == dump(demo_master)


def _without_clock_mark(lines: list[str]) -> list[str]:
    """A restored file counts its sync edits under a new mark (core.sync.changes.node): one setting row."""
    marks = [line for line in lines if "sync_clock_node" in line]
    assert len(marks) == 1, marks
    return [line for line in lines if "sync_clock_node" not in line]


def _refused_restore(demo_db: Path, tmp_path: Path, source: Path, message: str) -> None:
    before = dump(demo_db)
    r = refused(tmp_path, 1, "restore", "--db", demo_db, source)
    assert message in r.err, r.err
    assert dump(demo_db) == before
    assert not list(tmp_path.glob("ledger.replaced-*"))
    assert not list(tmp_path.glob("*.restoring"))


def test_restore_refuses_a_file_that_is_not_a_database(demo_db: Path, tmp_path: Path) -> None:
    junk = tmp_path / "照片.jpg"
    junk.write_bytes(b"\xff\xd8\xff\xe0 not a database at all" * 100)
    _refused_restore(demo_db, tmp_path, junk, "不是数据库备份")
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    _refused_restore(demo_db, tmp_path, empty, "不是数据库备份")
    _refused_restore(demo_db, tmp_path, tmp_path / "missing.sqlite3", "不存在")


def test_restore_refuses_a_corrupted_backup(demo_master: Path, demo_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "corrupt.sqlite3"
    ok(tmp_path, "backup", "--db", demo_master, bad)
    data = bytearray(bad.read_bytes())
    page = 4096
    for i in range(5 * page, 5 * page + 1500):  # scramble the middle of a page, keep the file header
        data[i] ^= 0x5A
    bad.write_bytes(bytes(data))
    before = dump(demo_db)
    r = refused(tmp_path, 1, "restore", "--db", demo_db, bad)
    assert "已损坏" in r.err or "无法读取" in r.err
    assert dump(demo_db) == before
    assert not list(tmp_path.glob("ledger.replaced-*"))


def test_restore_refuses_a_truncated_backup(demo_master: Path, demo_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "half.sqlite3"
    ok(tmp_path, "backup", "--db", demo_master, bad)
    bad.write_bytes(bad.read_bytes()[: bad.stat().st_size // 2])
    before = dump(demo_db)
    r = refused(tmp_path, 1, "restore", "--db", demo_db, bad)
    assert "已损坏" in r.err or "无法读取" in r.err
    assert dump(demo_db) == before


def test_restore_refuses_another_programs_database(demo_db: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    _refused_restore(demo_db, tmp_path, other, "不是老旧小区改造工作台的数据库")


def test_restore_refuses_while_another_program_writes(demo_master: Path, demo_db: Path, tmp_path: Path) -> None:
    from oldcomm_desktop.storage.database import acquire_write_lock

    before = dump(demo_db)
    lock = acquire_write_lock(demo_db)  # as the GUI holds it while open
    try:
        r = refused(tmp_path, 1, "restore", "--db", demo_db, demo_master)
        assert "正由另一个程序" in r.err
        r = refused(tmp_path, 1, "init", "--db", demo_db, "--county-code", COUNTY_CODE, "--county-name", "青禾县")
        assert "正由另一个程序" in r.err
        ok(tmp_path, "summary", "--db", demo_db)  # reading beside the writer is fine
    finally:
        lock.release()
    assert dump(demo_db) == before


def test_restore_keeps_every_replaced_copy_even_within_a_second(
    demo_master: Path, demo_db: Path, tmp_path: Path
) -> None:
    now = datetime.now()
    earlier = []
    for s in range(0, 30):  # take the names the next restores would use, as two restores in one second do
        stamp = (now + timedelta(seconds=s)).strftime("%Y%m%d-%H%M%S")
        earlier.append(tmp_path / f"ledger.replaced-{stamp}.sqlite3")
        earlier[-1].write_bytes(b"an earlier kept copy")
    content = dump(demo_db)
    ok(tmp_path, "restore", "--db", demo_db, demo_master)
    assert all(p.read_bytes() == b"an earlier kept copy" for p in earlier)
    (kept,) = set(tmp_path.glob("ledger.replaced-*.sqlite3")) - set(earlier)
    assert dump(kept) == content


def test_backup_and_restore_are_for_sqlite_files_only(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"
    assert "pg_dump" in refused(tmp_path, 1, "backup", "--db", url, "b.sqlite3").err
    assert "pg_dump" in refused(tmp_path, 1, "restore", "--db", url, "b.sqlite3").err


# ---------------------------------------------------------------- usage and --db placement


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["bogus"],
        ["list"],
        ["list", "widgets"],
        ["demo", "--communities", "abc"],
        ["demo", "--communities", "0"],
        ["summary", "--by", "month"],
        ["summary", "--year", "二〇二五"],
        ["backup"],
        ["restore"],
        ["--db"],
        ["check", "--unknown-flag"],
    ],
    ids=lambda a: " ".join(a) or "(nothing)",
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    r = refused(tmp_path, 2, *args)
    assert "用法错误" in r.err
    # argparse's own words in Chinese too: no "usage:", "argument --x:", "invalid choice", "required"
    assert not any(w in r.err for w in ("usage:", "argument ", "invalid ", "required", "error:"))
    assert not list(tmp_path.glob("*.sqlite3"))
    assert not (tmp_path / "xdg").exists()  # nothing was opened or created


def test_help_exits_0(tmp_path: Path) -> None:
    r = ok(tmp_path, "--help")
    assert "老旧小区改造工作台" in r.out
    assert "用法：" in r.out and "选项" in r.out and "显示本帮助并退出" in r.out and "usage:" not in r.out
    for command in ("init", "demo", "summary", "list", "check", "backup", "restore"):
        assert command in r.out


def test_db_before_or_after_the_subcommand(demo_master: Path) -> None:
    cwd = demo_master.parent
    after = ok(cwd, "summary", "--db", demo_master, "--json").out
    before = ok(cwd, "--db", demo_master, "summary", "--json").out
    assert json.loads(before) == json.loads(after)
    assert (
        ok(cwd, "--db", demo_master, "list", "communities").out
        == ok(cwd, "list", "communities", "--db", demo_master).out
    )
    assert ok(cwd, "--db", demo_master, "check").rc == 0
    # the one given after the subcommand wins
    assert json.loads(ok(cwd, "--db", "nowhere.sqlite3", "summary", "--db", demo_master, "--json").out) == json.loads(
        after
    )
    assert not (cwd / "nowhere.sqlite3").exists()


def test_db_before_the_subcommand_for_writes(tmp_path: Path) -> None:
    ok(tmp_path, "--db", "t.sqlite3", "init", "--township-code", TOWNSHIP_CODE, "--township-name", TOWNSHIP_NAME)
    assert (tmp_path / "t.sqlite3").is_file()
    ok(tmp_path, "--db", "t.sqlite3", "backup", "b.sqlite3")
    ok(tmp_path, "--db", "t.sqlite3", "restore", "b.sqlite3")
    assert not (tmp_path / "xdg").exists()  # the default database was never touched


# ---------------------------------------------------------------- PostgreSQL by URL


def _pg_totals(url: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(TOTALS_SQL.format(where_c="", where_k=""))).all()
            by_status = dict(
                conn.execute(
                    text("SELECT status, count(*) FROM community WHERE deleted_at IS NULL GROUP BY status")
                ).all()
            )
    finally:
        engine.dispose()
    return {**_totals_from_sql([tuple(rows[0])]), "by_status": by_status}


@pytest.mark.postgres
def test_postgres_url_for_init_demo_summary(pg: str, tmp_path: Path) -> None:
    r = ok(tmp_path, "init", "--db", pg, "--county-code", COUNTY_CODE, "--county-name", "青禾县")
    assert "县级模式" in r.out
    assert summary_json(tmp_path, pg)["communities"] == 0
    ok(tmp_path, "demo", "--db", pg, "--communities", "9", "--seed", "4")
    data = summary_json(tmp_path, pg)
    assert data["communities"] == 9
    for measure in MEASURES:
        assert round(data[measure] * 100) == sum(round(g[measure] * 100) for g in data["by_status"].values())
    expected = _pg_totals(pg)
    assert _totals_from_json(data) == {k: v for k, v in expected.items() if k != "by_status"}
    assert {s: g["communities"] for s, g in data["by_status"].items() if g["communities"]} == expected["by_status"]
    # the URL works before the subcommand too, and for list and check
    assert json.loads(ok(tmp_path, "--db", pg, "summary", "--json").out) == data
    assert len(list_json(tmp_path, pg, "communities")) == 9
    assert ok(tmp_path, "check", "--db", pg).rc == 0
    assert not list(tmp_path.glob("*.sqlite3")) and not (tmp_path / "xdg" / "oldcomm" / "oldcomm.sqlite3").exists()


@pytest.mark.postgres
def test_postgres_township_database_refuses_demo(pg: str, tmp_path: Path) -> None:
    ok(tmp_path, "init", "--db", pg, "--township-code", TOWNSHIP_CODE, "--township-name", TOWNSHIP_NAME)
    r = refused(tmp_path, 1, "demo", "--db", pg, "--communities", "3")
    assert "已有数据" in r.err
    assert summary_json(tmp_path, pg)["communities"] == 0


@pytest.mark.postgres
def test_postgres_password_is_not_printed(pg: str, tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    password = make_url(pg).password
    assert password
    for r in (
        ok(tmp_path, "init", "--db", pg, "--county-code", COUNTY_CODE, "--county-name", "青禾县"),
        ok(tmp_path, "demo", "--db", pg, "--communities", "2"),
    ):
        assert f":{password}@" not in r.text
