"""设置: the money unit switches 元/万元; rules are checked before saved (a bad cut-off year is refused); undo."""
# ruff: noqa: F811 - the fixtures imported from overview_pages_fixtures are parameters here

from __future__ import annotations

import pytest
from overview_pages_fixtures import ctx, show  # noqa: F401
from PySide6.QtCore import Qt
from typing_helpers import type_text

from oldcomm_desktop.core import catalogues, editable_settings, workspace
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.settings import SettingsPage


@pytest.fixture
def page(qtbot, ctx: AppContext) -> SettingsPage:
    return show(qtbot, SettingsPage(ctx))


def _setting(ctx: AppContext, key: str):
    return ctx.read(lambda s: catalogues.get_setting(s, key))


def test_money_unit_switches(qtbot, page: SettingsPage, ctx: AppContext) -> None:
    yuan = page.findChild(type(page.unit_buttons.buttons()[0]), "unit_元")
    wan = page.findChild(type(page.unit_buttons.buttons()[0]), "unit_万元")
    assert ctx.money_unit == "万元" and wan.isChecked()
    seen: list[str] = []
    ctx.money_unit_changed.connect(seen.append)
    qtbot.mouseClick(yuan, Qt.MouseButton.LeftButton)
    assert ctx.money_unit == "元" and seen == ["元"]
    qtbot.mouseClick(wan, Qt.MouseButton.LeftButton)
    assert ctx.money_unit == "万元" and seen == ["元", "万元"]
    ctx.set_money_unit("元")  # from the 查看 menu: the page follows
    assert yuan.isChecked() and not wan.isChecked()
    assert "元" in page.status_text()


def test_a_bad_cutoff_year_is_refused_with_a_message(qtbot, page: SettingsPage, ctx: AppContext) -> None:
    page.tabs.setCurrentIndex(1)
    field = page.rules_form.widgets["eligibility_cutoff_year"]
    assert field.text() == "2000" and not page.save_rules_button.isEnabled()
    field.clear()
    type_text(qtbot, field, "3000")
    assert page.save_rules_button.isEnabled()
    assert not page.save_rules()
    error = page.rules_form.errors["eligibility_cutoff_year"]
    assert error.isVisibleTo(page) and "不能大于" in error.text()
    assert "未保存" in page.rules_message.text()
    assert _setting(ctx, "eligibility_cutoff_year") == 2000 and ctx.undo_stack.count() == 0
    assert field.text() == "3000"  # kept for the clerk to correct

    field.clear()
    type_text(qtbot, field, "2006")  # after the extension year 2005
    assert not page.save_rules()
    assert "早于截止年份" in page.rules_form.errors["eligibility_cutoff_year"].text()


def test_rules_are_saved_and_undone(qtbot, page: SettingsPage, ctx: AppContext) -> None:
    form = page.rules_form
    for key, text in (("eligibility_cutoff_year", "2002"), ("consent_participation_owners", "75")):
        form.widgets[key].clear()
        type_text(qtbot, form.widgets[key], text)
    assert page.save_rules()
    assert _setting(ctx, "eligibility_cutoff_year") == 2002
    assert _setting(ctx, "consent_participation_owners") == "0.7500"
    assert "已保存" in page.rules_message.text() and not page.save_rules_button.isEnabled()
    ctx.undo_stack.undo()
    assert _setting(ctx, "eligibility_cutoff_year") == 2000
    assert _setting(ctx, "consent_participation_owners") == "0.6667"
    assert form.widgets["eligibility_cutoff_year"].text() == "2000"  # the form follows the undo
    ctx.undo_stack.redo()
    assert form.widgets["consent_participation_owners"].text() == "75"


def test_operators_are_added_undoably(qtbot, page: SettingsPage, ctx: AppContext) -> None:
    n = page.operator_list.count()
    type_text(qtbot, page.operator_name, "李四")
    page.operator_role.setCurrentIndex(page.operator_role.findData("reviewer"))
    assert page.add_operator()
    assert page.operator_list.count() == n + 1
    names = {o.name: o.role for o in ctx.read(workspace.operators)}
    assert names["李四"] == "reviewer"
    type_text(qtbot, page.operator_name, "李四")
    assert not page.add_operator() and "已在" in page.operator_message.text()
    ctx.undo_stack.undo()
    assert page.operator_list.count() == n
    assert "李四" not in {o.name for o in ctx.read(workspace.operators)}


def test_catalogues_are_shown(page: SettingsPage, ctx: AppContext) -> None:
    rows = ctx.read(editable_settings.item_type_rows)
    model = page.item_types.table.model  # the catalogue on the list-page kit, in catalogue order
    assert model.rowCount() == len(rows)
    assert model.data(model.index(0, 0)) == rows[0].category
    assert model.data(model.index(0, 1)) == rows[0].name
    assert model.data(model.index(0, 4)) in ("是", "否")
    sources = page.sources.table.model  # the tree in its order, indented
    assert sources.data(sources.index(0, 0)) == "国家预算资金"
    assert str(sources.data(sources.index(1, 0))).startswith("　")
    assert "青禾县" in page.workspace_label.text()
