"""What each decision does, said before the click (`choices.explain`): the GUI shows it under the conflict list
and `oldcomm sync conflicts` under each conflict."""

from __future__ import annotations

import pytest

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.sync import choices, conflicts, history

from .conftest import COUNTY, T1, Node, exchange
from .test_rule_clashes import _money_clash


def _conflict(field: str, ours, theirs, **extra) -> dict:
    return {"record": "小区“幸福里”", "field": field, "field_label": "户数", "ours": ours, "theirs": theirs, **extra}


def test_an_edit_against_an_edit_names_both_values_and_offers_a_third() -> None:
    said = choices.explain(_conflict("households", 45, 48))
    assert said == {
        "ours": "保留本方：户数仍为“45”，对方也改为它",
        "theirs": "采用对方：户数改为“48”",
        "edit": choices.EDITABLE_HINT,
    }


def test_a_deletion_says_which_side_deleted() -> None:
    deleted_here = choices.explain(_conflict("deleted_at", "2026-12-01T10:00:00", None))
    assert deleted_here["ours"] == "保留本方：小区“幸福里”仍删除（在回收站中），对方也删除它"
    assert deleted_here["theirs"] == "采用对方：从回收站恢复小区“幸福里”，写入对方的修改"
    deleted_there = choices.explain(_conflict("deleted_at", None, "2026-12-01T10:00:00", note="其中 2 条…"))
    assert deleted_there["ours"].startswith("保留本方：不删除小区“幸福里”，本方的修改保留")
    assert deleted_there["theirs"].endswith("同一次删除中的其余记录随之处理")  # a family is decided at once
    assert deleted_here["edit"] == deleted_there["edit"] == ""


def test_a_record_held_for_the_rules_can_only_be_kept_or_taken(world: dict[str, Node]) -> None:
    county, t1, _cid = _money_clash(world)
    exchange(county, t1)
    with county.db.transaction() as s:
        [c] = conflicts.listing(s)
    said = choices.explain(c)
    assert said["ours"].startswith("保留本方：本方记录不变并发给对方")
    assert "请先修改本方记录" in said["theirs"] and said["edit"] == ""


def test_a_short_id_shared_by_several_conflicts_says_so(world: dict[str, Node]) -> None:
    """Ids made within a minute share their first characters: a prefix naming two conflicts is not "不存在"."""
    county, township = world[COUNTY], world[T1]
    a, b = township.new_community("甲小区", households=1), township.new_community("乙小区", households=2)
    exchange(county, township, 1)
    for cid in (a, b):
        county.update_community(cid, households=30)
        township.update_community(cid, households=40)
    county.import_(township.export().path)
    with county.db.transaction("审核员") as s:
        ids = [c["id"] for c in conflicts.listing(s)]
        common = ids[0][: next((i for i in range(len(ids[0])) if ids[0][i] != ids[1][i]), 8)]
        with pytest.raises(OldcommError, match="对应 2 个冲突，请多写几位"):
            conflicts.find(s, common)
        assert conflicts.find(s, ids[1][: len(common) + 1]).id == ids[1]


@pytest.mark.parametrize("bad", ["", "  ", "%", "_", "0%", "%%%%", "____"])
def test_an_empty_or_wildcard_id_names_no_conflict_and_no_import(world: dict[str, Node], bad: str) -> None:
    """An unset $ID in a script (`sync resolve "" --keep theirs`) or a % must not decide the only open conflict,
    nor roll back an import: SQL's LIKE would match every id."""
    county, t1, _cid = _money_clash(world)
    exchange(county, t1)
    with county.db.transaction() as s:
        [c] = conflicts.listing(s)
        with pytest.raises(OldcommError):
            conflicts.find(s, bad)
        with pytest.raises(OldcommError):
            history.rollback(s, bad)
        assert conflicts.find(s, c["id"][:-2]).id == c["id"]  # a real prefix still names it
    with county.db.transaction() as s:
        assert [x["id"] for x in conflicts.listing(s)] == [c["id"]]
        assert all(h["status"] == "applied" for h in history.history(s))


@pytest.mark.parametrize("bad", ["", "%"])
def test_an_empty_id_does_not_roll_back_the_only_import(world: dict[str, Node], bad: str) -> None:
    county, t1 = world[COUNTY], world[T1]
    t1.new_community("幸福里小区", households=100)
    county.import_(t1.export().path)
    with county.db.transaction() as s:
        [only] = history.history(s)
        with pytest.raises(OldcommError):
            history.rollback(s, bad)
    with county.db.transaction() as s:
        assert [h["status"] for h in history.history(s)] == ["applied"] and only
