"""Forms as a new clerk meets them: 建成年份 blank (not a grey 0), money and areas with two decimals, and Esc
on a form with typed changes asks before throwing them away."""

from __future__ import annotations

from community_fixtures import ctx, page, select_by_name  # noqa: F401 - fixtures
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from typing_helpers import type_text

from oldcomm_desktop.core import communities


def test_new_community_form_leaves_whole_numbers_blank(qtbot, page) -> None:  # noqa: F811
    dialog = page.new_record()
    year = dialog.form.widgets["year_built"]
    assert year.text() == "" and year.placeholderText() == ""
    assert dialog.form.widgets["total_investment"].placeholderText() == "0.00"
    dialog.reject()


def test_money_and_area_show_two_decimals(qtbot, page, ctx) -> None:  # noqa: F811
    # 30 million: the demo (now written by the bulk path) registers over 3 million completed on 幸福里小区
    cid = select_by_name(qtbot, page, "幸福里小区")
    with ctx.db.transaction("测试员") as s:
        communities.update(s, cid, {"floor_area": "12345.5", "total_investment": "30000000"})
    dialog = page.edit_current()
    assert dialog.form.widgets["floor_area"].text() == "12,345.50"
    assert dialog.form.widgets["total_investment"].text() == "3,000.00"  # in 万元, the unit chosen (default)
    dialog.reject()


def test_esc_with_typed_changes_asks_first(qtbot, page, monkeypatch) -> None:  # noqa: F811
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.Cancel]

    def question(_parent, title, text, *_a, **_k):
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    dialog = page.new_record()
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing typed: closes at once
    assert not dialog.isVisible() and asked == []
    dialog = page.new_record()
    qtbot.waitUntil(dialog.isVisible)
    type_text(qtbot, dialog.form.widgets["name"], "新小区")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and asked == ["已填写的内容还没有保存，确定放弃吗？"]  # kept: the clerk said no
    assert dialog.form.widgets["name"].text() == "新小区"
    answer[0] = QMessageBox.StandardButton.Discard
    dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
    assert not dialog.isVisible() and len(asked) == 2
