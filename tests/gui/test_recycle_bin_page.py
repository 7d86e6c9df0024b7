"""回收站: a deleted community comes back (with its items) and undo deletes it again; refusals are explained."""
# ruff: noqa: F811 - the fixtures imported from overview_pages_fixtures are parameters here

from __future__ import annotations

import pytest
from overview_pages_fixtures import ctx, listing_count, show  # noqa: F401

from oldcomm_desktop.core import communities, items, listings
from oldcomm_desktop.core.model import Community
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.recycle_bin import RecycleBinPage


@pytest.fixture
def page(qtbot, ctx: AppContext) -> RecycleBinPage:
    return show(qtbot, RecycleBinPage(ctx))


def _first_community(ctx: AppContext) -> dict:
    return ctx.read(lambda s: listings.page(s, "communities", limit=1)[0])


def _live(ctx: AppContext, cid: str) -> bool:
    return ctx.read(lambda s: s.get(Community, cid).deleted_at is None)


def _select(page: RecycleBinPage, record_id: str) -> None:
    model = page.table.model
    rows = [r for r in range(model.rowCount()) if model.row_id(r) == record_id]
    assert rows, f"{record_id} is not in the bin"
    page.table.view.selectRow(rows[0])


def test_restore_brings_a_community_back_and_undo_deletes_it_again(page: RecycleBinPage, ctx: AppContext) -> None:
    assert page.table.model.shown_count == 0
    c = _first_community(ctx)
    n_items = listing_count(ctx, "items", community=c["id"])
    ctx.write(lambda s: communities.delete(s, c["id"]), table="community")
    assert page.table.model.shown_count == 1  # its items went with it: one row
    row = page.table.model.row_mapping(0)
    assert (row["kind"], row["name"], row["deleted_by"]) == ("community", c["name"], "测试员")
    assert page.table.model.data(page.table.model.index(0, 0)) == "小区"

    _select(page, c["id"])
    assert page.restore_current()
    assert _live(ctx, c["id"]) and listing_count(ctx, "items", community=c["id"]) == n_items
    assert page.table.model.shown_count == 0
    assert "已恢复" in page.message.text()

    ctx.undo_stack.undo()
    assert not _live(ctx, c["id"]) and page.table.model.shown_count == 1
    ctx.undo_stack.redo()
    assert _live(ctx, c["id"]) and listing_count(ctx, "items", community=c["id"]) == n_items


def test_a_refused_restore_says_why(page: RecycleBinPage, ctx: AppContext) -> None:
    c = _first_community(ctx)
    item = ctx.read(lambda s: listings.page(s, "items", listings.ListQuery(filters={"community": c["id"]}), 0, 1)[0])
    ctx.write(lambda s: items.delete(s, item["id"]))
    ctx.write(lambda s: communities.delete(s, c["id"]))
    assert page.table.model.shown_count == 2
    _select(page, item["id"])
    assert not page.restore_current()
    text = page.message.text()
    assert "不能恢复" in text and c["name"] in text and "请先恢复小区" in text
    assert ctx.undo_stack.count() == 0
    _select(page, c["id"])
    assert page.restore_current()
    _select(page, item["id"])
    assert page.restore_current()
    assert page.table.model.shown_count == 0


def test_filters_and_search(page: RecycleBinPage, ctx: AppContext) -> None:
    rows = ctx.read(lambda s: listings.page(s, "communities", limit=2))
    for r in rows:
        ctx.write(lambda s, cid=r["id"]: communities.delete(s, cid))
    item = ctx.read(lambda s: listings.page(s, "items", limit=1)[0])
    ctx.write(lambda s: items.delete(s, item["id"]))
    assert page.table.model.shown_count == 3
    page.apply_filters({"kind": "item"})
    assert page.table.model.shown_count == 1
    page.apply_filters({})
    page.table.search.setText(rows[0]["name"])
    page.table.search.returnPressed.emit()
    assert page.table.model.shown_count >= 1
    assert all(
        rows[0]["name"] in (page.table.model.row_mapping(i)["name"] + (page.table.model.row_mapping(i)["parent"] or ""))
        for i in range(page.table.model.shown_count)
    )
