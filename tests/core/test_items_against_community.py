"""An item's money and status checked against its community: warnings the clerk confirms, and `oldcomm check`
lists what was confirmed anyway."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import communities, demo, integrity, items
from oldcomm_desktop.core.errors import ConfirmationNeeded
from oldcomm_desktop.core.model import Community, ItemType


def _type(session) -> str:
    return session.scalar(select(ItemType.id).order_by(ItemType.code))


def test_items_above_the_community_total_ask_first(session) -> None:
    c = communities.create(session, {"name": "幸福里小区", "total_investment": "1000000"})
    items.create(session, c.id, {"item_type_id": _type(session), "planned_quantity": 1, "investment": "600000"})
    second = {"item_type_id": _type(session), "planned_quantity": 1, "investment": "500000"}
    with pytest.raises(ConfirmationNeeded, match="投资合计 1,100,000.00 元，超过小区总投资 1,000,000.00 元") as info:
        items.create(session, c.id, second)
    assert info.value.problem.field == "investment"
    made = items.create(session, c.id, second, confirm=True)
    findings = [str(f) for f in integrity.check(session)]
    assert "[提醒] 小区“幸福里小区”：改造内容投资合计 1,100,000.00 元，超过小区总投资 1,000,000.00 元" in findings
    items.update(session, made.id, {"description": "北侧"})  # an edit that leaves the money alone: not asked again
    with pytest.raises(ConfirmationNeeded):
        items.update(session, made.id, {"investment": "600000"})


def test_an_unfinished_item_on_an_accepted_community_asks_first(empty_db) -> None:
    with empty_db.transaction("测试员") as s:
        demo.build(s, communities_count=12, seed=1)
    with empty_db.transaction("测试员") as s:
        _unfinished_item(s)


def _unfinished_item(session) -> None:
    accepted = session.scalar(
        select(Community).where(Community.status == "accepted", Community.deleted_at.is_(None)).order_by(Community.id)
    )
    assert accepted is not None, "the demo has an accepted community"
    data = {"item_type_id": _type(session), "planned_quantity": 1, "status": "started", "started_on": date(2024, 3, 1)}
    data["investment"] = Decimal(0)
    with pytest.raises(ConfirmationNeeded, match="小区已验收，这项改造内容却是“在建”"):
        items.create(session, accepted.id, data)
    items.create(session, accepted.id, data, confirm=True)
    findings = [str(f) for f in integrity.check(session)]
    assert f"[提醒] 小区“{accepted.name}”：小区已验收，仍有 1 项改造内容为“在建”" in findings
