"""A demo county for the tests of the 概览/项目/改造内容/回收站/设置/数据交换/报表 pages.

Built once per session and copied per test (a build takes a second or two). Not a conftest: tests/gui
has no package and tests/conftest.py is shared, so the test modules import these fixtures.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from oldcomm_desktop.core import demo, listings
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.storage.database import open_database

DEMO_COMMUNITIES = 20


@pytest.fixture(scope="session")
def pages_demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pages_demo") / "demo.sqlite3"
    db = open_database(path)
    with db.transaction("演示操作员") as s:
        demo.build(s, communities_count=DEMO_COMMUNITIES, seed=2)
    db.close()
    return path


@pytest.fixture
def ctx(pages_demo_file: Path, tmp_path: Path) -> Iterator[AppContext]:
    for suffix in ("", "-wal", "-shm"):
        src = pages_demo_file.with_name(pages_demo_file.name + suffix)
        if src.exists():
            shutil.copy(src, tmp_path / src.name)
    db = open_database(tmp_path / pages_demo_file.name)
    context = AppContext(db, "测试员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    yield context
    db.close()


def show(qtbot, page):  # noqa: ANN001, ANN201
    """Show a page at the window's size (charts lay out only when shown) and activate it."""
    qtbot.addWidget(page)
    page.resize(1148, 760)
    page.show()
    qtbot.waitExposed(page)
    page.activate()
    wait_loaded(qtbot, page)
    return page


def wait_loaded(qtbot, page) -> None:  # noqa: ANN001
    """Pages that compute in a worker (the dashboard) are ready once `loading` is false."""
    qtbot.waitUntil(lambda: not getattr(page, "loading", False), timeout=20000)


def listing_count(ctx: AppContext, name: str, **filters: object) -> int:
    return ctx.read(lambda s: listings.count(s, name, listings.ListQuery(filters=filters)))


class Navigations:
    """Records what a page asked the window to show (ctx.navigate)."""

    def __init__(self, ctx: AppContext):
        self.calls: list[tuple[str, dict]] = []
        ctx.navigate.connect(lambda key, filters: self.calls.append((key, dict(filters))))

    @property
    def last(self) -> tuple[str, dict]:
        assert self.calls, "nothing was navigated to"
        return self.calls[-1]
