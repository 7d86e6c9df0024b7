"""Choose a community by typing part of its name, its address or pinyin initials (xfl → 幸福里).

Matches come from the core's "communities" listing with its search, a page of them at a time, so the
chooser works the same with ten communities or ten thousand.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLabel, QLineEdit, QWidget

from oldcomm_desktop.core import communities, listings
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.context import AppContext

MATCHES = 30
ID_ROLE = int(Qt.ItemDataRole.UserRole) + 10


class CommunityChooser(QWidget):
    """A search box with a drop-down of matching communities; `community_id` is the one chosen."""

    chosen = Signal(str)  # id, "" when the choice is cleared

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.community_id = ""
        self.community_name = ""
        self.edit = QLineEdit()
        self.edit.setObjectName("community_search")
        self.edit.setPlaceholderText("输入小区名称、地址或拼音首字母，从列表中选择")
        self.edit.setClearButtonEnabled(True)
        self.where = QLabel()
        self.where.setObjectName("community_where")
        self.where.setStyleSheet(colours.text_style("muted"))
        self.matches = QStandardItemModel(self)
        self.completer = QCompleter(self.matches, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(12)
        self.completer.activated[QModelIndex].connect(self._activated)
        self.edit.setCompleter(self.completer)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.where)
        self._timer = QTimer(self, singleShot=True, interval=200)
        self._timer.timeout.connect(self.search)
        self.edit.textEdited.connect(self._typed)

    def _typed(self, text: str) -> None:
        if self.community_id and text != self.community_name:
            self._set("", "", "")
        self._timer.start()

    def search(self, text: str | None = None) -> list[dict]:
        """Fill the drop-down with the communities matching `text` (default: what is typed); return them."""
        text = self.edit.text().strip() if text is None else text
        query = listings.ListQuery(search=text, sort_key="name")
        rows = self.ctx.read(lambda s: listings.page(s, "communities", query, 0, MATCHES))
        self.matches.clear()
        for row in rows:
            item = QStandardItem(row["name"])
            item.setData(row["id"], ID_ROLE)
            item.setData(row.get("township") or "", ID_ROLE + 1)
            item.setToolTip(" · ".join(x for x in (row.get("township"), row.get("address"), row.get("project")) if x))
            self.matches.appendRow(item)
        if rows and self.edit.hasFocus():
            self.completer.complete()
        return rows

    def _activated(self, index: QModelIndex) -> None:
        self._set(index.data(ID_ROLE), index.data(Qt.ItemDataRole.DisplayRole), index.data(ID_ROLE + 1))

    def choose_match(self, row: int = 0) -> None:
        """Take the `row`-th match of the last search (what a click in the drop-down does)."""
        item = self.matches.item(row)
        if item is not None:
            self._set(item.data(ID_ROLE), item.text(), item.data(ID_ROLE + 1))

    def set_community(self, community_id: str) -> None:
        if not community_id:
            self._set("", "", "")
            return

        def load(s):
            from oldcomm_desktop.core import divisions

            c = communities.get(s, community_id)
            return c.name, divisions.name_of(s, c.township_code)

        name, township = self.ctx.read(load)
        self._set(community_id, name, township)

    def _set(self, community_id: str, name: str, township: str) -> None:
        self.community_id, self.community_name = community_id or "", name or ""
        if name and self.edit.text() != name:
            self.edit.setText(name)
        self.where.setText(f"（{township}）" if community_id and township else "")
        self.edit.setStyleSheet("" if community_id or not self.edit.text() else colours.text_style("caution"))
        self.chosen.emit(self.community_id)
