"""The county retires or deletes a catalogue entry while a township, not yet told, uses it: the township's
records arrive all the same, and so does every unrelated change of its.

停用 stops new use by a clerk here; a record the township made before it knew is real data (its own rules took
it), so the county takes it. An entry deleted at the county (nothing used it that the county knew of) comes
back retired once a record using it arrives: an entry in use is retired, never deleted. Before, each of these
refused every later package of the township for good, the deleted type named by its record id."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import catalogue_editing, communities, funding, funding_catalogue, funding_dates, items
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import Community, FundingLine, FundingSource, ItemType, RenovationItem
from oldcomm_desktop.core.sync import history

from .conftest import COUNTY, ORDERS, T1, Node, exchange, first_moves


def _households(node: Node, cid: str) -> int | None:
    with node.db.transaction() as s:
        return s.scalar(select(Community.households).where(Community.id == cid))


def _items(node: Node, cid: str) -> list[str]:
    with node.db.transaction() as s:
        q = (
            select(ItemType.code)
            .join(RenovationItem, RenovationItem.item_type_id == ItemType.id)
            .where(RenovationItem.community_id == cid, RenovationItem.deleted_at.is_(None))
        )
        return sorted(s.scalars(q))


def _type_state(node: Node, code: str) -> tuple[bool, bool]:
    """(deleted, active) of an item type."""
    with node.db.transaction() as s:
        t = s.scalars(select(ItemType).where(ItemType.code == code)).one()
        return t.deleted_at is not None, bool(t.active)


@pytest.mark.parametrize("order", ORDERS)
def test_an_item_of_a_type_retired_meanwhile_arrives(world: dict[str, Node], order: str) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里", households=100)
    exchange(county, t1, rounds=1)
    with county.db.transaction("审核员") as s:
        catalogue_editing.retire(s, "water_pipe")
    with t1.db.transaction("录入员") as s:  # not yet told
        items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "100", "investment": "5000"})
    t1.update_community(cid, households=155)
    first_moves(county, t1, order)
    exchange(county, t1)
    for node in (county, t1):
        assert _items(node, cid) == ["water_pipe"], node.code
        assert _type_state(node, "water_pipe") == (False, False), node.code  # still retired on both
        assert node.open_conflicts() == [], node.code
    assert _households(county, cid) == 155
    with county.db.transaction("审核员") as s:  # a clerk still cannot put a new item on it
        with pytest.raises(ValidationError, match="已在改造内容目录中停用"):
            items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "1", "investment": "1"})


def test_money_on_a_source_retired_meanwhile_arrives(world: dict[str, Node]) -> None:
    county, t1 = world[COUNTY], world[T1]
    with t1.db.transaction("录入员") as s:
        cid = communities.create(s, {"name": "幸福里", "total_investment": "1000"}).id
        funding.set_lines(
            s, s.get(Community, cid), {"central_budget": {"approved": "700"}, "provincial": {"approved": "300"}}
        )
    exchange(county, t1, rounds=1)
    with county.db.transaction("审核员") as s:
        funding_catalogue.retire(s, "bank_loans")
    with t1.db.transaction("录入员") as s, funding_dates.dated(s, date(2026, 5, 1)):
        lines = {"central_budget": {"approved": "700"}, "provincial": {"approved": "0"}}
        funding.set_lines(s, s.get(Community, cid), {**lines, "bank_loans": {"approved": "300", "arrived": "100"}})
    t1.update_community(cid, households=155)
    exchange(county, t1)
    assert _households(county, cid) == 155
    with county.db.transaction() as s:
        q = (
            select(FundingLine.approved)
            .join(FundingSource, FundingSource.id == FundingLine.source_id)
            .where(
                FundingLine.community_id == cid, FundingSource.code == "bank_loans", FundingLine.deleted_at.is_(None)
            )
        )
        assert s.scalar(q) == 300
        assert s.scalars(select(FundingSource).where(FundingSource.code == "bank_loans")).one().active is False
    assert county.open_conflicts() == t1.open_conflicts() == []


@pytest.mark.parametrize("order", ORDERS)
def test_a_type_deleted_while_in_use_comes_back_retired(world: dict[str, Node], order: str) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里", households=100)
    exchange(county, t1, rounds=1)
    with county.db.transaction("审核员") as s:
        code = catalogue_editing.add(s, "基础类", "雨污分流改造", "米").code
    t1.import_(county.export(T1).path)
    with t1.db.transaction("录入员") as s:
        items.create(s, cid, {"item_type_id": code, "planned_quantity": "10", "investment": "100"})
    with county.db.transaction("审核员") as s:
        catalogue_editing.delete(s, code)  # the county knows of no use yet
    t1.update_community(cid, households=155)
    first_moves(county, t1, order)
    exchange(county, t1)
    assert _households(county, cid) == 155
    for node in (county, t1):
        assert _items(node, cid) == [code], node.code
        assert _type_state(node, code) == (False, False), node.code  # in use: retired, not deleted
        assert node.open_conflicts() == [], node.code


def test_a_rollback_deletes_the_type_again(world: dict[str, Node]) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里", households=100)
    exchange(county, t1, rounds=1)
    with county.db.transaction("审核员") as s:
        code = catalogue_editing.add(s, "基础类", "雨污分流改造", "米").code
    t1.import_(county.export(T1).path)
    with t1.db.transaction("录入员") as s:
        items.create(s, cid, {"item_type_id": code, "planned_quantity": "10", "investment": "100"})
    with county.db.transaction("审核员") as s:
        catalogue_editing.delete(s, code)
    report = county.import_(t1.export().path)
    assert _type_state(county, code) == (False, False) and _items(county, cid) == [code]
    with county.db.transaction("审核员") as s:
        history.rollback(s, report.import_id)
    assert _type_state(county, code) == (True, True) and _items(county, cid) == []


def test_a_deleted_type_whose_name_was_taken_is_named_and_comes_back_once_freed(world: dict[str, Node]) -> None:
    """The county deleted the type and made a new one of the same name: the old one cannot come back beside it
    (names are unique), so the package is refused, naming the type by its name (never its record id); once the
    county renames its new entry, the next package brings the old one back retired."""
    from oldcomm_desktop.core.sync.package import PackageError

    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里", households=100)
    exchange(county, t1, rounds=1)
    with county.db.transaction("审核员") as s:
        old = catalogue_editing.add(s, "基础类", "雨污分流改造", "米")
        code, ident = old.code, old.id
    t1.import_(county.export(T1).path)
    with t1.db.transaction("录入员") as s:
        items.create(s, cid, {"item_type_id": code, "planned_quantity": "10", "investment": "100"})
    with county.db.transaction("审核员") as s:
        catalogue_editing.delete(s, code)
        new_code = catalogue_editing.add(s, "基础类", "雨污分流改造", "米").code
    with pytest.raises(PackageError, match="“雨污分流改造”已从目录中删除") as refused:
        county.import_(t1.export().path)
    assert ident not in str(refused.value)
    with county.db.transaction("审核员") as s:
        catalogue_editing.rename(s, new_code, "雨污分流改造（新）")
    county.import_(t1.export().path)
    assert _type_state(county, code) == (False, False) and _items(county, cid) == [code]
