"""County orders (督办): numbering per year, the answer's life 待处理 → 处理中 → 已处理 → 已确认 with send-back,
every transition the state does not allow refused with a Chinese message, modes, overdue counts."""

from __future__ import annotations

from datetime import date

import pytest

from oldcomm_desktop.core import projects, workspace
from oldcomm_desktop.core.errors import OldcommError, ValidationError
from oldcomm_desktop.core.model.supervision import OrderTarget
from oldcomm_desktop.core.supervision import orders

from .conftest import T1, T2, TODAY, arrived_order


def _issue(s, *, townships=(T1[0],), on=date(2026, 6, 1), deadline=date(2026, 6, 10), **extra):
    data = {"problem": "施工围挡破损", "requirement": "三日内修复", "deadline": deadline, "issued_on": on, **extra}
    return orders.issue(s, data, [{"township_code": t} for t in townships], today=TODAY)


def test_numbers_run_per_year_and_type_one_past_the_highest(cs, today) -> None:
    assert _issue(cs).number == "项目督办〔2026〕001号"
    assert _issue(cs).number == "项目督办〔2026〕002号"
    assert _issue(cs, number="项目督办〔2026〕007号").number == "项目督办〔2026〕007号"
    assert _issue(cs).number == "项目督办〔2026〕008号"
    assert _issue(cs, order_type="hint").number == "工作提示〔2026〕001号"
    assert _issue(cs, on=date(2025, 12, 30), deadline=date(2026, 1, 5)).number == "项目督办〔2025〕001号"
    with pytest.raises(ValidationError, match="已被使用"):
        _issue(cs, number="项目督办〔2026〕001号")


def test_one_order_many_townships_each_answered_on_its_own(cs, today) -> None:
    order = _issue(cs, townships=(T1[0], T2[0]))
    rows = orders.rows(cs, today=today)
    assert [(r["township"], r["state_label"]) for r in rows] == [("城关街道", "待处理"), ("临河镇", "待处理")]
    orders.answer(cs, rows[0]["id"], "已修复围挡", "2026-06-05", today=today)
    assert {r["township"]: r["state"] for r in orders.rows(cs, today=today)} == {
        "城关街道": "done",
        "临河镇": "pending",
    }
    with pytest.raises(ValidationError, match="2 个办理对象"):
        orders.find_target(cs, order.number)


def test_full_life_with_a_send_back_keeps_each_round(cs, today) -> None:
    order = _issue(cs)
    t = orders.find_target(cs, order.number)
    orders.start(cs, t.id, "已安排施工单位", "2026-06-02", today=today)
    orders.answer(cs, t.id, "已修复", "2026-06-04", today=today)
    assert t.answered_at_county  # recorded at the county: it arrived on paper
    orders.send_back(cs, t.id, "照片不清楚须补充", "2026-06-05", today=today)
    assert (t.state, t.opinion) == ("in_progress", "照片不清楚须补充")
    orders.answer(cs, t.id, "已修复并补充照片", "2026-06-08", today=today)
    orders.confirm(cs, t.id, "2026-06-09", today=today)
    assert (t.state, t.first_answered_on, t.answered_on) == ("confirmed", date(2026, 6, 4), date(2026, 6, 8))
    history = orders.detail(cs, t.id)["history"]
    assert [h["action"] for h in history] == ["issue", "start", "answer", "send_back", "answer", "confirm"]
    assert [h["state_after"] for h in history][-1] == "已确认"


STATES_REACHED = {
    "pending": [],
    "in_progress": [("start",)],
    "done": [("answer",)],
    "confirmed": [("answer",), ("confirm",)],
}
WRONG = [
    ("start", "in_progress", "已在处理中"),
    ("start", "done", "正等待县住建局确认"),
    ("start", "confirmed", "已确认办结"),
    ("answer", "done", "请县住建局先退回"),
    ("answer", "confirmed", "不能再答复"),
    ("confirm", "pending", "还没有人答复"),
    ("confirm", "in_progress", "还在处理中"),
    ("confirm", "confirmed", "已经确认过了"),
    ("send_back", "pending", "还没有人答复"),
    ("send_back", "in_progress", "尚未重新答复"),
    ("send_back", "confirmed", "不能再退回"),
]


def _do(s, action: str, target_id: str) -> None:
    if action == "start":
        orders.start(s, target_id, today=TODAY)
    elif action == "answer":
        orders.answer(s, target_id, "处理完毕", today=TODAY)
    elif action == "confirm":
        orders.confirm(s, target_id, today=TODAY)
    else:
        orders.send_back(s, target_id, "不合格", today=TODAY)


def test_the_list_of_wrong_transitions_is_complete() -> None:
    every = {(a, st) for a in orders.ALLOWED for st in orders.STATES if st not in orders.ALLOWED[a]}
    assert every == {(a, st) for a, st, _ in WRONG}


