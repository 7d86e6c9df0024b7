"""Supervision records arriving by sync go through the bulk write path (importing/bulk_tables.py), as the tables of
the ledger do: a package row that breaks a single edit's rule is refused with that rule's message naming the
record and nothing changes; an order's steps are replayed through the state machine (orders.transition), which
accepts every history the other side can legitimately produce (a send-back and a re-answer, a paper answer at the
county beside the township's own) and refuses one it cannot."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from oldcomm_desktop.core import communities
from oldcomm_desktop.core.model import AuditEntry
from oldcomm_desktop.core.model.supervision import InspectionSchedule, OrderEvent, OrderTarget, ResidentRequest
from oldcomm_desktop.core.supervision import orders, requests, schedules
from oldcomm_desktop.core.sync import conflicts, history

from .conftest import T1, assert_refused, edit_record, rewrite

TODAY = date(2026, 6, 15)


def _community(node, name: str = "幸福里小区") -> str:
    return node.new_community(name, households=10, floor_area="1000", total_investment="1000", plan_year=2026)


def _order(county) -> str:
    with county.db.transaction("县督办员") as s:
        order = orders.issue(
            s,
            {"problem": "雨污分流进度滞后", "requirement": "月底前完成", "deadline": date(2026, 6, 30)},
            [{"township_code": T1}],
            today=TODAY,
        )
        return order.id


def _target(node, order_id: str) -> OrderTarget:
    with node.db.transaction("测试员") as s:
        t = s.scalar(select(OrderTarget).where(OrderTarget.order_id == order_id))
        s.expunge(t)
        return t


def _steps(node, target_id: str) -> list[str]:
    with node.db.transaction("测试员") as s:
        q = select(OrderEvent.action).where(OrderEvent.target_id == target_id).order_by(OrderEvent.created_at)
        return list(s.scalars(q))


def _answered_at_township(county, t1, text: str = "已完成雨污分流") -> tuple[str, str]:
    """A county order for T1, received there and answered: (order id, target id)."""
    order_id = _order(county)
    t1.import_(county.export(T1).path)
    tid = _target(t1, order_id).id
    with t1.db.transaction("城关街道经办人") as s:
        orders.answer(s, tid, text, date(2026, 6, 18), today=date(2026, 6, 18))
    return order_id, tid


def test_a_send_back_and_a_re_answer_travel_both_ways_through_the_state_machine(county, world) -> None:
    t1 = world[T1]
    order_id = _order(county)
    t1.import_(county.export(T1).path)
    tid = _target(t1, order_id).id
    with t1.db.transaction("城关街道经办人") as s:
        orders.start(s, tid, "已安排施工队", date(2026, 6, 16), today=date(2026, 6, 16))
        orders.answer(s, tid, "完成 0.8 公里", date(2026, 6, 18), today=date(2026, 6, 18))
    county.import_(t1.export().path)
    with county.db.transaction("县督办员") as s:
        orders.send_back(s, tid, "还差 0.4 公里", date(2026, 6, 19), today=date(2026, 6, 19))
    t1.import_(county.export(T1).path)
    t = _target(t1, order_id)
    assert (t.state, t.opinion) == ("in_progress", "还差 0.4 公里")
    with t1.db.transaction("城关街道经办人") as s:
        orders.answer(s, tid, "已全部完成 1.2 公里", date(2026, 6, 25), today=date(2026, 6, 25))
    county.import_(t1.export().path)
    with county.db.transaction("县督办员") as s:
        orders.confirm(s, tid, date(2026, 6, 26), today=date(2026, 6, 26))
    t1.import_(county.export(T1).path)
    county.import_(t1.export().path)
    for node in (county, t1):
        t = _target(node, order_id)
        assert (t.state, t.answer, t.first_answered_on, t.answered_at_county) == (
            "confirmed",
            "已全部完成 1.2 公里",
            date(2026, 6, 18),
            False,
        )
        assert _steps(node, tid) == ["issue", "start", "answer", "send_back", "answer", "confirm"]
    with county.db.transaction() as s:  # the steps were written by the bulk path: its audit entries
        q = (
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.table_name == "order_event", AuditEntry.action == "create", AuditEntry.operator == "导入员"
            )
        )
        assert s.scalar(q) == 3  # start, answer, answer


def test_a_paper_answer_at_the_county_beside_the_township_s_own_is_a_conflict_not_a_refusal(county, world) -> None:
    t1 = world[T1]
    order_id = _order(county)
    t1.import_(county.export(T1).path)
    tid = _target(t1, order_id).id
    with county.db.transaction("县督办员") as s:  # the answer came on paper and was typed in at the county
        orders.answer(s, tid, "纸质答复：已完成", date(2026, 6, 17), today=date(2026, 6, 17))
    with t1.db.transaction("城关街道经办人") as s:
        orders.answer(s, tid, "已完成雨污分流", date(2026, 6, 18), today=date(2026, 6, 18))
    report = county.import_(t1.export().path)
    assert {c["field"] for c in report.conflicts} >= {"answer", "answered_on"}
    assert sorted(_steps(county, tid)) == ["answer", "answer", "issue"]
    with county.db.transaction("县督办员") as s:
        for c in conflicts.listing(s):
            conflicts.resolve(s, c["id"], "theirs")
    t1.import_(county.export(T1).path)
    for node in (county, t1):
        assert _target(node, order_id).answer == "已完成雨污分流"


def test_a_step_the_state_machine_refuses_refuses_the_package(county, world, tmp_path: Path) -> None:
    """A township package whose steps start the work after answering it: refused with the state machine's
    message, the county's database unchanged."""
    t1 = world[T1]
    order_id, tid = _answered_at_township(county, t1, "已完成雨污分流")
    up = t1.export()
    forged = tmp_path / "start-after-answer.ocpkg"

    def start_after_answer(members: dict) -> None:
        name = "records/order_event.jsonl"
        line = json.loads(members[name].decode().splitlines()[-1])
        assert line["v"]["action"] == "answer"
        line["id"] = "00000000-0000-4000-8000-0000000000aa"
        line["v"].update(action="start", text="开始处理", created_at="2099-01-01T00:00:00")
        members[name] += (json.dumps(line, ensure_ascii=False) + "\n").encode()

    rewrite(up.path, forged, t1, members=start_after_answer)
    assert_refused(county, forged, "督办办理记录“开始处理”.*该督办已答复")


