"""Small pieces the community widgets share: opening a dialog without blocking, a message line, money text."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QWidget

from oldcomm_desktop.core.errors import OldcommError, ValidationError
from oldcomm_desktop.core.money import format_yuan

ERROR_STYLE = "color: #c0392b;"
MUTED_STYLE = "color: #666;"


def show_dialog(dialog: QDialog) -> QDialog:
    """Open `dialog` window-modal but without a nested event loop, and hand it back.

    `open()` rather than `exec()`: the clerk's window stays responsive to repaints, and tests can type into
    the returned dialog. The dialog is detached from its parent once closed so repeated use does not pile
    up hidden dialogs under the page.
    """
    dialog.finished.connect(lambda _r: dialog.setParent(None))
    dialog.open()
    return dialog


def message_label(name: str) -> QLabel:
    """A red line for the core's refusals (e.g. a milestone another depends on), hidden while empty."""
    label = QLabel()
    label.setObjectName(name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def set_message(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def error_text(exc: OldcommError) -> str:
    """The core's refusal without the field name when the context already says what it is about."""
    if isinstance(exc, ValidationError):
        return "\n".join(p.message for p in exc.problems)
    return str(exc)


def money_text(amount: Decimal | None, unit: str, *, blank: str = "") -> str:
    """An amount in the display unit with the unit written after it (680.00 万元)."""
    if amount is None:
        return blank
    return f"{format_yuan(amount, unit=unit)} {unit}"


def button(text: str, name: str, tip: str = "", parent: QWidget | None = None) -> QPushButton:
    b = QPushButton(text, parent)
    b.setObjectName(name)
    if tip:
        b.setToolTip(tip)
    return b
