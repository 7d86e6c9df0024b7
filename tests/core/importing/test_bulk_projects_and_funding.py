"""The bulk path over project milestones and over additions to stored funding tables: the single edit's rules.

A project milestone moves every live community of the project and is checked against each one's log (its own
milestones and its project's), as `milestones.add` does; a community's log includes its project's milestones.
Funding lines added to a stored community must still make its whole table add up to the total investment.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from oldcomm_desktop.core import communities, funding, milestones, projects
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.model import AuditEntry, Community, FundingLine, FundingSource, Milestone, Project
from oldcomm_desktop.storage.database import Database

TODAY = date.today()


def _project_with_two(db: Database) -> tuple[str, str, str]:
    with db.transaction("测试员") as s:
        p = projects.create(s, {"name": "城关片区改造"})
        a = communities.create(s, {"name": "甲小区", "project_id": p.id})
        b = communities.create(s, {"name": "乙小区", "project_id": p.id})
        return p.id, a.id, b.id


def test_a_project_milestone_moves_all_its_communities_as_a_single_edit_does(db: Database) -> None:
    pid, a, b = _project_with_two(db)
    with db.transaction("导入员") as s:
        plan = bulk.write(s, {"milestone": [{"project_id": pid, "kind": "plan", "reached_on": TODAY}]}, source="x")
    assert plan.counts()["milestone"]["create"] == 1
    with db.transaction("测试员") as s:
        for cid in (a, b):
            c = s.get(Community, cid)
            assert c.status == "planned" and c.version == 2
            assert milestones.status_of(s, c) == c.status  # the single edit's derivation agrees
        m = s.scalars(select(Milestone)).one()
        assert (m.project_id, m.community_id, m.township_code) == (pid, None, s.get(Community, a).township_code)
        status_changes = s.scalar(
            select(func.count()).where(AuditEntry.field == "status", AuditEntry.table_name == "community")
        )
        assert status_changes == 2


def test_a_project_milestone_out_of_order_for_one_community_is_refused_naming_it(db: Database) -> None:
    pid, a, _b = _project_with_two(db)
    with db.transaction("测试员") as s:
        c = s.get(Community, a)
        milestones.add(s, c, {"kind": "start", "reached_on": TODAY - timedelta(days=20)})
        milestones.add(s, c, {"kind": "completion", "reached_on": TODAY - timedelta(days=2)})
    with db.transaction("测试员") as s, pytest.raises(ValidationError) as single:
        milestones.add(s, s.get(Project, pid), {"kind": "settlement", "reached_on": TODAY})
    with db.transaction("测试员") as s:
        plan = bulk.prepare(s, {"milestone": [{"project_id": pid, "kind": "settlement", "reached_on": TODAY}]})
        s.rollback()
    (rejected,) = plan.rejected
    assert rejected.problems[0].message == single.value.problems[0].message
    assert "乙小区" in rejected.problems[0].message


def test_a_community_milestone_counts_its_projects_milestones(db: Database) -> None:
    pid, a, _b = _project_with_two(db)
    with db.transaction("测试员") as s:
        milestones.add(s, s.get(Project, pid), {"kind": "plan", "reached_on": TODAY - timedelta(days=5)})
    early = {"milestone": [{"community_id": a, "kind": "start", "reached_on": TODAY - timedelta(days=10)}]}
    with db.transaction("测试员") as s, pytest.raises(ValidationError) as single:
        milestones.add(s, s.get(Community, a), {"kind": "start", "reached_on": TODAY - timedelta(days=10)})
    with db.transaction("测试员") as s:
        plan = bulk.prepare(s, early)
        s.rollback()
    assert plan.rejected[0].problems[0].message == single.value.problems[0].message
    with db.transaction("测试员") as s:
        bulk.write(s, {"milestone": [{"community_id": a, "kind": "start", "reached_on": TODAY}]}, source="x")
    with db.transaction("测试员") as s:
        c = s.get(Community, a)
        assert c.status == "started" == milestones.status_of(s, c)


def test_project_and_community_milestones_in_one_batch(db: Database) -> None:
    pid, a, b = _project_with_two(db)
    plan_day = TODAY - timedelta(days=10)
    rows = {
        "milestone": [
            {"project_id": pid, "kind": "plan", "reached_on": plan_day},
            {"community_id": a, "kind": "start", "reached_on": plan_day - timedelta(days=1)},
        ]
    }
    with db.transaction("测试员") as s:
        plan = bulk.prepare(s, rows)
        s.rollback()
    assert [o.index for o in plan.rejected] == [1]  # the start before the project's plan, in the same batch
    rows["milestone"][1]["reached_on"] = TODAY
    with db.transaction("测试员") as s:
        bulk.write(s, rows, source="x")
    with db.transaction("测试员") as s:
        assert s.get(Community, a).status == "started" and s.get(Community, b).status == "planned"


def _community_with_lines(db: Database) -> str:
    with db.transaction("测试员") as s:
        c = communities.create(s, {"name": "丙小区", "total_investment": 1000})
        funding.set_lines(s, c, {"central_budget": {"approved": 600}, "provincial": {"approved": 400}})
        return c.id


def _rejections(db: Database, rows: dict) -> list[str]:
    with db.transaction("测试员") as s:
        plan = bulk.prepare(s, rows)
        s.rollback()
    return [p.message for o in plan.rejected for p in o.problems]


def test_a_line_added_to_a_stored_table_must_keep_it_adding_up(db: Database) -> None:
    cid = _community_with_lines(db)
    added = {"community_id": cid, "source_id": "city_county", "approved": 100}
    (why,) = _rejections(db, {"funding_line": [added]})
    assert why == "各来源批复资金合计 1100.00 元，与总投资 1000.00 元不一致"  # the single edit's words
    # the same line with the community's new total in the same batch adds up
    rows = {"community": [{"id": cid, "total_investment": 1100}], "funding_line": [added]}
    with db.transaction("测试员") as s:
        bulk.write(s, rows, source="x")
    with db.transaction("测试员") as s:
        total = s.scalar(select(func.sum(FundingLine.approved)).where(FundingLine.community_id == cid))
        assert total == Decimal("1100.00") == s.get(Community, cid).total_investment


def test_a_changed_line_replaces_its_stored_amount_in_the_sum(db: Database) -> None:
    cid = _community_with_lines(db)
    with db.transaction("测试员") as s:
        central = s.scalars(
            select(FundingLine.id)
            .join(FundingSource, FundingSource.id == FundingLine.source_id)
            .where(FundingLine.community_id == cid, FundingSource.code == "central_budget")
        ).one()
    assert "不一致" in _rejections(db, {"funding_line": [{"id": central, "approved": 700}]})[0]
    rows = {
        "funding_line": [
            {"id": central, "approved": 500},
            {"community_id": cid, "source_id": "city_county", "approved": 100},
        ]
    }
    with db.transaction("测试员") as s:
        plan = bulk.write(s, rows, source="x")
    assert plan.counts()["funding_line"] == {"create": 1, "update": 1, "unchanged": 0, "reject": 0}
