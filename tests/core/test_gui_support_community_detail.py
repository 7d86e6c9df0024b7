"""community_detail: the plain values the 小区台账 page shows, and its undo helpers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from oldcomm_desktop.core import communities, funding, items, milestones, townships
from oldcomm_desktop.core import community_detail as cd
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import Community, Milestone

TODAY = date.today()


@pytest.fixture
def community(session) -> Community:
    c = communities.create(
        session,
        {"name": "幸福里小区", "households": 120, "plan_year": TODAY.year, "total_investment": Decimal("1000000")},
    )
    session.flush()
    return c


def test_choices(session, community) -> None:
    assert townships.choices(session) == [("341122001000", "城关街道")]
    assert cd.plan_year_choices(session) == [TODAY.year]
    assert [n for _c, n in cd.category_choices(session)][:3] == ["基础类", "完善类", "提升类"]
    assert ("planned", "计划") in cd.status_choices()
    types = cd.item_type_choices(session)
    road = next(t for t in types if t.code == "road")
    assert road.unit == "平方米" and road.label == "基础类 · 道路硬化/沥青铺设（平方米）"
    leaves = dict(funding.leaf_source_choices(session))
    assert "central_budget" in leaves and "state" not in leaves


def test_header_and_timeline(session, community) -> None:
    h = cd.header(session, community.id)
    assert (h.name, h.township, h.status_label) == ("幸福里小区", "城关街道", "计划")
    milestones.add(session, community, {"kind": "survey", "reached_on": TODAY - timedelta(days=30)})
    milestones.add(session, community, {"kind": "start", "reached_on": TODAY - timedelta(days=3)})
    entries = milestones.timeline(session, community.id)
    assert [e.label for e in entries] == ["入户调查/意愿征询", "开工"]
    assert not entries[0].on_project
    assert cd.header(session, community.id).status_label == "已开工"


def test_restore_milestone_rechecks_the_order(session, community) -> None:
    start = milestones.add(session, community, {"kind": "start", "reached_on": TODAY - timedelta(days=10)})
    milestones.remove(session, start.id)
    assert community.status == "planned"
    milestones.restore(session, start.id)
    assert community.status == "started"
    assert session.get(Milestone, start.id).deleted_at is None
    # removed again, and meanwhile another start was recorded: bringing the old one back is refused
    milestones.remove(session, start.id)
    milestones.add(session, community, {"kind": "start", "reached_on": TODAY - timedelta(days=2)})
    with pytest.raises(ValidationError, match="不能重复记录"):
        milestones.restore(session, start.id)


def test_money_view_and_editor_rows(session, community) -> None:
    funding.set_lines(
        session,
        community,
        {
            "central_budget": {"approved": "600000", "arrived": "300000", "paid": "100000"},
            "residents": {"approved": "400000"},
        },
    )
    funding.add_investment(session, community, {"entry_date": TODAY, "amount": "250000"})
    view = funding.money_view(session, community.id, TODAY)
    by_code = {r.code: r for r in view.rows}
    assert by_code["central_budget"].amounts["approved"] == Decimal("600000.00")
    assert by_code["state"].amounts["arrived"] == Decimal("300000.00")  # parents are sums
    assert by_code["state"].depth == 0 and by_code["central_budget"].depth == 2
    assert view.totals["approved"] == Decimal("1000000.00")
    assert (view.this_month, view.this_year, view.since_start) == (Decimal("250000.00"),) * 3
    lines = funding.lines_of(session, community.id)
    assert lines["residents"]["approved"] == Decimal("400000.00") and lines["residents"]["paid"] is None
    rows = funding.editor_rows(session, community.id)
    leaf = next(r for r in rows if r.code == "central_budget")
    assert leaf.leaf and leaf.values["paid"] == Decimal("100000.00")
    assert not next(r for r in rows if r.code == "state").leaf
    assert next(r for r in rows if r.code == "other").needs_note


def test_investment_undo_helpers(session, community) -> None:
    entry = funding.add_investment(session, community, {"entry_date": TODAY, "amount": "900000"})
    funding.delete_investment(session, entry.id)
    assert funding.completed_to_date(session, community) == 0
    other = funding.add_investment(session, community, {"entry_date": TODAY, "amount": "200000"})
    with pytest.raises(ValidationError, match="超过总投资"):
        funding.restore_investment(session, entry.id)
    funding.delete_investment(session, other.id)
    funding.restore_investment(session, entry.id)
    assert funding.completed_to_date(session, community) == Decimal("900000.00")


def test_villages_and_projects(session) -> None:
    from oldcomm_desktop.core import divisions, projects

    divisions.ensure(session, "341122001001", "城北社区")
    p = projects.create(session, {"name": "城关街道改造项目", "plan_year": TODAY.year})
    session.flush()
    # 341122001001 is not in the national list (the test county's 城关街道 is made up): shown as hand-added
    assert cd.village_choices(session, "341122001000") == [("341122001001", "城北社区（手工添加）")]
    assert cd.project_choices(session) == [(p.id, "城关街道改造项目")]
    assert items.ITEM_STATUSES  # the items tab shows these labels
