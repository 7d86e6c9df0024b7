"""Small things that tripped a new clerk, each seen: figures with thousands separators, effect indicators in
the order their title names (计划 / 已完成), a window title that does not repeat the program's name."""

from __future__ import annotations

import dataclasses

from overview_pages_fixtures import ctx, show  # noqa: F401 - fixtures

from oldcomm_desktop.gui.main_window import MainWindow
from oldcomm_desktop.gui.pages.dashboard import DashboardPage


def test_big_figures_have_thousands_separators(qtbot, ctx) -> None:  # noqa: F811
    page = show(qtbot, DashboardPage(ctx))
    data = page.data
    big = [dataclasses.replace(c, items=161584, communities=200000) for c in data.categories]
    page._fill(dataclasses.replace(data, categories=big, overdue=12345, overdue_communities=200000))
    texts = [r.text for r in page.category_chart.rows]
    assert texts and all(t.startswith("161,584 项 · 200,000 个小区") for t in texts)


def test_effect_indicators_read_planned_then_done(qtbot, ctx) -> None:  # noqa: F811
    page = show(qtbot, DashboardPage(ctx))
    assert page.indicator_box.title() == "成效指标（计划 / 已完成）"
    for row, figure in zip(page.indicator_chart.rows, page.data.indicators, strict=True):
        planned, done = row.text.rsplit(" ", 1)[0].split(" / ")
        assert abs(float(planned.replace(",", "")) - float(figure.planned)) < 0.01
        assert abs(float(done.replace(",", "")) - float(figure.done)) < 0.01


def test_window_title_names_the_unit_once(qtbot, ctx) -> None:  # noqa: F811
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert "老旧小区改造工作台" not in window.windowTitle()  # Qt adds the program's name itself
    assert window.windowTitle()


def test_tab_leaves_a_table_and_arrows_move_within(qtbot, ctx) -> None:  # noqa: F811
    from PySide6.QtCore import Qt

    from oldcomm_desktop.gui.pages.items import ItemsPage

    page = show(qtbot, ItemsPage(ctx))
    view = page.table.view
    page.table.select_first()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.currentIndex().row() == 1 and view.hasFocus()
    column = view.currentIndex().column()
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert not view.hasFocus()  # the next control has it, not the next cell
    assert view.currentIndex().column() == column


def test_dashboard_reflows_at_1024_by_600_without_scrolling_sideways(qtbot, ctx) -> None:  # noqa: F811
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1024, 600)
    window.show()
    page = window.go_to("dashboard")
    qtbot.waitUntil(lambda: not page.loading and page.data is not None, timeout=20000)
    qtbot.wait(50)
    assert not page.scroll.horizontalScrollBar().isVisible()
    assert page.scroll.widget().width() <= page.scroll.viewport().width()
    tiles = list(page.tiles.values())
    assert all(t.geometry().right() <= page.scroll.viewport().width() for t in tiles)  # no card cut off
    # nine headline figures (six of the ledger, three of supervision) fill as many rows as the width needs
    narrow_rows = len({t.y() for t in tiles})
    assert 2 <= narrow_rows <= 3
    window.resize(1440, 900)
    qtbot.waitUntil(lambda: len({t.y() for t in tiles}) < narrow_rows)
    assert all(t.geometry().right() <= page.scroll.viewport().width() for t in tiles)
