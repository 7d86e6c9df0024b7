"""`oldcomm print`: forms from a demo database, blanks, a batch, and the Chinese refusals (exit 1 / 2)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_cli import ok, oldcomm


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    cwd = tmp_path_factory.mktemp("print")
    db = cwd / "demo.sqlite3"
    ok(cwd, "--db", db, "demo", "--communities", "20")
    return cwd, db


def _ids(cwd: Path, db: Path, what: str) -> list[dict]:
    return json.loads(ok(cwd, "--db", db, "list", what, "--json").out)


def _text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_print_each_form_of_a_record(demo: tuple[Path, Path]) -> None:
    cwd, db = demo
    insp = _ids(cwd, db, "inspections")
    patrol = next(r for r in insp if r["kind"] == "patrol")
    management = next(r for r in insp if r["kind"] == "management")
    rect = _ids(cwd, db, "rectifications")[0]
    community = _ids(cwd, db, "communities")[0]
    cases = [
        ("patrol", patrol["id"], "质量安全巡查记录表"),
        ("scorecard", management["id"], "长效管理检查评分表"),
        ("notice", rect["id"], "整改通知单"),
        ("reinspection", rect["id"], "整改回复及复查单"),
        ("profile", community["id"], "小区改造档案"),
        ("publicity", community["id"], "改造方案公示"),
        ("consent", community["id"], "居民意愿征询表"),
        ("acceptance", community["id"], "竣工验收记录"),
        ("plaque", community["id"], "永久性责任标牌"),
    ]
    for form, record_id, title in cases:
        out = cwd / f"{form}.pdf"
        r = ok(cwd, "--db", db, "print", form, "--id", record_id, "--out", out)
        assert title in r.out
        text = _text(out)
        assert title in text and record_id in text


def test_print_blank_forms(demo: tuple[Path, Path]) -> None:
    cwd, db = demo
    for form in ("patrol", "scorecard", "consent"):
        out = cwd / f"{form}-blank.pdf"
        assert "空白表" in ok(cwd, "--db", db, "print", form, "--blank", "--out", out).out
        assert out.stat().st_size > 1000


def test_print_a_month_of_inspections(demo: tuple[Path, Path]) -> None:
    cwd, db = demo
    months = sorted({r["inspected_on"][:7] for r in _ids(cwd, db, "inspections")})
    out = cwd / "batch.pdf"
    r = ok(cwd, "--db", db, "print", "inspections", "--period", months[-1], "--out", out)
    assert "条检查记录" in r.out and "页" in r.out
    assert "第1页" in _text(out).replace(" ", "")
    township = _ids(cwd, db, "inspections")[0]["township_code"]
    ok(cwd, "--db", db, "print", "inspections", "--township", township, "--out", out)


@pytest.mark.parametrize(
    ("args", "rc", "message"),
    [
        (["patrol", "--id", "no-such-id"], 1, "找不到编号为 no-such-id 的检查记录"),
        (["profile", "--id", "no-such-id"], 1, "找不到编号为 no-such-id 的小区"),
        (["patrol"], 2, "请给出 --id 记录编号，或 --blank"),
        (["patrol", "--id", "x", "--blank"], 2, "不能与参数"),
        (["inspections"], 2, "--period"),
        (["inspections", "--period", "2026-13"], 1, "年-月"),
        (["inspections", "--period", "2001-01"], 1, "没有检查记录"),
        (["patrol", "--blank", "--period", "2026-01"], 2, "只用于批量打印"),
        (["memo", "--blank"], 2, "无效的选项"),
    ],
)
def test_refusals(demo: tuple[Path, Path], args: list[str], rc: int, message: str) -> None:
    cwd, db = demo
    r = oldcomm(cwd, "--db", db, "print", *args, "--out", cwd / "refused.pdf")
    assert r.rc == rc, r.text
    assert message in r.err and "Traceback" not in r.err
    assert not (cwd / "refused.pdf").exists()


def test_wrong_kind_of_record(demo: tuple[Path, Path]) -> None:
    cwd, db = demo
    management = next(r for r in _ids(cwd, db, "inspections") if r["kind"] == "management")
    r = oldcomm(cwd, "--db", db, "print", "patrol", "--id", management["id"], "--out", cwd / "x.pdf")
    assert r.rc == 1 and "长效管理检查，不能打印为质量安全巡查记录表" in r.err
