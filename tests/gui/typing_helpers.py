"""Type Chinese into widgets the way an input method does.

``qtbot.keyClicks(edit, "张三")`` aborts the whole test process (an assertion in Qt's qasciikey.cpp,
tech-notes §3), so every GUI test that needs Chinese input goes through :func:`type_text`.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

__all__ = ["commit_text", "type_text"]

_RUNS = re.compile(r"\n|[\x00-\x09\x0b-\x7f]+|[^\x00-\x7f]+")


def commit_text(widget: QWidget, text: str) -> None:
    """Deliver ``text`` as one IME commit (what a pinyin IME sends when a candidate is chosen)."""
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type mixed text: ASCII as real key clicks (so validators and shortcuts see keys), the rest as
    IME commits, and "\\n" as the Return key."""
    for run in _RUNS.findall(text):
        if run == "\n":
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        elif run.isascii():
            qtbot.keyClicks(widget, run)
        else:
            commit_text(widget, run)
