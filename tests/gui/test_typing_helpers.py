"""The typing helper must reach every kind of editor we use, without the qasciikey abort."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QTextEdit
from typing_helpers import type_text

TEXT = "幸福里3号楼 Unit-2（东）"


@pytest.mark.parametrize("cls", [QLineEdit, QPlainTextEdit, QTextEdit])
def test_type_mixed_text(qtbot, cls):
    widget = cls()
    qtbot.addWidget(widget)
    type_text(qtbot, widget, TEXT)
    text = widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()
    assert text == TEXT


def test_type_into_editable_combo_and_newline(qtbot):
    combo = QComboBox()
    combo.setEditable(True)
    qtbot.addWidget(combo)
    type_text(qtbot, combo, "鼓楼区")
    assert combo.currentText() == "鼓楼区"

    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    type_text(qtbot, edit, "第一行\n第二行 ok")
    assert edit.toPlainText() == "第一行\n第二行 ok"


def test_signals_fire_like_real_typing(qtbot):
    edit = QLineEdit()
    qtbot.addWidget(edit)
    seen: list[str] = []
    edit.textEdited.connect(seen.append)
    type_text(qtbot, edit, "张三")
    assert seen == ["张三"]
