"""Deleting a community takes its inspections and rectifications into the bin with it; restore brings them back."""

from __future__ import annotations

from datetime import date

from oldcomm_desktop.core import communities, inspections, listings

PAST = date(2025, 3, 1)


def test_inspections_follow_their_community(session):
    c = communities.create(session, {"name": "幸福里小区", "households": 120, "floor_area": "8500.5"})
    inspections.record(
        session,
        c,
        {"kind": "patrol", "inspected_on": PAST},
        [{"text": "扬尘控制", "result": "fail"}],
        [{"problem": "未覆盖裸土", "deadline": date(2025, 3, 10)}],
        today=PAST,
    )
    session.flush()
    assert listings.count(session, "inspections") == 1
    assert listings.count(session, "rectifications") == 1
    communities.delete(session, c.id)
    assert listings.count(session, "inspections") == 0
    assert listings.count(session, "rectifications") == 0
    communities.restore(session, c.id)
    assert listings.count(session, "inspections") == 1
    assert listings.count(session, "rectifications", listings.ListQuery(filters={"state": "overdue"})) == 1
