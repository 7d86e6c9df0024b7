"""回收站 on the list-page kit: restore goes through the kit's plumbing (list_page.restore_record), carries the
version the row was read at (a colleague's change since is refused and nothing moves), and the selection
follows: the restored record leaves the bin and the row that took its place is selected; 恢复 is a row
action in the context menu and the 编辑 menu."""
# ruff: noqa: F811 - the fixtures imported from overview_pages_fixtures are parameters here

from __future__ import annotations

import pytest
from overview_pages_fixtures import ctx, show  # noqa: F401

from oldcomm_desktop.core import communities, listings
from oldcomm_desktop.core.model import Community
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.recycle_bin import RecycleBinPage


@pytest.fixture
def page(qtbot, ctx: AppContext) -> RecycleBinPage:
    return show(qtbot, RecycleBinPage(ctx))


def _delete_three(ctx: AppContext) -> list[str]:
    ids = [r["id"] for r in ctx.read(lambda s: listings.page(s, "communities", limit=3))]
    for cid in ids:
        ctx.write(lambda s, cid=cid: communities.delete(s, cid), table="community")
    return [str(i) for i in ids]


def _live(ctx: AppContext, cid: str) -> bool:
    return ctx.read(lambda s: s.get(Community, cid).deleted_at is None)


def test_a_restore_the_row_was_read_before_is_refused(page: RecycleBinPage, ctx: AppContext) -> None:
    cid = _delete_three(ctx)[0]
    assert page.table.select_id(cid)
    # a colleague on the shared database restores and deletes it again: this window has not re-read the bin
    with ctx.db.transaction("李四") as s:
        communities.restore(s, cid)
    with ctx.db.transaction("李四") as s:
        communities.delete(s, cid)
    assert not page.restore_current()
    assert "不能恢复" in page.message.text() and "李四" in page.message.text()
    assert not _live(ctx, cid) and ctx.undo_stack.count() == 0

    page.table.refresh()  # read again: now the restore carries the new version and goes through
    assert page.table.select_id(cid) and page.restore_current()
    assert _live(ctx, cid)


def test_the_selection_follows_to_the_next_row_and_the_action_is_everywhere(page: RecycleBinPage, ctx) -> None:
    _delete_three(ctx)
    model = page.table.model
    assert model.shown_count == 3
    middle, after = model.row_id(1), model.row_id(2)
    assert page.table.select_id(middle)
    restore = next(a for a in page.edit_actions() if a.objectName() == "restore_action")
    assert restore.isEnabled() and page.restore_button.isEnabled()
    page.table.view.setFocus()
    restore.trigger()
    assert _live(ctx, middle) and model.shown_count == 2
    assert page.table.current_id() == after  # the row that took its place
    assert restore.isEnabled()

    # the context menu offers the same action, on the row clicked
    view = page.table.view
    view.customContextMenuRequested.emit(view.visualRect(model.index(0, 0)).center())
    menu = page.row_actions.menu
    assert menu is not None and restore in menu.actions()
    assert page.table.current_id() == model.row_id(0)

    ctx.undo_stack.undo()  # back in the bin
    assert not _live(ctx, middle) and model.shown_count == 3
