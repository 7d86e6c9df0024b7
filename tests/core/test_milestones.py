"""Milestones through the service: the stored status follows them in every order (withdrawal too), an
out-of-order milestone is refused without a trace, a project's milestones count for all its communities,
and a milestone a later one depends on cannot be removed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from oldcomm_desktop.core import communities, milestones, projects
from oldcomm_desktop.core.errors import NotFound, ValidationError
from oldcomm_desktop.core.model import Base, Community, Milestone, Project

D = date(2020, 3, 1)


def day(n: int) -> date:
    return D + timedelta(days=n)


def db_state(db) -> dict[str, list[tuple]]:
    """Every row of every table, read on a new connection."""
    with db.engine.connect() as conn:
        return {
            t.name: sorted((tuple(r) for r in conn.execute(t.select())), key=repr) for t in Base.metadata.sorted_tables
        }


def refused(db, call, exc_type=ValidationError):
    """Run `call(session)`, expect `exc_type`, commit the session anyway: nothing may have changed."""
    before = db_state(db)
    with db.session("测试员") as s:
        with pytest.raises(exc_type) as info:
            call(s)
        s.commit()
    assert db_state(db) == before
    return info.value


def new_community(db, name: str = "幸福里小区", **data) -> str:
    with db.transaction("测试员") as s:
        return communities.create(s, {"name": name, "households": 100, **data}).id


def new_project(db, name: str = "2020年城关片区改造", **data) -> str:
    with db.transaction("测试员") as s:
        return projects.create(s, {"name": name, **data}).id


def add(db, target_id: str, kind: str, n: int, **extra) -> str:
    with db.transaction("测试员") as s:
        target = s.get(Community, target_id) or s.get(Project, target_id)
        return milestones.add(s, target, {"kind": kind, "reached_on": day(n), **extra}).id


def add_refused(db, target_id: str, kind: str, n: int | date, **extra) -> ValidationError:
    on = n if isinstance(n, date) else day(n)

    def call(s):
        target = s.get(Community, target_id) or s.get(Project, target_id)
        milestones.add(s, target, {"kind": kind, "reached_on": on, **extra})

    return refused(db, call)


def remove(db, milestone_id: str) -> None:
    with db.transaction("测试员") as s:
        milestones.remove(s, milestone_id)


def status(db, community_id: str) -> str:
    """The stored status, checked against a fresh derivation from the milestones."""
    with db.session("测试员") as s:
        c = s.get(Community, community_id)
        assert milestones.status_of(s, c) == c.status
        return c.status


# ---------------------------------------------------------------- status through the lifecycle


def test_status_follows_every_step_of_the_lifecycle(db) -> None:
    cid = new_community(db)
    assert status(db, cid) == "reserve"
    steps = [
        ("survey", 0, "reserve"),
        ("publicity", 5, "reserve"),
        ("plan", 10, "planned"),
        ("approval", 20, "planned"),
        ("design_review", 30, "planned"),
        ("tender", 40, "planned"),
        ("permit", 50, "planned"),
        ("start", 60, "started"),
        ("completion", 200, "completed"),
        ("acceptance", 220, "accepted"),
        ("filing", 230, "accepted"),
        ("settlement", 300, "accepted"),
        ("handover", 310, "accepted"),
        ("takeover", 320, "accepted"),
    ]
    for kind, n, expected in steps:
        add(db, cid, kind, n, document_no=f"文号-{kind}")
        assert status(db, cid) == expected, kind
    with db.session("测试员") as s:
        log = milestones.milestones_of(s, s.get(Community, cid))
        assert [m.kind for m in log] == [k for k, _, _ in steps]
        assert all(m.township_code == "341122001000" for m in log)


def test_status_walks_back_when_milestones_are_removed_latest_first(db) -> None:
    cid = new_community(db)
    ids = [add(db, cid, kind, n) for kind, n in (("plan", 0), ("start", 10), ("completion", 50), ("acceptance", 60))]
    expected_after_removal = ["completed", "started", "planned", "reserve"]
    for mid, expected in zip(reversed(ids), expected_after_removal, strict=True):
        remove(db, mid)
        assert status(db, cid) == expected
    with db.session("测试员") as s:
        assert s.get(Milestone, ids[0]).deleted_at is not None  # in the recycle bin, not erased


def test_a_community_in_the_annual_plan_is_planned_without_milestones(db) -> None:
    cid = new_community(db, plan_year=2020)
    assert status(db, cid) == "planned"
    add(db, cid, "start", 0)
    assert status(db, cid) == "started"
    with db.transaction("测试员") as s:
        communities.update(s, cid, {"plan_year": ""})
    assert status(db, cid) == "started"


# ---------------------------------------------------------------- withdrawal


@pytest.mark.parametrize(
    ("before", "status_before"),
    [
        ([], "reserve"),
        ([("survey", 0)], "reserve"),
        ([("plan", 0)], "planned"),
        ([("plan", 0), ("start", 10)], "started"),
        ([("plan", 0), ("start", 10), ("completion", 20)], "completed"),
    ],
)
def test_withdrawal_from_every_state_before_acceptance(db, before: list, status_before: str) -> None:
    cid = new_community(db)
    for kind, n in before:
        add(db, cid, kind, n)
    assert status(db, cid) == status_before
    mid = add(db, cid, "withdrawal", 30, reason="居民意愿征询未通过")
    assert status(db, cid) == "withdrawn"
    with db.session("测试员") as s:
        assert s.get(Milestone, mid).reason == "居民意愿征询未通过"
    # nothing is recorded after a withdrawal
    err = add_refused(db, cid, "tender", 31)
    assert "退出计划" in err.problems[0].message
    # undoing the withdrawal brings the earlier status back
    remove(db, mid)
    assert status(db, cid) == status_before


def test_an_accepted_community_cannot_be_withdrawn(db) -> None:
    cid = new_community(db)
    for kind, n in (("start", 0), ("completion", 10), ("acceptance", 20)):
        add(db, cid, kind, n)
    err = add_refused(db, cid, "withdrawal", 30, reason="资金不足")
    assert [(p.field, p.label) for p in err.problems] == [("reached_on", "日期")]
    assert "已竣工验收的小区不能退出计划" in err.problems[0].message
    assert status(db, cid) == "accepted"


def test_withdrawal_needs_a_reason_and_a_date_after_the_last_milestone(db) -> None:
    cid = new_community(db)
    add(db, cid, "plan", 10)
    err = add_refused(db, cid, "withdrawal", 20)
    assert [(p.field, p.label, p.message) for p in err.problems] == [("reason", "原因", "退出计划必须写明原因")]
    err = add_refused(db, cid, "withdrawal", 20, reason="   ")
    assert err.problems[0].label == "原因"
    err = add_refused(db, cid, "withdrawal", 5, reason="无法实施")
    assert err.problems[0].label == "日期"
    assert status(db, cid) == "planned"


# ---------------------------------------------------------------- out of order, refused without a trace


@pytest.mark.parametrize(
    ("before", "kind", "n", "fragment"),
    [
        ([], "completion", 10, "尚未记录“开工”"),
        ([("start", 0)], "acceptance", 10, "尚未记录“完工”"),
        ([("start", 10)], "completion", 9, "早于开工日期"),
        ([("start", 0), ("completion", 10)], "acceptance", 9, "早于完工日期"),
        ([("start", 0)], "start", 5, "不能重复记录"),
        ([("start", 10)], "plan", 11, "晚于开工日期"),
        ([("permit", 20)], "start", 10, "早于施工许可/质监注册日期"),
        ([("start", 0), ("completion", 5), ("acceptance", 6)], "filing", 5, "早于竣工验收日期"),
    ],
)
def test_out_of_order_milestones_are_refused_and_nothing_changes(
    db, before: list, kind: str, n: int, fragment: str
) -> None:
    cid = new_community(db)
    for k, m in before:
        add(db, cid, k, m)
    status_before = status(db, cid)
    err = add_refused(db, cid, kind, n)
    [p] = err.problems
    assert (p.field, p.label) == ("reached_on", "日期")
    assert fragment in p.message
    assert status(db, cid) == status_before


def test_future_dates_are_refused(db) -> None:
    cid = new_community(db)
    err = add_refused(db, cid, "start", date.today() + timedelta(days=1))
    assert "晚于今天" in err.problems[0].message


@pytest.mark.parametrize(
    ("data", "label"),
    [
        ({"kind": "demolish", "reached_on": "2020-01-01"}, "节点"),
        ({"kind": "start", "reached_on": "2020-02-30"}, "日期"),
        ({"kind": "start"}, "日期"),
        ({"reached_on": "2020-01-01"}, "节点"),
    ],
)
def test_bad_milestone_input_names_the_field(db, data: dict, label: str) -> None:
    cid = new_community(db)
    err = refused(db, lambda s: milestones.add(s, s.get(Community, cid), data))
    assert [p.label for p in err.problems] == [label]


def test_milestone_kind_by_its_chinese_label(db) -> None:
    cid = new_community(db)
    with db.transaction("测试员") as s:
        milestones.add(s, s.get(Community, cid), {"kind": "开工", "reached_on": "2020年3月1日"})
    assert status(db, cid) == "started"


# ---------------------------------------------------------------- project milestones


def test_project_milestones_count_for_all_its_communities(db) -> None:
    pid = new_project(db)
    a = new_community(db, "甲小区", project_id=pid)
    b = new_community(db, "乙小区", project_id=pid)
    other = new_community(db, "项目外小区")
    add(db, pid, "plan", 0)
    assert (status(db, a), status(db, b), status(db, other)) == ("planned", "planned", "reserve")
    add(db, a, "start", 10)
    assert (status(db, a), status(db, b)) == ("started", "planned")
    # a community joining later counts the project's milestones too
    c = new_community(db, "丙小区", project_id=pid)
    assert status(db, c) == "planned"
    # and one leaving the project no longer does
    with db.transaction("测试员") as s:
        communities.update(s, c, {"project_id": ""})
    assert status(db, c) == "reserve"
    with db.session("测试员") as s:
        assert [m.kind for m in milestones.milestones_of(s, s.get(Community, a))] == ["plan", "start"]


def test_construction_milestones_are_kept_per_community(db) -> None:
    pid = new_project(db)
    new_community(db, "甲小区", project_id=pid)
    for kind in ("start", "completion", "acceptance", "withdrawal"):
        err = add_refused(db, pid, kind, 10, reason="x")
        assert [(p.field, p.label) for p in err.problems] == [("kind", "节点")]
        assert "按小区记录，不能记在项目上" in err.problems[0].message


def test_a_project_milestone_must_fit_every_communitys_log(db) -> None:
    pid = new_project(db)
    a = new_community(db, "甲小区", project_id=pid)
    b = new_community(db, "乙小区", project_id=pid)
    add(db, a, "start", 10)
    add(db, a, "completion", 50)
    # a tender after 甲's start is out of order for 甲
    err = add_refused(db, pid, "tender", 20)
    assert "（小区“甲小区”）" in err.problems[0].message
    # settlement needs every community completed: 乙 is not
    err = add_refused(db, pid, "settlement", 60)
    assert "尚未记录“完工”" in err.problems[0].message and "乙小区" in err.problems[0].message
    assert (status(db, a), status(db, b)) == ("completed", "reserve")
    add(db, b, "start", 20)
    add(db, b, "completion", 55)
    add(db, pid, "settlement", 60)
    assert (status(db, a), status(db, b)) == ("completed", "completed")


def test_a_project_without_communities_keeps_its_own_log_in_order(db) -> None:
    pid = new_project(db)
    add(db, pid, "plan", 10)
    err = add_refused(db, pid, "plan", 20)
    assert "不能重复记录" in err.problems[0].message
    add(db, pid, "tender", 5)  # a repeatable preparation milestone


# ---------------------------------------------------------------- removal


def test_a_milestone_a_later_one_depends_on_cannot_be_removed(db) -> None:
    cid = new_community(db)
    start = add(db, cid, "start", 0)
    completion = add(db, cid, "completion", 10)
    acceptance = add(db, cid, "acceptance", 20)
    for mid, later in ((start, "完工"), (completion, "竣工验收")):
        err = refused(db, lambda s, mid=mid: milestones.remove(s, mid))
        assert [(p.field, p.label) for p in err.problems] == [("kind", "节点")]
        assert f"已记录“{later}”" in err.problems[0].message
    assert status(db, cid) == "accepted"
    remove(db, acceptance)
    remove(db, completion)
    remove(db, start)
    assert status(db, cid) == "reserve"


def test_a_project_milestone_keeps_the_community_milestones_it_depends_on(db) -> None:
    pid = new_project(db)
    cid = new_community(db, "甲小区", project_id=pid)
    add(db, cid, "start", 0)
    completion = add(db, cid, "completion", 10)
    settlement = add(db, pid, "settlement", 30)
    err = refused(db, lambda s: milestones.remove(s, completion))
    assert "已记录“结算/审计”" in err.problems[0].message
    remove(db, settlement)
    remove(db, completion)
    assert status(db, cid) == "started"


def test_removing_a_project_milestone_updates_all_its_communities(db) -> None:
    pid = new_project(db)
    a = new_community(db, "甲小区", project_id=pid)
    b = new_community(db, "乙小区", project_id=pid)
    plan = add(db, pid, "plan", 0)
    assert (status(db, a), status(db, b)) == ("planned", "planned")
    remove(db, plan)
    assert (status(db, a), status(db, b)) == ("reserve", "reserve")


def test_a_removed_milestone_cannot_be_removed_again(db) -> None:
    cid = new_community(db)
    mid = add(db, cid, "survey", 0)
    remove(db, mid)
    refused(db, lambda s: milestones.remove(s, mid), NotFound)
    # and it no longer blocks recording the kind again
    add(db, cid, "survey", 1)


def test_a_withdrawn_community_does_not_hold_up_its_project(db) -> None:
    """乙 dropped out after a failed vote; the project goes on with 甲 (tender, then settlement)."""
    pid = new_project(db)
    a = new_community(db, "甲小区", project_id=pid)
    b = new_community(db, "乙小区", project_id=pid)
    add(db, pid, "plan", 0)
    add(db, b, "withdrawal", 5, reason="居民意愿征询未通过")
    add(db, pid, "tender", 10)
    add(db, a, "start", 20)
    add(db, a, "completion", 40)
    add(db, pid, "settlement", 60)
    assert (status(db, a), status(db, b)) == ("completed", "withdrawn")
    # the project's log itself stays in order even when no community follows it any more
    with db.transaction("测试员") as s:
        communities.update(s, a, {"project_id": ""})
    err = add_refused(db, pid, "plan", 70)
    assert "不能重复记录" in err.problems[0].message
