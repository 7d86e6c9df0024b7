"""Supervision rows through the bulk write path (the demo's schedules, orders with their steps, requests and
hand-given points): each rule is the single edit's own, so a bulk row that breaks it is refused with the very
words the service uses; a failed checklist line without a rectification is refused there too."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import catalogues, demo, divisions, inspections, workspace
from oldcomm_desktop.core.errors import OldcommError, ValidationError
from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.model.base import new_id
from oldcomm_desktop.core.model.supervision import (
    AssessmentManualScore,
    InspectionSchedule,
    OrderTarget,
    ResidentRequest,
    SupervisionOrder,
)
from oldcomm_desktop.core.supervision import assessment, orders, requests, schedules

from .conftest import T1, T2, TODAY, arrived_order, make_community


def _refused(s, rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The messages of every rejected row (nothing is written), but for the children of a refused row (their
    parent is not there: "所属记录 … 不存在或已删除", as for every table of the bulk path)."""
    plan = bulk.prepare(s, rows, today=TODAY)
    return [p.message for o in plan.rejected for p in o.problems if not p.message.startswith("所属记录")]


def _single(call) -> list[str]:
    with pytest.raises((ValidationError, OldcommError)) as exc:
        call()
    problems = getattr(exc.value, "problems", None)
    return [p.message for p in problems] if problems is not None else [str(exc.value)]


# -- schedules ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"frequency": "weekly"},  # a weekly patrol needs a community
        {"ends_on": date(2026, 1, 1)},  # ends before it starts
        {"template_id": "patrol_default"},  # a patrol's template on a management schedule
        {"township_code": "341122001"},  # not a township code
    ],
)
def test_a_schedule_row_is_refused_with_the_words_of_schedules_add(cs, today, data) -> None:
    row = {"township_code": T1[0], "kind": "management", "frequency": "monthly", "starts_on": date(2026, 3, 1)}
    row.update(data)
    bulk_words = _refused(cs, {"inspection_schedule": [row]})
    assert bulk_words and bulk_words == _single(lambda: schedules.add(cs, row))


def test_a_schedule_on_a_deleted_community_is_refused_as_add_refuses_it(cs, today) -> None:
    c = make_community(cs, T1[0], "幸福里")
    c.deleted_at = c.created_at
    cs.flush()
    row = {"community_id": c.id, "kind": "management", "frequency": "monthly", "starts_on": date(2026, 3, 1)}
    assert _refused(cs, {"inspection_schedule": [row]}) == ["所选小区不存在或已删除"]
    assert _single(lambda: schedules.add(cs, row)) == ["所选小区不存在或已删除"]


def test_schedule_rows_are_written_with_their_community_township_and_template(cs, today) -> None:
    c = make_community(cs, T2[0], "临河新村")
    row = {"community_id": c.id, "kind": "patrol", "frequency": "weekly", "starts_on": date(2026, 3, 1)}
    bulk.write(cs, {"inspection_schedule": [{**row, "template_id": "patrol_default"}]}, source="测试", today=TODAY)
    s = cs.scalar(select(InspectionSchedule))
    assert (s.township_code, s.template_id) == (T2[0], catalogues.template(cs, "patrol_default").id)


# -- residents' requests -----------------------------------------------------------------------------------


def test_request_rows_keep_the_rules_of_add_and_reply(cs, today) -> None:
    c = make_community(cs, T1[0], "幸福里")
    base = {"community_id": c.id, "topic": "停车难", "channel": "hotline", "raised_on": date(2026, 6, 1)}
    future = {**base, "raised_on": TODAY + timedelta(days=1)}
    assert _refused(cs, {"resident_request": [future]}) == _single(lambda: requests.add(cs, future, today=TODAY))
    early = {**base, "reply_deadline": date(2026, 5, 1)}
    assert _refused(cs, {"resident_request": [early]}) == _single(lambda: requests.add(cs, early, today=TODAY))
    req = requests.add(cs, base, today=TODAY)
    assert req.reply_deadline == date(2026, 6, 16)  # the setting's 15 days, on both paths
    plan = bulk.prepare(cs, {"resident_request": [base]}, today=TODAY)
    assert plan.rows["resident_request"][0]["reply_deadline"] == date(2026, 6, 16)
    before = {**base, "reply": "已处理", "replied_on": date(2026, 5, 20)}
    assert _refused(cs, {"resident_request": [before]}) == _single(
        lambda: requests.reply(cs, req.id, "已处理", date(2026, 5, 20), today=TODAY)
    )
    rated = {**base, "satisfaction": "satisfied"}
    assert _refused(cs, {"resident_request": [rated]}) == _single(lambda: requests.rate(cs, req.id, "satisfied"))
    requests.reply(cs, req.id, "已处理", date(2026, 6, 3), today=TODAY)
    again = {"id": req.id, "reply": "再次答复", "replied_on": date(2026, 6, 5)}
    assert _refused(cs, {"resident_request": [again]}) == _single(
        lambda: requests.reply(cs, req.id, "再次答复", date(2026, 6, 5), today=TODAY)
    )


