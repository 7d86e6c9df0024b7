"""Management rankings (ties share a rank, last month's grade beside, two real band sets) with their 通报
lists, and residents' requests (default deadline, overdue, one reply, satisfaction roll-up)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import ChecklistTemplate, ChecklistTemplateItem
from oldcomm_desktop.core.supervision import bulletins, requests
from oldcomm_desktop.core.supervision.scoring.rankings import competition_ranks, ranking

from .conftest import T1, T2, make_community, management_check


def test_competition_ranks_share_ties() -> None:
    scores = [Decimal(x) for x in ("95", "95", "90", "88.5", "88.5", "88.5", "60")]
    assert competition_ranks(scores) == [1, 1, 3, 4, 4, 4, 7]


def test_ranking_per_township_with_ties_and_last_months_grade(cs, today) -> None:
    a, b, c = (make_community(cs, T1[0], n) for n in ("甲小区", "乙小区", "丙小区"))
    d = make_community(cs, T2[0], "丁小区")
    management_check(cs, a, date(2026, 4, 10), 85)
    management_check(cs, b, date(2026, 4, 10), 55)
    management_check(cs, a, date(2026, 5, 3), 70)
    management_check(cs, a, date(2026, 5, 20), 92)  # the month's latest check counts
    management_check(cs, b, date(2026, 5, 12), 92)
    management_check(cs, c, date(2026, 5, 12), 58)
    management_check(cs, d, date(2026, 5, 2), 75)
    rows = ranking(cs, "2026-05")
    assert [(r.township, r.community, r.score, r.grade, r.rank, r.previous_grade) for r in rows] == [
        ("城关街道", "乙小区", Decimal("92.00"), "优秀", 1, "不合格"),
        ("城关街道", "甲小区", Decimal("92.00"), "优秀", 1, "良好"),
        ("城关街道", "丙小区", Decimal("58.00"), "不合格", 3, None),
        ("临河镇", "丁小区", Decimal("75.00"), "合格", 1, None),
    ]
    assert [r.community for r in ranking(cs, "2026-05", T2[0])] == ["丁小区"]
    assert ranking(cs, "2026-03") == []
    with pytest.raises(ValidationError, match="不是有效的年月"):
        ranking(cs, "2026/5/1")

    b_ = bulletins.from_ranking(cs, "2026-05", issued_on=date(2026, 6, 1))
    assert [e.subject for e in b_.praise] == ["乙小区", "甲小区"]
    assert [(e.subject, e.deadline) for e in b_.criticism] == [("丙小区", date(2026, 6, 16))]


def test_the_other_real_band_set_grades_by_its_own_bounds(cs, today) -> None:
    """优秀 > 95, 良好 85–95, 合格 75–85, 差 < 75: a scheme is data, not code."""
    t = ChecklistTemplate(
        code="mgmt_strict",
        name="另一评比表",
        inspection_kind="management",
        grade_bands=[["优秀", "95.01"], ["良好", 85], ["合格", 75], ["差", 0]],
    )
    cs.add(t)
    cs.flush()
    for i, (text, top) in enumerate((("环境卫生", 40), ("设施维护", 30), ("群众满意", 30))):
        cs.add(ChecklistTemplateItem(template_id=t.id, area="长效管理", text=text, max_score=top, sort_order=i))
    cs.flush()
    cs.refresh(t)
    grades = {}
    for name, total in (("甲", 95), ("乙", "95.5"), ("丙", 80), ("丁", 74)):
        c = make_community(cs, T1[0], f"{name}小区")
        grades[name] = management_check(cs, c, date(2026, 5, 5), total, template="mgmt_strict").grade
    assert grades == {"甲": "良好", "乙": "优秀", "丙": "合格", "丁": "差"}
    b = bulletins.from_ranking(cs, "2026-05", issued_on=date(2026, 6, 1))
    assert [e.subject for e in b.praise] == ["乙小区"] and [e.subject for e in b.criticism] == ["丁小区"]


def test_requests_deadline_overdue_reply_and_roll_up(cs, today) -> None:
    a = make_community(cs, T1[0], "甲小区")
    b = make_community(cs, T1[0], "乙小区")
    r1 = requests.add(
        cs,
        {
            "community_id": a.id,
            "topic": "停车难",
            "channel": "hotline",
            "raised_on": "2026-05-01",
            "raised_by": "王阿姨",
        },
    )
    assert r1.reply_deadline == date(2026, 5, 16) and r1.township_code == T1[0]
    r2 = requests.add(
        cs,
        {
            "community_id": "甲小区",
            "topic": "停车难",
            "channel": "visit",
            "raised_on": "2026-06-10",
            "reply_deadline": "2026-06-20",
        },
    )
    r3 = requests.add(cs, {"community_id": b.id, "topic": "路灯不亮", "channel": "meeting", "raised_on": "2026-05-20"})
    assert requests.overdue_count(cs, today=today) == 2  # r1 and r3 are past their deadline
    requests.reply(cs, r1.id, "已增设停车位 30 个", "2026-05-30", "satisfied", today=today)
    requests.reply(cs, r2.id, "正在协调", "2026-06-12", "basically", today=today)
    assert requests.overdue_count(cs, today=today) == 1
    assert [r["state"] for r in requests.rows(cs, today=today)] == ["replied", "overdue", "replied"]
    assert [r["id"] for r in requests.rows(cs, today=today, limit=2)] == [r2.id, r3.id]  # the newest
    with pytest.raises(ValidationError, match="不能重复答复"):
        requests.reply(cs, r1.id, "再答一次", today=today)
    with pytest.raises(ValidationError, match="还没有答复"):
        requests.rate(cs, r3.id, "satisfied")
    roll = {r["community"]: r for r in requests.roll_up(cs)}
    assert roll["甲小区"]["topics"] == {"停车难": 2}
    assert roll["甲小区"]["satisfaction"] == Decimal("80.00")  # (100 + 60) / 2
    assert roll["乙小区"]["satisfaction"] is None and roll["乙小区"]["overdue"] == 1
    requests.rate(cs, r2.id, "unsatisfied")
    assert requests.township_figure(cs, T1[0], date(2026, 1, 1), date(2026, 12, 31)) == Decimal("50.00")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"topic": "x", "channel": "hotline", "raised_on": "2026-06-01"}, "小区：必须填写"),
        ({"community_id": "甲小区", "topic": "x", "channel": "微信", "raised_on": "2026-06-01"}, "不是可选值"),
        ({"community_id": "甲小区", "topic": "x", "channel": "hotline", "raised_on": "2026-07-01"}, "晚于今天"),
        (
            {
                "community_id": "甲小区",
                "topic": "x",
                "channel": "hotline",
                "raised_on": "2026-06-01",
                "reply_deadline": "2026-05-01",
            },
            "早于反映日期",
        ),
        ({"community_id": "没有这个小区", "topic": "x", "channel": "hotline", "raised_on": "2026-06-01"}, "不存在"),
    ],
)
def test_bad_requests_are_refused(cs, today, data, message) -> None:
    make_community(cs, T1[0], "甲小区")
    with pytest.raises(ValidationError, match=message):
        requests.add(cs, data)
