"""The township restores an item both sides had deleted, and edits it, while the county deletes the item's
community (QA round 3, bug 2). The county holds the item (所属记录已删除) for a clerk: its row stored deleted from
before is not the item arriving deleted. Before, the hold closed itself in the same import, the county had
nothing to decide, and when the township kept its community the item stayed deleted at the county for good."""

from __future__ import annotations

import pytest

from oldcomm_desktop.core import items, recycle_bin
from oldcomm_desktop.core.model import RenovationItem, SyncConflict
from oldcomm_desktop.core.sync import conflicts

from .conftest import COUNTY, T1, Node, exchange


def _item(node: Node, iid: str) -> tuple[bool, str | None]:
    with node.db.transaction() as s:
        i = s.get(RenovationItem, iid)
        return i.deleted_at is None, i.notes


def _decide_all(node: Node, keep: str) -> None:
    from sqlalchemy import select

    while True:
        with node.db.transaction("审核员") as s:
            found = s.scalar(select(SyncConflict.id).where(SyncConflict.status == "open"))
            if found is None:
                return
            conflicts.resolve(s, found, keep)


@pytest.mark.parametrize(("where", "keep"), [("township", "ours"), ("county", "theirs"), ("township", "theirs")])
def test_the_restored_item_waits_for_a_clerk_and_both_sides_converge(
    world: dict[str, Node], where: str, keep: str
) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里", households=100)
    with t1.db.transaction("录入员") as s:
        iid = items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "100"}, confirm=True).id
    exchange(county, t1, rounds=1)
    with t1.db.transaction("录入员") as s:
        items.delete(s, iid)
    exchange(county, t1, rounds=1)  # both hold the item deleted
    with t1.db.transaction("录入员") as s:
        recycle_bin.restore(s, "item", iid)
    with t1.db.transaction("录入员") as s:
        items.update(s, iid, {"notes": "恢复后补录"}, confirm=True)
    county.delete_community(cid)
    exchange(county, t1)
    assert county.open_conflicts() == [("renovation_item", "parent_deleted")]
    assert t1.open_conflicts() == [("community", "deleted_at")]
    _decide_all(t1 if where == "township" else county, keep)
    exchange(county, t1)
    assert county.open_conflicts() == [] and t1.open_conflicts() == []
    kept = (where == "township") == (keep == "ours")  # the community and the restored item stay
    assert _item(county, iid) == _item(t1, iid) == ((True, "恢复后补录") if kept else (False, "恢复后补录"))
