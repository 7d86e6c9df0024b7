"""A retired catalogue entry (停用) is refused for a new item or a change of type — by the single edit and
by the bulk write path alike — while an item that already has it keeps it, shows it and can still be edited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import catalogues, communities, community_detail, items
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.model import ItemType, RenovationItem
from oldcomm_desktop.storage.database import Database


def _retire(db: Database) -> tuple[str, str, str, str]:
    """A community with an item of type A; then A is retired. (community id, item id, A's id, another id)."""
    with db.transaction("测试员") as s:
        retired, other = catalogues.item_types(s)[:2]
        community = communities.create(s, {"name": "幸福里小区", "households": 100})
        item = items.create(s, community.id, {"item_type_id": retired.id, "planned_quantity": 3})
        ids = community.id, item.id, retired.id, other.id
    with db.transaction("测试员") as s:
        s.get(ItemType, ids[2]).active = False
    return ids


def test_a_retired_type_is_refused_for_a_new_item_and_a_change_of_type(db: Database) -> None:
    cid, iid, retired, other = _retire(db)
    with db.transaction("测试员") as s, pytest.raises(ValidationError, match="已在改造内容目录中停用") as e:
        items.create(s, cid, {"item_type_id": retired})
    assert e.value.problems[0].field == "item_type_id"
    with db.transaction("测试员") as s:
        items.update(s, iid, {"item_type_id": other})
    with db.transaction("测试员") as s, pytest.raises(ValidationError, match="停用"):
        items.update(s, iid, {"item_type_id": retired})  # moving back onto it is a new use of it


def test_an_item_keeps_its_retired_type_and_stays_editable(db: Database) -> None:
    cid, iid, retired, _other = _retire(db)
    with db.transaction("测试员") as s:
        items.update(s, iid, {"item_type_id": retired, "planned_quantity": 5})  # its own type, unchanged
        assert s.get(RenovationItem, iid).planned_quantity == 5
        assert retired not in {t.id for t in catalogues.item_types(s)}  # not offered for new items
        kept = {t.id: t for t in community_detail.item_type_choices(s, retired)}
        assert kept[retired].retired and kept[retired].label.endswith("（已停用）")
        assert catalogues.item_type_label(s.get(ItemType, retired)).endswith("（已停用）")


def test_the_bulk_path_refuses_a_retired_type_with_the_same_message(db: Database) -> None:
    cid, iid, retired, other = _retire(db)
    with db.transaction("测试员") as s, pytest.raises(ValidationError) as single:
        items.create(s, cid, {"item_type_id": retired})
    with db.transaction("测试员") as s, pytest.raises(bulk.BulkRejected) as batch:
        bulk.write(s, {"renovation_item": [{"community_id": cid, "item_type_id": retired}]}, source="x")
    assert [p.message for p in batch.value.rejected[0].problems] == [p.message for p in single.value.problems]
    with db.transaction("测试员") as s:  # the item that has it is written again with it: accepted
        bulk.write(
            s,
            {"renovation_item": [{"id": iid, "community_id": cid, "item_type_id": retired, "planned_quantity": 4}]},
            source="x",
        )
        assert s.scalar(select(RenovationItem.planned_quantity).where(RenovationItem.id == iid)) == 4
