"""报表 page: check with explanations, export a draft, submit → approve → reopen in county mode, history and
comparison, the briefing, the county completeness view, and the dashboard's due-day line."""
# ruff: noqa: F811 - the fixtures imported from overview_pages_fixtures are parameters here

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from overview_pages_fixtures import ctx, show  # noqa: F401

from oldcomm_desktop.core.returns import checks, review
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.dashboard import DashboardPage
from oldcomm_desktop.gui.pages.returns import ReturnsPage
from oldcomm_desktop.gui.reporting.common import cell_texts

PERIOD = Period.of(__import__("datetime").date.today())


def test_check_explain_export_submit_approve_reopen(qtbot, ctx: AppContext, tmp_path: Path) -> None:
    page = show(qtbot, ReturnsPage(ctx))
    panel = page.returns
    panel.select("progress", PERIOD.key, None)
    result = panel.run_check()
    assert result is not None and panel.findings.model.rowCount() == len(result.findings)
    assert "审核完成" in panel.message.text()
    if result.findings:  # a comment and a follow-up flag on the figure of a finding, shown after a re-check
        assert panel.annotate(0, "请财政所复核", True)
        panel.run_check()
        assert cell_texts(panel.findings, "annotation")[0] == "【需跟进】请财政所复核"

    produced = panel.export_to(tmp_path / "全县.xlsx")
    assert produced is not None and produced.draft
    assert "（草稿）" in load_workbook(tmp_path / "全县.xlsx").active["A1"].value
    assert "已导出（草稿）" in panel.message.text()

    town = panel.township.itemData(1)
    panel.select("progress", PERIOD.key, town)
    assert panel.buttons["submit"].isEnabled() and not panel.buttons["approve"].isEnabled()
    result = panel.run_check()
    if result.warnings:  # an explanation typed beside a warning is kept as a note on that figure
        row = result.findings.index(result.warnings[0])
        assert panel.explain(row, "已核实，属实")  # saved at once (the 填写说明… row action)
        again = ctx.read(lambda s: checks.run(s, "progress", PERIOD, township=town))
        assert any(f.explanation == "已核实，属实" for f in again.warnings)
    if result.errors:
        assert not panel.submit() and "不能上报" in panel.message.text()
        return
    assert panel.submit(), panel.message.text()
    assert "已上报待审核" in panel.state.text()
    assert panel.buttons["approve"].isEnabled() and not panel.buttons["submit"].isEnabled()
    assert panel.approve("同意")
    assert "已审核通过" in panel.state.text() and panel.buttons["reopen"].isEnabled()
    assert not panel.reopen("")  # a reason is required
    assert "原因" in panel.message.text()
    assert panel.reopen("更正户数")
    assert panel.history.model.rowCount() == 3
    assert cell_texts(panel.history, "opinion")[0] == "更正户数"
    assert panel.compare() == [] and "没有变化" in panel.message.text()
    assert panel.save_archive(tmp_path / "sent.xlsx")
    assert "（草稿）" not in load_workbook(tmp_path / "sent.xlsx").active["A1"].value
    page.grab().save("/tmp/i9_returns_page.png")


def test_briefing_and_completeness(qtbot, ctx: AppContext, tmp_path: Path) -> None:
    page = show(qtbot, ReturnsPage(ctx))
    page.tabs.setCurrentWidget(page.briefing)
    b = page.briefing.preview()
    assert b is not None and b.headline.startswith("截至目前，全县已累计完成老旧小区改造")
    assert b.headline in page.briefing.text.toPlainText()
    files = page.briefing.save_to(tmp_path / "汇报.docx")
    assert [f.name for f in files] == ["汇报.docx", "汇报-明细.xlsx"]
    page.grab().save("/tmp/i9_briefing.png")

    page.tabs.setCurrentWidget(page.completeness)
    towns = ctx.read(lambda s: review.completeness(s, "progress", PERIOD))
    assert page.completeness.table.model.rowCount() == len(towns) > 0
    assert "个乡镇（街道）" in page.completeness.summary.text()
    assert page.completeness.county_to(tmp_path / "county.xlsx")
    page.grab().save("/tmp/i9_completeness.png")


def test_dashboard_counts_down_to_the_due_day(qtbot, ctx: AppContext) -> None:
    page = show(qtbot, DashboardPage(ctx))
    text = page.returns_due.text()
    assert "本月报表" in text and "截止" in text
