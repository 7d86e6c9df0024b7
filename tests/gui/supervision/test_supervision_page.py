"""督办考核 page, the 检查计划 tab and the dashboard's supervision tiles, driven through their widgets on a
county database with orders, scored checks, requests and a schedule."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox
from typing_helpers import type_text

from oldcomm_desktop.core import divisions, workspace
from oldcomm_desktop.core.supervision import orders, requests, schedules
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.supervision.page import SupervisionPage
from oldcomm_desktop.storage.database import open_database
from tests.core.supervision.conftest import make_community, management_check

T1, T2 = ("341122001000", "城关街道"), ("341122101000", "临河镇")
TODAY = date.today()
LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture(autouse=True)
def _private_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def ctx(tmp_path: Path):
    db = open_database(tmp_path / "county.sqlite3")
    with db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.COUNTY, code="341122000000", name="青禾县", operator="测试员")
        for code, name in (T1, T2):
            divisions.ensure(s, code, name)
        a = make_community(s, T1[0], "甲小区", started=LAST_MONTH)
        b = make_community(s, T1[0], "乙小区")
        make_community(s, T2[0], "丙小区")
        management_check(s, a, LAST_MONTH + timedelta(days=3), 95)
        management_check(s, b, LAST_MONTH + timedelta(days=3), 50)
        schedules.add(
            s,
            {
                "community_id": b.id,
                "kind": "management",
                "frequency": "monthly",
                "starts_on": LAST_MONTH,
                "inspector": "周工",
            },
        )
        issued = TODAY - timedelta(days=20)
        orders.issue(
            s,
            {
                "problem": "围挡破损",
                "requirement": "三日内修复",
                "issued_on": issued,
                "deadline": issued + timedelta(days=5),
            },
            [{"township_code": T1[0]}],
        )
        requests.add(
            s, {"community_id": a.id, "topic": "停车难", "channel": "hotline", "raised_on": TODAY - timedelta(days=40)}
        )
    context = AppContext(db, "测试员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    yield context
    db.close()


@pytest.fixture
def page(qtbot, ctx: AppContext) -> SupervisionPage:
    p = SupervisionPage(ctx)
    qtbot.addWidget(p)
    p.resize(1200, 760)
    p.show()
    return p


def _save(dialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def test_tabs_count_what_is_overdue(page: SupervisionPage) -> None:
    assert [page.tabs.tabText(i) for i in range(4)] == ["督办（逾期 1）", "排名通报", "年度考核", "居民诉求（逾期 1）"]
    row = page.orders.table.rows[0]
    assert (row["township"], row["state_shown"]) == ("城关街道", "待处理（逾期）")
    page.grab().save(str(Path(page.ctx.db.path).parent / "orders.png"))


def test_issue_answer_confirm_through_the_dialogs(qtbot, page: SupervisionPage, monkeypatch) -> None:
    tab = page.orders
    dialog = tab.make_issue_dialog()
    qtbot.addWidget(dialog)
    form = dialog.form
    form.widgets["township_code"].setCurrentIndex(form.widgets["township_code"].findData("*"))  # all townships
    type_text(qtbot, form.widgets["problem"], "开工进度滞后")
    type_text(qtbot, form.widgets["requirement"], "倒排工期")
    _save(dialog)
    assert form.errors["deadline"].text() == "必须填写" and not dialog.result_value
    form.widgets["deadline"].set_value(TODAY + timedelta(days=7))
    _save(dialog)
    assert dialog.result_value, dialog.message.text()
    tab.refresh()
    new = [r for r in tab.table.rows if r["problem"] == "开工进度滞后"]
    assert sorted(r["township"] for r in new) == ["临河镇", "城关街道"]
    assert new[0]["number"].endswith("002号")
    target = new[0]["id"]
    tab.table.select_id(target)
    enabled = {k: b.isEnabled() for k, b in tab.buttons.items() if k in orders.ALLOWED}
    assert enabled == {"start": True, "answer": True, "confirm": False, "send_back": False}
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    tab.confirm()  # refused by the core even if asked: nobody answered yet
    assert warnings == ["该督办还没有人答复，不能确认"]
    answer = tab.make_answer_dialog(target)
    qtbot.addWidget(answer)
    type_text(qtbot, answer.form.widgets["answer"], "已倒排工期，加派人手")
    _save(answer)
    assert answer.result_value, answer.message.text()
    tab.refresh()
    tab.table.select_id(target)
    assert tab.table.current_row()["state_shown"] == "已处理 · 纸质"
    assert tab.buttons["confirm"].isEnabled() and not tab.buttons["answer"].isEnabled()
    tab.confirm()
    assert tab.table.current_row()["state"] == "confirmed"
    assert "确认" in tab.detail.toPlainText() and "已倒排工期" in tab.detail.toPlainText()


def test_ranking_lists_and_export(qtbot, page: SupervisionPage, monkeypatch, tmp_path) -> None:
    tab = page.ranking
    tab.set_period(f"{LAST_MONTH:%Y-%m}")
    assert [(r["community"], r["rank"], r["grade"]) for r in tab.table.rows] == [
        ("甲小区", 1, "优秀"),
        ("乙小区", 2, "不合格"),
    ]
    assert [r["subject"] for r in tab.praise.rows] == ["甲小区"]
    assert [r["subject"] for r in tab.criticism.rows] == ["乙小区"] and tab.criticism.rows[0]["deadline"]
    out = tmp_path / "通报.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    tab.export()
    assert out.exists() and out.stat().st_size > 0


def test_assessment_table_hand_score_and_save(qtbot, page: SupervisionPage) -> None:
    tab = page.assessment
    assert [r["township"] for r in tab.table.rows] and tab.table.columns[:4] == [
        ("rank", "排名"),
        ("township", "乡镇（街道）"),
        ("score", "总分"),
        ("grade", "等次"),
    ]
    before = {r["township"]: float(r["score"]) for r in tab.table.rows}
    tab.table.select_id(T2[0])
    assert "尚未保存" in tab.saved.text()
    tab.buttons["save"].click()
    assert "已保存" in tab.saved.text()
    from oldcomm_desktop.core.supervision import assessment

    page.ctx.write(lambda s: assessment.set_manual(s, tab.year.value(), T2[0], "mechanism", 5))
    tab.refresh()
    after = {r["township"]: float(r["score"]) for r in tab.table.rows}
    assert after["临河镇"] == pytest.approx(before["临河镇"] + 5)


def test_requests_register_and_reply(qtbot, page: SupervisionPage) -> None:
    tab = page.requests
    assert [r["state"] for r in tab.table.rows] == ["overdue"]
    dialog = tab.make_add_dialog()
    qtbot.addWidget(dialog)
    form = dialog.form
    form.widgets["community_id"].setCurrentIndex(form.widgets["community_id"].findText("乙小区"))
    type_text(qtbot, form.widgets["topic"], "路灯不亮")
    _save(dialog)
    assert dialog.result_value, dialog.message.text()
    tab.refresh()
    overdue = next(r for r in tab.table.rows if r["state"] == "overdue")
    tab.table.select_id(overdue["id"])
    assert tab.reply_button.isEnabled()
    reply = tab.make_reply_dialog(overdue["id"])
    qtbot.addWidget(reply)
    type_text(qtbot, reply.form.widgets["reply"], "已施划停车位")
    reply.form.widgets["satisfaction"].setCurrentIndex(reply.form.widgets["satisfaction"].findData("satisfied"))
    _save(reply)
    assert reply.result_value, reply.message.text()
    page.refresh()
    assert page.tabs.tabText(3) == "居民诉求"
    roll = {r["community"]: r for r in tab.roll.rows}
    assert roll["甲小区"]["satisfaction"] == 100 and roll["乙小区"]["topics_text"] == "路灯不亮×1"


def test_township_mode_explains_the_assessment(qtbot, sqlite_db, tmp_path) -> None:
    ctx = AppContext(sqlite_db, "测试员", QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat))
    p = SupervisionPage(ctx)
    qtbot.addWidget(p)
    assert (
        p.assessment.findChild(type(p.ranking.summary), "assessment_note").text().startswith("年度绩效考核由县住建局")
    )
    assert not p.orders.buttons["issue"].isVisibleTo(p) and not p.orders.buttons["confirm"].isVisibleTo(p)


def test_inspections_page_shows_schedules_due_and_missed(qtbot, ctx: AppContext, tmp_path) -> None:
    from oldcomm_desktop.gui.pages.inspections import InspectionsPage

    p = InspectionsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1200, 760)
    p.show()
    p.apply_filters({"tab": "schedules"})
    assert p.tabs.currentWidget() is p.schedules and p.tabs.tabText(p.tabs.currentIndex()) == "检查计划"
    due = p.schedules.due.rows
    assert [(r["community"], r["state"]) for r in due][-1] == ("乙小区", "due")
    assert ("乙小区", "missed") not in [(r["community"], r["state"]) for r in due]  # last month's check was done
    dialog = p.schedules.make_add_dialog()
    qtbot.addWidget(dialog)
    dialog.form.widgets["community_id"].setCurrentIndex(dialog.form.widgets["community_id"].findText("丙小区"))
    dialog.form.widgets["starts_on"].set_value(LAST_MONTH)
    _save(dialog)
    assert dialog.result_value, dialog.message.text()
    p.schedules.refresh()
    assert ("丙小区", "missed") in [(r["community"], r["state"]) for r in p.schedules.due.rows]
    assert "本年漏检" in p.schedules.due_label.text() or LAST_MONTH.year != TODAY.year
    p.grab().save(str(tmp_path / "schedules.png"))


def test_dashboard_counts_missed_checks_overdue_orders_and_replies(qtbot, ctx: AppContext) -> None:
    from oldcomm_desktop.gui.pages import dashboard

    data = ctx.read(dashboard.load)
    assert (data.supervision.overdue_orders, data.supervision.overdue_replies) == (1, 1)
    p = dashboard.DashboardPage(ctx)
    qtbot.addWidget(p)
    p._fill(data)
    asked = []
    ctx.navigate.connect(lambda key, filters: asked.append((key, filters)))
    qtbot.mouseClick(p.tiles["overdue_orders"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(p.tiles["overdue_replies"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(p.tiles["missed_checks"], Qt.MouseButton.LeftButton)
    assert asked == [
        ("supervision", {"tab": "orders", "state": "overdue"}),
        ("supervision", {"tab": "requests", "state": "overdue"}),
        ("inspections", {"tab": "schedules"}),
    ]


def test_attach_a_scan_of_a_paper_answer(qtbot, page: SupervisionPage, monkeypatch, tmp_path) -> None:
    tab = page.orders
    target = tab.table.rows[0]["id"]
    page.ctx.write(lambda s: orders.answer(s, target, "纸质回复已收到"))
    tab.refresh()
    tab.table.select_id(target)
    scan = tmp_path / "回复扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(scan)], ""))
    tab.buttons["attach"].click()
    assert "办理附件：回复扫描件.pdf" in tab.detail.toPlainText()


def test_export_orders_file_and_refuse_a_wrong_one(qtbot, page: SupervisionPage, monkeypatch, tmp_path) -> None:
    out = tmp_path / "下发.json"
    shown = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: shown.append(text))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: shown.append(text))
    page.orders.buttons["export_file"].click()
    assert out.exists() and shown == [f"已导出 1 条到 {out}"]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(out), ""))
    page.orders.buttons["import_file"].click()  # the county reads answers, not its own orders
    assert shown[-1] == "下发.json 不是督办答复文件"
