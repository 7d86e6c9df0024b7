"""What the supervision tabs share: a filter combo, and running a core write with its Chinese refusal shown
to the clerk (the mode and townships of the database come from gui.list_page, as for every page)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QComboBox, QMessageBox, QWidget

from oldcomm_desktop.core.errors import OldcommError


def combo(choices: Sequence[tuple[Any, str]], *, everything: str | None = "全部", name: str = "") -> QComboBox:
    box = QComboBox()
    if name:
        box.setObjectName(name)
    if everything is not None:
        box.addItem(everything, None)
    for value, label in choices:
        box.addItem(label, value)
    return box


def attempt(parent: QWidget, title: str, action: Callable[[], Any]) -> Any:
    """Run a write; a refusal (wrong state, bad input, wrong mode) is shown in Chinese and changes nothing."""
    try:
        return action()
    except OldcommError as exc:
        QMessageBox.warning(parent, title, str(exc))
        return None
