"""The add-entry dialog of 设置's catalogues: category, name and unit on one form (not three one-line
QInputDialogs), Chinese buttons, the problem said beside the field as typed (empty, duplicate, too long),
确定 only when the entry can be saved; the panels add through it."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox
from typing_helpers import type_text

from oldcomm_desktop.core import workspace
from oldcomm_desktop.gui.catalogues.entry_dialog import EntryDialog
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.settings import SettingsPage
from oldcomm_desktop.storage.database import open_database


def test_problems_are_shown_beside_the_field_as_typed(qtbot) -> None:
    dialog = EntryDialog(None, "添加改造内容类型", categories=["基础类", "提升类"], unit=True, taken=["供水管网改造"])
    qtbot.addWidget(dialog)
    dialog.show()
    buttons = dialog.buttons
    assert buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "确定"
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
    assert not dialog.ok.isEnabled() and not dialog.name_problem.isVisible()  # not scolded before typing
    type_text(qtbot, dialog.name, "供水管网改造")
    assert dialog.name_problem.isVisible() and dialog.name_problem.text() == "目录中已有“供水管网改造”"
    assert not dialog.ok.isEnabled()
    dialog.name.clear()
    type_text(qtbot, dialog.name, "智能门禁")
    assert not dialog.name_problem.isVisible() and not dialog.ok.isEnabled()  # the unit is still missing
    assert not dialog.try_accept() and dialog.unit_problem.text() == "必须填写"
    type_text(qtbot, dialog.unit, "套")
    dialog.category.setCurrentText("提升类")
    assert dialog.ok.isEnabled() and dialog.try_accept()
    assert dialog.values() == {"name": "智能门禁", "category": "提升类", "unit": "套"}
    long = EntryDialog(None, "添加资金来源", taken=[])
    qtbot.addWidget(long)
    type_text(qtbot, long.name, "资" * 81)
    assert long.name_problem.text() == "最多 80 个字" and not long.ok.isEnabled()


def test_the_panels_add_through_the_dialog(qtbot, tmp_path, monkeypatch) -> None:
    db = open_database(tmp_path / "t.sqlite3")
    with db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.COUNTY, code="341122000000", name="来安县", operator="测试员")
    page = SettingsPage(AppContext(db, "测试员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(page)
    page.show()
    page.activate()
    seen: list[EntryDialog] = []

    def fill(dialog: EntryDialog) -> int:
        seen.append(dialog)
        type_text(qtbot, dialog.name, "雨水花园" if dialog.unit is not None else "企业捐赠")
        if dialog.unit is not None:
            type_text(qtbot, dialog.unit, "处")
        return EntryDialog.DialogCode.Accepted if dialog.try_accept() else EntryDialog.DialogCode.Rejected

    monkeypatch.setattr(EntryDialog, "exec", fill)
    assert page.item_types.add_item_type()
    assert page.item_types.table.current_row()["name"] == "雨水花园"
    assert seen[-1].category is not None and "供水管网改造" in seen[-1].taken  # the whole catalogue, not the page
    assert page.sources.select_name("社会资本") and page.sources.add_child()
    assert page.sources.table.current_row()["parent"] == "社会资本"
    assert "“社会资本”" in seen[-1].findChild(type(seen[-1].name_problem), "entry_where").text()
