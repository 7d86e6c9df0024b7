"""What every page of the main window offers the window: a title, search focus, new record, refresh."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from oldcomm_desktop.gui.context import AppContext


class Page(QWidget):
    """A page; subclasses override what they support. `status_text` feeds the status bar."""

    title = ""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx

    def activate(self) -> None:
        """Called when the page is shown (pages load lazily, on first show)."""

    def focus_search(self) -> None:
        """Ctrl+F."""

    def new_record(self) -> None:
        """Ctrl+N."""

    def apply_filters(self, filters: dict) -> None:
        """Called when another page (the dashboard) sends the clerk here with filters set."""

    def status_text(self) -> str:
        return ""

    def edit_actions(self) -> list[QAction]:
        """What the page's selected row offers, for the window's 编辑 menu (gui.list_page.RowActions)."""
        return []
