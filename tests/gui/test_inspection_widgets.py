"""检查整改 building blocks on their own: photo strip and viewer, community chooser, checklist, rectification cards."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QGroupBox, QToolButton
from typing_helpers import type_text

from oldcomm_desktop.core import communities, inspections
from oldcomm_desktop.core.pinyin_search import sort_key
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.inspection.checklist import ChecklistWidget
from oldcomm_desktop.gui.inspection.community_chooser import CommunityChooser
from oldcomm_desktop.gui.inspection.followup_dialogs import ReinspectionDialog
from oldcomm_desktop.gui.inspection.photos import PhotoStrip
from oldcomm_desktop.gui.inspection.record_dialog import InspectionDialog
from oldcomm_desktop.gui.inspection.rectification_editor import RectificationEditor


def png(path: Path, colour: str = "#888888", size: tuple[int, int] = (400, 300)) -> Path:
    image = QImage(*size, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    assert image.save(str(path))
    return path


@pytest.fixture
def ctx(sqlite_db, tmp_path):
    context = AppContext(sqlite_db, "测试员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    with sqlite_db.transaction("测试员") as s:
        for name in ("幸福里小区", "幸福新村", "和平苑"):
            communities.create(s, {"name": name, "households": 100})
    return context


def test_photo_strip_adds_once_removes_and_views(qtbot, tmp_path):
    strip = PhotoStrip(editable=True)
    qtbot.addWidget(strip)
    strip.show()
    assert strip.empty.isVisible() and not strip.remove_button.isEnabled()
    a, b = png(tmp_path / "a.png", "#aa0000"), png(tmp_path / "b.png", "#00aa00", (3000, 2000))
    bad = tmp_path / "not-a-picture.png"
    bad.write_text("hello")
    strip.add_files([a, b, a, bad])
    assert strip.paths() == [a, b, bad] and strip.list.count() == 3 and not strip.empty.isVisible()
    viewer = strip.open_viewer(1)
    qtbot.addWidget(viewer)
    assert viewer.caption.text().startswith("2 / 3") and "3000×2000" in viewer.caption.text()
    shown = viewer.image.pixmap()
    assert shown.width() < 3000  # fitted to the window
    viewer.toggle_fit()
    assert viewer.image.pixmap().width() == 3000
    viewer.activateWindow()
    qtbot.waitUntil(viewer.isActiveWindow)
    qtbot.keyClick(viewer.focusWidget() or viewer, Qt.Key.Key_Right)  # arrows step even from the buttons
    assert viewer.index == 2 and "无法打开" in viewer.image.text() and not viewer.next_button.isEnabled()
    qtbot.keyClick(viewer.focusWidget() or viewer, Qt.Key.Key_Left)
    qtbot.keyClick(viewer.focusWidget() or viewer, Qt.Key.Key_Left)
    assert viewer.index == 0 and not viewer.prev_button.isEnabled()
    strip.list.setCurrentRow(0)
    qtbot.mouseClick(strip.remove_button, Qt.MouseButton.LeftButton)
    assert strip.paths() == [b, bad]


def test_community_chooser_searches_by_pinyin_and_forgets_on_edit(qtbot, ctx):
    chooser = CommunityChooser(ctx)
    qtbot.addWidget(chooser)
    chooser.show()
    type_text(qtbot, chooser.edit, "xf")
    names = [r["name"] for r in chooser.search()]
    assert names == sorted(names, key=sort_key) and set(names) == {"幸福里小区", "幸福新村"}  # pinyin order
    chooser.choose_match(names.index("幸福新村"))
    assert chooser.community_name == "幸福新村" and chooser.community_id
    assert chooser.edit.text() == "幸福新村" and "城关街道" in chooser.where.text()
    with qtbot.waitSignal(chooser.chosen) as sig:
        qtbot.keyClick(chooser.edit, Qt.Key.Key_Backspace)
    assert sig.args == [""] and chooser.community_id == ""
    hp = ctx.read(lambda s: communities.find(s, "和平苑").id)
    chooser.set_community(hp)
    assert chooser.community_name == "和平苑" and chooser.edit.text() == "和平苑"


def test_checklist_groups_by_area_and_collects_results(qtbot, ctx):
    sheet = ctx.read(lambda s: inspections.sheet(s, "patrol_default"))
    widget = ChecklistWidget()
    qtbot.addWidget(widget)
    widget.set_sheet(sheet, scored=False)
    titles = [b.title() for b in widget.inner.findChildren(QGroupBox)]
    assert titles == ["安全", "质量", "文明施工"]
    assert "未选 14 项" in widget.summary()
    widget.set_result(3, "na")
    widget.mark_rest_passed()
    widget.set_result(5, "fail")
    results = widget.results()
    assert [r["result"] for r in results].count("pass") == 12 and results[3]["result"] == "na"
    assert results[5]["template_item_id"] == sheet["items"][5]["id"] and results[5]["area"] == "质量"
    assert [it["index"] for it in widget.failed_items()] == [5]
    widget.set_result(5, None)
    assert widget.result_of(5) is None and "未选 1 项" in widget.summary()


def test_rectification_cards_follow_the_inspection_date(qtbot):
    editor = RectificationEditor()
    qtbot.addWidget(editor)
    editor.set_inspected_on(date(2026, 5, 10))
    editor.sync([{"id": "x", "index": 4, "text": "防水工程"}])
    card = editor.active_cards()[0]
    assert card.deadline.value() == date(2026, 5, 17) and card.problem.text() == "防水工程不符合要求"
    editor.set_inspected_on(date(2026, 5, 12))
    assert card.deadline.value() == date(2026, 5, 19)  # untouched default moves with the date
    fifteen = next(b for b in card.findChildren(QToolButton) if b.text() == "15天")
    qtbot.mouseClick(fifteen, Qt.MouseButton.LeftButton)
    assert card.deadline.value() == date(2026, 5, 27)
    card.deadline.set_value(date(2026, 6, 1))
    editor.set_inspected_on(date(2026, 5, 13))
    assert card.deadline.value() == date(2026, 6, 1)  # chosen by the clerk: kept
    extra = editor.add_extra("楼道堆物")
    assert [v["problem"] for v in editor.values()] == ["防水工程不符合要求", "楼道堆物"]
    extra.removed.emit(extra)
    assert len(editor.values()) == 1


def test_record_dialog_switches_templates_with_the_kind(qtbot, ctx):
    dialog = InspectionDialog(ctx, kind="acceptance", today=date(2026, 5, 10))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.ui.templateCombo.currentText() == "竣工验收检查表"
    assert len(dialog.checklist.results()) == 4 and not dialog.checklist.scored
    dialog.set_kind("management")
    assert dialog.ui.templateCombo.currentText() == "长效管理检查评比表" and dialog.checklist.scored
    assert dialog.rectifications.values() == []
    dialog.set_kind("patrol")
    dialog.checklist.set_result(0, "fail")
    dialog.ui.inspectedOn.setDate(QDate(2026, 5, 1))
    assert dialog.rectifications.values()[0]["deadline"] == date(2026, 5, 8)


def test_reinspection_quick_deadline_counts_from_the_reinspection_date(qtbot, ctx):
    def make(s):
        c = communities.find(s, "和平苑")
        insp = inspections.record(
            s,
            c,
            {"kind": "patrol", "inspected_on": date.today()},
            [{"text": "施工围挡", "result": "fail"}],
            [{"problem": "围挡破损", "deadline": date.today() + timedelta(days=3)}],
        )
        return inspections.detail(s, insp.id)["rectifications"][0]["id"]

    rid = ctx.write(make)
    dialog = ReinspectionDialog(ctx, rid)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "围挡破损" in dialog.ui.summary.text() and "待整改" in dialog.ui.summary.text()
    assert not any(b.isEnabled() for b in dialog.quick_buttons)
    dialog.set_passed(False)
    qtbot.mouseClick(dialog.quick_buttons[1], Qt.MouseButton.LeftButton)
    assert dialog.data()["new_deadline"] == date.today() + timedelta(days=15)
    dialog.set_passed(True)
    assert dialog.data()["new_deadline"] is None  # a passed re-inspection carries no deadline
