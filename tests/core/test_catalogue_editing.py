"""A county adds, renames, retires and deletes (unused) item types; one in use is never deleted; a township
database cannot edit the catalogue."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import catalogue_editing, communities, divisions, editable_settings, items
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import ItemType


def test_add_rename_retire_delete(county) -> None:
    t = catalogue_editing.add(county, "提升类", "智能门禁", "套", central_eligible=False)
    rows = {r.name: r for r in editable_settings.item_type_rows(county)}
    assert rows["智能门禁"].category == "提升类" and rows["智能门禁"].unit == "套"
    catalogue_editing.rename(county, t.code, "智能门禁系统")
    assert "智能门禁系统" in {r.name for r in editable_settings.item_type_rows(county)}
    catalogue_editing.retire(county, t.code)
    assert "智能门禁系统" not in {r.name for r in editable_settings.item_type_rows(county)}
    catalogue_editing.retire(county, t.code, active=True)
    catalogue_editing.delete(county, t.code)  # nothing uses it
    assert county.scalar(select(ItemType.deleted_at).where(ItemType.code == t.code)) is not None
    with pytest.raises(ValidationError, match="已有"):
        catalogue_editing.add(county, "基础类", rows[next(iter(rows))].name, "米")


def test_an_entry_in_use_is_retired_not_deleted(county) -> None:
    t = catalogue_editing.add(county, "基础类", "雨水花园", "处")
    township = "341122100000"
    divisions.ensure(county, township, "新安镇")
    community = communities.create(county, {"name": "幸福里", "township_code": township})
    items.create(county, community.id, {"item_type_id": t.code, "planned_quantity": 2})
    with pytest.raises(ValidationError, match="已有 1 项改造内容使用这个类型，不能删除"):
        catalogue_editing.delete(county, t.code)
    catalogue_editing.retire(county, t.code)  # what it can do instead


def test_a_township_cannot_edit_the_catalogue(session) -> None:
    with pytest.raises(ValidationError, match="县（区）统一维护"):
        catalogue_editing.add(session, "基础类", "新类型", "个")
