"""数据交换: a backup (in a worker) writes a file that backup.verify accepts; restore brings the old data back."""
# ruff: noqa: F811 - the fixtures imported from overview_pages_fixtures are parameters here

from __future__ import annotations

from pathlib import Path

import pytest
from overview_pages_fixtures import ctx, listing_count, show  # noqa: F401

from oldcomm_desktop.core import communities, listings
from oldcomm_desktop.gui import commands
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.exchange import ExchangePage
from oldcomm_desktop.storage import backup


@pytest.fixture
def page(qtbot, ctx: AppContext) -> ExchangePage:
    return show(qtbot, ExchangePage(ctx))


def test_backup_writes_a_file_that_verify_accepts(page: ExchangePage, ctx: AppContext, tmp_path: Path) -> None:
    assert "还没有备份" in page.last.text()
    out = tmp_path / "备份" / "b.sqlite3"
    made = page.backup_to(out)
    assert made == out and out.is_file()
    backup.verify(out)  # raises if not an intact database of this program
    assert "已备份到" in page.result.text() and str(out) in page.result.text()
    # the last backup is a fact of the database (not of this PC's settings)
    assert str(out) in page.last.text()
    assert ctx.read(backup.last_backup).file == str(out.resolve())
    assert not any("backup" in k for k in ctx.settings.allKeys() if "folder" not in k)

    assert page.backup_to(out) is None  # never overwrites
    assert "已存在" in page.result.text()


def test_restore_brings_back_the_backed_up_data(page: ExchangePage, ctx: AppContext, tmp_path: Path) -> None:
    n = listing_count(ctx, "communities")
    saved = page.backup_to(tmp_path / "before.sqlite3")
    cid = ctx.read(lambda s: listings.page(s, "communities", limit=1)[0]["id"])
    commands.delete(ctx, "删除小区", cid, communities.delete, communities.restore, table="community")
    assert listing_count(ctx, "communities") == n - 1
    changed: list[str] = []
    ctx.data_changed.connect(changed.append)
    kept = page.restore_from(saved)
    assert listing_count(ctx, "communities") == n
    assert kept is not None and kept.is_file()
    backup.verify(kept)
    assert ctx.undo_stack.count() == 0 and "*" in changed
    assert "已从" in page.result.text() and str(kept) in page.result.text()
    ctx.write(lambda s: communities.delete(s, cid))  # the restored database takes writes
    assert listing_count(ctx, "communities") == n - 1


def test_a_file_that_is_not_a_backup_is_refused(page: ExchangePage, ctx: AppContext, tmp_path: Path) -> None:
    bogus = tmp_path / "x.sqlite3"
    bogus.write_bytes(b"not a database at all")
    n = listing_count(ctx, "communities")
    assert page.restore_from(bogus) is None
    assert "不是数据库备份" in page.result.text()
    assert listing_count(ctx, "communities") == n
    assert "数据包" in page.packages.title()
