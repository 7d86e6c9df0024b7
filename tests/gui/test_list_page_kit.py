"""The list-page kit (gui/list_page.py) and the modules beside it: row actions that serve the keyboard, the
row's context menu and the window's 编辑 menu; splitters that come back where the clerk left them; one
township list that respects township mode; one item editor; one home for settings keys; colours by role
for a light and a dark palette."""
# ruff: noqa: F811 - the fixtures imported from community_fixtures are parameters here

from __future__ import annotations

import re
from pathlib import Path

import pytest
from community_fixtures import ctx, page, select_by_name  # noqa: F401
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from oldcomm_desktop.core import divisions, townships
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui import settings_keys as keys
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.list_page import township_choices

GUI = Path(__file__).resolve().parents[2] / "oldcomm_desktop" / "gui"


def _texts(actions) -> list[str]:
    return [a.text() for a in actions if not a.isSeparator()]


# -- row actions -------------------------------------------------------------------------------------------
def test_row_actions_fill_the_context_menu_and_the_edit_menu(qtbot, ctx) -> None:
    from oldcomm_desktop.gui.main_window import MainWindow

    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    page = win.go_to("communities")
    row_actions = page.row_actions.actions()
    assert _texts(row_actions) == ["修改小区…", "删除小区", "修改记录"]
    edit = next(a for a in row_actions if a.objectName() == "edit_community_action")
    assert [k.toString() for k in edit.shortcuts()] == ["Return", "Enter"]

    # the Edit menu ends with the page's row actions (the same QAction objects), after undo/redo/new/find
    menu_actions = win.edit_menu.actions()
    for action in row_actions:
        if not action.isSeparator():
            assert action in menu_actions
    assert _texts(menu_actions)[:4] == ["撤销", "重做", "新建", "查找"]

    # right-clicking a row selects it and offers the same actions
    view = page.table.view
    second = page.table.model.row_id(1)
    pos = view.visualRect(page.table.model.index(1, 0)).center()
    view.customContextMenuRequested.emit(pos)
    assert page.table.current_id() == second
    menu = page.row_actions.menu
    assert menu is not None
    assert _texts(menu.actions()) == _texts(row_actions)
    assert all(a.isEnabled() for a in menu.actions() if not a.isSeparator())
    menu.close()

    # another page: its own actions replace the communities' in the Edit menu
    win.go_to("recycle_bin")
    texts = _texts(win.edit_menu.actions())
    assert "恢复" in texts and "修改小区…" not in texts


def test_row_actions_need_a_row_and_follow_the_selection(qtbot, page) -> None:
    view = page.table.view
    page.table.view.selectionModel().clear()
    edit, delete = page.row_actions.actions()[:2]
    assert not edit.isEnabled() and not delete.isEnabled()
    assert not page.edit_button.isEnabled()  # the button made from the action follows it
    select_by_name(qtbot, page, "幸福里小区")
    assert edit.isEnabled() and delete.isEnabled() and page.edit_button.isEnabled()
    assert view.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu


