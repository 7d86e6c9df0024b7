"""The small widgets and helpers every page and dialog shares: money text, a named button, a yes/no
question, opening a dialog without blocking, sizing a form dialog, a red message line.

One module so that a button, a question or an amount looks and behaves the same on every page (before,
the projects page served these to other pages and the community widgets kept copies of their own).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QPushButton, QWidget

from oldcomm_desktop.core.errors import OldcommError, ValidationError
from oldcomm_desktop.core.money import format_yuan
from oldcomm_desktop.gui import colours

if TYPE_CHECKING:
    from oldcomm_desktop.gui.dialogs.record_form import RecordDialog

D = TypeVar("D", bound=QDialog)


def money_text(amount: Decimal | None, unit: str, *, with_unit: bool = True, blank: str = "") -> str:
    """An amount in the display unit (680.00, or 680.00 万元 with the unit); `blank` for no amount."""
    if amount is None:
        return blank
    return format_yuan(amount, unit=unit) + (f" {unit}" if with_unit else "")


def push_button(text: str, name: str, tip: str = "", parent: QWidget | None = None) -> QPushButton:
    """A button with an object name (tests and the style sheet find it by name) and an optional tooltip."""
    b = QPushButton(text, parent)
    b.setObjectName(name)
    if tip:
        b.setToolTip(tip)
    return b


def ask(parent: QWidget | None, title: str, text: str) -> bool:
    """A yes/no question (是/否 in the translated box); True for yes."""
    return QMessageBox.question(parent, title, text) == QMessageBox.StandardButton.Yes


def open_dialog(dialog: D) -> D:
    """Open `dialog` window-modal but without a nested event loop, and hand it back.

    `open()` rather than `exec()`: the clerk's window stays responsive to repaints, and tests can type into
    the returned dialog. Once closed the dialog is detached from its parent, so repeated use does not pile
    up hidden dialogs under the page, yet whoever still holds it (the page's `dialog`, a test) can read it.
    """
    dialog.finished.connect(lambda _r: dialog.setParent(None))
    dialog.open()
    return dialog


def fit(dialog: RecordDialog, width: int = 600) -> RecordDialog:
    """As tall as the form needs (up to 720 px), so short forms do not float in an empty box."""
    dialog.resize(width, min(720, dialog.form.sizeHint().height() + 72))
    return dialog


def message_label(name: str) -> QLabel:
    """A red line for the core's refusals (e.g. a milestone another depends on), hidden while empty."""
    label = QLabel()
    label.setObjectName(name)
    label.setStyleSheet(colours.text_style("error"))
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
