"""Orders as files until sync carries them: county → township (new orders, then confirmations and
send-backs), township → county (answers); reading a file twice changes nothing; stale states are ignored."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from oldcomm_desktop.core import workspace
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.model.supervision import OrderTarget
from oldcomm_desktop.core.supervision import order_files, orders
from oldcomm_desktop.storage.database import open_database

from .conftest import T1, T2, TODAY


@pytest.fixture
def township(tmp_path: Path):
    db = open_database(tmp_path / "township.sqlite3")
    with db.transaction("乡镇") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code=T1[0], name=T1[1], operator="乡镇")
    s = db.session("乡镇")
    yield s
    s.rollback()
    s.close()
    db.close()


def test_orders_go_down_answers_come_up_and_decisions_go_down_again(cs, township, today, tmp_path) -> None:
    order = orders.issue(
        cs,
        {"problem": "围挡破损", "requirement": "修复", "issued_on": "2026-06-01", "deadline": "2026-06-20"},
        [{"township_code": T1[0]}, {"township_code": T2[0]}],
        today=TODAY,
    )
    down = tmp_path / "下发.json"
    assert order_files.write_orders(cs, down) == 1
    assert order_files.read_orders(township, down) == {"new": 1, "confirmed": 0, "sent_back": 0}
    assert order_files.read_orders(township, down)["new"] == 0  # the same file again: nothing new
    mine = orders.rows(township, today=today)
    assert [(r["number"], r["township_code"], r["state"]) for r in mine] == [
        ("项目督办〔2026〕001号", T1[0], "pending")
    ]
    orders.answer(township, mine[0]["id"], "已修复", "2026-06-05", today=today)
    up = tmp_path / "答复.json"
    assert order_files.write_answers(township, up) == 1
    assert order_files.read_answers(cs, up) == 1
    assert order_files.read_answers(cs, up) == 0
    t1 = cs.get(OrderTarget, mine[0]["id"])
    assert (t1.state, t1.answer, t1.answered_at_county) == ("done", "已修复", False)
    assert {t.township_code: t.state for t in order.targets} == {T1[0]: "done", T2[0]: "pending"}
    orders.send_back(cs, t1.id, "请附照片", "2026-06-06", today=today)
    order_files.write_orders(cs, down, township=T1[0])
    assert order_files.read_orders(township, down)["sent_back"] == 1
    local = township.get(OrderTarget, t1.id)
    assert (local.state, local.opinion) == ("in_progress", "请附照片")
    orders.answer(township, t1.id, "已附照片", "2026-06-07", today=today)
    order_files.write_answers(township, up)
    assert order_files.read_answers(cs, up) == 1
    orders.confirm(cs, t1.id, "2026-06-08", today=today)
    order_files.write_orders(cs, down)
    assert order_files.read_orders(township, down)["confirmed"] == 1
    assert township.get(OrderTarget, t1.id).state == "confirmed"
    assert [h["action"] for h in orders.detail(township, t1.id)["history"]] == [
        "issue",
        "answer",
        "send_back",
        "answer",
        "confirm",
    ]
    assert cs.get(OrderTarget, t1.id).first_answered_on == date(2026, 6, 5)


def test_wrong_files_and_wrong_modes_are_refused(cs, township, tmp_path) -> None:
    f = tmp_path / "x.json"
    f.write_text(json.dumps({"kind": "something", "version": 1}), encoding="utf-8")
    with pytest.raises(OldcommError, match="不是督办下发文件"):
        order_files.read_orders(township, f)
    f.write_text("not json", encoding="utf-8")
    with pytest.raises(OldcommError, match="无法读取"):
        order_files.read_orders(township, f)
    with pytest.raises(OldcommError, match="县级模式"):
        order_files.write_orders(township, f)
    with pytest.raises(OldcommError, match="乡镇"):
        order_files.read_orders(cs, f)