def test_delete_key_asks_through_the_action(qtbot, page, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def no(_parent, title, _text, *a, **k):
        asked.append(title)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", no)
    select_by_name(qtbot, page, "幸福里小区")
    count = page.table.model.shown_count
    qtbot.keyClick(page.table.view, Qt.Key.Key_Delete)
    assert asked == ["删除小区"]
    assert page.table.model.shown_count == count  # said no: nothing deleted


def test_enter_in_the_search_box_does_not_edit(qtbot, page) -> None:
    select_by_name(qtbot, page, "幸福里小区")
    qtbot.keyClick(page.table.search, Qt.Key.Key_Return)
    assert page.dialog is None  # Enter there searches; only the table's Enter edits


# -- remembered splitters --------------------------------------------------------------------------------------
def test_splitter_position_is_remembered_per_page(qtbot, ctx: AppContext) -> None:
    from oldcomm_desktop.gui.pages.communities import CommunitiesPage

    first = CommunitiesPage(ctx)
    qtbot.addWidget(first)
    first.resize(1280, 800)
    first.show()
    total = sum(first.splitter.sizes())
    first.splitter.setSizes([total - 200, 200])
    wanted = first.splitter.sizes()
    first.save_state()
    assert ctx.settings.value(keys.splitter_state("communities")) is not None

    again = CommunitiesPage(ctx)
    qtbot.addWidget(again)
    again.resize(1280, 800)
    again.show()
    assert again.splitter.sizes() == wanted


# -- one township list ----------------------------------------------------------------------------------------
def test_township_choices_respect_township_mode(qtbot, sqlite_db, tmp_path) -> None:
    with sqlite_db.transaction("测试员") as s:
        divisions.ensure(s, "341122002000", "东城街道")  # a neighbour this township database has heard of
        assert len(divisions.townships(s)) == 2
    ctx = AppContext(sqlite_db, "测试员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert township_choices(ctx) == [("341122001000", "城关街道")]  # township mode: only its own
    assert ctx.read(townships.choices) == township_choices(ctx)


def test_township_choices_in_county_mode_list_every_township(ctx: AppContext) -> None:
    every = ctx.read(lambda s: [(d.code, d.name) for d in divisions.townships(s)])
    assert len(every) > 1
    assert township_choices(ctx) == every


def test_no_other_township_list_is_left() -> None:
    """One function: no page builds its own list from divisions.townships any more."""
    offenders = [
        str(p.relative_to(GUI))
        for p in GUI.rglob("*.py")
        if "divisions.townships(" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


# -- one item editor -------------------------------------------------------------------------------------------
def test_items_page_edits_with_the_item_editor_that_shows_units(qtbot, ctx: AppContext) -> None:
    from oldcomm_desktop.gui.community.record_dialogs import ItemDialog
    from oldcomm_desktop.gui.pages.items import ItemsPage

    items_page = ItemsPage(ctx)
    qtbot.addWidget(items_page)
    items_page.show()
    items_page.activate()
    dialog = items_page.edit_current()
    assert isinstance(dialog, ItemDialog)
    row = items_page.table.current_row()
    assert dialog.unit_label("planned_quantity").text() == row["unit"]
    assert row["community"] in dialog.windowTitle()
    dialog.reject()


# -- settings keys --------------------------------------------------------------------------------------------
def test_settings_keys_have_one_home() -> None:
    """No settings key is spelled out as a string anywhere in the GUI but in settings_keys.py."""
    literal = re.compile(r"""settings\.(?:value|setValue)\(\s*f?["']""")
    offenders = [
        str(p.relative_to(GUI))
        for p in GUI.rglob("*.py")
        if p.name != "settings_keys.py" and literal.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert keys.value(None, keys.MONEY_UNIT) == "万元"
    assert keys.table_state("items") == "tables/items"
    assert keys.splitter_state("projects") == "pages/projects/splitter"


# -- colours ---------------------------------------------------------------------------------------------------
def _palette(window: str, text: str) -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(text))
    return palette


def test_colour_roles_follow_the_palette() -> None:
    light, dark = _palette("#f0f0f0", "#000000"), _palette("#202020", "#ffffff")
    assert not colours.is_dark(light) and colours.is_dark(dark)
    for role, (day, night) in colours.ROLES.items():
        assert QColor(day).isValid() and QColor(night).isValid(), role
        assert colours.colour(role, light) == day
        assert colours.colour(role, dark) == night
    # text a clerk must read stays readable on either window colour
    for role in ("text", "secondary", "muted", "error", "alert", "ok"):
        assert QColor(colours.colour(role, light)).lightness() < 140, role
        assert QColor(colours.colour(role, dark)).lightness() > 120, role


def test_a_dark_application_palette_changes_what_widgets_get(qtbot) -> None:
    app = QApplication.instance()
    before = app.palette()
    try:
        app.setPalette(_palette("#202020", "#ffffff"))
        label = QLabel()
        qtbot.addWidget(label)
        label.setStyleSheet(colours.text_style("muted"))
        assert colours.ROLES["muted"][1] in label.styleSheet()
        assert colours.span("error", "不能保存") == f"<span style='color:{colours.ROLES['error'][1]}'>不能保存</span>"
    finally:
        app.setPalette(before)
    assert colours.colour("muted") == colours.ROLES["muted"][0]


def test_no_colour_literals_outside_the_colours_module() -> None:
    hex_colour = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|Qt\.GlobalColor\.")
    offenders = [
        f"{p.relative_to(GUI)}: {m.group(0)}"
        for p in GUI.rglob("*.py")
        if p.name != "colours.py"
        for m in hex_colour.finditer(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_detail_tables_use_the_same_row_actions(qtbot, ctx: AppContext) -> None:
    """Smaller tables inside a page (a community's items) get Enter/Delete and the context menu the same way."""
    from oldcomm_desktop.gui.pages.communities import CommunitiesPage

    communities_page = CommunitiesPage(ctx)
    qtbot.addWidget(communities_page)
    communities_page.resize(1280, 800)
    communities_page.show()
    communities_page.activate()
    select_by_name(qtbot, communities_page, "幸福里小区")
    items = communities_page.detail.items
    assert items.model.rowCount() > 0
    edit, delete = items.row_actions.actions()
    assert not edit.isEnabled()  # no item selected yet
    items.select_row(0)
    assert edit.isEnabled() and delete.isEnabled() and items.edit_button.isEnabled()
    from oldcomm_desktop.gui.community.record_dialogs import ItemDialog

    qtbot.keyClick(items.view, Qt.Key.Key_Return)  # Enter edits the item, with the one item editor
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, ItemDialog) and w.isVisible()]
    assert len(dialogs) == 1 and dialogs[0].item_id == str(items.rows()[0]["id"])
    dialogs[0].reject()
