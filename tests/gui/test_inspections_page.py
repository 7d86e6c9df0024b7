"""检查整改 page, driven through its widgets: record, board states, overdue, re-inspection, undo, navigation."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox, QRadioButton, QStyleOptionViewItem
from typing_helpers import type_text

from oldcomm_desktop.core import communities, demo, listings
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.inspection.followup_dialogs import ReinspectionDialog, reply_dialog
from oldcomm_desktop.gui.pages.inspections import InspectionsPage
from oldcomm_desktop.storage.database import open_database

TODAY = date.today()


def make_png(path: Path, colour: str = "#3a7bd5") -> Path:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    assert image.save(str(path))
    return path


@pytest.fixture
def ctx(sqlite_db, tmp_path):
    context = AppContext(sqlite_db, "测试员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    with sqlite_db.transaction("测试员") as s:
        communities.create(s, {"name": "幸福里小区", "households": 120, "address": "人民路 12 号"})
        communities.create(s, {"name": "和平苑", "households": 80})
    return context


@pytest.fixture
def page(qtbot, ctx):
    p = InspectionsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1200, 760)
    p.show()
    return p


def choose_community(qtbot, dialog, text: str = "xfl") -> None:
    type_text(qtbot, dialog.community.edit, text)
    assert dialog.community.search(), f"no community matches {text!r}"
    dialog.community.choose_match(0)


def record_patrol(qtbot, page, monkeypatch, tmp_path, *, fail_item: int = 2):
    """Fill the record dialog like a clerk: community, all pass but one fail, a requirement, one photo."""
    dialog = page.make_record_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    choose_community(qtbot, dialog)
    assert dialog.community.community_name == "幸福里小区"
    type_text(qtbot, dialog.ui.inspectors, "周工、王敏")
    qtbot.mouseClick(dialog.checklist.all_pass, Qt.MouseButton.LeftButton)
    fail = dialog.findChild(QRadioButton, f"item_{fail_item}_fail")
    qtbot.mouseClick(fail, Qt.MouseButton.LeftButton)
    cards = dialog.rectifications.active_cards()
    assert len(cards) == 1 and cards[0].problem.text().endswith("不符合要求")
    type_text(qtbot, cards[0].requirement, "立即整改并报监理复查")
    photo = make_png(tmp_path / "现场.png")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(photo)], ""))
    qtbot.mouseClick(dialog.photos.add_button, Qt.MouseButton.LeftButton)
    assert dialog.photos.paths() == [photo]
    assert "不合格 1 项" in dialog.ui.totalLabel.text()
    qtbot.mouseClick(dialog.ui.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert dialog.saved_id, dialog.ui.message.text()
    return dialog


def click_radio(qtbot, radio) -> None:
    """Click on the indicator: a radio stretched across a form only reacts on its indicator and text."""
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(8, radio.height() // 2))


def board_rows(page) -> list[dict]:
    model = page.board.table.model
    return [dict(model.row_mapping(r)) for r in range(model.rowCount())]


def test_record_patrol_with_failed_item_and_photo(qtbot, page, monkeypatch, tmp_path, sqlite_db):
    record_patrol(qtbot, page, monkeypatch, tmp_path)
    model = page.table.model
    assert model.rowCount() == 1
    row = model.row_mapping(0)
    assert row["community"] == "幸福里小区" and row["kind"] == "patrol" and row["open_rectifications"] == 1
    assert model.data(model.index(0, model.column_index("kind"))) == "质量安全巡查"

    assert page.board.counts == {"open": 1, "awaiting": 0, "overdue": 0, "closed": 0}
    assert page.board.tabs.tabText(0) == "待整改（1）"
    rows = board_rows(page)
    assert len(rows) == 1 and rows[0]["state_label"] == "待整改"
    assert rows[0]["current_deadline"] == TODAY + timedelta(days=7)
    assert rows[0]["requirement"] == "立即整改并报监理复查"

    page.table.select_first()
    assert "高处作业防护" in page.detail.toPlainText()
    assert len(page.photos.photos()) == 1
    stored = page.photos.photos()[0].path
    assert stored.is_file() and stored.is_relative_to(sqlite_db.attachments_dir)
    viewer = page.photos.open_viewer(0)
    qtbot.addWidget(viewer)
    assert not viewer._pixmap.isNull() and "现场.png" in viewer.caption.text()
    assert "共 1 条检查记录" in page.status_text()


def test_past_the_deadline_it_is_overdue_and_red(qtbot, page, monkeypatch, tmp_path, ctx):
    record_patrol(qtbot, page, monkeypatch, tmp_path)
    monkeypatch.setattr(listings, "_today", lambda: TODAY + timedelta(days=10))
    ctx.data_changed.emit("*")  # what any write does; the lists re-read with the new day
    assert page.board.counts["overdue"] == 1 and page.board.counts["open"] == 0
    assert page.tabs.tabText(1) == "整改销号（已逾期 1）"
    page.apply_filters({"state": "overdue"})
    assert page.tabs.currentWidget() is page.board and page.board.tabs.tabText(1) == "已逾期（1）"
    rows = board_rows(page)
    assert [r["state_label"] for r in rows] == ["已逾期"] and rows[0]["days_left"] == "逾期 3 天"
    view = page.board.table.view
    index = view.model().index(0, 0)
    assert page.board.delegate.is_highlighted(index)
    option = QStyleOptionViewItem()
    page.board.delegate.initStyleOption(option, index)
    assert option.backgroundBrush.color() == colours.qcolor("alert_bg")
    # the inspections list marks it too, and its overdue filter finds it
    page.apply_filters({"overdue": True})
    assert page.table.model.rowCount() == 1
    assert page.delegate.is_highlighted(page.table.model.index(0, 0))


def _open_rectification(page) -> str:
    page.board.set_state("open")
    page.board.table.select_first()
    return page.board.current_id()


def test_reinspection_needs_evidence_to_close(qtbot, page, monkeypatch, tmp_path, ctx):
    record_patrol(qtbot, page, monkeypatch, tmp_path)
    rid = _open_rectification(page)
    dialog = ReinspectionDialog(ctx, rid, page)
    qtbot.addWidget(dialog)
    dialog.show()
    assert len(dialog.before.photos()) == 1  # the inspection's photo, for comparison
    click_radio(qtbot, dialog.ui.passedRadio)
    qtbot.mouseClick(dialog.ui.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert "复查合格须附整改后照片" in dialog.note_error.text()  # beside 复查说明, where it is fixed
    assert dialog.note_error.isVisible() and not dialog.ui.message.isVisible()
    assert not dialog.saved_id and page.board.counts["closed"] == 0

    after = make_png(tmp_path / "整改后.png", "#2e7d32")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(after)], ""))
    qtbot.mouseClick(dialog.after.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.ui.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert dialog.saved_id, dialog.ui.message.text()
    assert page.board.counts == {"open": 0, "awaiting": 0, "overdue": 0, "closed": 1}
    page.board.set_state("closed")
    assert [r["state_label"] for r in board_rows(page)] == ["已销号"]
    page.board.table.select_first()
    assert len(page.board.after.photos()) == 1 and "合格，已销号" in page.board.detail.text()
    assert not page.board.reinspect_button.isEnabled()

    ctx.undo_stack.undo()  # the re-inspection is withdrawn: open again
    assert page.board.counts["closed"] == 0 and page.board.counts["open"] == 1
    ctx.undo_stack.redo()
    assert page.board.counts["closed"] == 1


def test_a_note_is_evidence_enough(qtbot, page, monkeypatch, tmp_path, ctx):
    record_patrol(qtbot, page, monkeypatch, tmp_path)
    dialog = ReinspectionDialog(ctx, _open_rectification(page), page)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_passed(True)
    type_text(qtbot, dialog.ui.note, "现场复查合格，已拆除，无法拍照")
    assert dialog.try_save()
    assert page.board.counts["closed"] == 1


def test_failed_reinspection_needs_a_new_deadline_and_stays_open(qtbot, page, monkeypatch, tmp_path, ctx):
    record_patrol(qtbot, page, monkeypatch, tmp_path)
    rid = _open_rectification(page)
    dialog = ReinspectionDialog(ctx, rid, page)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ui.newDeadline.isEnabled()
    click_radio(qtbot, dialog.ui.failedRadio)
    assert dialog.ui.newDeadline.isEnabled()
    assert not dialog.try_save()
    assert "复查不合格须给出新的整改期限" in dialog.ui.message.text()
    assert page.board.counts["open"] == 1

    new_deadline = TODAY + timedelta(days=20)
    dialog.ui.newDeadline.set_value(new_deadline)
    assert dialog.try_save(), dialog.ui.message.text()
    assert page.board.counts == {"open": 1, "awaiting": 0, "overdue": 0, "closed": 0}
    assert board_rows(page)[0]["current_deadline"] == new_deadline

    monkeypatch.setattr(listings, "_today", lambda: TODAY + timedelta(days=10))
    ctx.data_changed.emit("*")
    assert page.board.counts["overdue"] == 0  # past the first deadline, not the new one
    monkeypatch.setattr(listings, "_today", lambda: new_deadline + timedelta(days=1))
    ctx.data_changed.emit("*")
    assert page.board.counts["overdue"] == 1


def test_management_check_total_and_grade(qtbot, page, ctx):
    dialog = page.make_record_dialog(kind="management")
    qtbot.addWidget(dialog)
    dialog.show()
    choose_community(qtbot, dialog, "hpy")
    assert dialog.community.community_name == "和平苑"
    assert dialog.checklist.scored and not dialog.checklist.all_pass.isVisible()
    for n, score in enumerate(["18", "12.5", "17", "8", "13", "9"]):
        type_text(qtbot, dialog.checklist._scores[n], score)
    assert "总分 <b>77.5</b> / 100 分" in dialog.ui.totalLabel.text()
    assert "等级：<b>合格</b>" in dialog.ui.totalLabel.text() and "还有 1 项未评分" in dialog.ui.totalLabel.text()
    assert not dialog.try_save()
    assert "没有得分" in dialog.ui.message.text()  # the core's message, the typed scores kept
    assert dialog.checklist._scores[1].text() == "12.5"
    type_text(qtbot, dialog.checklist._scores[6], "9")
    assert "总分 <b>86.5</b>" in dialog.ui.totalLabel.text() and "良好" in dialog.ui.totalLabel.text()
    assert dialog.try_save(), dialog.ui.message.text()
    row = page.table.model.row_mapping(0)
    assert row["score_grade"] == "86.5 良好" and row["open_rectifications"] == 0


def test_record_dialog_keeps_input_and_shows_core_messages(qtbot, page, ctx):
    dialog = page.make_record_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.checklist.set_result(0, "fail")
    assert not dialog.try_save()
    assert "请先选择被检查的小区" in dialog.ui.message.text()
    choose_community(qtbot, dialog)
    dialog.rectifications.active_cards()[0].problem.clear()
    assert not dialog.try_save()
    assert "存在问题" in dialog.ui.message.text() and "必须填写" in dialog.ui.message.text()
    assert dialog.checklist.result_of(0) == "fail"
    assert page.table.model.rowCount() == 0 and ctx.undo_stack.count() == 0
    # switching the item back and forth keeps what was typed on its card
    type_text(qtbot, dialog.rectifications.active_cards()[0].problem, "脚手架未验收")
    dialog.checklist.set_result(0, "pass")
    assert dialog.rectifications.active_cards() == []
    dialog.checklist.set_result(0, "fail")
    assert dialog.rectifications.active_cards()[0].problem.text() == "脚手架未验收"


def test_undo_of_recording_removes_it(qtbot, page, monkeypatch, tmp_path, ctx):
    record_patrol(qtbot, page, monkeypatch, tmp_path)
    assert ctx.undo_stack.count() == 1 and ctx.undo_stack.undoText().startswith("记录质量安全巡查")
    page.table.select_first()
    page.board.table.select_first()
    assert "幸福里小区" in page.detail.toPlainText() and page.board.reply_button.isEnabled()
    ctx.undo_stack.undo()
    assert page.table.model.rowCount() == 0
    assert sum(page.board.counts.values()) == 0
    assert "选择一条检查记录" in page.detail.toPlainText() and page.photos.photos() == []
    assert not page.board.reply_button.isEnabled()  # the panes do not show what is gone
    ctx.undo_stack.redo()
    assert page.table.model.rowCount() == 1 and page.board.counts["open"] == 1


def test_delete_asks_and_is_undoable(qtbot, page, monkeypatch, tmp_path, ctx):
    record_patrol(qtbot, page, monkeypatch, tmp_path)
    page.table.select_first()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert page.table.model.rowCount() == 0 and page.board.counts["open"] == 0
    ctx.undo_stack.undo()
    assert page.table.model.rowCount() == 1 and page.board.counts["open"] == 1


def test_reply_moves_it_to_awaiting_and_undo_puts_it_back(qtbot, page, monkeypatch, tmp_path, ctx):
    record_patrol(qtbot, page, monkeypatch, tmp_path)
    rid = _open_rectification(page)
    dialog = reply_dialog(ctx, rid, page)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(qtbot, dialog.form.widgets["reply"], "已重新搭设防护栏杆")
    assert dialog.try_save()
    assert page.board.counts["awaiting"] == 1 and page.board.counts["open"] == 0
    page.board.set_state("awaiting")
    page.board.table.select_first()
    assert "已重新搭设防护栏杆" in page.board.detail.text()
    ctx.undo_stack.undo()
    assert page.board.counts["awaiting"] == 0 and page.board.counts["open"] == 1


def test_apply_filters_community_limits_both_lists(qtbot, page, monkeypatch, tmp_path, ctx):
    record_patrol(qtbot, page, monkeypatch, tmp_path)
    other = ctx.read(lambda s: communities.find(s, "和平苑").id)
    page.apply_filters({"community": other})
    assert page.tabs.currentIndex() == 0
    assert page.table.model.rowCount() == 0 and sum(page.board.counts.values()) == 0
    assert page.scope.isVisibleTo(page) and page.scope.scope["community"] == (other, "和平苑")
    dialog = page.make_record_dialog()  # a new inspection starts on that community
    qtbot.addWidget(dialog)
    assert dialog.community.community_id == other
    mine = ctx.read(lambda s: communities.find(s, "幸福里小区").id)
    page.apply_filters({"community": mine})
    assert page.table.model.rowCount() == 1 and page.board.counts["open"] == 1
    page.table.select_first()
    qtbot.mouseClick(page.rects_button, Qt.MouseButton.LeftButton)  # this inspection's rectifications
    assert page.tabs.currentWidget() is page.board and page.board.state == "all"
    assert len(board_rows(page)) == 1
    page.board.table.select_first()
    qtbot.mouseClick(page.board.inspection_button, Qt.MouseButton.LeftButton)
    assert page.tabs.currentIndex() == 0 and page.table.current_id()


@pytest.fixture
def demo_ctx(tmp_path):
    db = open_database(tmp_path / "demo.sqlite3")
    with db.transaction("演示操作员") as s:
        demo.build(s, communities_count=16, seed=1)
    yield AppContext(db, "演示操作员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    db.close()


def test_demo_database_counts_and_highlights(qtbot, demo_ctx):
    page = InspectionsPage(demo_ctx)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    total = demo_ctx.read(lambda s: listings.count(s, "rectifications"))
    assert sum(page.board.counts.values()) == total > 0
    assert page.table.model.rowCount() == demo_ctx.read(lambda s: listings.count(s, "inspections"))
    assert page.table.filters["township"].count() > 2  # county database: several townships to choose
    page.apply_filters({"state": "overdue"})
    model = page.board.table.model
    assert model.rowCount() == page.board.counts["overdue"]
    if model.rowCount():
        assert all(page.board.delegate.is_highlighted(model.index(r, 0)) for r in range(model.rowCount()))
    page.board.set_state("closed")
    assert not any(page.board.delegate.is_highlighted(model.index(r, 0)) for r in range(model.rowCount()))
    assert not page.grab().isNull()


def test_main_window_sends_the_clerk_to_overdue(qtbot, demo_ctx):
    from oldcomm_desktop.gui.main_window import MainWindow

    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    page = window.go_to("inspections", {"state": "overdue"})
    assert isinstance(page, InspectionsPage) and page.board.state == "overdue"
    assert "已逾期" in window.page_status.text()
