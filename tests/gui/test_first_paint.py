"""Start-up shows the ledger first: the window builds only the page asked for (the 概览 start page is chosen
once the event loop runs), the 小区台账 detail pane is built just after the table's first paint, and the
dashboard's first worker starts after its page is shown (benchmarks/bench_gui.py times the whole)."""

# ruff: noqa: F811 - the fixtures imported from community_fixtures are parameters here
from __future__ import annotations

from community_fixtures import ctx  # noqa: F401 - fixture

from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.main_window import MainWindow


def test_a_page_asked_for_at_once_is_the_only_one_built(qtbot, ctx: AppContext) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert window.pages == {}  # nothing built before the event loop runs
    window.show()
    page = window.go_to("communities")
    assert page._detail is None  # the table first
    qtbot.waitUntil(lambda: page.table.view.viewport().isVisible(), timeout=5000)
    laid_out = page.splitter.sizes()
    qtbot.waitUntil(lambda: page._detail is not None, timeout=5000)  # after the table's first paint
    assert page.splitter.sizes()[0] == laid_out[0] > 0  # the pane takes the placeholder's place, not the table's
    qtbot.wait(50)
    assert list(window.pages) == ["communities"]  # the start page (概览) was never built
    assert window.current_page() is page
    current = page.table.current_id()
    assert current and page.detail.community_id == current  # the pane shows the selected community


def test_the_start_page_comes_with_the_event_loop(qtbot, ctx: AppContext) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: "dashboard" in window.pages, timeout=5000)
    dashboard = window.pages["dashboard"]
    assert window.current_page() is dashboard
    qtbot.waitUntil(lambda: not dashboard.loading and dashboard.data is not None, timeout=20000)


def test_the_detail_pane_is_built_when_asked_for_before_any_paint(qtbot, ctx: AppContext) -> None:
    from oldcomm_desktop.gui.pages.communities import CommunitiesPage

    page = CommunitiesPage(ctx)  # never shown
    qtbot.addWidget(page)
    page.activate()
    assert page._detail is None
    current = page.table.current_id()
    assert current and page.detail.community_id == current  # built on first use, showing the selection
    assert page.splitter.widget(1) is page.detail