def test_a_request_row_with_its_reply_is_written_with_its_community_township(cs, today) -> None:
    c = make_community(cs, T2[0], "临河新村")
    row = {"community_id": c.id, "topic": "停车难", "channel": "visit", "raised_on": date(2026, 6, 1)}
    row |= {"reply": "已处理", "replied_on": date(2026, 6, 3), "satisfaction": "basically"}
    bulk.write(cs, {"resident_request": [row]}, source="测试", today=TODAY)
    r = cs.scalar(select(ResidentRequest))
    assert (r.township_code, r.satisfaction, r.reply_deadline) == (T2[0], "basically", date(2026, 6, 16))
    assert requests.rows(cs, today=TODAY)[0]["state"] == "replied"


# -- hand-given assessment points --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "points"), [("mechanism", "6"), ("mechanism", "很好"), ("completion", "3"), ("nothing", "1")]
)
def test_a_manual_score_row_is_refused_as_set_manual_refuses_it(cs, today, indicator, points) -> None:
    row = {"year": 2026, "township_code": T1[0], "indicator": indicator, "points": points}
    assert _refused(cs, {"assessment_manual_score": [row]}) == _single(
        lambda: assessment.set_manual(cs, 2026, T1[0], indicator, points)
    )


def test_manual_scores_are_stored_as_set_manual_stores_them_and_once_per_indicator(cs, today) -> None:
    row = {"year": 2026, "township_code": T1[0], "indicator": "mechanism", "points": 4.5, "note": "演示"}
    assert _refused(cs, {"assessment_manual_score": [row, row]}) == [assessment.ONE_SCORE]
    bulk.write(cs, {"assessment_manual_score": [row]}, source="测试", today=TODAY)
    assert cs.scalar(select(AssessmentManualScore.points)) == "4.50"
    assert _refused(cs, {"assessment_manual_score": [row]}) == [assessment.ONE_SCORE]  # set_manual changes it


# -- orders, their targets and steps -----------------------------------------------------------------------


def _order_rows(*, townships=(T1[0],), steps=(), **extra) -> dict[str, list[dict[str, Any]]]:
    oid = new_id()
    order = {
        "id": oid,
        "problem": "施工围挡破损",
        "requirement": "三日内修复",
        "issued_on": date(2026, 6, 1),
        "deadline": date(2026, 6, 10),
        **extra,
    }
    rows: dict[str, list[dict[str, Any]]] = {"supervision_order": [order], "order_target": [], "order_event": []}
    for code in townships:
        tid = new_id()
        rows["order_target"].append({"id": tid, "order_id": oid, "township_code": code})
        rows["order_event"].append({"target_id": tid, "action": "issue", "on": order["issued_on"]})
        for action, on, text in steps:
            rows["order_event"].append({"target_id": tid, "action": action, "on": on, "text": text})
    return rows


def _issue(cs, rows):
    order = rows["supervision_order"][0]
    data = {k: v for k, v in order.items() if k != "id"}
    targets = [{k: v for k, v in t.items() if k not in ("id", "order_id")} for t in rows["order_target"]]
    return orders.issue(cs, data, targets, today=TODAY)


@pytest.mark.parametrize(
    "extra",
    [
        {"deadline": date(2026, 5, 1)},  # before it was issued
        {"issued_on": TODAY + timedelta(days=1), "deadline": TODAY + timedelta(days=9)},  # issued in the future
    ],
)
def test_an_order_row_is_refused_with_the_words_of_issue(cs, today, extra) -> None:
    rows = _order_rows(**extra)
    assert _refused(cs, rows) == _single(lambda: _issue(cs, rows))


def test_order_numbers_follow_issue_and_a_number_in_use_is_refused_as_issue_refuses_it(cs, today) -> None:
    _issue(cs, _order_rows())
    plan = bulk.prepare(cs, {**_order_rows(), **{}}, today=TODAY)
    assert plan.rows["supervision_order"][0]["number"] == "项目督办〔2026〕002号"
    taken = _order_rows(number="项目督办〔2026〕001号")
    assert _refused(cs, taken) == _single(lambda: _issue(cs, taken)) == ["编号“项目督办〔2026〕001号”已被使用"]


