"""A page a later step fills: it says what it will hold, so a clerk knows where things will be."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.pages.base import Page


class PlaceholderPage(Page):
    def __init__(self, ctx: AppContext, title: str, text: str, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.title = title
        label = QLabel(f"<h2>{title}</h2><p>{text}</p>")
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        label.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addStretch(1)
