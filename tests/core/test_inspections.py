"""Inspections: patrols from the default checklist, rectification notices, replies, re-inspections, the
four rectification states (and the list filter on them), and scored management checks."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from oldcomm_desktop.core import attachments, catalogues, communities, inspections, listings, projects
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import Attachment, Inspection, InspectionResult, Rectification, Reinspection

CONTRACTOR = "青禾县城建工程有限公司"
DAY = date(2025, 6, 10)  # a patrol well in the past
TODAY = date(2025, 6, 20)  # the "today" passed to the services where they take one


@pytest.fixture(autouse=True)
def _private_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A server database keeps attachments in the user's data folder: keep that inside tmp."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def community(session):
    project = projects.create(
        session, {"name": "城关街道2025年老旧小区改造项目", "plan_year": 2025, "contractor": CONTRACTOR}
    )
    return communities.create(
        session,
        {
            "name": "幸福里小区",
            "project_id": project.id,
            "households": 320,
            "floor_area": "24567.89",
            "year_built": 1992,
        },
    )


def _patrol_results(session, fail: tuple[int, ...] = ()) -> list[dict]:
    tmpl = catalogues.template(session, "patrol_default")
    return [
        {"template_item_id": it.id, "area": it.area, "text": it.text, "result": "fail" if i in fail else "pass"}
        for i, it in enumerate(tmpl.items)
    ]


def _patrol(session, target, *, on: date = DAY, rects=(), fail=(), today: date = TODAY) -> Inspection:
    return inspections.record(
        session,
        target,
        {"kind": "patrol", "inspected_on": on, "inspectors": "县住建局 周工"},
        _patrol_results(session, fail),
        list(rects),
        template="patrol_default",
        today=today,
    )


def _rect(problem: str = "施工围挡破损", deadline: date = DAY + timedelta(days=7), **more) -> dict:
    return {"problem": problem, "requirement": "三日内修复并报监理复查", "deadline": deadline, **more}


def _rects_of(session, inspection: Inspection) -> list[Rectification]:
    return list(
        session.scalars(
            select(Rectification).where(Rectification.inspection_id == inspection.id).order_by(Rectification.notice_no)
        )
    )


def _count(session, cls) -> int:
    return session.scalar(select(func.count(cls.id)))


# ---------------------------------------------------------------- patrols and their rectifications


def test_patrol_from_default_template_records_every_line(session, community) -> None:
    tmpl = catalogues.template(session, "patrol_default")
    assert len(tmpl.items) >= 10
    assert {it.area for it in tmpl.items} == {"安全", "质量", "文明施工"}
    insp = _patrol(session, community)
    assert insp.kind == "patrol" and insp.template_id == tmpl.id
    assert insp.community_id == community.id and insp.project_id == community.project_id
    assert insp.township_code == community.township_code
    lines = list(session.scalars(select(InspectionResult).where(InspectionResult.inspection_id == insp.id)))
    assert sorted(line.text for line in lines) == sorted(it.text for it in tmpl.items)
    assert {line.result for line in lines} == {"pass"}
    assert _rects_of(session, insp) == []  # all passed: nothing to rectify


def test_failed_item_requires_a_rectification(session, community) -> None:
    with pytest.raises(ValidationError) as excinfo:
        _patrol(session, community, fail=(10,))
    assert "有不合格项，须下达整改" in str(excinfo.value)
    assert _count(session, Inspection) == 0  # nothing recorded
    assert _count(session, InspectionResult) == 0

    insp = _patrol(session, community, fail=(10,), rects=[_rect()])
    (rect,) = _rects_of(session, insp)
    assert rect.problem == "施工围挡破损"
    assert rect.deadline == rect.current_deadline == DAY + timedelta(days=7)
    assert rect.addressed_to == CONTRACTOR  # the project's contractor by default
    assert not rect.closed and rect.replied_on is None
    assert inspections.state_of(rect, TODAY - timedelta(days=5)) == "open"
    failed = session.scalars(
        select(InspectionResult).where(InspectionResult.inspection_id == insp.id, InspectionResult.result == "fail")
    ).all()
    assert [f.text for f in failed] == [catalogues.template(session, "patrol_default").items[10].text]


def test_rectification_needs_problem_and_deadline(session, community) -> None:
    with pytest.raises(ValidationError) as excinfo:
        _patrol(session, community, fail=(0,), rects=[{"problem": "", "deadline": None}])
    fields = {p.field for p in excinfo.value.problems}
    assert {"problem", "deadline"} <= fields
    assert _count(session, Inspection) == 0


def test_deadline_before_the_inspection_is_refused(session, community) -> None:
    with pytest.raises(ValidationError) as excinfo:
        _patrol(session, community, fail=(0,), rects=[_rect(deadline=DAY - timedelta(days=1))])
    assert "早于检查日期" in str(excinfo.value)
    assert excinfo.value.for_field("deadline")
    assert _count(session, Inspection) == 0 and _count(session, Rectification) == 0
    # the same day is allowed
    insp = _patrol(session, community, fail=(0,), rects=[_rect(deadline=DAY)])
    assert _rects_of(session, insp)[0].deadline == DAY


def test_inspection_in_the_future_is_refused(session, community) -> None:
    with pytest.raises(ValidationError, match="晚于今天"):
        _patrol(session, community, on=TODAY + timedelta(days=1))
    with pytest.raises(ValidationError, match="晚于今天"):  # without `today`, the real today counts
        inspections.record(session, community, {"kind": "patrol", "inspected_on": date.today() + timedelta(days=1)})
    assert _count(session, Inspection) == 0


def test_notice_numbers_increment_per_year(session, community) -> None:
    first = _patrol(session, community, fail=(0, 5), rects=[_rect("A"), _rect("B")])
    assert [r.notice_no for r in _rects_of(session, first)] == ["城关整改〔2025〕001号", "城关整改〔2025〕002号"]
    second = _patrol(session, community, on=DAY + timedelta(days=1), fail=(3,), rects=[_rect("C")])
    assert [r.notice_no for r in _rects_of(session, second)] == ["城关整改〔2025〕003号"]
    older = _patrol(
        session, community, on=date(2024, 11, 5), fail=(3,), rects=[_rect("D", deadline=date(2024, 11, 20))]
    )
    assert [r.notice_no for r in _rects_of(session, older)] == ["城关整改〔2024〕001号"]
    # a number typed by hand is kept as typed
    typed = _patrol(session, community, fail=(1,), rects=[_rect("E", notice_no="城关整改〔2025〕特01号")])
    assert [r.notice_no for r in _rects_of(session, typed)] == ["城关整改〔2025〕特01号"]
    nos = session.scalars(select(Rectification.notice_no)).all()
    assert len(nos) == len(set(nos))


def test_automatic_notice_number_never_repeats_a_typed_one(session, community) -> None:
    _patrol(session, community, fail=(0,), rects=[_rect("A", notice_no="城关整改〔2025〕002号")])
    auto = _patrol(session, community, fail=(0,), rects=[_rect("B")])
    nos = session.scalars(select(Rectification.notice_no)).all()
    assert len(nos) == len(set(nos)), f"duplicate notice number {_rects_of(session, auto)[0].notice_no}"
    assert _rects_of(session, auto)[0].notice_no == "城关整改〔2025〕003号"  # one past the highest in use
    # a deleted notice keeps its number: numbers are never handed out again
    inspections.delete(session, auto.id)
    again = _patrol(session, community, fail=(0,), rects=[_rect("C")])
    assert _rects_of(session, again)[0].notice_no == "城关整改〔2025〕004号"


# ---------------------------------------------------------------- reply and re-inspection


@pytest.fixture
def rect(session, community) -> Rectification:
    insp = _patrol(session, community, fail=(2,), rects=[_rect("高处作业无防护栏杆", deadline=DAY + timedelta(days=5))])
    return _rects_of(session, insp)[0]


def test_reply_records_what_was_done(session, rect) -> None:
    with pytest.raises(ValidationError, match="早于检查日期"):
        inspections.reply(session, rect.id, "已加装防护栏杆", DAY - timedelta(days=1))
    with pytest.raises(ValidationError):
        inspections.reply(session, rect.id, "", DAY + timedelta(days=1))
    assert rect.replied_on is None
    inspections.reply(session, rect.id, "已加装防护栏杆", "2025-06-13")
    assert (rect.reply, rect.replied_on) == ("已加装防护栏杆", date(2025, 6, 13))
    assert inspections.state_of(rect, DAY + timedelta(days=4)) == "awaiting"
    assert not rect.closed


def test_failed_reinspection_needs_a_new_deadline_and_keeps_it_open(session, rect) -> None:
    inspections.reply(session, rect.id, "已整改", DAY + timedelta(days=3))
    re_day = DAY + timedelta(days=5)
    with pytest.raises(ValidationError) as excinfo:
        inspections.reinspect(session, rect.id, {"inspected_on": re_day, "passed": False}, today=TODAY)
    assert "新的整改期限" in str(excinfo.value)
    with pytest.raises(ValidationError, match="早于复查日期"):
        inspections.reinspect(
            session,
            rect.id,
            {"inspected_on": re_day, "passed": False, "new_deadline": re_day - timedelta(days=1)},
            today=TODAY,
        )
    assert _count(session, Reinspection) == 0
    new_deadline = re_day + timedelta(days=10)
    re = inspections.reinspect(
        session,
        rect.id,
        {
            "inspected_on": re_day,
            "inspector": "周工",
            "passed": "否",
            "note": "栏杆高度不足",
            "new_deadline": new_deadline,
        },
        today=TODAY,
    )
    assert re.passed is False and re.new_deadline == new_deadline
    assert not rect.closed and rect.closed_on is None
    assert rect.current_deadline == new_deadline  # the deadline moves …
    assert rect.deadline == DAY + timedelta(days=5)  # … the notice's own deadline stays as issued
    # past the original deadline but before the new one: not overdue
    assert inspections.state_of(rect, DAY + timedelta(days=8)) == "awaiting"
    assert inspections.state_of(rect, new_deadline + timedelta(days=1)) == "overdue"


def test_passed_reinspection_needs_a_photo_or_a_note(session, rect) -> None:
    re_day = DAY + timedelta(days=6)
    with pytest.raises(ValidationError) as excinfo:
        inspections.reinspect(session, rect.id, {"inspected_on": re_day, "passed": True}, today=TODAY)
    assert "照片" in str(excinfo.value)
    assert not rect.closed
    inspections.reinspect(
        session, rect.id, {"inspected_on": re_day, "passed": True, "note": "现场复查合格，照片未带"}, today=TODAY
    )
    assert rect.closed and rect.closed_on == re_day
    assert inspections.state_of(rect, date(2030, 1, 1)) == "closed"  # closed never turns overdue
    with pytest.raises(ValidationError, match="已销号"):
        inspections.reinspect(session, rect.id, {"inspected_on": re_day, "passed": True, "note": "再查"}, today=TODAY)


def test_reinspection_dates_are_checked(session, rect) -> None:
    with pytest.raises(ValidationError, match="早于检查日期"):
        inspections.reinspect(
            session, rect.id, {"inspected_on": DAY - timedelta(days=1), "passed": True, "note": "x"}, today=TODAY
        )
    with pytest.raises(ValidationError, match="晚于今天"):
        inspections.reinspect(
            session, rect.id, {"inspected_on": TODAY + timedelta(days=1), "passed": True, "note": "x"}, today=TODAY
        )
    assert not rect.closed and _count(session, Reinspection) == 0


def test_passed_with_a_photo_stores_it_by_hash_beside_the_database(db, session, rect, tmp_path) -> None:
    photo = tmp_path / "整改后.jpg"
    content = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40 + b"\xff\xd9"
    photo.write_bytes(content)
    sha = hashlib.sha256(content).hexdigest()
    re = inspections.reinspect(
        session, rect.id, {"inspected_on": DAY + timedelta(days=6), "passed": True}, photo=photo, today=TODAY
    )
    assert rect.closed
    (att,) = attachments.of(session, re)
    assert (att.sha256, att.size, att.file_name, att.caption) == (sha, len(content), "整改后.jpg", "整改后照片")
    assert att.media_type == "image/jpeg"
    stored = attachments.stored_path(session, sha)
    assert stored.read_bytes() == content
    assert stored.parent.name == sha[:2]
    if db.is_sqlite:
        assert stored == db.path.with_name(db.path.stem + "-attachments") / sha[:2] / sha
    else:
        assert tmp_path / "xdg" in stored.parents  # inside the (private) data folder
    # the same photo on another record is stored once
    again = tmp_path / "copy.jpg"
    again.write_bytes(content)
    other = _rects_of(session, _patrol(session, rect_community(session, rect), fail=(1,), rects=[_rect("X")]))[0]
    inspections.reinspect(
        session, other.id, {"inspected_on": DAY + timedelta(days=1), "passed": True}, photo=again, today=TODAY
    )
    assert session.scalar(select(func.count(Attachment.id)).where(Attachment.sha256 == sha)) == 2
    assert [p for p in stored.parent.iterdir() if p.is_file()] == [stored]


def rect_community(session, rect: Rectification):
    from oldcomm_desktop.core.model import Community

    return session.get(Community, session.get(Inspection, rect.inspection_id).community_id)


def test_missing_photo_file_is_refused_and_nothing_closes(session, rect, tmp_path) -> None:
    session.commit()
    with pytest.raises(ValidationError, match="不存在"):
        inspections.reinspect(
            session,
            rect.id,
            {"inspected_on": DAY + timedelta(days=6), "passed": True},
            photo=tmp_path / "nope.jpg",
            today=TODAY,
        )
    session.rollback()  # a service error means the caller's transaction is rolled back (Database.transaction)
    fresh = session.get(Rectification, rect.id)
    assert fresh is not None and not fresh.closed
    assert _count(session, Reinspection) == 0


# ---------------------------------------------------------------- states and the list filter on them


def test_states_and_the_rectification_list_filter(session, community) -> None:
    today = date.today()
    on = today - timedelta(days=40)
    later, earlier = today + timedelta(days=10), today - timedelta(days=20)
    insp = inspections.record(
        session,
        community,
        {"kind": "patrol", "inspected_on": on},
        _patrol_results(session, fail=(0, 1, 2, 3, 4, 5)),
        [
            _rect("A 待整改", later),
            _rect("B 待复查", later),
            _rect("C 已逾期", today - timedelta(days=5)),
            _rect("D 已销号", earlier),
            _rect("E 复查未过", earlier),
            _rect("F 今天到期", today),
        ],
        template="patrol_default",
    )
    by = {r.problem[0]: r for r in _rects_of(session, insp)}
    inspections.reply(session, by["B"].id, "已整改", on + timedelta(days=5))
    inspections.reply(session, by["C"].id, "正在整改", on + timedelta(days=5))
    inspections.reinspect(session, by["D"].id, {"inspected_on": earlier, "passed": True, "note": "合格"})
    inspections.reply(session, by["E"].id, "已整改", on + timedelta(days=5))
    inspections.reinspect(
        session, by["E"].id, {"inspected_on": earlier, "passed": False, "new_deadline": today + timedelta(days=3)}
    )
    expected = {"A": "open", "B": "awaiting", "C": "overdue", "D": "closed", "E": "awaiting", "F": "open"}
    assert {k: inspections.state_of(r) for k, r in by.items()} == expected
    assert {k: inspections.state_of(r, today) for k, r in by.items()} == expected
    assert inspections.state_of(by["F"], today + timedelta(days=1)) == "overdue"
    for state in inspections.STATES:
        q = listings.ListQuery(filters={"state": state})
        rows = listings.page(session, "rectifications", q)
        assert {r["problem"][0] for r in rows} == {k for k, v in expected.items() if v == state}, state
        assert listings.count(session, "rectifications", q) == len(rows)
    assert inspections.overdue_count(session) == 1
    assert inspections.overdue_count(session, today=today + timedelta(days=4)) == 3  # + F, and E past its new deadline
    (row,) = listings.page(session, "inspections", listings.ListQuery(filters={"overdue": True}))
    assert (row["open_rectifications"], row["overdue_rectifications"]) == (5, 1)


# ---------------------------------------------------------------- scored management checks


def _scores(session, scores: list[str]) -> list[dict]:
    tmpl = catalogues.template(session, "management_default")
    assert len(tmpl.items) == len(scores)
    return [
        {"template_item_id": it.id, "area": it.area, "text": it.text, "score": s}
        for it, s in zip(tmpl.items, scores, strict=True)
    ]


def _manage(session, target, scores: list[str]) -> Inspection:
    return inspections.record(
        session,
        target,
        {"kind": "management", "inspected_on": DAY, "inspectors": "县住建局考评组"},
        _scores(session, scores),
        template="management_default",
        today=TODAY,
    )


def test_management_template_is_a_100_point_sheet(session) -> None:
    tmpl = catalogues.template(session, "management_default")
    assert sum(it.max_score for it in tmpl.items) == 100
    assert [b[0] for b in sorted(tmpl.grade_bands, key=lambda b: -b[1])] == ["优秀", "良好", "合格", "不合格"]


@pytest.mark.parametrize(
    ("scores", "total", "grade"),
    [
        (["20", "15", "20", "10", "15", "10", "10"], "100", "优秀"),
        (["18", "14", "18", "9", "13", "9", "9"], "90", "优秀"),
        (["18", "14", "18", "9", "13", "9", "8.5"], "89.5", "良好"),
        (["16", "12", "16", "8", "12", "8", "8"], "80", "良好"),
        (["16", "12", "16", "8", "12", "8", "7.99"], "79.99", "合格"),
        (["12", "9", "12", "6", "9", "6", "6"], "60", "合格"),
        (["12", "9", "12", "6", "9", "6", "5.5"], "59.5", "不合格"),
        (["0", "0", "0", "0", "0", "0", "0"], "0", "不合格"),
    ],
)
def test_management_scores_sum_to_the_total_and_the_grade_follows_the_bands(
    session,
    community,
    scores: list[str],
    total: str,
    grade: str,
) -> None:
    insp = _manage(session, community, scores)
    lines = session.scalars(select(InspectionResult).where(InspectionResult.inspection_id == insp.id)).all()
    assert sum(line.score for line in lines) == insp.total_score == Decimal(total)
    assert insp.grade == grade
    tmpl = catalogues.template(session, "management_default")
    assert {line.text: line.max_score for line in lines} == {it.text: it.max_score for it in tmpl.items}
    row = listings.page(session, "inspections", listings.ListQuery(filters={"kind": "management"}))[0]
    assert (Decimal(str(row["total_score"])), row["grade"]) == (Decimal(total), grade)


def test_grade_follows_a_different_scheme_when_the_template_says_so(session, community) -> None:
    tmpl = catalogues.template(session, "management_default")
    tmpl.grade_bands = [["优秀", 95.01], ["良好", 85], ["合格", 75], ["差", 0]]  # another real scheme
    session.flush()
    assert _manage(session, community, ["20", "15", "20", "10", "15", "10", "5"]).grade == "良好"  # 95
    assert _manage(session, community, ["20", "15", "20", "10", "15", "10", "6"]).grade == "优秀"  # 96
    assert _manage(session, community, ["20", "15", "20", "10", "5", "4", "0"]).grade == "差"  # 74


def test_score_above_an_items_maximum_is_refused(session, community) -> None:
    with pytest.raises(ValidationError) as excinfo:
        _manage(session, community, ["21", "15", "20", "10", "15", "10", "10"])
    message = str(excinfo.value)
    assert "超过满分 20" in message and "环境卫生及保洁" in message
    with pytest.raises(ValidationError, match="超过满分 10"):
        _manage(session, community, ["20", "15", "20", "10", "15", "10", "10.01"])
    with pytest.raises(ValidationError):  # negative scores are not scores
        _manage(session, community, ["-1", "15", "20", "10", "15", "10", "10"])
    assert _count(session, Inspection) == 0


def test_management_line_without_a_score_is_refused(session, community) -> None:
    results = _scores(session, ["20", "15", "20", "10", "15", "10", "10"])
    del results[3]["score"]
    with pytest.raises(ValidationError, match="没有得分"):
        inspections.record(
            session,
            community,
            {"kind": "management", "inspected_on": DAY},
            results,
            template="management_default",
            today=TODAY,
        )
    assert _count(session, Inspection) == 0
