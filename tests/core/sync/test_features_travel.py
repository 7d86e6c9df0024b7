"""The records of returns, supervision and responsible parties travel in packages, each in its direction:
an order goes down to the townships it addresses and its answers come up; a return goes up and the county's
review (and with it the period lock) comes down; responsible parties go with their project."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import communities, projects, responsibility
from oldcomm_desktop.core.errors import OldcommError, ValidationError
from oldcomm_desktop.core.model import (
    Attachment,
    Community,
    ReturnArchive,
    ReturnRound,
    ReturnSubmission,
)
from oldcomm_desktop.core.model.responsibility import ResponsibleParty
from oldcomm_desktop.core.model.supervision import OrderEvent, OrderTarget, SupervisionOrder
from oldcomm_desktop.core.returns import review
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.core.supervision import orders
from oldcomm_desktop.core.sync.package import PackageError

from .conftest import COUNTY, T1, T2, rewrite

MAY = Period(2026, 5)
TODAY = date(2026, 6, 15)


def _target(node, order_id: str, township: str) -> OrderTarget:
    with node.db.transaction("测试员") as s:
        t = s.scalar(select(OrderTarget).where(OrderTarget.order_id == order_id, OrderTarget.township_code == township))
        assert t is not None, f"no target of {order_id} for {township} at {node.code}"
        s.expunge(t)
        return t


def test_an_order_goes_down_is_answered_comes_back_and_is_confirmed(world, tmp_path: Path) -> None:
    county, t1, t2 = world[COUNTY], world[T1], world[T2]
    scan = tmp_path / "督办通知.pdf"
    scan.write_bytes(b"%PDF-1.4 order scan\x00\xff" * 50)
    with county.db.transaction("县督办员") as s:
        order = orders.issue(
            s,
            {"problem": "雨污分流进度滞后", "requirement": "月底前完成", "deadline": date(2026, 6, 30)},
            [{"township_code": T1}, {"township_code": T2}],
            files=[scan],
            today=TODAY,
        )
        order_id, number = order.id, order.number

    down = county.export(T1)
    assert down.counts["supervision_order"] == 1 and down.counts["order_target"] == 1
    assert down.attachments == 1  # the order's scan goes with it
    report = t1.import_(down.path)
    assert report.tables["supervision_order"].added == 1
    with t1.db.transaction("测试员") as s:
        got = s.get(SupervisionOrder, order_id)
        assert (got.number, got.township_code) == (number, None)
        # only its own target: T2's answer is none of T1's business
        assert [t.township_code for t in s.scalars(select(OrderTarget))] == [T1]
        att = s.scalar(select(Attachment).where(Attachment.owner_id == order_id))
        from oldcomm_desktop.core.attachments import stored_path

        assert stored_path(s, att.sha256).read_bytes() == scan.read_bytes()

    target = _target(t1, order_id, T1)
    with t1.db.transaction("城关街道经办人") as s:
        orders.answer(s, target.id, "已完成雨污分流改造 1.2 公里", date(2026, 6, 20), today=date(2026, 6, 20))
    # the township's package never carries the county's order back up, only its answer
    up = t1.export()
    assert "supervision_order" not in up.counts and up.counts["order_target"] == 1
    county.import_(up.path)
    t = _target(county, order_id, T1)
    assert (t.state, t.answer, t.answered_on) == ("done", "已完成雨污分流改造 1.2 公里", date(2026, 6, 20))
    assert _target(county, order_id, T2).state == "pending"  # the other township's target untouched

    with county.db.transaction("县督办员") as s:
        orders.confirm(s, t.id, date(2026, 6, 22), today=date(2026, 6, 22))
    t1.import_(county.export(T1).path)
    t = _target(t1, order_id, T1)
    assert (t.state, t.confirmed_on) == ("confirmed", date(2026, 6, 22))
    with t1.db.transaction("测试员") as s:
        events = s.scalars(select(OrderEvent).where(OrderEvent.target_id == t.id).order_by(OrderEvent.on))
        actions = [e.action for e in events]
    assert actions == ["issue", "answer", "confirm"]

    # T2 gets the order too, with its own target only; once T1's receipt is in, T1's next package is empty
    t2.import_(county.export(T2).path)
    with t2.db.transaction("测试员") as s:
        assert [t.township_code for t in s.scalars(select(OrderTarget))] == [T2]
    receipt = t1.export()
    assert receipt.total == 0
    county.import_(receipt.path)
    assert county.export(T1).total == 0


def test_a_township_cannot_send_orders_or_the_countys_decisions(world, tmp_path: Path) -> None:
    county, t1, t2 = world[COUNTY], world[T1], world[T2]
    with county.db.transaction("县督办员") as s:
        order = orders.issue(
            s,
            {"problem": "问题", "requirement": "要求", "deadline": date(2026, 6, 30)},
            [{"township_code": T2}],
            today=TODAY,
        )
        order_id = order.id
    full = county.export(T2, full=True)
    # a county package for T1 that smuggles in an order addressed only to T2 is refused at T1
    forged = tmp_path / "forged.ocpkg"

    def retarget(man: dict) -> None:
        man["recipient"] = T1

    rewrite(full.path, forged, county, manifest=retarget, members=_drop_targets)
    with pytest.raises(PackageError, match="不是发给 341122001000 的督办"):
        t1.import_(forged)

    # a township's package that carries an order is refused at the county
    up = t2.export()
    forged_up = tmp_path / "forged-up.ocpkg"

    def add_order(members: dict) -> None:
        with_order = [m for n, m in _members(full.path).items() if n == "records/supervision_order.jsonl"]
        members["records/supervision_order.jsonl"] = with_order[0]

    rewrite(up.path, forged_up, t2, members=add_order)
    with pytest.raises(PackageError, match="不能携带督办"):
        county.import_(forged_up)
    assert order_id


def _members(path: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _drop_targets(members: dict) -> None:
    for name in [n for n in members if n.startswith("records/") and "supervision_order" not in n]:
        del members[name]


def _community(node, name: str) -> str:
    with node.db.transaction("录入员") as s:
        c = communities.create(
            s,
            {
                "name": name,
                "township_code": node.code,
                "year_built": 1990,
                "households": 120,
                "floor_area": "10000.55",
                "total_investment": "1234567.89",
                "plan_year": 2026,
                "start_kind": "new",
            },
            confirm=True,
        )
        return c.id


def test_a_return_goes_up_is_sent_back_resubmitted_approved_and_locks_the_township(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = _community(t1, "幸福里小区")
    with t1.db.transaction("城关街道填报员") as s:
        sub = review.submit(s, "progress", MAY, operator="城关街道填报员")
        sub_id = sub.id
    up = t1.export()
    assert {"return_submission", "return_round", "return_archive"} <= set(up.counts)
    county.import_(up.path)
    with county.db.transaction("测试员") as s:
        arch = s.scalar(select(ReturnArchive).where(ReturnArchive.submission_id == sub_id))
        assert arch.content[:2] == b"PK" and arch.rows >= 1  # the .xlsx itself, byte for byte
        [c] = review.completeness(s, "progress", MAY, today=TODAY)[:1]
    assert c.status == "submitted"

    with county.db.transaction("县审核员") as s:
        review.send_back(s, "progress", MAY, township=T1, operator="县审核员", opinion="户数请核实")
    t1.import_(county.export(T1).path)
    with t1.db.transaction("测试员") as s:
        sub = s.get(ReturnSubmission, sub_id)
        assert (sub.status, sub.opinion) == ("sent_back", "户数请核实")
        assert [h.action for h in review.history(s)][::-1] == ["submitted", "sent_back"]

    t1_update = {"households": 118}
    with t1.db.transaction("城关街道填报员") as s:
        communities.update(s, cid, t1_update, confirm=True)
    with t1.db.transaction("城关街道填报员") as s:
        assert review.submit(s, "progress", MAY, operator="城关街道填报员").rounds == 2
    county.import_(t1.export().path)
    with county.db.transaction("县审核员") as s:
        review.approve(s, "progress", MAY, township=T1, operator="县审核员")
        assert s.get(Community, cid).households == 118
    t1.import_(county.export(T1).path)
    with t1.db.transaction("测试员") as s:
        sub = s.get(ReturnSubmission, sub_id)
        assert (sub.status, sub.rounds) == ("approved", 2)
        rounds = s.scalars(select(ReturnRound).where(ReturnRound.submission_id == sub_id)).all()
        assert sorted((r.round, r.action) for r in rounds) == [
            (1, "sent_back"),
            (1, "submitted"),
            (2, "approved"),
            (2, "submitted"),
        ]
        assert len(s.scalars(select(ReturnArchive)).all()) == 2
    # the township's period is locked now: its own edit of a 2026 community's households is refused
    with pytest.raises(ValidationError, match="已审核通过并锁定"), t1.db.transaction("城关街道填报员") as s:
        communities.update(s, cid, {"households": 117}, confirm=True)
        s.flush()
    # … but a county correction of the locked period (made after a reopening there) still arrives by package
    with county.db.transaction("县审核员") as s:
        review.reopen(s, "progress", MAY, township=T1, operator="县审核员", reason="户数更正")
        communities.update(s, cid, {"households": 119}, confirm=True)
        review.submit(s, "progress", MAY, township=T1, operator="县审核员")  # a paper return recorded here
        review.approve(s, "progress", MAY, township=T1, operator="县审核员")
    report = t1.import_(county.export(T1).path)
    assert not report.conflicts
    with t1.db.transaction("测试员") as s:
        assert s.get(Community, cid).households == 119
        sub = s.get(ReturnSubmission, sub_id)
        assert (sub.status, sub.rounds) == ("approved", 3)


def test_both_sides_submitting_the_same_return_meet_as_one_record(world) -> None:
    """The county records a paper return while the township submits its own: one submission, not two."""
    county, t1 = world[COUNTY], world[T1]
    _community(t1, "幸福里小区")
    county.import_(t1.export().path)
    with t1.db.transaction("城关街道填报员") as s:
        review.submit(s, "progress", MAY, operator="城关街道填报员")
    with county.db.transaction("县审核员") as s:
        review.submit(s, "progress", MAY, township=T1, operator="县审核员")
    county.import_(t1.export().path)
    with county.db.transaction("测试员") as s:
        subs = s.scalars(select(ReturnSubmission)).all()
        assert len(subs) == 1 and review.find(s, "progress", MAY, T1) is not None
        assert len(s.scalars(select(ReturnRound)).all()) == 2  # both rounds kept


def test_responsible_parties_travel_with_their_project(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    with t1.db.transaction("录入员") as s:
        p = projects.create(s, {"name": "2026年城关街道老旧小区改造项目", "plan_year": 2026})
        pid = p.id
        responsibility.set_parties(
            s,
            pid,
            {
                "builder": {"unit_name": "城关街道办事处", "leader": "王建国"},
                "contractor": {"unit_name": "安徽某建设有限公司", "leader": "李明", "licence_no": "皖134060800123"},
            },
        )
    up = t1.export()
    assert up.counts["responsible_party"] == 2
    county.import_(up.path)
    with county.db.transaction("县审核员") as s:
        assert {(x.role, x.leader) for x in responsibility.parties(s, pid) if x.named} == {
            ("builder", "王建国"),
            ("contractor", "李明"),
        }
        responsibility.set_parties(
            s, pid, {"supervisor": {"unit_name": "某监理公司", "leader": "赵强", "licence_no": "监理00123"}}
        )
    t1.import_(county.export(T1).path)
    with t1.db.transaction("测试员") as s:
        live = s.scalars(select(ResponsibleParty).where(ResponsibleParty.deleted_at.is_(None))).all()
        assert {x.role for x in live} == {"builder", "contractor", "supervisor"}


def test_another_townships_return_is_refused(world, tmp_path: Path) -> None:
    county, t1, t2 = world[COUNTY], world[T1], world[T2]
    _community(t1, "幸福里小区")
    with t1.db.transaction("城关街道填报员") as s:
        review.submit(s, "progress", MAY, operator="城关街道填报员")
    up = t1.export()
    forged = tmp_path / "t2.ocpkg"

    def as_t2(man: dict) -> None:
        man["sender"]["code"] = T2

    with t2.db.transaction("测试员") as s:
        from oldcomm_desktop.core.sync import keys

        me = keys.own_key(s)

    def sender(man: dict) -> None:
        as_t2(man)
        man["sender"].update(fingerprint=me.fingerprint, public_key=me.public_key)

    rewrite(up.path, forged, t2, manifest=sender)
    with pytest.raises(OldcommError, match="属于其他乡镇"):
        county.import_(forged)


def test_schedules_and_requests_travel_up_and_a_reply_comes_down(world) -> None:
    from oldcomm_desktop.core.model.supervision import InspectionSchedule, ResidentRequest
    from oldcomm_desktop.core.supervision import requests, schedules

    county, t1 = world[COUNTY], world[T1]
    cid = _community(t1, "幸福里小区")
    with t1.db.transaction("录入员") as s:
        schedules.add(
            s, {"community_id": cid, "kind": "management", "frequency": "monthly", "starts_on": date(2026, 1, 1)}
        )
        rid = requests.add(
            s,
            {
                "community_id": cid,
                "topic": "停车难",
                "channel": "hotline",
                "raised_on": date(2026, 6, 1),
                "raised_by": "张女士",
            },
            today=date(2026, 6, 1),
        ).id
    up = t1.export()
    assert up.counts["inspection_schedule"] == 1 and up.counts["resident_request"] == 1
    county.import_(up.path)
    with county.db.transaction("县经办人") as s:
        assert s.scalar(select(InspectionSchedule)).township_code == T1
        requests.reply(s, rid, "已协调增设停车位 20 个", date(2026, 6, 5), "satisfied", today=date(2026, 6, 5))
    t1.import_(county.export(T1).path)
    with t1.db.transaction("测试员") as s:
        req = s.get(ResidentRequest, rid)
        assert (req.reply, req.satisfaction) == ("已协调增设停车位 20 个", "satisfied")


def test_a_township_package_cannot_create_the_countys_acts(world, tmp_path: Path) -> None:
    """A forged township package with an approval round of its own return is refused, nothing changed."""
    import json

    county, t1 = world[COUNTY], world[T1]
    _community(t1, "幸福里小区")
    with t1.db.transaction("城关街道填报员") as s:
        review.submit(s, "progress", MAY, operator="城关街道填报员")
    up = t1.export()
    forged = tmp_path / "self-approved.ocpkg"

    def approve_self(members: dict) -> None:
        line = json.loads(members["records/return_round.jsonl"].decode().splitlines()[0])
        line["id"] = "00000000-0000-4000-8000-000000000001"
        line["v"]["action"] = "approved"
        members["records/return_round.jsonl"] += (json.dumps(line, ensure_ascii=False) + "\n").encode()

    rewrite(up.path, forged, t1, members=approve_self)
    with pytest.raises(PackageError, match="县里的审核或督办操作"):
        county.import_(forged)
    with county.db.transaction("测试员") as s:
        assert s.scalars(select(ReturnSubmission)).all() == []
