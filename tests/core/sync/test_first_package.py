"""What a first big package skips (benchmarks/bench_sync.py) must not change what the import leaves behind:
the item landmarks (migration 0014) are exact and kept by their triggers afterwards, and the records it
created are listed in one before-image per table that a rollback still undoes."""

from __future__ import annotations

import json

from sqlalchemy import select, text

from oldcomm_desktop.core import items, stored_landmarks
from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.model import Community, RenovationItem, SyncImportRow
from oldcomm_desktop.core.sync import history

from .conftest import COUNTY, T1


def _landmarks(s) -> list[tuple]:
    return list(s.execute(text("SELECT item_id, before FROM item_landmark ORDER BY item_id")))


def _add_items(node, cid: str, n: int) -> list[str]:
    with node.db.transaction("录入员") as s:
        return [
            items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": str(100 + k)}, confirm=True).id
            for k in range(n)
        ]


def test_a_first_package_leaves_exact_landmarks_and_their_triggers(world, monkeypatch) -> None:
    county, t1 = world[COUNTY], world[T1]
    monkeypatch.setattr(bulk, "BULK_INDEX_ROWS", 3)  # "many new items" at test size
    monkeypatch.setattr(stored_landmarks, "MIN_ROWS", 2)  # landmarks kept from two live items on
    a = t1.new_community("幸福里小区", households=100)
    b = t1.new_community("和平小区", households=80)
    _add_items(t1, a, 3)
    _add_items(t1, b, 2)
    county.import_(t1.export().path)
    with county.db.transaction("测试员") as s:
        names = {r[0] for r in s.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
        assert set(stored_landmarks.TRIGGER_NAMES) <= names  # made again after the write
        assert len(_landmarks(s)) == 4 and _exact(s)  # every item after the first is one at this size
    # the triggers keep them exact for the next write, a clerk's new item sorted among them
    _add_items(county, a, 1)
    with county.db.transaction("测试员") as s:
        assert s.query(RenovationItem).count() == 6 and _exact(s)


def _exact(s) -> bool:
    """Each landmark's `before` is the number of live items that sort strictly before it (按小区排序)."""
    rows = list(
        s.execute(
            text(
                "SELECT l.before, (SELECT count(*) FROM renovation_item r WHERE r.deleted_at IS NULL AND "
                "(r.community_sort, r.community_id, r.id) < (l.community_sort, l.community_id, l.item_id)) "
                "FROM item_landmark l"
            )
        )
    )
    return bool(rows) and all(before == count for before, count in rows)


def test_the_records_a_package_created_are_one_image_per_table_and_roll_back(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    a = t1.new_community("幸福里小区", households=100)
    b = t1.new_community("和平小区", households=80)
    made = set(_add_items(t1, a, 2))
    report = county.import_(t1.export().path)
    with county.db.transaction("测试员") as s:
        rows = s.execute(select(SyncImportRow.table_name, SyncImportRow.record_id, SyncImportRow.before)).all()
        assert sorted((r[0], r[1]) for r in rows) == [("community", "*"), ("renovation_item", "*")]
        assert {r[0]: set(json.loads(r[2])) for r in rows} == {
            "community": {a, b},
            "renovation_item": made,
        }
    with county.db.transaction("测试员") as s:
        assert history.rollback(s, report.import_id) == 4  # every record, as before the images were merged
    with county.db.transaction("测试员") as s:
        assert s.query(Community).count() == 0 and s.query(RenovationItem).count() == 0
    county.import_(t1.export(full=True).path)  # and the package can be imported again
    with county.db.transaction("测试员") as s:
        assert s.query(Community).count() == 2 and s.query(RenovationItem).count() == 2
