"""The lifecycle rules on their own (no database): the status derived from milestones, the order in which
milestones may be reached, and which milestones may be removed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from oldcomm_desktop.core.lifecycle import (
    ACCEPTED,
    COMPLETED,
    FILING_DAYS,
    KIND_BY_CODE,
    MILESTONE_KINDS,
    PLANNED,
    RESERVE,
    STARTED,
    STATUS_LABELS,
    STATUS_WORDS,
    STATUSES,
    WITHDRAWN,
    Reached,
    derive_status,
    order_problem,
    removal_problem,
)

TODAY = date(2024, 6, 30)
D = date(2020, 1, 1)


def day(n: int) -> date:
    return D + timedelta(days=n)


def log(*pairs: tuple[str, int]) -> list[Reached]:
    return [Reached(kind, day(n)) for kind, n in pairs]


def ok(existing: list[Reached], kind: str, n: int) -> bool:
    return order_problem(existing, Reached(kind, day(n)), TODAY) is None


# ---------------------------------------------------------------- derived status


@pytest.mark.parametrize(
    ("kinds", "in_plan", "status"),
    [
        ([], False, RESERVE),
        ([], True, PLANNED),
        (["survey"], False, RESERVE),
        (["survey", "publicity"], False, RESERVE),
        (["plan"], False, PLANNED),
        (["approval"], False, PLANNED),
        (["design_review"], False, PLANNED),
        (["tender"], False, PLANNED),
        (["permit"], False, PLANNED),
        (["start"], False, STARTED),
        (["plan", "start"], True, STARTED),
        (["start", "completion"], True, COMPLETED),
        (["start", "completion", "settlement", "handover", "takeover"], True, COMPLETED),
        (["start", "completion", "acceptance"], True, ACCEPTED),
        (["start", "completion", "acceptance", "filing", "takeover"], True, ACCEPTED),
        (["withdrawal"], False, WITHDRAWN),
        (["plan", "withdrawal"], True, WITHDRAWN),
        (["start", "withdrawal"], True, WITHDRAWN),
        (["start", "completion", "withdrawal"], True, WITHDRAWN),
        (["no_such_kind"], False, RESERVE),
    ],
)
def test_status_follows_from_the_milestones_reached(kinds: list[str], in_plan: bool, status: str) -> None:
    assert derive_status(kinds, in_plan) == status
    assert derive_status(reversed(kinds), in_plan) == status  # order of the log does not matter
    assert derive_status(iter(kinds), in_plan) == status  # any iterable, consumed once


def test_statuses_and_their_chinese_labels() -> None:
    assert STATUSES == (RESERVE, PLANNED, STARTED, COMPLETED, ACCEPTED, WITHDRAWN)
    assert STATUS_LABELS == {
        "reserve": "储备",
        "planned": "计划",
        "started": "已开工",
        "completed": "已完工",
        "accepted": "已验收",
        "withdrawn": "已退出",
    }


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("完工", COMPLETED),
        ("已完工", COMPLETED),
        ("竣工", COMPLETED),
        ("已完成", COMPLETED),
        ("已验收", ACCEPTED),
        ("竣工验收", ACCEPTED),
        ("在建", STARTED),
        ("已开工", STARTED),
        ("施工中", STARTED),
        ("新开工", STARTED),
        ("续建", STARTED),
        ("未开工", PLANNED),
        ("计划", PLANNED),
        ("退出", WITHDRAWN),
    ],
)
def test_ledger_words_map_to_statuses(word: str, status: str) -> None:
    assert STATUS_WORDS[word] == status


def test_milestone_catalogue() -> None:
    codes = [k.code for k in MILESTONE_KINDS]
    assert codes.index("survey") < codes.index("plan") < codes.index("start") < codes.index("completion")
    assert codes.index("completion") < codes.index("acceptance") < codes.index("filing")
    # construction milestones are per community; preparation may sit on the project
    per_community = {k.code for k in MILESTONE_KINDS if not k.on_project}
    assert {"start", "completion", "acceptance", "filing", "withdrawal"} <= per_community
    assert {"survey", "publicity", "plan", "approval", "design_review", "tender", "permit"}.isdisjoint(per_community)
    assert KIND_BY_CODE["completion"].requires == "start"
    assert KIND_BY_CODE["acceptance"].requires == "completion"
    assert KIND_BY_CODE["filing"].requires == "acceptance"
    assert FILING_DAYS == 15
    assert all(k.label for k in MILESTONE_KINDS)


# ---------------------------------------------------------------- order rules: good


def test_the_whole_lifecycle_in_order_is_accepted() -> None:
    steps = [
        ("survey", 0),
        ("publicity", 10),
        ("plan", 20),
        ("approval", 30),
        ("design_review", 40),
        ("tender", 50),
        ("permit", 60),
        ("start", 70),
        ("completion", 200),
        ("acceptance", 220),
        ("filing", 230),
        ("settlement", 300),
        ("handover", 310),
        ("takeover", 320),
    ]
    existing: list[Reached] = []
    for kind, n in steps:
        assert order_problem(existing, Reached(kind, day(n)), TODAY) is None, kind
        existing.append(Reached(kind, day(n)))
    assert derive_status(r.kind for r in existing) == ACCEPTED


def test_same_day_is_not_out_of_order() -> None:
    existing = log(("plan", 5), ("start", 5))
    assert ok(existing, "tender", 5)
    assert ok(existing, "completion", 5)
    assert ok(log(("start", 5), ("completion", 5)), "acceptance", 5)
    assert ok(log(("plan", 5)), "start", 5)
    assert order_problem([], Reached("start", TODAY), TODAY) is None  # today is not the future


@pytest.mark.parametrize("kind", ["survey", "publicity", "tender", "handover"])
def test_repeatable_milestones_may_be_recorded_again(kind: str) -> None:
    existing = log(("start", 0), ("completion", 5)) if kind == "handover" else []
    existing = existing + [Reached(kind, day(-5) if kind != "handover" else day(6))]
    assert order_problem(existing, Reached(kind, day(-4) if kind != "handover" else day(7)), TODAY) is None


def test_withdrawal_is_allowed_before_acceptance() -> None:
    assert ok([], "withdrawal", 0)
    assert ok(log(("plan", 0)), "withdrawal", 0)
    assert ok(log(("plan", 0), ("start", 10)), "withdrawal", 10)
    assert ok(log(("start", 10), ("completion", 20)), "withdrawal", 30)


def test_milestones_may_be_entered_late_when_the_dates_fit() -> None:
    """A clerk catching up: the start entered after the completion is dated, as long as dates fit."""
    assert ok(log(("plan", 0), ("start", 20)), "approval", 10)  # approval before the start date is fine


# ---------------------------------------------------------------- order rules: refused


@pytest.mark.parametrize(
    ("existing", "kind", "n", "fragment"),
    [
        ([], "completion", 10, "尚未记录“开工”，不能先记录“完工”"),
        ([], "acceptance", 10, "尚未记录“完工”"),
        ([("start", 0)], "acceptance", 10, "尚未记录“完工”"),
        ([("start", 0), ("completion", 5)], "filing", 10, "尚未记录“竣工验收”"),
        ([("start", 0)], "settlement", 10, "尚未记录“完工”"),
        ([("start", 0)], "handover", 10, "尚未记录“完工”"),
        ([("start", 0)], "takeover", 10, "尚未记录“完工”"),
        ([("start", 10)], "completion", 9, "完工日期 2020-01-10 早于开工日期 2020-01-11"),
        ([("start", 0), ("completion", 10)], "acceptance", 9, "早于完工日期"),
        ([("start", 0), ("completion", 10), ("acceptance", 20)], "filing", 19, "早于竣工验收日期"),
        ([("start", 0), ("completion", 10)], "takeover", 9, "早于完工日期"),
        ([("start", 0)], "start", 5, "已记录过“开工”（2020-01-01），不能重复记录"),
        ([("plan", 0)], "plan", 5, "已记录过“纳入年度计划”"),
        ([("start", 0), ("completion", 5)], "completion", 6, "已记录过“完工”"),
        ([("start", 10)], "plan", 11, "纳入年度计划日期 2020-01-12 晚于开工日期 2020-01-11"),
        ([("start", 10)], "tender", 11, "晚于开工日期"),
        ([("start", 10)], "survey", 30, "晚于开工日期"),
        ([("permit", 20)], "start", 10, "开工日期 2020-01-11 早于施工许可/质监注册日期 2020-01-21"),
        ([("survey", 5), ("plan", 30), ("tender", 20)], "start", 10, "早于纳入年度计划日期 2020-01-31"),
        ([("withdrawal", 0)], "start", 5, "该小区已于 2020-01-01 退出计划，不能再记录“开工”"),
        ([("withdrawal", 0)], "survey", 5, "退出计划"),
        ([("withdrawal", 0)], "withdrawal", 5, "已记录过“退出计划”"),
        ([("start", 0), ("completion", 5), ("acceptance", 6)], "withdrawal", 10, "已竣工验收的小区不能退出计划"),
        ([("plan", 0), ("start", 20)], "withdrawal", 19, "退出日期 2020-01-20 早于已记录的最后一个节点日期 2020-01-21"),
        ([], "demolition", 0, "未知的节点类型“demolition”"),
    ],
)
def test_out_of_order_milestones_are_refused(existing: list, kind: str, n: int, fragment: str) -> None:
    why = order_problem(log(*existing), Reached(kind, day(n)), TODAY)
    assert why is not None
    assert fragment in why


@pytest.mark.parametrize("kind", [k.code for k in MILESTONE_KINDS])
def test_no_milestone_may_be_dated_in_the_future(kind: str) -> None:
    why = order_problem([], Reached(kind, TODAY + timedelta(days=1)), TODAY)
    assert why is not None and "晚于今天" in why


# ---------------------------------------------------------------- removal


@pytest.mark.parametrize(
    ("existing", "removing", "fragment"),
    [
        ([("start", 0), ("completion", 5)], ("start", 0), "已记录“完工”，须先删除它才能删除“开工”"),
        ([("start", 0), ("completion", 5), ("acceptance", 6)], ("completion", 5), "已记录“竣工验收”"),
        ([("start", 0), ("completion", 5), ("settlement", 9)], ("completion", 5), "已记录“结算/审计”"),
        ([("start", 0), ("completion", 5), ("handover", 9)], ("completion", 5), "已记录“专营设施移交”"),
        ([("start", 0), ("completion", 5), ("takeover", 9)], ("completion", 5), "已记录“物业接管”"),
        ([("start", 0), ("completion", 5), ("acceptance", 6), ("filing", 7)], ("acceptance", 6), "竣工验收备案"),
    ],
)
def test_a_milestone_another_depends_on_cannot_be_removed(existing: list, removing: tuple, fragment: str) -> None:
    why = removal_problem(log(*existing), Reached(removing[0], day(removing[1])))
    assert why is not None and fragment in why


@pytest.mark.parametrize(
    ("existing", "removing"),
    [
        ([("start", 0), ("completion", 5)], ("completion", 5)),
        ([("start", 0)], ("start", 0)),
        ([("plan", 0), ("start", 5)], ("plan", 0)),  # nothing requires the plan milestone
        ([("start", 0), ("completion", 5), ("acceptance", 6), ("filing", 7)], ("filing", 7)),
        ([("withdrawal", 3)], ("withdrawal", 3)),
        ([("start", 0), ("completion", 5), ("handover", 6), ("handover", 8)], ("handover", 6)),
        ([("tender", 1), ("tender", 2)], ("tender", 1)),
    ],
)
def test_the_latest_milestone_can_be_removed(existing: list, removing: tuple) -> None:
    assert removal_problem(log(*existing), Reached(removing[0], day(removing[1]))) is None


def test_the_withdrawal_rules_hold_whichever_milestone_is_recorded_first() -> None:
    """Sync merges two sides' logs in either order: each pair is judged alike both ways."""
    assert ok(log(("start", 0), ("completion", 5)), "withdrawal", 6)
    assert ok(log(("start", 0), ("withdrawal", 6)), "completion", 5)  # a 完工 dated before the withdrawal
    assert ok(log(("start", 0), ("withdrawal", 6)), "completion", 6)
    assert not ok(log(("start", 0), ("withdrawal", 6)), "completion", 7)
    assert not ok(log(("start", 0), ("completion", 7)), "withdrawal", 6)
    assert not ok(log(("start", 0), ("completion", 5), ("acceptance", 6)), "withdrawal", 7)
    assert not ok(log(("start", 0), ("completion", 5), ("withdrawal", 7)), "acceptance", 6)
