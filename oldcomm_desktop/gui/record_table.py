"""A searchable, filterable, sortable table of records: the widget every list page is built from.

It owns the paged model, the search box (with pinyin initials), a row of filter choosers, the count
for the status bar, and remembers column widths, order and visibility per table between sessions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui import settings_keys as keys
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.paged_model import PagedTableModel, PageQuery, PageSource, setup_table_view

LOST_TEXT = "刚才修改的{what}已不符合当前的搜索或筛选条件，所以不在列表中了。"


class LostRecordNotice(QFrame):
    """A yellow strip above a table: the record just edited left the filter; 清除筛选 shows it again."""

    clear_filters = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lost_record_notice")
        self.setStyleSheet(
            colours.style(
                "#lost_record_notice { background: {notice_bg}; border: 1px solid {notice_border};"
                " border-radius: 3px; }"
            )
        )
        self.label = QLabel(LOST_TEXT)
        self.label.setObjectName("lost_record_text")
        self.label.setWordWrap(True)
        self.button = QPushButton("清除筛选")
        self.button.setObjectName("clear_filters")
        self.button.setToolTip("显示全部记录，并选中刚才修改的记录")
        self.button.clicked.connect(self.clear_filters)
        close = QPushButton("知道了")
        close.setObjectName("dismiss_notice")
        close.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 3, 8, 3)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        row.addWidget(close)
        self.hide()

    def show_lost(self, name: str = "") -> None:
        self.label.setText(LOST_TEXT.format(what=f"“{name}”" if name else "记录"))
        self.button.show()
        self.show()

    def show_message(self, text: str) -> None:
        """Another word about the table (a read that failed): no 清除筛选 to offer."""
        self.label.setText(text)
        self.button.hide()
        self.show()

    def text(self) -> str:
        return self.label.text()


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
        self.notice = LostRecordNotice()
        self.notice.clear_filters.connect(self.clear_filters)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.view, 1)
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self._apply_query)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._apply_query)
        # The record followed (by id, not by row), the row it was last seen on, and what was last announced.
        self._followed = ""
        self._followed_row = -1
        self._followed_name = ""
        self._announced = ""
        self._lost = ""  # a record an edit took out of the filter: 清除筛选 brings it back
        self._restoring = False
        #: Pages with filters of their own (a state tab, a scope chip) widen them here too.
        self.clear_filters_hook: Callable[[], None] | None = None
        self.view.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.doubleClicked.connect(lambda idx: self.activated.emit(self.model.row_id(idx.row())))
        self.model.count_changed.connect(self.count_changed)
        # a count that arrives from the worker thread updates the window's status bar (whichever page)
        self.model.count_changed.connect(lambda _n: getattr(self.window(), "update_status", lambda: None)())
        self.model.fetch_failed.connect(lambda _m: self._read_failed())
        self.model.modelAboutToBeReset.connect(self._about_to_reset)
        self.model.modelReset.connect(lambda: self._find_followed(after_edit=False))
        ctx.data_changed.connect(lambda _t: self.refresh())
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

    def clear_filters(self) -> None:
        """清除筛选: show every record again (search, choosers, filters from other pages) and find the lost one."""
        lost = self._lost or self._followed
        for box in self.filters.values():
            blocked = box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(blocked)
        self.extra_filters = {}
        blocked = self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(blocked)
        if self.clear_filters_hook is not None:
            self.clear_filters_hook()
        self._followed = lost
        self._apply_query()
        if lost and self.current_id() != lost:
            self.select_id(lost)
        self.notice.hide()
        self._lost = ""

    # -- selection: by record, not by row -----------------------------------------------------------
    def refresh(self) -> None:
        """Re-read after a write anywhere (an edit, undo, redo, another page) and stay on the same record."""
        self._restoring = True
        try:
            self.model.refresh()
        finally:
            self._restoring = False
        self._find_followed(after_edit=True)

    def select_id(self, record_id: str) -> bool:
        """Select a record wherever the current order puts it; False if the current query does not list it."""
        row = self.model.find_row(record_id, self._followed_row if record_id == self._followed else -1)
        if row < 0:
            return False
        self._followed, self._followed_row = record_id, row
        self._select_row(row)
        self._announce(record_id)
        return True

    def _read_failed(self) -> None:
        """A page of rows could not be read (server gone, file damaged): say so instead of an empty table."""
        from oldcomm_desktop.gui.errors import describe

        exc = self.model.stats.last_exception
        _title, text = describe(exc) if exc is not None else ("", "")
        if _title == "程序出错":
            text = "读取数据时出错，列表可能不完整。详细信息已写入日志文件。"
        self.notice.show_message(f"读取失败：{text}")
        self._tell_status_bar(f"读取失败：{text}")

    def announce_lost(self, record_id: str, text: str) -> None:
        """Say that `record_id` (just saved) is not among the rows shown; 清除筛选 selects it."""
        self._lost = record_id
        self.notice.show_lost()
        self.notice.label.setText(text)
        self._tell_status_bar(text)

    def _current_row_changed(self, cur, _prev) -> None:  # QModelIndex
        if self._restoring:
            return  # rows moving under a refresh: the record is looked up again once it is done
        if cur.isValid() and not self.view.selectionModel().isRowSelected(cur.row()):
            # Qt moves the current row before it selects it (selectRow, Ctrl+arrows, a click's press):
            # select it now, so whoever hears current_changed finds the record selected (current_row()).
            self._restoring = True
            try:
                self.view.selectionModel().select(
                    cur, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
                )
            finally:
                self._restoring = False
        rid = ""
        if cur.isValid():
            try:
                rid = self.model.row_id(cur.row())
            except IndexError:
                rid = ""
        self._followed, self._followed_row = rid, cur.row() if cur.isValid() else -1
        self._followed_name = self._name_at(cur.row()) if rid else ""
        if rid:
            self._lost = ""
            self.notice.hide()
        self._announce(rid)

    def _selection_changed(self, *_args: Any) -> None:
        """The selection emptied under a current row (Ctrl+click on the selected row): nothing is selected,
        so nothing is announced as current either; selecting it again announces it again."""
        if self._restoring:
            return
        cur = self.view.currentIndex()
        if cur.isValid() and self.view.selectionModel().isRowSelected(cur.row()):
            self._current_row_changed(cur, None)
        elif self._announced:
            self._followed, self._followed_row = "", -1
            self._announce("")

    def _name_at(self, row: int) -> str:
        mapping = self.model.row_mapping(row) or {}
        return str(mapping.get("name") or mapping.get("community") or "")

    def _announce(self, rid: str) -> None:
        if rid != self._announced:
            self._announced = rid
            self.current_changed.emit(rid)

    def _about_to_reset(self) -> None:
        self._restoring = True

    def _select_row(self, row: int) -> None:
        self._restoring = True
        try:
            index = self.model.index(row, 0)
            self.view.setCurrentIndex(index)
            self.view.selectRow(row)
            self.view.scrollTo(index)
        finally:
            self._restoring = False

    def _clear_selection(self) -> None:
        self._restoring = True
        try:
            self.view.selectionModel().clear()
        finally:
            self._restoring = False

    def _find_followed(self, *, after_edit: bool) -> None:
        """After a refresh or a new query: select the followed record again wherever it went.

        After an edit, a record that no longer matches the filters is announced (notice + status bar, with
        清除筛选) instead of silently replaced by its neighbour; a deleted one hands the selection to the row
        that took its place, as a file manager does.
        """
        self._restoring = False
        rid = self._followed
        failed_before = self.model.stats.fetch_failures
        if not rid:
            if self.view.currentIndex().isValid():
                self._current_row_changed(self.view.currentIndex(), None)
            else:
                self._announce("")
            return
        row = self.model.find_row(rid, self._followed_row)
        if row < 0 and self.model.stats.fetch_failures != failed_before:
            return  # the rows could not be read: not "left the filter"; the failure is said (fetch_failed)
        if row >= 0:
            self._followed_row = row
            self._followed_name = self._name_at(row) or self._followed_name
            if self.view.currentIndex().row() != row or not self.view.selectionModel().isRowSelected(row):
                self._select_row(row)
            self._announce(rid)
            return
        exists = getattr(self.model.source, "exists", None)
        if after_edit and callable(exists) and exists(rid):
            self._lost = rid
            self._clear_selection()
            self._followed, self._followed_row = "", -1
            self.notice.show_lost(self._followed_name)
            self._tell_status_bar(self.notice.text())
            self._announce("")
            return
        if after_edit and self.model.rowCount() > 0 and self._followed_row >= 0:
            row = min(self._followed_row, self.model.rowCount() - 1)  # deleted: its successor takes its place
            self._followed, self._followed_row = self.model.row_id(row), row
            self._select_row(row)
            self._announce(self._followed)
            return
        self._followed, self._followed_row = "", -1
        self._clear_selection()
        self._announce("")

    def _tell_status_bar(self, text: str) -> None:
        if not self.isVisible():
            return  # a table on another page: its own strip says so when the clerk goes there
        window = self.window()
        bar = getattr(window, "statusBar", None)
        if callable(bar) and window is not self:
            bar().showMessage(text, 15000)

    def current_id(self) -> str:
        idx = self.view.currentIndex()
        if not idx.isValid() or not self.view.selectionModel().isRowSelected(idx.row()):
            return ""
        try:
            return self.model.row_id(idx.row())
        except IndexError:
            return ""

    def current_row(self) -> dict | None:
        if not self.current_id():
            return None
        row = self.model.row_mapping(self.view.currentIndex().row())
        return dict(row) if row else None

    def select_first(self) -> None:
        if self.model.rowCount() > 0:
            self.view.selectRow(0)
            self.view.setCurrentIndex(self.model.index(0, 0))

    def status_text(self) -> str:
        if not self.model.count_exact:  # the first page is shown, the exact count is on its way
            return f"至少 {self.model.shown_count:,} 条（正在计数…）"
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
        state = self.ctx.settings.value(keys.table_state(self.state_key))
        if state:
            self.view.horizontalHeader().restoreState(state)
        self.view.horizontalHeader().sectionResized.connect(lambda *_: self.save_state())
        self.view.horizontalHeader().sectionMoved.connect(lambda *_: self.save_state())

    def save_state(self) -> None:
        self.ctx.settings.setValue(keys.table_state(self.state_key), self.view.horizontalHeader().saveState())
