"""设置 › 改造内容目录: Chinese names only (no internal codes); a county adds, renames and retires entries."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from oldcomm_desktop.core import workspace
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.settings import SettingsPage
from oldcomm_desktop.storage.database import open_database


def _page(qtbot, tmp_path, mode: str, code: str) -> SettingsPage:
    db = open_database(tmp_path / "t.sqlite3")
    with db.transaction("测试员") as s:
        workspace.initialise(
            s, mode=mode, code=code, name="来安县" if mode == workspace.COUNTY else "新安镇", operator="测试员"
        )
    page = SettingsPage(AppContext(db, "测试员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(page)
    page.show()
    page.activate()
    return page


def _cells(panel) -> list[str]:
    model = panel.table.model
    cols = range(model.columnCount())
    return [str(model.data(model.index(r, c)) or "") for r in range(model.rowCount()) for c in cols]


def _state(panel, name: str) -> str:
    assert panel.select_name(name), name
    return panel.table.current_row()["state"]


def test_no_internal_codes_and_a_county_edits(qtbot, tmp_path, monkeypatch) -> None:
    page = _page(qtbot, tmp_path, workspace.COUNTY, "341122000000")
    panel = page.item_types
    headers = [c.title for c in panel.table.model.columns]
    assert "代码" not in headers and "状态" in headers
    assert not any(t.isascii() and "_" in t for t in _cells(panel))  # no water_pipe
    assert not any(t.isascii() and "_" in t for t in _cells(page.sources))  # no central_budget
    monkeypatch.setattr(panel, "ask_entry", lambda *_a: {"category": "提升类", "name": "智能门禁", "unit": "套"})
    assert panel.add_item_type() and "智能门禁" in panel.names()
    assert panel.table.current_row()["name"] == "智能门禁"  # the selection follows the new entry
    monkeypatch.setattr(panel, "ask_rename", lambda *_a, **_k: {"name": "智能门禁系统", "unit": "套"})
    assert panel.rename_item_type() and "智能门禁系统" in panel.names()
    assert panel.select_name("智能门禁系统") and panel.retire_item_type()
    assert _state(panel, "智能门禁系统") == "已停用"  # still listed, said so: 启用 brings it back
    assert "已停用" in panel.message.text()
    page.ctx.undo_stack.undo()
    assert _state(panel, "智能门禁系统") == "在用"
    page.ctx.undo_stack.undo()
    assert "智能门禁" in panel.names() and "智能门禁系统" not in panel.names()


def test_catalogue_actions_are_keys_menus_and_the_edit_menu(qtbot, tmp_path, monkeypatch) -> None:
    from PySide6.QtCore import Qt

    from oldcomm_desktop.gui import list_page

    page = _page(qtbot, tmp_path, workspace.COUNTY, "341122000000")
    panel = page.item_types
    page.tabs.setCurrentIndex(2)
    texts = [a.text() for a in page.edit_actions() if not a.isSeparator()]
    assert texts == ["添加类型…", "改名…", "停用", "启用", "删除"]
    monkeypatch.setattr(panel, "ask_entry", lambda *_a: {"category": "基础类", "name": "雨水花园", "unit": "处"})
    page.new_record()  # Ctrl+N on this tab adds to the catalogue
    assert panel.table.current_row()["name"] == "雨水花园"
    enabled = {a.objectName(): a.isEnabled() for a in panel.row_actions.actions() if not a.isSeparator()}
    assert enabled["retire_item_type_action"] and not enabled["unretire_item_type_action"]
    assert enabled["delete_item_type_action"]  # nothing uses it yet

    monkeypatch.setattr(panel, "ask_rename", lambda *_a, **_k: {"name": "雨水花园（下凹式）", "unit": "处"})
    panel.table.view.setFocus()
    qtbot.keyClick(panel.table.view, Qt.Key.Key_F2)
    assert panel.table.current_row()["name"] == "雨水花园（下凹式）"

    view = panel.table.view
    view.customContextMenuRequested.emit(view.visualRect(panel.table.model.index(0, 0)).center())
    assert [a.text() for a in panel.row_actions.menu.actions() if not a.isSeparator()] == texts

    assert panel.select_name("雨水花园（下凹式）")
    monkeypatch.setattr(list_page, "ask", lambda *_a: True)
    qtbot.keyClick(panel.table.view, Qt.Key.Key_Delete)
    assert "雨水花园（下凹式）" not in panel.names()
    page.ctx.undo_stack.undo()
    assert "雨水花园（下凹式）" in panel.names()


def test_an_entry_in_use_cannot_be_deleted(qtbot, tmp_path) -> None:
    from oldcomm_desktop.core import communities, divisions, items

    page = _page(qtbot, tmp_path, workspace.COUNTY, "341122000000")
    panel = page.item_types
    with page.ctx.db.transaction("测试员") as s:
        divisions.ensure(s, "341122100000", "新安镇")
        c = communities.create(s, {"name": "幸福里", "township_code": "341122100000"})
        code = panel.source.rows(panel.table.model.query)[0]["code"]
        items.create(s, c.id, {"item_type_id": code, "planned_quantity": 2})
    panel.table.refresh()
    first = panel.source.rows(panel.table.model.query, fresh=True)[0]
    assert panel.select_name(first["name"]) and first["uses"] == 1
    delete = next(a for a in panel.row_actions.actions() if a.objectName() == "delete_item_type_action")
    assert not delete.isEnabled() and not panel.buttons["delete"].isEnabled()
    assert panel.buttons["retire"].isEnabled()


def test_a_stale_rename_is_refused(qtbot, tmp_path, monkeypatch) -> None:
    from oldcomm_desktop.core import catalogue_editing

    page = _page(qtbot, tmp_path, workspace.COUNTY, "341122000000")
    panel = page.item_types
    first = panel.source.rows(panel.table.model.query)[0]
    assert panel.select_name(first["name"])
    with page.ctx.db.transaction("李四") as s:  # a colleague renames it; this page has not re-read
        catalogue_editing.rename(s, first["id"], first["name"] + "（改）")
    monkeypatch.setattr(panel, "ask_rename", lambda *_a, **_k: {"name": "别的名字", "unit": first["unit"]})
    assert not panel.rename_item_type()
    assert "李四" in panel.message.text() and page.ctx.undo_stack.count() == 0


def test_a_rename_changes_the_unit_too_and_undo_restores_both(qtbot, tmp_path, monkeypatch) -> None:
    page = _page(qtbot, tmp_path, workspace.COUNTY, "341122000000")
    panel = page.item_types
    first = panel.source.rows(panel.table.model.query)[0]
    assert panel.select_name(first["name"])
    monkeypatch.setattr(panel, "ask_rename", lambda *_a, **_k: {"name": first["name"], "unit": "组"})
    assert panel.rename_item_type()
    assert panel.table.current_row()["unit"] == "组" and "单位：组" in panel.message.text()
    page.ctx.undo_stack.undo()
    assert panel.select_name(first["name"]) and panel.table.current_row()["unit"] == first["unit"]


def test_the_rename_dialog_asks_name_and_unit(qtbot) -> None:
    from oldcomm_desktop.gui.catalogues.entry_dialog import EntryDialog

    dialog = EntryDialog(None, "改名", name="路灯", unit=True, unit_text="盏", taken=["路灯", "监控"])
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled()  # nothing changed yet
    dialog.unit.setText("套")
    dialog.check()
    assert dialog.ok.isEnabled() and dialog.values()["unit"] == "套"
    dialog.name.setText("监控")
    dialog.check()
    assert not dialog.ok.isEnabled()


def test_a_township_reads_only(qtbot, tmp_path) -> None:
    page = _page(qtbot, tmp_path, workspace.TOWNSHIP, "341122100000")
    panel = page.item_types
    assert panel.table.model.rowCount() > 0
    panel.table.select_first()
    assert not any(b.isEnabled() for b in panel.buttons.values())
    assert not any(a.isEnabled() for a in panel.row_actions.actions() if not a.isSeparator())


def test_a_township_sets_the_short_name_of_its_notice_numbers(qtbot, tmp_path) -> None:
    from oldcomm_desktop.core import notice_numbers

    page = _page(qtbot, tmp_path, workspace.TOWNSHIP, "341122100000")
    assert page.notice_short.text() == "新安"  # 新安镇 without 镇
    page.notice_short.setText("新安镇")
    assert page.save_notice_short_name()
    assert "新安镇整改〔" in page.notice_example.text()
    number = page.ctx.read(lambda s: notice_numbers.next_number(s, "341122100000", 2025))
    assert number == "新安镇整改〔2025〕001号"


def test_the_edit_menu_follows_the_catalogue_tab(qtbot, tmp_path) -> None:
    from oldcomm_desktop.gui.main_window import MainWindow

    page = _page(qtbot, tmp_path, workspace.COUNTY, "341122000000")
    win = MainWindow(page.ctx)
    qtbot.addWidget(win)
    win.show()
    settings = win.go_to("settings")
    menu = lambda: [a.text() for a in win.edit_menu.actions()]  # noqa: E731
    assert "改名…" not in menu()
    settings.tabs.setCurrentIndex(2)
    assert "改名…" in menu() and "添加类型…" in menu()
    settings.tabs.setCurrentIndex(0)
    assert "改名…" not in menu()


def test_a_county_edits_its_funding_sources(qtbot, tmp_path, monkeypatch) -> None:
    from PySide6.QtCore import Qt

    from oldcomm_desktop.gui import list_page

    page = _page(qtbot, tmp_path, workspace.COUNTY, "341122000000")
    panel = page.sources
    page.tabs.setCurrentIndex(3)
    texts = [a.text() for a in page.edit_actions() if not a.isSeparator()]
    assert texts == ["添加下级来源…", "添加一级来源…", "改名…", "停用", "启用", "删除"]
    assert panel.select_name("社会资本")
    monkeypatch.setattr(panel, "ask_entry", lambda *_a, **_k: {"name": "企业捐赠"})
    panel.table.view.setFocus()
    qtbot.keyClick(panel.table.view, Qt.Key.Key_Insert)  # under the selected source
    row = panel.table.current_row()
    assert row["name"] == "企业捐赠" and row["parent"] == "社会资本"
    assert panel.names().index("企业捐赠") > panel.names().index("社会资本")
    monkeypatch.setattr(panel, "ask_text", lambda *_a, **_k: "企业和个人捐赠")
    qtbot.keyClick(panel.table.view, Qt.Key.Key_F2)
    assert panel.table.current_row()["name"] == "企业和个人捐赠"
    monkeypatch.setattr(list_page, "ask", lambda *_a: True)
    qtbot.keyClick(panel.table.view, Qt.Key.Key_Delete)
    assert "企业和个人捐赠" not in panel.names()
    page.ctx.undo_stack.undo()
    assert "企业和个人捐赠" in panel.names()
    # a parent is not a leaf: it cannot be deleted (its money is its children's)
    assert panel.select_name("社会资本")
    delete = next(a for a in panel.row_actions.actions() if a.objectName() == "delete_source_action")
    assert not delete.isEnabled()


def test_a_township_reads_its_funding_sources_only(qtbot, tmp_path) -> None:
    page = _page(qtbot, tmp_path, workspace.TOWNSHIP, "341122100000")
    panel = page.sources
    panel.table.select_first()
    assert panel.table.model.rowCount() > 5
    assert not any(b.isEnabled() for b in panel.buttons.values())


def test_a_county_retires_a_funding_source_and_undo_brings_it_back(qtbot, tmp_path) -> None:
    page = _page(qtbot, tmp_path, workspace.COUNTY, "341122000000")
    panel = page.sources
    page.tabs.setCurrentIndex(3)
    acts = {a.objectName(): a for a in panel.row_actions.actions()}
    assert panel.select_name("社会资本")
    assert acts["retire_source_action"].isEnabled() and not acts["unretire_source_action"].isEnabled()
    assert panel.retire_current()
    assert panel.table.current_row()["state"] == "已停用" and "已停用“社会资本”" in panel.message.text()
    assert panel.select_name("居民出资")
    assert panel.table.current_row()["state"] == "已停用（上级）"
    assert panel.select_name("社会资本")
    assert acts["unretire_source_action"].isEnabled() and not acts["retire_source_action"].isEnabled()
    assert "已停用" in _cells(panel)
    page.ctx.undo_stack.undo()
    assert panel.select_name("社会资本") and panel.table.current_row()["state"] == "在用"
    page.ctx.undo_stack.redo()
    assert panel.select_name("社会资本") and panel.table.current_row()["state"] == "已停用"
    assert panel.unretire_current() and panel.table.current_row()["state"] == "在用"


def test_a_township_cannot_retire_a_funding_source(qtbot, tmp_path) -> None:
    page = _page(qtbot, tmp_path, workspace.TOWNSHIP, "341122100000")
    panel = page.sources
    assert panel.select_name("社会资本")
    assert not panel.retire_current()
    acts = {a.objectName(): a for a in panel.row_actions.actions()}
    assert not acts["retire_source_action"].isEnabled()
