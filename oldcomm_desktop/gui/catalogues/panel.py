"""What the two catalogue panels (改造内容目录, 资金来源目录) share: an intro line, the button bar with its
message, the table under them, and how a change is performed and reported — one home, so the panels differ
only in their columns, actions and words."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.gui import colours, commands
from oldcomm_desktop.gui.list_page import ListPage
from oldcomm_desktop.gui.widgets import error_text

UNDO_HINT = "（编辑 → 撤销 或 Ctrl+Z 可以恢复）"


class CataloguePanel(ListPage):
    """A ListPage over one catalogue; subclasses set `table`, `buttons`, `row_actions` and `undo_table`."""

    county: bool
    buttons: dict[str, QWidget]
    undo_table: str

    def lay_out(self, intro_text: str, message_name: str, read_only: str) -> None:
        """Intro, buttons with the message beside them, the table; a township's actions say why they are off."""
        if not self.county:
            for widget in (*self.row_actions.actions(), *self.buttons.values()):
                widget.setToolTip(read_only)
        self.message = QLabel()
        self.message.setObjectName(message_name)
        self.message.setWordWrap(True)
        intro = QLabel(intro_text)
        intro.setWordWrap(True)
        intro.setStyleSheet(colours.text_style("secondary"))
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for button in self.buttons.values():
            bar.addWidget(button)
        bar.addSpacing(10)
        bar.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

    # -- what the selected row is -----------------------------------------------------------------------
    def _is(self, key: str, value: Any) -> bool:
        row = self.table.current_row()
        return row is not None and row.get(key) == value

    def names(self) -> list[str]:
        """The names in the table's order (tests, and the status bar)."""
        model = self.table.model
        return [str((model.row_mapping(r) or {}).get("name", "")) for r in range(model.rowCount())]

    def select_name(self, name: str) -> bool:
        rows = [r for r in self.source.rows(self.table.model.query) if r["name"] == name]
        return bool(rows) and self.table.select_id(str(rows[0]["id"]))

    # -- doing and saying -------------------------------------------------------------------------------
    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(colours.text_style("error" if error else "ok"))
        self.message.setText(text)

    def _run(self, text: str, do: Any, undo: Any, done: str, *, failed: str = "未完成") -> bool:
        """One undoable, versioned step; a refusal is said beside the buttons and changes nothing."""
        try:
            commands.perform(self.ctx, text, do, undo, table=self.undo_table)
        except OldcommError as exc:
            self._say(f"{failed}：{error_text(exc)}", error=True)
            return False
        self._say(done + UNDO_HINT)
        self.row_actions.update()
        return True
