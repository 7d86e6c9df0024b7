"""`oldcomm schedule | order | ranking | assess | requests` run as subprocesses on a county database.

The database is set up in-process through the core (two townships, communities, scored checks), then every
command runs as `python -m oldcomm_desktop`; results are checked from --json and from the files written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from oldcomm_desktop.core import communities, divisions, projects, workspace
from oldcomm_desktop.storage.database import open_database

T1, T2 = ("341122001000", "城关街道"), ("341122101000", "临河镇")
TODAY = date.today()
LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)


def run(tmp: Path, *args: object) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": str(tmp / "home"), "XDG_DATA_HOME": str(tmp / "xdg"), "PYTHONUTF8": "1"}
    env.pop("OLDCOMM_DB", None)
    env["PYTHONPATH"] = str(Path(__file__).parents[2])
    return subprocess.run(
        [sys.executable, "-m", "oldcomm_desktop", *map(str, args), "--db", str(tmp / "county.sqlite3")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp,
        timeout=120,
    )


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("county")
    os.environ.setdefault("XDG_DATA_HOME", str(tmp / "xdg"))
    db = open_database(tmp / "county.sqlite3")
    with db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.COUNTY, code="341122000000", name="青禾县", operator="测试员")
        for code, name in (T1, T2):
            divisions.ensure(s, code, name)
        for code, names in ((T1[0], ["甲小区", "乙小区", "丙小区"]), (T2[0], ["丁小区"])):
            p = projects.create(s, {"name": f"{code}项目", "township_code": code, "plan_year": TODAY.year})
            for n in names:
                communities.create(
                    s,
                    {
                        "name": n,
                        "township_code": code,
                        "project_id": p.id,
                        "households": 120,
                        "year_built": 1990,
                        "plan_year": TODAY.year,
                    },
                )
        from tests.core.supervision.conftest import management_check

        scores = {"甲小区": 92, "乙小区": 92, "丙小区": 55, "丁小区": 81}
        for name, score in scores.items():
            management_check(s, communities.find(s, name), LAST_MONTH + timedelta(days=4), score)
    db.close()
    return tmp


def _json(r: subprocess.CompletedProcess) -> object:
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_order_life_and_refused_transitions(county: Path) -> None:
    deadline = (TODAY + timedelta(days=10)).isoformat()
    r = run(
        county,
        "order",
        "issue",
        "--township",
        T1[0],
        "--township",
        T2[0],
        "--problem",
        "围挡破损",
        "--requirement",
        "三日内修复",
        "--deadline",
        deadline,
    )
    assert r.returncode == 0, r.stderr
    assert f"项目督办〔{TODAY.year}〕001号" in r.stdout
    rows = _json(run(county, "order", "list", "--json"))
    assert {k for k in ("id", "number", "township_code", "state", "deadline")} <= set(rows[0])
    mine = next(x for x in rows if x["township_code"] == T1[0])
    assert (mine["state"], mine["deadline"]) == ("pending", deadline)
    r = run(county, "order", "confirm", mine["id"])
    assert r.returncode == 1 and "还没有人答复，不能确认" in r.stderr and "Traceback" not in r.stderr
    r = run(county, "order", "send-back", mine["id"], "--opinion", "不行")
    assert r.returncode == 1 and "无从退回" in r.stderr
    assert run(county, "order", "answer", mine["id"], "--text", "已修复（纸质回复）").returncode == 0
    r = run(county, "order", "answer", mine["id"], "--text", "再答一次")
    assert r.returncode == 1 and "请县住建局先退回" in r.stderr
    assert run(county, "order", "send-back", mine["id"], "--opinion", "请附照片").returncode == 0
    assert run(county, "order", "answer", mine["id"], "--text", "已附照片").returncode == 0
    r = run(county, "order", "confirm", mine["id"])
    assert r.returncode == 0 and "已确认" in r.stdout
    r = run(county, "order", "confirm", mine["id"])
    assert r.returncode == 1 and "已经确认过了" in r.stderr
    states = {x["township_code"]: x["state"] for x in _json(run(county, "order", "list", "--json"))}
    assert states == {T1[0]: "confirmed", T2[0]: "pending"}
    r = run(
        county,
        "order",
        "issue",
        "--township",
        T1[0],
        "--problem",
        "x",
        "--requirement",
        "y",
        "--deadline",
        "2000-01-01",
    )
    assert r.returncode == 1 and "早于下达日期" in r.stderr
    assert run(county, "order", "confirm", "no-such-id").returncode == 1


def test_schedules_add_list_due(county: Path) -> None:
    r = run(
        county,
        "schedule",
        "add",
        "--community",
        "甲小区",
        "--kind",
        "management",
        "--frequency",
        "monthly",
        "--starts",
        LAST_MONTH.isoformat(),
        "--inspector",
        "周工",
    )
    assert r.returncode == 0, r.stderr
    r = run(
        county,
        "schedule",
        "add",
        "--township",
        T2[0],
        "--kind",
        "patrol",
        "--frequency",
        "weekly",
        "--starts",
        LAST_MONTH.isoformat(),
    )
    assert r.returncode == 1 and "请选择小区" in r.stderr
    rows = _json(run(county, "schedule", "list", "--json"))
    assert [(x["community"], x["done_this_year"] >= (LAST_MONTH.year == TODAY.year)) for x in rows] == [
        ("甲小区", True)
    ]
    due = _json(run(county, "schedule", "due", "--json"))
    assert [(x["community"], x["state"], x["window_start"]) for x in due] == [
        ("甲小区", "due", TODAY.replace(day=1).isoformat())
    ]


def test_ranking_with_ties_and_its_bulletin(county: Path) -> None:
    period = f"{LAST_MONTH:%Y-%m}"
    rows = _json(run(county, "ranking", "--period", period, "--json"))
    assert [(x["township"], x["community"], x["rank"], x["grade"]) for x in rows] == [
        ("城关街道", "乙小区", 1, "优秀"),
        ("城关街道", "甲小区", 1, "优秀"),
        ("城关街道", "丙小区", 3, "不合格"),
        ("临河镇", "丁小区", 1, "良好"),
    ]
    out = county / "通报.docx"
    r = run(county, "ranking", "--period", period, "--township", T1[0], "--out", out)
    assert r.returncode == 0 and "表扬 2，批评 1" in r.stdout
    from docx import Document

    assert [t.rows[1].cells[2].text for t in Document(str(out)).tables] == ["乙小区", "丙小区"]
    r = run(county, "ranking", "--period", "去年")
    assert r.returncode == 1 and "不是有效的年月" in r.stderr
    assert run(county, "ranking").returncode == 2


def test_assessment_rows_and_exports(county: Path) -> None:
    rows = _json(run(county, "assess", "--year", TODAY.year, "--json"))
    assert [x["township_code"] for x in rows] and {x["rank"] for x in rows} <= {1, 2}
    for x in rows:
        assert {"township_code", "township", "score", "rank", "indicators"} <= set(x)
        assert {"value", "points", "weight"} <= set(x["indicators"]["start_communities"])
        assert abs(sum(i["points"] for i in x["indicators"].values()) - x["score"]) < 0.001
    xlsx, bulletin = county / "考核.xlsx", county / "考核通报.xlsx"
    r = run(county, "assess", "--year", TODAY.year, "--save", "--out", xlsx, "--bulletin", bulletin)
    assert r.returncode == 0, r.stderr
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).active
    assert ws["A3"].value == "排名" and {ws["B4"].value, ws["B5"].value} == {"城关街道", "临河镇"}
    assert load_workbook(bulletin).active["A1"].value.endswith("考核通报")
    assert _json(run(county, "assess", "--year", TODAY.year, "--saved", "--json")) == rows
    r = run(county, "assess", "--year", TODAY.year - 5, "--saved")
    assert r.returncode == 1 and "还没有保存的考核结果" in r.stderr
    r = run(county, "assess", "--year", TODAY.year, "--out", county / "x.pdf")
    assert r.returncode == 1 and ".xlsx 或 .docx" in r.stderr


def test_requests_add_list_reply(county: Path) -> None:
    raised = (TODAY - timedelta(days=30)).isoformat()
    r = run(
        county,
        "requests",
        "add",
        "--community",
        "乙小区",
        "--topic",
        "停车难",
        "--channel",
        "hotline",
        "--date",
        raised,
        "--by",
        "王阿姨",
    )
    assert r.returncode == 0, r.stderr
    rows = _json(run(county, "requests", "list", "--json", "--state", "overdue"))
    assert [(x["community"], x["state"]) for x in rows] == [("乙小区", "overdue")]
    r = run(county, "requests", "reply", rows[0]["id"], "--text", "已施划车位", "--satisfaction", "满意")
    assert r.returncode == 0, r.stderr
    assert _json(run(county, "requests", "list", "--json", "--state", "overdue")) == []
    roll = _json(run(county, "requests", "list", "--json", "--by-community"))
    assert roll[0]["satisfaction"] == 100.0 and roll[0]["topics"] == {"停车难": 1}
    r = run(county, "requests", "add", "--community", "乙小区", "--topic", "x", "--channel", "微信")
    assert r.returncode == 1 and "渠道" in r.stderr


def test_orders_travel_as_files_between_county_and_township(county: Path) -> None:
    deadline = (TODAY + timedelta(days=10)).isoformat()
    r = run(
        county,
        "order",
        "issue",
        "--township",
        T2[0],
        "--problem",
        "资金到位率偏低",
        "--requirement",
        "月底前到位",
        "--deadline",
        deadline,
    )
    assert r.returncode == 0, r.stderr
    down, up = county / "下发.json", county / "答复.json"
    r = run(county, "order", "export", down, "--township", T2[0])
    assert r.returncode == 0 and "下发文件" in r.stdout, r.stderr
    town = county / "town"
    town.mkdir()
    db = open_database(town / "county.sqlite3")  # run() always opens <cwd>/county.sqlite3
    with db.transaction("乡镇") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code=T2[0], name=T2[1], operator="乡镇")
    db.close()
    r = run(town, "order", "import", down)
    assert r.returncode == 0 and "新督办" in r.stdout, r.stderr
    rows = [x for x in _json(run(town, "order", "list", "--json")) if x["problem"] == "资金到位率偏低"]
    assert [(x["township_code"], x["state"]) for x in rows] == [(T2[0], "pending")]
    r = run(town, "order", "confirm", rows[0]["id"])
    assert r.returncode == 1 and "县级模式" in r.stderr
    assert run(town, "order", "answer", rows[0]["id"], "--text", "已到位").returncode == 0
    assert run(town, "order", "export", up).returncode == 0
    r = run(county, "order", "import", up)
    assert r.returncode == 0 and "已导入答复" in r.stdout, r.stderr
    states = {x["id"]: x for x in _json(run(county, "order", "list", "--json"))}
    assert (states[rows[0]["id"]]["state"], states[rows[0]["id"]]["answer"]) == ("done", "已到位")
    r = run(county, "order", "import", down)
    assert r.returncode == 1 and "不是督办答复文件" in r.stderr
