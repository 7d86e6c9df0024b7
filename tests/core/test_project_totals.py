"""A project's 总投资 is the sum over its communities when only they carry money, its own figure otherwise."""

from __future__ import annotations

from decimal import Decimal

from oldcomm_desktop.core import communities, listings, projects
from oldcomm_desktop.core.listings import ListQuery


def _row(session, project_id: str) -> dict:
    return next(r for r in listings.page(session, "projects", ListQuery(), 0, 100) if r["id"] == project_id)


def test_total_from_communities_when_the_project_has_none(session) -> None:
    p = projects.create(session, {"name": "2025年城关片区改造", "plan_year": 2025})
    communities.create(session, {"name": "幸福里", "project_id": p.id, "total_investment": "1200000.50"})
    communities.create(session, {"name": "和平苑", "project_id": p.id, "total_investment": "800000"})
    gone = communities.create(session, {"name": "已删除", "project_id": p.id, "total_investment": "5"})
    communities.delete(session, gone.id)
    row = _row(session, p.id)
    assert row["total_investment"] == Decimal("2000000.50") and row["total_from_communities"]
    projects.update(session, p.id, {"total_investment": "3000000"})
    row = _row(session, p.id)
    assert row["total_investment"] == Decimal("3000000.00") and not row["total_from_communities"]
    empty = projects.create(session, {"name": "2026年储备项目", "plan_year": 2026})
    assert _row(session, empty.id)["total_investment"] is None
    ordered = listings.page(session, "projects", ListQuery(sort_key="total_investment", descending=True), 0, 10)
    assert ordered[0]["id"] == p.id  # sorted by the figure shown