def test_target_rows_are_refused_as_issue_refuses_its_targets(cs, today) -> None:
    other = make_community(cs, T2[0], "临河新村")  # its project is 临河镇's
    twice = _order_rows(townships=(T1[0], T1[0]))
    assert _refused(cs, twice) == _single(lambda: _issue(cs, twice)) == ["第 2 个督办对象重复"]
    wrong = _order_rows()
    wrong["order_target"][0]["project_id"] = other.project_id
    assert _refused(cs, wrong) == _single(lambda: _issue(cs, wrong))
    assert "不属于该乡镇" in _refused(cs, wrong)[0]
    alone = _order_rows()
    del alone["order_target"], alone["order_event"]
    assert _refused(cs, alone) == [orders.NO_TARGET]
    data = {k: v for k, v in alone["supervision_order"][0].items() if k != "id"}
    assert _single(lambda: orders.issue(cs, data, [], today=TODAY)) == [orders.NO_TARGET]


def test_orders_in_a_township_database_are_refused_as_the_single_edit_refuses_them(session, today) -> None:
    own = workspace.own_code(session)
    rows = _order_rows(townships=(own,))
    assert _refused(session, rows)[0] == _single(lambda: _issue(session, rows))[0]
    assert "县级模式" in _refused(session, rows)[0]
    # an order that arrived for another township is not answered here
    other = "341122101000" if own != "341122101000" else "341122001000"
    target = arrived_order(session, other, date(2026, 6, 10))
    step = {"target_id": target.id, "action": "answer", "on": date(2026, 6, 3), "text": "已修复"}
    assert _refused(session, {"order_event": [step]}) == _single(
        lambda: orders.answer(session, target.id, "已修复", "2026-06-03", today=TODAY)
    )


@pytest.mark.parametrize(
    "steps",
    [
        [("confirm", date(2026, 6, 3), None)],  # nobody has answered yet
        [("answer", date(2026, 5, 30), "已修复")],  # before the order was issued
        [("answer", TODAY + timedelta(days=1), "已修复")],  # in the future
        [("answer", date(2026, 6, 3), None)],  # an answer says what was done
        [("answer", date(2026, 6, 3), "已修复"), ("answer", date(2026, 6, 4), "又修复")],  # answered twice
        [("answer", date(2026, 6, 5), "已修复"), ("confirm", date(2026, 6, 4), None)],  # confirmed before it
        [("send_back", date(2026, 6, 4), "照片不清")],  # nothing to send back
    ],
)
def test_a_step_the_state_does_not_allow_is_refused_with_the_words_of_the_single_edit(cs, today, steps) -> None:
    bulk_words = _refused(cs, _order_rows(steps=steps))
    order = _issue(cs, _order_rows())
    target = order.targets[0].id
    calls = {
        "start": lambda text, on: orders.start(cs, target, text, on, today=TODAY),
        "answer": lambda text, on: orders.answer(cs, target, text, on, today=TODAY),
        "confirm": lambda text, on: orders.confirm(cs, target, on, today=TODAY),
        "send_back": lambda text, on: orders.send_back(cs, target, text, on, today=TODAY),
    }
    *before, (action, on, text) = steps
    for a, o, t in before:
        calls[a](t, o)
    assert bulk_words and bulk_words == _single(lambda: calls[action](text, on))


def test_a_target_s_steps_leave_it_as_the_single_edit_leaves_it_with_each_round_in_its_history(cs, today) -> None:
    steps = [
        ("start", date(2026, 6, 2), "已安排施工单位"),
        ("answer", date(2026, 6, 4), "已修复"),
        ("send_back", date(2026, 6, 5), "照片不清楚须补充"),
        ("answer", date(2026, 6, 8), "已修复并补充照片"),
        ("confirm", date(2026, 6, 9), None),
    ]
    bulk.write(cs, _order_rows(steps=steps), source="测试", today=TODAY)
    t = cs.scalar(select(OrderTarget))
    assert (t.state, t.first_answered_on, t.answered_on, t.confirmed_on, t.opinion, t.answered_at_county) == (
        "confirmed",
        date(2026, 6, 4),
        date(2026, 6, 8),
        date(2026, 6, 9),
        "照片不清楚须补充",
        True,
    )
    assert t.deadline == date(2026, 6, 10) and t.township_code == T1[0]
    history = orders.detail(cs, t.id)["history"]
    assert [h["action"] for h in history] == ["issue", "start", "answer", "send_back", "answer", "confirm"]
    assert history[-1]["state_after"] == "已确认"
    # a later batch of steps moves a stored target on from where it stands
    more = _order_rows(steps=[("answer", date(2026, 6, 3), "已修复")])
    bulk.write(cs, more, source="测试", today=TODAY)
    done = cs.get(OrderTarget, more["order_target"][0]["id"])
    step = {"target_id": done.id, "action": "confirm", "on": date(2026, 6, 2)}
    assert _refused(cs, {"order_event": [step]}) == _single(lambda: orders.confirm(cs, done.id, "2026-06-02"))
    bulk.write(cs, {"order_event": [{**step, "on": date(2026, 6, 4)}]}, source="测试", today=TODAY)
    cs.expire_all()
    assert (cs.get(OrderTarget, done.id).state, cs.get(OrderTarget, done.id).version) == ("confirmed", 2)


