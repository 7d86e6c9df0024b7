"""A deletion against an edit waits for a clerk on both sides, whatever the order of the packages.

The township deletes a community while the county corrects its 户数. The side that holds the deletion keeps the
edit inside the deleted record; it used to take the edit's version vectors too, so its next ordinary package
claimed to have seen the edit: the other side then closed its own conflict as "对方已处理" and applied the
deletion although nobody had decided (and when the township imported first, the county never got a conflict at
all). Now the deleting side keeps those vectors back until its clerk decides, and joins them with the decision.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from oldcomm_desktop.core.model import Community, SyncConflict
from oldcomm_desktop.core.sync import conflicts

from .conftest import COUNTY, ORDERS, T1, Node, db_state, exchange, first_moves


def _community(node: Node, cid: str) -> tuple[bool, int | None]:
    """(live, households)."""
    with node.db.transaction("测试员") as s:
        row = s.execute(select(Community.deleted_at, Community.households).where(Community.id == cid)).one()
    return row.deleted_at is None, row.households


def _deleted_here_edited_there(world: dict[str, Node]) -> tuple[Node, Node, str]:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("教师新村", households=100)
    exchange(county, t1, rounds=1)
    t1.delete_community(cid)
    county.update_community(cid, households=120)
    return county, t1, cid


@pytest.mark.parametrize("order", ORDERS)
def test_nobody_decided_so_both_sides_keep_their_state_and_their_conflict(world: dict[str, Node], order: str) -> None:
    county, t1, cid = _deleted_here_edited_there(world)
    first_moves(county, t1, order)
    exchange(county, t1, rounds=3)  # ordinary packages back and forth: nobody has decided anything
    assert _community(county, cid) == (True, 120)  # the county's edit, live
    assert _community(t1, cid)[0] is False  # the township's deletion, the edit kept inside
    assert county.open_conflicts() == [("community", "deleted_at")]
    assert t1.open_conflicts() == [("community", "deleted_at")]


@pytest.mark.parametrize("where", ["county", "township"])
@pytest.mark.parametrize("keep", ["ours", "theirs"])
@pytest.mark.parametrize("order", ORDERS)
def test_one_decision_settles_both_sides(world: dict[str, Node], order: str, where: str, keep: str) -> None:
    county, t1, cid = _deleted_here_edited_there(world)
    first_moves(county, t1, order)
    exchange(county, t1)
    decider = county if where == "county" else t1
    with decider.db.transaction("审核员") as s:
        conflicts.resolve(s, s.scalar(select(SyncConflict.id).where(SyncConflict.status == "open")), keep)
    exchange(county, t1)
    deleted = (keep == "ours") == (decider is t1)
    for node in (county, t1):
        assert node.open_conflicts() == [], node.code
        live, households = _community(node, cid)
        assert live is not deleted, node.code
        assert households == 120, node.code  # the edit is kept (inside the deleted record, or live)


def test_the_same_package_again_changes_nothing_on_the_deleting_side(world: dict[str, Node]) -> None:
    """The edits kept inside the deleted record, their vectors kept back: a second import of the same package meets
    them again and must find nothing to do (no row, shadow or conflict rewritten differently)."""
    county, t1, cid = _deleted_here_edited_there(world)
    down = county.export(to=T1).path
    t1.import_(down)
    kept = {"sync_shadow", "sync_conflict"}  # the import's own log (history, audit event, peer's marks) aside

    def state() -> dict[str, list[tuple]]:
        log = ("sync_", "audit_log")
        return {k: v for k, v in db_state(t1.db).items() if k in kept or not k.startswith(log)}

    before = state()
    t1.import_(down)
    assert state() == before
    assert t1.open_conflicts() == [("community", "deleted_at")]
