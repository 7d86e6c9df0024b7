"""A batch's ids known new by the highest stored id, and the ids made in batches, change nothing a row ends as.

`Batch.load` treats every id of a batch as not stored when all of them sort after the highest stored id of
the table (SQLite orders text as Python does); a batch naming one stored id among new ones reads the stored
rows as before. `prepare` gives the rows that name no id ids made at once (`base.new_ids`), in row order.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.model import Community
from oldcomm_desktop.core.model.base import new_id
from oldcomm_desktop.storage.database import Database


def _stored(db: Database) -> dict[str, tuple]:
    with db.transaction("测试员") as s:
        return {r.id: (r.name, r.households, r.version) for r in s.scalars(select(Community))}


def test_new_ids_above_the_highest_stored_id_are_created_and_a_stored_one_among_them_is_updated(
    empty_db: Database,
) -> None:
    from oldcomm_desktop.core import workspace

    with empty_db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code="341122001000", name="城关街道", operator="测试员")
        first = [{"id": new_id(), "name": f"幸福里{i}号院", "households": 10 + i} for i in range(3)]
        bulk.write(s, {"community": first}, source="一.xlsx")
    with empty_db.transaction("测试员") as s:
        fresh = [{"id": new_id(), "name": f"和平苑{i}号院", "households": 20 + i} for i in range(4)]
        plan = bulk.prepare(s, {"community": fresh})
        assert plan.counts()["community"] == {"create": 4, "update": 0, "unchanged": 0, "reject": 0}
        # ids that sort below the highest stored one (made elsewhere, earlier): read by their IN list as before
        low = [{"id": "0" * 8 + f"-0000-7000-8000-00000000000{i}", "name": f"低{i}", "households": 5} for i in range(2)]
        plan = bulk.prepare(s, {"community": low})
        assert plan.counts()["community"]["create"] == 2
        mixed = [*fresh, {"id": first[1]["id"], "name": "幸福里改名", "households": 11}]
        plan = bulk.prepare(s, {"community": mixed})
        assert plan.counts()["community"] == {"create": 4, "update": 1, "unchanged": 0, "reject": 0}
        bulk.apply(s, plan, source="二.xlsx")
    stored = _stored(empty_db)
    assert stored[first[1]["id"]] == ("幸福里改名", 11, 2)
    assert {stored[r["id"]][0] for r in fresh} == {r["name"] for r in fresh}
    with empty_db.transaction("测试员") as s:  # the same rows again: all stored now, nothing changes
        plan = bulk.prepare(s, {"community": mixed})
        assert plan.counts()["community"] == {"create": 0, "update": 0, "unchanged": 5, "reject": 0}


def test_rows_without_ids_get_ids_made_in_row_order(empty_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from oldcomm_desktop.core import workspace

    with empty_db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.TOWNSHIP, code="341122001000", name="城关街道", operator="测试员")
        given = new_id()
        rows = [{"name": "甲小区"}, {"id": given, "name": "乙小区"}, {"name": "丙小区"}, {"name": ""}]
        plan = bulk.prepare(s, {"community": rows})
        outs = plan.outcomes["community"]
        assert [o.action for o in outs] == ["create", "create", "create", "reject"]
        assert outs[1].id == given
        made = [outs[0].id, outs[2].id, outs[3].id]
        assert made == sorted(made) and len(set(made)) == 3 and given < made[0]
