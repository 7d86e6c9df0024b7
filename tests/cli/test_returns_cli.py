"""`oldcomm return …` and `oldcomm briefing`, run in-process against the returns' test ledger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from oldcomm_desktop.cli import main

try:
    from tests.core.returns.conftest import T1, T2, ledger  # the fixture
except ModuleNotFoundError:  # bare `pytest` puts tests/ (not the repository root) on sys.path
    from core.returns.conftest import T1, T2, ledger  # type: ignore[no-redef]  # noqa: F401


def _db(db) -> str:
    target = str(db.path) if db.path is not None else db.url
    db.close()  # the CLI opens it itself (and takes the write lock)
    return target


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_return_produce_check_submit_review_history(ledger, tmp_path: Path, capsys) -> None:
    db, _ids = ledger
    target = _db(db)
    rc, out, _ = run(
        capsys,
        "--db",
        target,
        "return",
        "progress",
        "--period",
        "2026-11",
        "--township",
        T1,
        "--out",
        str(tmp_path / "p.xlsx"),
    )
    assert rc == 0 and "4 行" in out and "→" in out
    assert "（草稿）" in load_workbook(tmp_path / "p.xlsx").active["A1"].value
    rc, out, _ = run(capsys, "--db", target, "return", "check", "progress", "--period", "2026-11", "--json")
    assert rc == 0 and json.loads(out)["can_submit"] is True
    rc, out, _ = run(
        capsys,
        "--db",
        target,
        "return",
        "submit",
        "progress",
        "--period",
        "2026-11",
        "--township",
        T1,
        "--operator",
        "张三",
    )
    assert rc == 0 and "已上报" in out
    rc, _, err = run(capsys, "--db", target, "return", "send-back", "progress", "--period", "2026-11", "--township", T1)
    assert rc == 1 and "退回意见" in err
    rc, out, err = run(
        capsys,
        "--db",
        target,
        "return",
        "send-back",
        "progress",
        "--period",
        "2026-11",
        "--township",
        T1,
        "--opinion",
        "请核实投资",
    )
    assert rc == 0, err
    rc, out, _ = run(capsys, "--db", target, "return", "submit", "progress", "--period", "2026-11", "--township", T1)
    assert "第 2 轮" in out
    rc, out, _ = run(capsys, "--db", target, "return", "approve", "progress", "--period", "2026-11", "--township", T1)
    assert rc == 0 and "锁定" in out
    rc, out, _ = run(capsys, "--db", target, "return", "history", "--json")
    assert [h["action"] for h in json.loads(out)][::-1] == ["submitted", "sent_back", "submitted", "approved"]
    rc, out, _ = run(capsys, "--db", target, "return", "completeness", "progress", "--period", "2026-11", "--json")
    states = {r["township"]: r["status"] for r in json.loads(out)}
    assert states == {T1: "approved", T2: "missing"}
    rc, out, _ = run(
        capsys,
        "--db",
        target,
        "return",
        "county",
        "progress",
        "--period",
        "2026-11",
        "--out",
        str(tmp_path / "county.xlsx"),
    )
    assert rc == 0
    ws = load_workbook(tmp_path / "county.xlsx").active
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert any(r[1] == "城关街道" and r[2] == "已审核通过" for r in values)
    rc, out, _ = run(
        capsys,
        "--db",
        target,
        "return",
        "archive",
        "progress",
        "--period",
        "2026-11",
        "--township",
        T1,
        "--out",
        str(tmp_path / "sent.xlsx"),
    )
    assert rc == 0 and "（草稿）" not in load_workbook(tmp_path / "sent.xlsx").active["A1"].value


@pytest.mark.parametrize(
    ("argv", "rc", "message"),
    [
        (["return", "check", "--period", "2026-11"], 2, "报表种类"),
        (["return", "progress", "--period", "2026-13", "--out", "x.xlsx"], 1, "YYYY-MM"),
        (["return", "progress", "--period", "2026-11"], 2, "--out"),
        (["return", "frob"], 2, "无效的选项"),
        (["return", "approve", "items", "--period", "2026-11", "--township", T1], 1, "尚未上报"),
        (["briefing", "--out", "x.pdf"], 2, ".docx"),
        (["briefing", "--date", "2026-02-30", "--out", "x.txt"], 2, "有效日期"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_the_right_exit_code(
    ledger,
    capsys,
    argv: list[str],
    rc: int,
    message: str,
) -> None:
    db, _ = ledger
    target = _db(db)
    got, _out, err = run(capsys, "--db", target, *argv)
    assert got == rc and message in err and "Traceback" not in err


def test_briefing_txt_and_docx(ledger, tmp_path: Path, capsys) -> None:
    db, _ = ledger
    target = _db(db)
    rc, out, _ = run(capsys, "--db", target, "briefing", "--date", "2026-11-30", "--out", str(tmp_path / "b.txt"))
    assert rc == 0 and "累计完成老旧小区改造1个" in out
    assert (tmp_path / "b-明细.xlsx").exists()
    rc, out, _ = run(capsys, "--db", target, "briefing", "--township", T2, "--out", str(tmp_path / "b.docx"))
    assert rc == 0 and "临河镇" in out and (tmp_path / "b.docx").exists()
