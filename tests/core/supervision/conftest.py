"""Fixtures for supervision: a county database with two townships, projects and communities."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from oldcomm_desktop.core import communities, divisions, milestones, projects, workspace
from oldcomm_desktop.storage.database import Database

COUNTY = ("341122000000", "青禾县")
T1 = ("341122001000", "城关街道")
T2 = ("341122101000", "临河镇")
TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _private_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """The services' "today" (inspections.today) fixed, so overdue and due do not move with the clock."""
    from oldcomm_desktop.core import listings

    monkeypatch.setattr(listings, "_today", lambda: TODAY)
    return TODAY


@pytest.fixture
def county_db(empty_db: Database) -> Database:
    with empty_db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.COUNTY, code=COUNTY[0], name=COUNTY[1], operator="测试员")
        for code, name in (T1, T2):
            divisions.ensure(s, code, name)
    return empty_db


@pytest.fixture
def cs(county_db: Database):
    """A session on the county database (the test commits when it wants to)."""
    s = county_db.session("测试员")
    yield s
    s.rollback()
    s.close()


def make_community(
    s,
    township: str,
    name: str,
    *,
    households: int = 100,
    plan_year: int = 2026,
    started=None,
    completed=None,
    total=None,
):
    project = projects.create(s, {"name": f"{name}改造项目", "township_code": township, "plan_year": plan_year})
    c = communities.create(
        s,
        {
            "name": name,
            "township_code": township,
            "project_id": project.id,
            "households": households,
            "year_built": 1995,
            "plan_year": plan_year,
            "total_investment": total,
        },
    )
    if started:
        milestones.add(s, c, {"kind": "start", "reached_on": started}, today=max(started, TODAY))
    if completed:
        milestones.add(s, c, {"kind": "completion", "reached_on": completed}, today=max(completed, TODAY))
    return c


def management_check(s, community, day: date, total, template: str = "management_default"):
    """A scored management check whose items add up to `total` (taken off the items in order)."""
    from decimal import Decimal

    from oldcomm_desktop.core import catalogues, inspections

    tmpl = catalogues.template(s, template)
    deficit = sum(Decimal(i.max_score) for i in tmpl.items) - Decimal(str(total))
    results = []
    for it in tmpl.items:
        off = min(deficit, Decimal(it.max_score))
        deficit -= off
        results.append(
            {"template_item_id": it.id, "area": it.area, "text": it.text, "score": Decimal(it.max_score) - off}
        )
    return inspections.record(
        s,
        community,
        {"kind": "management", "inspected_on": day, "inspectors": "考评组"},
        results,
        template=template,
        today=max(day, TODAY),
    )


def arrived_order(session, township_code: str, deadline: date):
    """An order that reached this database from elsewhere (a sync package brings the county's orders down):
    written as rows, not issued here, so a township database holds one. Returns its one target."""
    from oldcomm_desktop.core.model.supervision import OrderTarget, SupervisionOrder

    order = SupervisionOrder(
        number="项目督办〔2026〕001号",
        year=2026,
        order_type="order",
        problem="p",
        requirement="r",
        issued_on=date(2026, 6, 1),
        deadline=deadline,
    )
    session.add(order)
    session.flush()
    target = OrderTarget(order_id=order.id, township_code=township_code, deadline=deadline, state="pending")
    session.add(target)
    session.flush()
    return target
