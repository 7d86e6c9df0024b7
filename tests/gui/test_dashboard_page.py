"""概览 and 报表: the figures equal the core's sums, and clicking a figure or a bar asks for the filtered list."""
# ruff: noqa: F811 - the fixtures imported from overview_pages_fixtures are parameters here

from __future__ import annotations

from decimal import Decimal

import pytest
from overview_pages_fixtures import Navigations, ctx, show, wait_loaded  # noqa: F401
from PySide6.QtCore import Qt

from oldcomm_desktop.core import communities, inspections, listings, overview, summary
from oldcomm_desktop.core.lifecycle import STATUSES
from oldcomm_desktop.core.money import format_yuan
from oldcomm_desktop.gui import commands
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.dashboard import DashboardPage
from oldcomm_desktop.gui.pages.returns import ReturnsPage


@pytest.fixture
def page(qtbot, ctx: AppContext) -> DashboardPage:
    return show(qtbot, DashboardPage(ctx))


def _core(ctx: AppContext):
    def read(s):
        result = summary.totals(s)
        return result, summary.finished(result), inspections.overdue_count(s), overview.status_by_township(s)

    return ctx.read(read)


def test_figures_equal_the_core_summary(page: DashboardPage, ctx: AppContext) -> None:
    result, finished, overdue, townships = _core(ctx)
    total = result.total
    assert total.communities > 0 and overdue > 0
    t = page.tiles
    assert t["communities"].value_text() == f"{total.communities:,}"
    assert t["households"].value_text() == f"{total.households:,}"
    assert t["floor_area"].value_text() == format_yuan(total.floor_area_m2, unit="万元")
    assert t["investment"].value_text() == format_yuan(total.investment_yuan, unit="万元")
    assert t["completed_investment"].value_text() == format_yuan(total.investment_completed_yuan, unit="万元")
    assert t["overdue"].value_text() == str(overdue)
    for code in STATUSES:
        assert page.status_tiles[code].value_text() == f"{result.groups[code].communities:,}"
    assert page.finished_tile.value_text() == str(finished.communities)
    assert f"完成改造 {finished.communities:,} 个" in t["communities"].sub.text()
    rows = page.township_chart.rows
    assert [r.key for r in rows] == [t.code for t in townships]
    for row, town in zip(rows, townships, strict=True):
        assert row.values == {s: float(n) for s, n in town.counts.items()}
    assert sum(sum(r.values.values()) for r in rows) == total.communities
    funding = ctx.read(overview.funding_tree)
    assert [r.label for r in page.funding_chart.rows] == [n.name for n in funding]
    assert page.funding_chart.rows[0].values["approved"] == float(funding[0].amounts["approved"])
    assert [r.key for r in page.category_chart.rows] == ["basic", "improvement", "enhancement"]
    assert len(page.indicator_chart.rows) == len(ctx.read(summary.effect_indicators))


def test_clicking_a_status_bar_asks_for_that_township_and_status(qtbot, page: DashboardPage, ctx: AppContext) -> None:
    nav = Navigations(ctx)
    chart = page.township_chart
    row = next(r for r in chart.rows if r.values["started"] > 0)
    rect = chart.segment_rect(row.key, "started")
    assert rect is not None and rect.width() > 0
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert nav.last == ("communities", {"township": row.key, "status": "started"})
    label = chart.segment_rect(row.key, "")
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=label.center().toPoint())
    assert nav.last == ("communities", {"township": row.key})


