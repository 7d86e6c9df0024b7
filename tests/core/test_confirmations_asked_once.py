"""A confirmed oddity is not asked about again on unrelated edits; total investment cannot drop below what was spent."""

from __future__ import annotations

from datetime import date

import pytest

from oldcomm_desktop.core import communities, funding, items
from oldcomm_desktop.core.errors import ConfirmationNeeded, ValidationError


def test_extension_year_is_asked_once(session):
    c = communities.create(session, {"name": "延伸小区", "year_built": 2003}, confirm=True)
    communities.update(session, c.id, {"notes": "补充说明"})  # no question about 2003 again
    with pytest.raises(ConfirmationNeeded):
        communities.update(session, c.id, {"year_built": 2004})


def test_item_over_plan_is_asked_once(session):
    c = communities.create(session, {"name": "幸福里小区"})
    item = items.create(
        session,
        c.id,
        {"item_type_id": "road", "planned_quantity": 100, "completed_quantity": 120, "status": "started"},
        confirm=True,
    )
    items.update(session, item.id, {"description": "沥青路面"})
    with pytest.raises(ConfirmationNeeded):
        items.update(session, item.id, {"completed_quantity": 130})


def test_total_investment_not_below_completed(session):
    c = communities.create(session, {"name": "幸福里小区", "total_investment": "1000000"})
    funding.add_investment(session, c, {"entry_date": date(2025, 5, 1), "amount": "600000"})
    with pytest.raises(ValidationError) as err:
        communities.update(session, c.id, {"total_investment": "500000"})
    assert err.value.problems[0].label == "总投资"
    assert communities.get(session, c.id).total_investment == 1000000
    communities.update(session, c.id, {"total_investment": "600000"})


def test_new_community_in_a_plan_is_saved_once(session):
    c = communities.create(session, {"name": "计划小区", "plan_year": 2026})
    session.flush()
    assert c.status == "planned" and c.version == 1
