"""`oldcomm edit` through the window's validation, with --if-version; `list` that no value can break."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from oldcomm_desktop import cli

TOWNSHIP = "341122001000"


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    path = tmp_path / "d.sqlite3"
    assert cli.main(["--db", str(path), "init", "--township-code", TOWNSHIP, "--township-name", "城关街道"]) == 0
    from oldcomm_desktop.core import communities
    from oldcomm_desktop.storage.database import open_database

    with open_database(path) as db, db.transaction("测试员") as s:
        communities.create(s, {"name": "幸福里小区", "households": 100, "notes": "第一行\n第二行\t带制表符\\反斜杠"})
        communities.create(s, {"name": "和平苑"})
    capsys.readouterr()
    return path


def _rows(path: Path, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    assert cli.main(["--db", str(path), "list", "communities", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_edit_changes_fields_and_reports_the_new_version(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (row,) = [r for r in _rows(ledger, capsys) if r["name"] == "幸福里小区"]
    rc = cli.main(
        [
            "--db",
            str(ledger),
            "edit",
            "community",
            row["id"],
            "households=120",
            "address=城北路1号",
            "--if-version",
            str(row["version"]),
            "--operator",
            "张三",
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0 and "户数 100 → 120" in out
    (after,) = [r for r in _rows(ledger, capsys) if r["id"] == row["id"]]
    assert after["households"] == 120 and after["version"] > row["version"]
    conn = sqlite3.connect(ledger)
    assert ("张三",) in conn.execute("SELECT operator FROM audit_log WHERE field = 'households'").fetchall()
    conn.close()


def test_edit_with_a_stale_version_is_refused_with_who_and_when(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (row,) = [r for r in _rows(ledger, capsys) if r["name"] == "幸福里小区"]
    assert (
        cli.main(["--db", str(ledger), "edit", "community", "幸福里小区", "households=120", "--operator", "张三"]) == 0
    )
    capsys.readouterr()
    rc = cli.main(
        ["--db", str(ledger), "edit", "community", row["id"], "households=90", "--if-version", str(row["version"])]
    )
    err = capsys.readouterr().err
    assert rc == 1 and "张三" in err and f"第 {row['version']} 版" in err and "没有保存" in err
    assert [r["households"] for r in _rows(ledger, capsys) if r["id"] == row["id"]] == [120]  # 张三's value


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["community", "幸福里小区", "households=-3"], "户数"),
        (["community", "幸福里小区", "colour=red"], "colour"),
        (["community", "幸福里小区", "name="], "必须填写"),
        (["community", "幸福里小区", "township_code=341122000000"], "县级代码"),
        (["project", "无此项目", "batch=1"], "找不到项目"),
        (["item", "no-such-id", "planned_quantity=1"], "找不到"),
    ],
)
def test_edit_refuses_what_the_window_refuses(
    ledger: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    rc = cli.main(["--db", str(ledger), "edit", *args])
    err = capsys.readouterr().err
    assert rc == 1 and words in err and "Traceback" not in err


def test_edit_usage(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--db", str(ledger), "edit", "community", "幸福里小区", "households"]) == 2
    assert "字段=值" in capsys.readouterr().err
    assert cli.main(["--db", str(ledger), "edit", "community", "幸福里小区", "households=1", "--if-version", "x"]) == 2


def test_list_text_has_a_header_and_fixed_columns_no_value_can_break(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = sqlite3.connect(ledger)  # a value with a tab and a newline, as a hand-edited database might hold
    conn.execute("UPDATE community SET address = '城北路\t12号\n二单元' WHERE name = '和平苑'")
    conn.commit()
    conn.close()
    assert cli.main(["--db", str(ledger), "list", "communities"]) == 0
    header, *lines = capsys.readouterr().out.splitlines()
    columns = header.split("\t")
    assert len(lines) == 2 and all(len(line.split("\t")) == len(columns) for line in lines)
    row = dict(zip(columns, next(line for line in lines if "和平苑" in line).split("\t"), strict=True))
    assert row["address"] == "城北路\\t12号\\n二单元"
    assert row["households"] == "" and row["plan_year"] == ""  # empty stays empty, in its own column
