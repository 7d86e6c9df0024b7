"""Fixtures and helpers of the 概览/项目/改造内容/回收站/设置/数据交换/报表 page tests, over the demo county of
tests/gui/conftest.py (`pages_demo_file`); test modules import `ctx` and the helpers from here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from demo_context import PAGES_DEMO, open_copy

from oldcomm_desktop.core import listings
from oldcomm_desktop.gui.context import AppContext

DEMO_COMMUNITIES = PAGES_DEMO


@pytest.fixture
def ctx(pages_demo_file: Path, tmp_path: Path) -> Iterator[AppContext]:
    yield from open_copy(pages_demo_file, tmp_path)


def show(qtbot, page):
    """Show a page at the window's size (charts lay out only when shown) and activate it."""
    qtbot.addWidget(page)
    page.resize(1148, 760)
    page.show()
    qtbot.waitExposed(page)
    page.activate()
    wait_loaded(qtbot, page)
    return page


def wait_loaded(qtbot, page) -> None:
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