def test_a_new_target_starts_with_its_issue_step(cs, today) -> None:
    rows = _order_rows()
    rows["order_event"] = [{**rows["order_event"][0], "action": "start", "text": "已部署"}]
    assert orders.NOT_ISSUED in _refused(cs, rows)
    rows = _order_rows(steps=[("issue", date(2026, 6, 1), None)])
    assert _refused(cs, rows) == [orders.ISSUED_ONCE]


# -- a failed checklist line needs a rectification ---------------------------------------------------------


def _patrol(cs, cid: str, result: str, rectifications: int = 0) -> dict[str, list[dict[str, Any]]]:
    tmpl = catalogues.template(cs, "patrol_default")
    iid = new_id()
    rows: dict[str, list[dict[str, Any]]] = {
        "inspection": [{"id": iid, "community_id": cid, "kind": "patrol", "inspected_on": date(2026, 6, 3)}],
        "inspection_result": [
            {"inspection_id": iid, "text": it.text, "area": it.area, "result": result if n == 1 else "pass"}
            for n, it in enumerate(tmpl.items, start=1)
        ],
    }
    if rectifications:
        rows["rectification"] = [
            {"inspection_id": iid, "problem": "围挡破损", "deadline": date(2026, 6, 10)} for _ in range(rectifications)
        ]
    return rows


def test_a_failed_line_without_a_rectification_is_refused_as_record_refuses_it(cs, today) -> None:
    c = make_community(cs, T1[0], "幸福里")
    rows = _patrol(cs, c.id, "fail")
    lines = [{k: v for k, v in r.items() if k != "inspection_id"} for r in rows["inspection_result"]]
    single = _single(
        lambda: inspections.record(cs, c, {"kind": "patrol", "inspected_on": date(2026, 6, 3)}, lines, today=TODAY)
    )
    assert _refused(cs, rows) == single == ["有不合格项，须下达整改（写明问题和整改期限）"]
    assert _refused(cs, _patrol(cs, c.id, "fail", rectifications=1)) == []
    assert _refused(cs, _patrol(cs, c.id, "pass")) == []
    # a stored check with its rectification: a line turned 不合格 later needs no second one
    written = _patrol(cs, c.id, "na", rectifications=1)
    bulk.write(cs, written, source="测试", today=TODAY)
    line = cs.scalar(select(inspections.InspectionResult.id).where(inspections.InspectionResult.result == "na"))
    assert _refused(cs, {"inspection_result": [{"id": line, "result": "fail"}]}) == []


# -- the demo ----------------------------------------------------------------------------------------------


def test_the_demo_writes_its_supervision_through_the_bulk_path(empty_db) -> None:
    with empty_db.transaction("演示操作员") as s:
        demo.build(s, communities_count=60, today=TODAY)
    with empty_db.transaction("测试员") as s:
        assert s.query(InspectionSchedule).count() > 5
        assert {t.state for t in s.scalars(select(OrderTarget))} == {"pending", "in_progress", "done", "confirmed"}
        numbers = sorted(s.scalars(select(SupervisionOrder.number)))
        assert "项目督办〔2026〕001号" in numbers and "工作提示〔2026〕001号" in numbers
        reqs = list(s.scalars(select(ResidentRequest)))
        assert reqs and any(r.reply for r in reqs) and any(not r.reply for r in reqs)
        assert all(r.township_code for r in reqs)
        assert s.query(AssessmentManualScore).count() == len(divisions.townships(s))
        for t in s.scalars(select(OrderTarget)):
            history = orders.detail(s, t.id)["history"]
            assert history[0]["action"] == "issue" and orders.STATES[t.state] == history[-1]["state_after"]
        events = s.execute(
            select(bulk.AuditEntry.field, bulk.AuditEntry.new_value).where(bulk.AuditEntry.action == "import")
        ).all()
        assert ("demo", "演示数据（督办考核）") in events
