"""Every dialog fits the screen it opens on.

Dialogs size themselves for a roomy screen (the inspection form asks for 1120×760) and opened taller than a
1366×768 laptop, the 确定 button below the taskbar. One application-wide event filter caps each dialog to
the available area of its screen (the parent window's screen) when it is shown, and moves it inside; the
dialogs' layouts (scroll areas, splitters) take up the difference.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QDialog, QWidget

MARGIN = 16  # room for the window frame the system draws


def fit(dialog: QWidget) -> None:
    """Shrink `dialog` to its screen's available area (never below its minimum) and move it inside."""
    parent = dialog.parentWidget()
    screen = (parent.window().screen() if parent is not None else None) or dialog.screen()
    if screen is None:
        return
    area = screen.availableGeometry().adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
    width = max(min(dialog.width(), area.width()), dialog.minimumSizeHint().width(), dialog.minimumWidth())
    height = max(min(dialog.height(), area.height()), dialog.minimumSizeHint().height(), dialog.minimumHeight())
    if (width, height) != (dialog.width(), dialog.height()):
        dialog.resize(width, height)
    x = min(max(dialog.x(), area.left()), max(area.left(), area.right() - width))
    y = min(max(dialog.y(), area.top()), max(area.top(), area.bottom() - height))
    if (x, y) != (dialog.x(), dialog.y()):
        dialog.move(x, y)


class FitDialogsToScreen(QObject):
    """The filter: on each dialog's Show, `fit` it."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(obj, QDialog) and obj.isWindow():
            fit(obj)
        return False


def install(app: QApplication) -> None:
    if not any(isinstance(c, FitDialogsToScreen) for c in app.children()):
        app.installEventFilter(FitDialogsToScreen(app))