def test_a_second_copy_of_the_sender_s_own_answer_is_refused_not_kept_as_history(county, world, tmp_path: Path) -> None:
    """The township answered and the county holds that answer; a package adding another answer step after it
    (the township's state machine never makes one) is refused: the replay of the township's new steps starts
    after the last step it made itself, not from an earlier state (which a concurrent county step needs)."""
    t1 = world[T1]
    order_id, tid = _answered_at_township(county, t1, "已完成雨污分流")
    county.import_(t1.export().path)
    assert _steps(county, tid) == ["issue", "answer"]
    up = t1.export(full=True)
    forged = tmp_path / "answer-twice.ocpkg"

    def answer_again(members: dict) -> None:
        name = "records/order_event.jsonl"
        line = next(
            json.loads(x) for x in members[name].decode().splitlines() if json.loads(x)["v"]["action"] == "answer"
        )
        line["id"] = "00000000-0000-4000-8000-0000000000ab"
        line["v"].update(text="又答复了一次", created_at="2099-01-01T00:00:00")
        members[name] += (json.dumps(line, ensure_ascii=False) + "\n").encode()

    rewrite(up.path, forged, t1, members=answer_again)
    assert_refused(county, forged, "督办办理记录“又答复了一次”")
    assert _steps(county, tid) == ["issue", "answer"]


@pytest.mark.parametrize(
    ("table", "change", "message"),
    [
        (
            "resident_request",
            lambda line: line["v"].update(satisfaction="satisfied"),
            "居民诉求“.*”.*尚未答复|居民诉求“.*”.*满意",
        ),
        (
            "inspection_schedule",
            lambda line: line["v"].update(ends_on="2025-01-01"),
            "检查计划（.*）.*早于开始日期",
        ),
    ],
)
def test_a_row_breaking_a_single_edit_rule_is_refused_naming_the_record(
    county, world, tmp_path, table, change, message
):
    t1 = world[T1]
    cid = _community(t1)
    with t1.db.transaction("录入员") as s:
        schedules.add(
            s, {"community_id": cid, "kind": "management", "frequency": "monthly", "starts_on": date(2026, 1, 1)}
        )
        requests.add(
            s,
            {"community_id": cid, "topic": "停车难", "channel": "hotline", "raised_on": TODAY, "raised_by": "张女士"},
            today=TODAY,
        )
    up = t1.export()
    forged = tmp_path / "bad.ocpkg"
    rewrite(up.path, forged, t1, members=lambda m: edit_record(m, table, change))
    assert_refused(county, forged, message)
    county.import_(up.path)  # the real package applies
    with county.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(InspectionSchedule)) == 1
        assert s.scalar(select(func.count()).select_from(ResidentRequest)) == 1


def test_a_request_under_a_community_deleted_here_is_held_not_refused(county, world) -> None:
    t1 = world[T1]
    cid = _community(t1)
    county.import_(t1.export().path)
    with county.db.transaction("审核员") as s:
        communities.delete(s, cid)
    with t1.db.transaction("录入员") as s:
        rid = requests.add(
            s,
            {"community_id": cid, "topic": "停车难", "channel": "hotline", "raised_on": TODAY, "raised_by": "张女士"},
            today=TODAY,
        ).id
    report = county.import_(t1.export().path)
    assert [(c["table"], c["record_id"]) for c in report.conflicts] == [("resident_request", rid)]
    with county.db.transaction("审核员") as s:
        assert s.get(ResidentRequest, rid) is None
        [c] = conflicts.listing(s)
        conflicts.resolve(s, c["id"], "theirs")  # the community comes back, the request is written
        assert s.get(ResidentRequest, rid).township_code == T1


def test_a_rollback_of_an_order_arriving_at_a_township_goes_through_the_bulk_rules(county, world) -> None:
    t1 = world[T1]
    order_id, tid = _answered_at_township(county, t1, "已完成")
    county.import_(t1.export().path)
    with county.db.transaction("县督办员") as s:
        orders.send_back(s, tid, "不全", date(2026, 6, 19), today=date(2026, 6, 19))
    report = t1.import_(county.export(T1).path)
    assert _target(t1, order_id).state == "in_progress"
    with t1.db.transaction("城关街道经办人") as s:
        history.rollback(s, report.import_id)
    t = _target(t1, order_id)
    assert (t.state, t.opinion) == ("done", None)
    assert _steps(t1, tid) == ["issue", "answer"]
    t1.import_(county.export(T1).path)  # sent again, and applied again
    assert _target(t1, order_id).state == "in_progress"
