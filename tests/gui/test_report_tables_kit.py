"""报表 tables on the list-page kit: a check's findings, the rounds and the county's 报送情况 are RecordTables
(search, pinyin sort, remembered columns, selection by record); a finding's explanation is a row action
(F2 / Enter, context menu, 编辑 menu) saved at once through the core; Enter on a township in 报送情况 opens its
return on the 月报表 tab."""
# ruff: noqa: F811 - the fixtures imported from overview_pages_fixtures are parameters here

from __future__ import annotations

import pytest
from overview_pages_fixtures import ctx, show  # noqa: F401
from PySide6.QtCore import Qt

from oldcomm_desktop.core.returns import checks
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.returns import ReturnsPage
from oldcomm_desktop.gui.reporting.common import cell_texts

PERIOD = Period.of(__import__("datetime").date.today())


@pytest.fixture
def page(qtbot, ctx: AppContext) -> ReturnsPage:
    return show(qtbot, ReturnsPage(ctx))


def test_a_findings_explanation_is_a_row_action_saved_at_once(qtbot, page: ReturnsPage, ctx, monkeypatch) -> None:
    panel = page.returns
    panel.select("progress", PERIOD.key, None)
    result = panel.run_check()
    assert result is not None and result.findings, "the demo county has findings to explain"
    assert panel.findings.current_id() == "0"  # the first finding is selected after a check
    assert result.findings[0].label in panel.finding_detail.text()  # and shown in full at once
    texts = [a.text() for a in page.edit_actions() if not a.isSeparator()]
    assert texts == ["填写说明…", "批注 / 标记跟进…"]

    monkeypatch.setattr(panel, "ask_text", lambda *_a, **_k: "已核实，属实")
    panel.findings.view.setFocus()
    qtbot.keyClick(panel.findings.view, Qt.Key.Key_F2)
    assert cell_texts(panel.findings, "explanation")[0] == "已核实，属实"
    assert panel.findings.current_id() == "0"  # the selection stays on the finding
    detail = panel.finding_detail.text()  # the finding in full beside its actions, with its explanation
    assert result.findings[0].message.split("，")[0] in detail and "说明：已核实，属实" in detail
    f = result.findings[0]
    again = ctx.read(lambda s: checks.run(s, "progress", PERIOD))
    assert any(g.key == f.key and g.field == f.field and g.explanation == "已核实，属实" for g in again.findings)

    view = panel.findings.view
    view.customContextMenuRequested.emit(view.visualRect(panel.findings.model.index(0, 0)).center())
    assert [a.text() for a in panel.row_actions.menu.actions()] == texts

    # search and the level filter narrow the list, as on every list page
    level = result.findings[0].level
    label = checks.LEVEL_LABELS[level]
    panel.findings.set_filter("level", label)
    assert set(cell_texts(panel.findings, "level")) == {label}
    assert panel.findings.model.rowCount() == sum(g.level == level for g in result.findings[:2000])


def test_completeness_opens_a_townships_return(qtbot, page: ReturnsPage) -> None:
    page.tabs.setCurrentWidget(page.completeness)
    table = page.completeness.table
    assert table.model.rowCount() > 1
    names = cell_texts(table, "name")
    table.model.set_query(table.model.query.__class__(sort_key="name"))
    from oldcomm_desktop.core.pinyin_search import sort_key

    assert cell_texts(table, "name") == sorted(names, key=sort_key)  # pinyin, as WPS sorts
    second = table.model.row_id(1)
    assert table.select_id(second)
    assert [a.text() for a in page.edit_actions()] == ["查看该乡镇的报表"]
    table.view.setFocus()
    qtbot.keyClick(table.view, Qt.Key.Key_Return)
    assert page.tabs.currentWidget() is page.returns
    assert page.returns.township.currentData() == second


def test_meeting_figures_open_a_townships_communities(qtbot, page: ReturnsPage, ctx) -> None:
    page.tabs.setCurrentWidget(page.meeting)
    table = page.status_table
    last = table.rowCount() - 1
    assert table.cell(last, 0) == "全县合计"
    assert table.model().data(table.model().index(0, 1), Qt.ItemDataRole.TextAlignmentRole) is not None
    sent: list[tuple[str, dict]] = []
    ctx.navigate.connect(lambda key, filters: sent.append((key, filters)))
    table.setFocus()
    table.selectRow(0)
    table.setCurrentIndex(table.model().index(0, 0))
    action = page.edit_actions()[0]
    assert action.text() == "查看该乡镇的小区" and action.isEnabled()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    code = page.meeting.rows[0].code
    assert code and sent == [("communities", {"township": code})]
    table.selectRow(last)  # the total row is no township
    assert not action.isEnabled()
    assert page.copy_tables().splitlines()[2].startswith("乡镇（街道）\t小区")


def test_no_report_table_failed_to_read(page: ReturnsPage) -> None:
    """Every report table was readable from the start (none shows 读取失败)."""
    for table in (page.returns.findings, page.returns.history, page.returns.diffs, page.completeness.table):
        assert table.model.stats.last_exception is None, table.objectName()
        assert not table.notice.isVisible()
