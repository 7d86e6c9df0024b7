"""A county ledger for the returns' tests: two townships, plan-year 2026 communities with dated records.

Dates are all in 2026 before December, so the figures as of each month's end are known by hand:

| community | township | households | area m² | total investment | start | completion | investment entries |
|---|---|---|---|---|---|---|---|
| 幸福里小区 | 城关街道 | 120 | 10,000.55 | 1,234,567.89 | 03-10 | 06-20 | 03-31 300,000; 05-31 500,000; 08-31 100,000 |
| 和平苑 | 城关街道 | 80 | 5,432.10 | 555,555.55 | 07-01 | – | 07-31 123,456.78 |
| 临河新村 | 临河镇 | 200 | 20,000.00 | 3,000,000.00 | – | – | – |
| 旧年小区 (plan year 2025) | 城关街道 | 50 | 3,000.00 | 100,000.00 | – | – | – |
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from oldcomm_desktop.core import communities, divisions, funding, funding_dates, items, milestones, workspace

COUNTY = "341122000000"
T1, T2 = "341122001000", "341122101000"


@pytest.fixture
def ledger(empty_db):
    """(database, {name: community id}) in county mode."""
    ids = {}
    with empty_db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.COUNTY, code=COUNTY, name="青禾县", operator="县审核员")
        divisions.ensure(s, T1, "城关街道")
        divisions.ensure(s, T2, "临河镇")

        def make(name: str, town: str, hh: int, area: str, inv: str, year: int = 2026):
            c = communities.create(
                s,
                {
                    "name": name,
                    "township_code": town,
                    "year_built": 1990,
                    "households": hh,
                    "floor_area": area,
                    "total_investment": inv,
                    "plan_year": year,
                    "start_kind": "new",
                },
            )
            s.flush()
            ids[name] = c.id
            return c

        a = make("幸福里小区", T1, 120, "10000.55", "1234567.89")
        with funding_dates.dated(s, date(2026, 1, 15)):  # the money arrived in January (returns read it dated)
            funding.set_lines(
                s,
                a,
                {
                    "central_budget": {"approved": "600000.00", "arrived": "600000.00"},
                    "city_county": {"approved": "634567.89", "arrived": "300000.00"},
                },
            )
        milestones.add(s, a, {"kind": "start", "reached_on": date(2026, 3, 10)})
        milestones.add(s, a, {"kind": "completion", "reached_on": date(2026, 6, 20)})
        for d, amount in (
            (date(2026, 3, 31), "300000.00"),
            (date(2026, 5, 31), "500000.00"),
            (date(2026, 8, 31), "100000.00"),
        ):
            funding.add_investment(s, a, {"entry_date": d, "amount": amount})
        # planned items on a completed community: the clerk confirms the item-against-community warning
        elevator = {"item_type_id": "elevator", "planned_quantity": "2", "investment": "900000"}
        items.create(s, a.id, elevator, confirm=True)
        pipes = {"item_type_id": "water_pipe", "planned_quantity": "1234.5", "investment": "200000"}
        items.create(s, a.id, pipes, confirm=True)
        b = make("和平苑", T1, 80, "5432.10", "555555.55")
        milestones.add(s, b, {"kind": "start", "reached_on": date(2026, 7, 1)})
        funding.add_investment(s, b, {"entry_date": date(2026, 7, 31), "amount": "123456.78"})
        make("临河新村", T2, 200, "20000.00", "3000000.00")
        make("旧年小区", T1, 50, "3000.00", "100000.00", 2025)
    return empty_db, ids


def wan(yuan: str) -> Decimal:
    return (Decimal(yuan) / 10000).quantize(Decimal("0.01"))