def test_clicking_figures_asks_for_the_filtered_lists(qtbot, page: DashboardPage, ctx: AppContext) -> None:
    nav = Navigations(ctx)
    qtbot.mouseClick(page.status_tiles["started"], Qt.MouseButton.LeftButton)
    assert nav.last == ("communities", {"status": "started"})
    page.status_tiles["accepted"].setFocus()
    qtbot.keyClick(page.status_tiles["accepted"], Qt.Key.Key_Return)
    assert nav.last == ("communities", {"status": "accepted"})
    qtbot.mouseClick(page.tiles["overdue"], Qt.MouseButton.LeftButton)
    assert nav.last == ("inspections", {"state": "overdue"})
    page.tiles["overdue"].sub.linkActivated.emit("communities")
    assert nav.last == ("communities", {"overdue": True})
    chart = page.category_chart
    rect = chart.segment_rect("improvement", "investment")
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert nav.last == ("communities", {"category": "improvement"})
    n = len(nav.calls)
    qtbot.mouseClick(page.tiles["households"], Qt.MouseButton.LeftButton)  # not a way anywhere
    rect = page.funding_chart.segment_rect(page.funding_chart.rows[0].key, "approved")
    qtbot.mouseClick(page.funding_chart, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert len(nav.calls) == n


def test_refreshes_when_data_changes_and_follows_the_money_unit(qtbot, page: DashboardPage, ctx: AppContext) -> None:
    before = int(page.tiles["communities"].value_text().replace(",", ""))
    cid = ctx.read(lambda s: listings.page(s, "communities", limit=1)[0]["id"])
    commands.delete(ctx, "删除小区", cid, communities.delete, communities.restore, table="community")
    assert page.loading, "figures are recomputed in a worker, not on the GUI thread"
    wait_loaded(qtbot, page)
    assert int(page.tiles["communities"].value_text().replace(",", "")) == before - 1
    ctx.undo_stack.undo()
    wait_loaded(qtbot, page)
    assert int(page.tiles["communities"].value_text().replace(",", "")) == before
    total = ctx.read(lambda s: summary.totals(s).total)
    ctx.set_money_unit("元")
    assert page.tiles["investment"].value_text() == format_yuan(total.investment_yuan, unit="元")
    assert "元" in page.as_of.text() and "万元" not in page.as_of.text()
    ctx.set_money_unit("万元")
    assert page.tiles["investment"].value_text() == format_yuan(total.investment_yuan, unit="万元")


def test_hidden_dashboard_waits_until_shown(qtbot, ctx: AppContext) -> None:
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.refresh()
    ctx.data_changed.emit("community")  # not visible: only marked
    assert page._dirty
    show(qtbot, page)
    assert not page._dirty


def test_returns_page_shows_the_meeting_figures(qtbot, ctx: AppContext) -> None:
    page = show(qtbot, ReturnsPage(ctx))
    result, finished, _overdue, townships = _core(ctx)
    table = page.status_table
    assert table.rowCount() == len(townships) + 1
    last = table.rowCount() - 1
    assert table.cell(last, 0) == "全县合计"
    assert table.cell(last, 1) == f"{result.total.communities:,}"
    assert table.cell(last, table.columnCount() - 1) == f"{finished.communities:,}"
    assert finished.communities == result.groups["completed"].communities + result.groups["accepted"].communities
    scale = page.scale_table
    assert scale.cell(last, 1) == f"{result.total.households:,}"
    assert scale.cell(last, 3) == format_yuan(result.total.investment_yuan, unit="万元")
    per_town = sum(Decimal(scale.cell(r, 3).replace(",", "")) for r in range(last))
    assert abs(per_town - Decimal(scale.cell(last, 3).replace(",", ""))) <= Decimal("0.01") * last
    assert "月报表" in page.findChild(type(page.sentence), "returns_note").text()
    assert f"完成改造 <b>{finished.communities:,}</b>" in page.sentence.text()
    text = page.copy_tables()
    assert "全县合计" in text and "\t" in text
    year = ctx.read(overview.plan_years)[0]
    page.apply_filters({"year": year})
    in_year = ctx.read(lambda s: summary.totals(s, year=year).total.communities)
    assert page.status_table.cell(page.status_table.rowCount() - 1, 1) == f"{in_year:,}"


def test_the_window_opens_the_filtered_list(qtbot, ctx: AppContext) -> None:
    """Through the main window: the dashboard's requests are understood by the pages they go to."""
    from oldcomm_desktop.gui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    dashboard = window.current_page()
    assert isinstance(dashboard, DashboardPage)
    qtbot.mouseClick(dashboard.status_tiles["started"], Qt.MouseButton.LeftButton)
    communities_page = window.current_page()
    assert communities_page is window.pages["communities"]
    assert communities_page.table.filters["status"].currentData() == "started"
    assert communities_page.table.model.shown_count == ctx.read(
        lambda s: summary.totals(s).groups["started"].communities
    )
    window.go_to("dashboard")
    qtbot.mouseClick(dashboard.tiles["overdue"], Qt.MouseButton.LeftButton)
    assert window.current_page() is window.pages["inspections"]
