"""Inspection schedules: occurrences over a year are done / missed / due; weekly patrols only while under
construction; a township-wide schedule is met anywhere in the township; bad schedules are refused."""

from __future__ import annotations

from datetime import date

import pytest

from oldcomm_desktop.core import catalogues, inspections
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.supervision import schedules

from .conftest import T1, T2, TODAY, make_community, management_check


def _patrol(s, c, day):
    tmpl = catalogues.template(s, "patrol_default")
    results = [{"template_item_id": i.id, "area": i.area, "text": i.text, "result": "pass"} for i in tmpl.items]
    return inspections.record(
        s, c, {"kind": "patrol", "inspected_on": day}, results, template="patrol_default", today=TODAY
    )


def test_monthly_schedule_over_half_a_year(cs, today) -> None:
    c = make_community(cs, T1[0], "幸福里小区")
    sched = schedules.add(
        cs,
        {
            "community_id": c.id,
            "kind": "management",
            "frequency": "monthly",
            "starts_on": "2026-01-15",
            "inspector": "周工",
            "template_id": "management_default",
        },
    )
    assert sched.township_code == T1[0]
    for day in (date(2026, 1, 20), date(2026, 3, 31), date(2026, 4, 1), date(2026, 4, 2)):
        management_check(cs, c, day, 90)
    occ = schedules.occurrences(cs, today=today)
    states = [(o.window.start, o.state) for o in occ]
    assert states == [
        (date(2026, 1, 15), "done"),
        (date(2026, 2, 1), "missed"),
        (date(2026, 3, 1), "done"),  # the 31st counts for March
        (date(2026, 4, 1), "done"),  # two checks in April: one occurrence
        (date(2026, 5, 1), "missed"),
        (date(2026, 6, 1), "due"),  # June runs until the 30th
    ]
    assert schedules.missed_count(cs, today=today) == 2
    row = schedules.rows(cs, today=today)[0]
    assert (row["done_this_year"], row["missed_this_year"], row["current_state_label"]) == (3, 2, "待检查")
    due = schedules.due_rows(cs, today=today)
    assert [(r["state"], r["window_start"]) for r in due] == [
        ("missed", date(2026, 2, 1)),
        ("missed", date(2026, 5, 1)),
        ("due", date(2026, 6, 1)),
    ]
    management_check(cs, c, date(2026, 6, 10), 88)
    assert schedules.occurrences(cs, today=today)[-1].state == "done"


def test_an_inspection_of_another_kind_or_community_does_not_count(cs, today) -> None:
    a = make_community(cs, T1[0], "甲小区")
    b = make_community(cs, T1[0], "乙小区")
    schedules.add(cs, {"community_id": a.id, "kind": "management", "frequency": "monthly", "starts_on": "2026-05-01"})
    management_check(cs, b, date(2026, 5, 3), 90)
    _patrol(cs, a, date(2026, 5, 4))
    assert [o.state for o in schedules.occurrences(cs, today=today)] == ["missed", "due"]


def test_weekly_patrol_only_while_under_construction(cs, today) -> None:
    c = make_community(cs, T1[0], "在建小区", started=date(2026, 5, 20), completed=date(2026, 6, 3))
    schedules.add(cs, {"community_id": c.id, "kind": "patrol", "frequency": "weekly", "starts_on": "2026-01-01"})
    _patrol(cs, c, date(2026, 5, 27))
    occ = schedules.occurrences(cs, today=today)
    # weeks: Wed 20 – Sun 24 May, 25–31 May, 1–3 June (completed on the 3rd)
    assert [(o.window.start, o.window.end, o.state) for o in occ] == [
        (date(2026, 5, 20), date(2026, 5, 24), "missed"),
        (date(2026, 5, 25), date(2026, 5, 31), "done"),
        (date(2026, 6, 1), date(2026, 6, 3), "missed"),
    ]


def test_weekly_patrol_of_a_site_not_started_has_no_occurrences(cs, today) -> None:
    c = make_community(cs, T1[0], "未开工小区")
    schedules.add(cs, {"community_id": c.id, "kind": "patrol", "frequency": "weekly", "starts_on": "2026-01-01"})
    assert schedules.occurrences(cs, today=today) == []


def test_township_wide_schedule_is_met_by_any_community_of_the_township(cs, today) -> None:
    a = make_community(cs, T1[0], "甲小区")
    other = make_community(cs, T2[0], "外镇小区")
    schedules.add(cs, {"township_code": T1[0], "kind": "management", "frequency": "monthly", "starts_on": "2026-04-01"})
    management_check(cs, a, date(2026, 4, 9), 80)
    management_check(cs, other, date(2026, 5, 9), 80)
    assert [o.state for o in schedules.occurrences(cs, today=today)] == ["done", "missed", "due"]
    assert schedules.rows(cs, today=today)[0]["community"] == "（全乡镇）"


def test_schedule_that_ended_stops(cs, today) -> None:
    c = make_community(cs, T1[0], "甲小区")
    schedules.add(
        cs,
        {
            "community_id": c.id,
            "kind": "management",
            "frequency": "monthly",
            "starts_on": "2026-02-01",
            "ends_on": "2026-03-10",
        },
    )
    occ = schedules.occurrences(cs, today=today)
    assert [(o.window.start, o.window.end) for o in occ] == [
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 10)),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "patrol", "frequency": "weekly", "starts_on": "2026-01-01"}, "请选择小区"),
        (
            {"kind": "management", "frequency": "monthly", "starts_on": "2026-03-01", "ends_on": "2026-02-01"},
            "早于开始日期",
        ),
        ({"kind": "management", "frequency": "daily", "starts_on": "2026-03-01"}, "不是可选值"),
        ({"kind": "management", "frequency": "monthly"}, "必须填写"),
        (
            {"kind": "management", "frequency": "monthly", "starts_on": "2026-03-01", "template_id": "patrol_default"},
            "不是长效管理检查用的",
        ),
        (
            {"kind": "management", "frequency": "monthly", "starts_on": "2026-03-01", "township_code": "341199001000"},
            "不属于本县",
        ),
    ],
)
def test_bad_schedules_are_refused(cs, data, message) -> None:
    data = {"township_code": T1[0], **data}
    with pytest.raises(ValidationError, match=message):
        schedules.add(cs, data)


def test_deleted_schedule_has_no_occurrences(cs, today) -> None:
    c = make_community(cs, T1[0], "甲小区")
    s = schedules.add(
        cs, {"community_id": c.id, "kind": "management", "frequency": "monthly", "starts_on": "2026-01-01"}
    )
    schedules.delete(cs, s.id)
    assert schedules.missed_count(cs, today=today) == 0


def test_a_community_in_the_recycle_bin_is_neither_checked_nor_asked_about(cs, today) -> None:
    from oldcomm_desktop.core import communities
    from oldcomm_desktop.core.supervision import requests

    c = make_community(cs, T1[0], "甲小区")
    schedules.add(cs, {"community_id": c.id, "kind": "management", "frequency": "monthly", "starts_on": "2026-01-01"})
    requests.add(cs, {"community_id": c.id, "topic": "停车难", "channel": "visit", "raised_on": "2026-01-05"})
    assert schedules.missed_count(cs, today=today) == 5 and requests.overdue_count(cs, today=today) == 1
    communities.delete(cs, c.id)
    assert schedules.missed_count(cs, today=today) == 0 and schedules.rows(cs, today=today) == []
    assert requests.overdue_count(cs, today=today) == 0 and requests.rows(cs, today=today) == []
    communities.restore(cs, c.id)
    assert schedules.missed_count(cs, today=today) == 5
