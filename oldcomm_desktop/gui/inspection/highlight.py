"""Rows that need attention (an overdue rectification) drawn in red on a light red background.

A delegate rather than a model role because the shared paged model is domain-free: the row's own
mapping (which the listing source decorates with the core's state) says whether it is overdue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from oldcomm_desktop.gui import colours


class HighlightDelegate(QStyledItemDelegate):
    """Paints rows for which `predicate(row mapping)` is true in the overdue colours."""

    def __init__(self, predicate: Callable[[Mapping[str, Any]], bool], parent: QWidget | None = None):
        super().__init__(parent)
        self.predicate = predicate

    def is_highlighted(self, index: QModelIndex | QPersistentModelIndex) -> bool:
        model = index.model()
        row_mapping = getattr(model, "row_mapping", None)
        if row_mapping is None or not index.isValid():
            return False
        row = row_mapping(index.row())
        return bool(row) and bool(self.predicate(row))

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # Qt's name
        super().initStyleOption(option, index)
        if self.is_highlighted(index):
            option.backgroundBrush = QBrush(colours.qcolor("alert_bg"))
            option.palette.setColor(QPalette.ColorRole.Text, colours.qcolor("alert"))
