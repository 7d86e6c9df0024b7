"""A headline figure: a caption, a big number with its unit and a line below; optionally clickable.

Clickable tiles take the focus and answer Enter/Space as well as the mouse, so a clerk can reach the
table behind a figure from the keyboard.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from oldcomm_desktop.gui import colours

__all__ = ["FigureTile"]


class FigureTile(QFrame):
    clicked = Signal()
    #: a link in the line below the number was clicked (its href)
    link_clicked = Signal(str)

    def __init__(
        self,
        caption: str,
        *,
        accent: str = "accent",
        clickable: bool = False,
        tooltip: str = "",
        compact: bool = False,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.clickable = clickable
        self.accent = accent
        self.compact = compact
        self.setProperty("figureTile", True)  # styled by property: callers may set their own objectName
        self.caption = QLabel(caption)
        self.caption.setObjectName("tile_caption")
        self.value = QLabel("—")
        self.value.setObjectName("tile_value")
        self.value.setTextFormat(Qt.TextFormat.RichText)
        self.sub = QLabel("")
        self.sub.setObjectName("tile_sub")
        self.sub.setTextFormat(Qt.TextFormat.RichText)
        self.sub.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.sub.linkActivated.connect(self.link_clicked)
        self.sub.setVisible(not compact)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6 if compact else 8, 10, 6 if compact else 8)
        layout.setSpacing(0 if compact else 2)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.sub)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        if tooltip:
            self.setToolTip(tooltip)
        if clickable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._style()

    def colours_changed(self) -> None:
        """The palette turned dark or light (colours.apply): paint the tile in the new colours."""
        self._style()

    def _style(self) -> None:
        me = "QFrame[figureTile='true']"
        c = colours.colour
        hover = f"{me}:hover {{ background: {c('hover')}; }}" if self.clickable else ""
        accent = c(self.accent) if self.accent in colours.ROLES else self.accent  # a role or a series colour
        size = 18 if self.compact else 22
        self.setStyleSheet(
            f"{me} {{ background: {c('surface')}; border: 1px solid {c('surface_border')};"
            f" border-left: 4px solid {accent}; border-radius: 4px; }}"
            f"{hover}"
            f"{me}:focus {{ border-color:{colours.colour('accent')}; }}"
            f"QLabel#tile_caption {{ color: {c('secondary')}; border: none; background: transparent; }}"
            f"QLabel#tile_value {{ font-size: {size}px; font-weight: bold; color: {c('text')}; border: none;"
            " background: transparent; }"
            f"QLabel#tile_sub {{ color: {c('muted')}; border: none; background: transparent; }}"
        )

    def set_value(self, number: str, unit: str = "", sub: str = "") -> None:
        unit_html = (
            colours.style(' <span style="font-size: 13px; font-weight: normal; color: {secondary};">')
            + f"{unit}</span>"
            if unit
            else ""
        )
        self.value.setText(f"{number}{unit_html}")
        self.sub.setText(sub)

    def value_text(self) -> str:
        """The number as shown (for tests and the status bar), without its unit."""
        from PySide6.QtGui import QTextDocument

        doc = QTextDocument()
        doc.setHtml(self.value.text())
        return doc.toPlainText().split(" ")[0]

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if (
            self.clickable
            and event.button() == Qt.MouseButton.LeftButton
            and self.rect().contains(event.position().toPoint())
        ):
            self.clicked.emit()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.clickable and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)
