"""Figures behind the dashboard, the 项目 page and the meeting table (core/overview.py), on a demo county."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import demo, funding, listings, overview, summary
from oldcomm_desktop.core.funding import MEASURES
from oldcomm_desktop.core.lifecycle import STATUSES
from oldcomm_desktop.core.listings import ListQuery
from oldcomm_desktop.core.model import Community, Project
from oldcomm_desktop.storage.database import Database


@pytest.fixture
def demo_db(empty_db: Database) -> Database:
    with empty_db.transaction("测试员") as s:
        demo.build(s, communities_count=24, seed=3)
    return empty_db


def test_status_by_township_adds_up_to_the_summary(demo_db: Database) -> None:
    with demo_db.transaction("测试员") as s:
        rows = overview.status_by_township(s)
        by_status = summary.totals(s, by="status")
        by_township = summary.totals(s, by="township")
    assert [r.code for r in rows] == sorted(by_township.groups)
    for r in rows:
        assert set(r.counts) == set(STATUSES)
        assert r.total == by_township.groups[r.code].communities
        assert r.name and r.name != r.code  # the division's Chinese name
    for status in STATUSES:
        assert sum(r.counts[status] for r in rows) == by_status.groups[status].communities


def test_status_by_township_for_one_year(demo_db: Database) -> None:
    with demo_db.transaction("测试员") as s:
        year = overview.plan_years(s)[0]
        rows = overview.status_by_township(s, year=year)
        assert sum(r.total for r in rows) == summary.totals(s, year=year).total.communities


def test_items_by_category_matches_the_items_list(demo_db: Database) -> None:
    with demo_db.transaction("测试员") as s:
        figures = overview.items_by_category(s)
        assert [f.code for f in figures] == ["basic", "improvement", "enhancement"]
        for f in figures:
            q = ListQuery(filters={"category": f.code})
            assert f.items == listings.count(s, "items", q)
            assert f.communities == listings.count(s, "communities", q)
            rows = listings.page(s, "items", q, 0, 10_000)
            assert f.investment == sum((r["investment"] or Decimal(0) for r in rows), Decimal("0.00"))
            assert f.completed_items == sum(1 for r in rows if r["status"] == "completed")
        assert sum(f.items for f in figures) == listings.count(s, "items")


def test_funding_tree_equals_the_funding_service(demo_db: Database) -> None:
    with demo_db.transaction("测试员") as s:
        mine = overview.funding_tree(s)
        theirs = funding.tree(s)

        def pairs(nodes, code):
            return [(n.source.code if code else n.code, dict(n.amounts)) for n in nodes]

        assert pairs(mine, False) == pairs(theirs, True)
        assert any(n.amounts["approved"] > 0 for n in mine)


def test_project_money_sums_its_communities(demo_db: Database) -> None:
    with demo_db.transaction("测试员") as s:
        project = s.scalars(select(Project).where(Project.deleted_at.is_(None))).first()
        members = list(s.scalars(select(Community).where(Community.project_id == project.id)))
        money = overview.project_money(s, project.id)
        assert money.communities == len(members)
        assert money.communities_total == sum((c.total_investment or Decimal(0) for c in members), Decimal("0.00"))
        assert money.completed_on_communities == sum(
            (funding.completed_to_date(s, c) for c in members), Decimal("0.00")
        )
        combined = overview.funding_tree(s, project_id=project.id)
        on_members = overview.funding_tree(s, project_id=project.id, of="communities")
        on_project = overview.funding_tree(s, project_id=project.id, of="project")
        for a, b, c in zip(combined, on_members, on_project, strict=True):
            for k in MEASURES:
                assert a.amounts[k] == b.amounts[k] + c.amounts[k]
        per_community = [funding.tree(s, c) for c in members]
        for i, node in enumerate(on_members):
            assert node.amounts["approved"] == sum((t[i].amounts["approved"] for t in per_community), Decimal(0))


def test_meeting_rows_agree_with_the_summary(demo_db: Database) -> None:
    with demo_db.transaction("测试员") as s:
        rows = overview.meeting_rows(s)
        total = rows[-1]
        whole = summary.totals(s)
        assert total.name == "合计"
        assert total.all == whole.total
        assert total.finished == summary.finished(whole)
        assert (
            total.finished.communities == whole.groups["completed"].communities + whole.groups["accepted"].communities
        )
        assert sum(r.all.investment_yuan for r in rows[:-1]) == whole.total.investment_yuan
        for r in rows[:-1]:
            assert r.all.communities == sum(r.counts.values())
