"""A searchable, filterable, sortable table of records: the widget every list page is built from.

It owns the paged model, the search box (with pinyin initials), a row of filter choosers, the count
for the status bar, and remembers column widths, order and visibility per table between sessions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.paged_model import PagedTableModel, PageQuery, PageSource, setup_table_view

FilterChoices = Callable[[], Sequence[tuple[Any, str]]]  # () -> [(value, Chinese label)]


class RecordTable(QWidget):
    """Search + filters + table. `state_key` names the table in the settings (column layout)."""

    current_changed = Signal(str)  # id of the selected record, "" for none
    activated = Signal(str)  # double-click or Enter on a record
    count_changed = Signal(int)

    def __init__(self, ctx: AppContext, source: PageSource, state_key: str, *,
                 search_hint: str = "搜索：名称、地址或拼音首字母（如 xfl）", parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.state_key = state_key
        self.model = PagedTableModel(source, self)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(search_hint)
        self.search.setClearButtonEnabled(True)
        self.filter_row = QHBoxLayout()
        self.filter_row.setContentsMargins(0, 0, 0, 0)
        self.filters: dict[str, QComboBox] = {}
        self.extra_filters: dict[str, Any] = {}  # set by other pages (e.g. one project's communities)
        top = QHBoxLayout()
        top.addWidget(self.search, 2)
        top.addLayout(self.filter_row)
        self.view = QTableView()
        self.view.setObjectName("table")
        setup_table_view(self.view, self.model)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionsMovable(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        header.setStretchLastSection(True)
        self.count_label = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self._apply_query)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._apply_query)
        self.view.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self.current_changed.emit(self.model.row_id(cur.row()) if cur.isValid() else ""))
        self.view.doubleClicked.connect(lambda idx: self.activated.emit(self.model.row_id(idx.row())))
        self.model.count_changed.connect(self.count_changed)
        self.model.modelReset.connect(lambda: self.current_changed.emit(self.current_id()))
        ctx.data_changed.connect(lambda _t: self.model.refresh())
        self._restore_state()

    # -- filters ------------------------------------------------------------------------------------
    def add_filter(self, key: str, label: str, choices: FilterChoices) -> QComboBox:
        """A chooser that filters the table by `key` (a filter name the core's listing knows)."""
        box = QComboBox()
        box.setObjectName(f"filter_{key}")
        box.addItem(f"全部{label}", None)
        for value, text in choices():
            box.addItem(text, value)
        box.currentIndexChanged.connect(self._apply_query)
        self.filters[key] = box
        self.filter_row.addWidget(box)
        return box

    def set_filter(self, key: str, value: Any) -> None:
        box = self.filters.get(key)
        if box is None:
            return
        i = box.findData(value)
        box.setCurrentIndex(max(i, 0))
        self._apply_query()

    def set_extra_filters(self, filters: dict[str, Any]) -> None:
        """Filters with no chooser on this table (the ids another page sends); {} clears them."""
        self.extra_filters = {k: v for k, v in filters.items() if v not in (None, "")}
        self._apply_query()

    def _apply_query(self) -> None:
        filters = tuple((k, b.currentData()) for k, b in self.filters.items() if b.currentData() is not None)
        filters += tuple((k, v) for k, v in self.extra_filters.items() if k not in self.filters)
        q = self.model.query
        new = PageQuery(search=self.search.text().strip(), filters=filters, sort_key=q.sort_key,
                        descending=q.descending)
        if new != q:
            self.model.set_query(new)

    # -- selection ----------------------------------------------------------------------------------
    def current_id(self) -> str:
        idx = self.view.currentIndex()
        return self.model.row_id(idx.row()) if idx.isValid() else ""

    def current_row(self) -> dict | None:
        idx = self.view.currentIndex()
        row = self.model.row_mapping(idx.row()) if idx.isValid() else None
        return dict(row) if row else None

    def select_first(self) -> None:
        if self.model.rowCount() > 0:
            self.view.selectRow(0)

    def status_text(self) -> str:
        return f"共 {self.model.shown_count:,} 条"

    # -- column layout ------------------------------------------------------------------------------
    def _header_menu(self, pos: QPoint) -> None:
        header = self.view.horizontalHeader()
        menu = QMenu(self)
        for i, col in enumerate(self.model.columns):
            action = QAction(col.title, menu, checkable=True)
            action.setChecked(not header.isSectionHidden(i))
            action.toggled.connect(lambda on, i=i: header.setSectionHidden(i, not on))
            menu.addAction(action)
        menu.exec(header.mapToGlobal(pos))

    def _restore_state(self) -> None:
        state = self.ctx.settings.value(f"tables/{self.state_key}")
        if state:
            self.view.horizontalHeader().restoreState(state)
        self.view.horizontalHeader().sectionResized.connect(lambda *_: self.save_state())
        self.view.horizontalHeader().sectionMoved.connect(lambda *_: self.save_state())

    def save_state(self) -> None:
        self.ctx.settings.setValue(f"tables/{self.state_key}", self.view.horizontalHeader().saveState())
