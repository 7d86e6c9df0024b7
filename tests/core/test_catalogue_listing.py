"""The catalogue as the 设置 page lists it (core.catalogue_editing.listing): retired entries included and
said so, uses counted, searched by name or pinyin initials, sorted by pinyin; every change of an entry
carries the version the clerk saw, and a deleted entry comes back with `restore` (the page's undo)."""

from __future__ import annotations

import pytest

from oldcomm_desktop.core import catalogue_editing, communities, divisions, items
from oldcomm_desktop.core.errors import StaleRecord, ValidationError


def _row(county, name: str) -> dict:
    return next(r for r in catalogue_editing.listing(county) if r["name"] == name)


def test_listing_keeps_retired_entries_and_counts_uses(county) -> None:
    t = catalogue_editing.add(county, "基础类", "雨水花园", "处")
    divisions.ensure(county, "341122100000", "新安镇")
    community = communities.create(county, {"name": "幸福里", "township_code": "341122100000"})
    items.create(county, community.id, {"item_type_id": t.code, "planned_quantity": 2})
    catalogue_editing.retire(county, t.id)  # by record id, as the page addresses it
    row = _row(county, "雨水花园")
    assert row["state"] == "已停用" and not row["active"] and row["uses"] == 1 and row["category"] == "基础类"
    assert [r["name"] for r in catalogue_editing.listing(county, state="retired")] == ["雨水花园"]
    assert "雨水花园" not in {r["name"] for r in catalogue_editing.listing(county, state="active")}
    assert not any("_" in r["name"] or "_" in r["category"] for r in catalogue_editing.listing(county))


def test_search_and_pinyin_order(county) -> None:
    catalogue_editing.add(county, "提升类", "智能门禁", "套")
    assert [r["name"] for r in catalogue_editing.listing(county, search="znmj")] == ["智能门禁"]
    assert [r["name"] for r in catalogue_editing.listing(county, search="门禁")] == ["智能门禁"]
    names = [r["name"] for r in catalogue_editing.listing(county, sort_key="name")]
    from oldcomm_desktop.core.pinyin_search import sort_key

    assert names == sorted(names, key=sort_key)
    assert [r["name"] for r in catalogue_editing.listing(county, sort_key="name", descending=True)] == names[::-1]


def test_a_stale_change_is_refused_and_delete_can_be_undone(county) -> None:
    t = catalogue_editing.add(county, "提升类", "智能门禁", "套")
    seen = _row(county, "智能门禁")["version"]
    catalogue_editing.rename(county, t.id, "智能门禁系统", expected_version=seen)
    with pytest.raises(StaleRecord):
        catalogue_editing.retire(county, t.id, expected_version=seen)  # a colleague renamed it meanwhile
    now = _row(county, "智能门禁系统")["version"]
    catalogue_editing.delete(county, t.id, expected_version=now)
    assert "智能门禁系统" not in {r["name"] for r in catalogue_editing.listing(county)}
    catalogue_editing.restore(county, t.id)
    assert _row(county, "智能门禁系统")["state"] == "在用"
    catalogue_editing.add(county, "提升类", "电子围栏", "套")
    with pytest.raises(ValidationError, match="已有“电子围栏”"):
        catalogue_editing.rename(county, t.id, "电子围栏")