@pytest.mark.parametrize(("action", "state", "message"), WRONG)
def test_every_wrong_transition_is_refused_and_changes_nothing(cs, today, action, state, message) -> None:
    t = orders.find_target(cs, _issue(cs).id)
    for (step,) in STATES_REACHED[state]:
        _do(cs, step, t.id)
    assert t.state == state
    version, events = t.version, len(t.events)
    with pytest.raises(ValidationError, match=message):
        _do(cs, action, t.id)
    cs.expire_all()
    t = cs.get(OrderTarget, t.id)
    assert (t.state, t.version, len(t.events)) == (state, version, events)


def test_bad_orders_are_refused(cs, today) -> None:
    with pytest.raises(ValidationError, match="早于下达日期"):
        _issue(cs, deadline=date(2026, 5, 1))
    with pytest.raises(ValidationError, match="至少选择一个督办对象"):
        _issue(cs, townships=())
    with pytest.raises(ValidationError, match="存在问题：必须填写"):
        orders.issue(cs, {"requirement": "x", "deadline": "2026-07-01"}, [{"township_code": T1[0]}], today=TODAY)
    other = projects.create(cs, {"name": "临河镇项目", "township_code": T2[0]})
    with pytest.raises(ValidationError, match="不属于该乡镇"):
        orders.issue(
            cs,
            {"problem": "p", "requirement": "r", "deadline": "2026-07-01"},
            [{"township_code": T1[0], "project_id": other.id}],
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="早于下达日期"):
        orders.answer(cs, orders.find_target(cs, _issue(cs).id).id, "x", "2026-05-01", today=TODAY)


def test_overdue_orders_count_until_answered(cs, today) -> None:
    late = orders.find_target(cs, _issue(cs, deadline=date(2026, 6, 10)).id)
    orders.find_target(cs, _issue(cs, deadline=date(2026, 6, 30)).id)
    assert orders.overdue_count(cs, today=today) == 1
    assert [r["overdue"] for r in orders.rows(cs, state="overdue", today=today)] == [True]
    orders.answer(cs, late.id, "已处理", today=today)
    assert orders.overdue_count(cs, today=today) == 0


def test_township_answers_its_own_but_cannot_issue_or_confirm(session, today) -> None:
    assert workspace.mode(session) == workspace.TOWNSHIP
    with pytest.raises(OldcommError, match="县级模式"):
        orders.issue(
            session,
            {"problem": "p", "requirement": "r", "deadline": "2026-07-01"},
            [{"township_code": T1[0]}],
            today=TODAY,
        )
    # an order that arrived (e.g. in a sync package) is answered at the township
    t = arrived_order(session, T1[0], date(2026, 6, 20))
    orders.answer(session, t.id, "已处理", today=today)
    assert t.state == "done" and not t.answered_at_county
    with pytest.raises(OldcommError, match="县级模式"):
        orders.confirm(session, t.id, today=today)
    with pytest.raises(OldcommError, match="县级模式"):
        orders.send_back(session, t.id, "不行", today=today)


def test_attachments_on_the_order_and_on_the_answer(cs, today, tmp_path) -> None:
    scan = tmp_path / "督办通知.pdf"
    scan.write_bytes(b"%PDF-1.4 demo")
    photo = tmp_path / "整改后.jpg"
    photo.write_bytes(b"\xff\xd8\xff demo")
    order = orders.issue(
        cs,
        {"problem": "p", "requirement": "r", "deadline": "2026-06-30"},
        [{"township_code": T1[0]}],
        files=[scan],
        today=TODAY,
    )
    t = order.targets[0]
    orders.answer(cs, t.id, "已整改", files=[photo], today=today)
    more = tmp_path / "回复函.pdf"
    more.write_bytes(b"%PDF-1.4 reply")
    orders.attach(cs, t.id, [more])
    d = orders.detail(cs, t.id)
    assert [f["file_name"] for f in d["order_files"]] == ["督办通知.pdf"]
    assert [f["file_name"] for f in d["answer_files"]] == ["整改后.jpg", "回复函.pdf"]
    assert all(f["path"].exists() for f in d["order_files"] + d["answer_files"])
    with pytest.raises(ValidationError, match="不存在"):
        orders.attach(cs, t.id, [tmp_path / "没有.jpg"])


def test_every_step_is_in_the_audit_log_under_the_operator(cs, today) -> None:
    from oldcomm_desktop.core import audit

    t = orders.find_target(cs, _issue(cs).id)
    orders.answer(cs, t.id, "已处理", today=today)
    orders.send_back(cs, t.id, "补充照片", today=today)
    entries = audit.history(cs, t.id)
    assert entries[0].action == "create" and entries[0].operator == "测试员"
    states = [(e.old_value, e.new_value) for e in entries if e.field == "state"]
    assert states == [("pending", "done"), ("done", "in_progress")]
    before = t.version
    orders.answer(cs, t.id, "已补充照片", today=today)
    assert t.version == before + 1  # each save moves the version (optimistic locking)
