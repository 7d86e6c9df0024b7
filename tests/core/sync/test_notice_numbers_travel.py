"""Notice numbers stay unique when the county and a township number apart and exchange packages.

Each notice is numbered in the series of the unit that issues it — the database it is recorded in: the county
office's own (测试县整改〔2026〕…) and the township's (城关整改〔2026〕…) — so the two, each one past the
highest it knows, never give one number twice. Two notices sharing a number anyway (older data, a number typed
by hand) keep it as printed and are reported by `oldcomm check`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import inspections, integrity
from oldcomm_desktop.core.model import Community, Rectification

from .conftest import COUNTY, ORDERS, T1, Node, exchange, first_moves

TODAY = date(2026, 11, 30)


def _inspect(node: Node, cid: str, day: date, notice_no: str | None = None) -> None:
    with node.db.transaction("检查员") as s:
        sheet = inspections.sheet(s, inspections.templates(s, "patrol")[0]["id"])
        lines = [
            {"template_item_id": it["id"], "area": it["area"], "text": it["text"], "result": "fail" if k else "pass"}
            for k, it in enumerate(sheet["items"][:2])
        ]
        rect = {"problem": "围挡破损", "deadline": day + timedelta(days=7)}
        if notice_no:
            rect["notice_no"] = notice_no
        values = {"kind": "patrol", "inspected_on": day, "inspectors": "周工"}
        inspections.record(s, s.get(Community, cid), values, lines, [rect], template=sheet["id"], today=TODAY)


def _numbers(node: Node) -> list[str]:
    with node.db.transaction() as s:
        return sorted(s.scalars(select(Rectification.notice_no).where(Rectification.deleted_at.is_(None))))


def _duplicates(node: Node) -> list[str]:
    with node.db.transaction() as s:
        return [f.record for f in integrity.check(s) if "整改通知共用" in f.message]


@pytest.mark.parametrize("order", ORDERS)
def test_the_county_and_a_township_numbering_apart_never_meet(world: dict[str, Node], order: str) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里", households=100)
    exchange(county, t1, rounds=1)
    _inspect(county, cid, date(2026, 11, 10))
    _inspect(t1, cid, date(2026, 11, 11))
    first_moves(county, t1, order)
    exchange(county, t1)
    for node in (county, t1):
        assert _numbers(node) == ["城关整改〔2026〕001号", "测试县整改〔2026〕001号"], node.code
        assert _duplicates(node) == [], node.code
    _inspect(county, cid, date(2026, 11, 12))  # each series goes on from its own numbers only
    _inspect(t1, cid, date(2026, 11, 13))
    exchange(county, t1)
    for node in (county, t1):
        assert _numbers(node) == [
            "城关整改〔2026〕001号",
            "城关整改〔2026〕002号",
            "测试县整改〔2026〕001号",
            "测试县整改〔2026〕002号",
        ], node.code


def test_a_number_given_twice_keeps_both_and_is_reported_on_both_sides(world: dict[str, Node]) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里", households=100)
    exchange(county, t1, rounds=1)
    _inspect(county, cid, date(2026, 11, 10), notice_no="城关整改〔2026〕001号")  # typed from a township's form
    _inspect(t1, cid, date(2026, 11, 11))
    exchange(county, t1)
    for node in (county, t1):
        assert _numbers(node) == ["城关整改〔2026〕001号", "城关整改〔2026〕001号"], node.code  # as printed
        assert _duplicates(node) == ["整改通知单“城关整改〔2026〕001号”"], node.code
