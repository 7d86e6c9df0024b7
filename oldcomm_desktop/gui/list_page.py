"""The kit every list page is built from: a RecordTable, its row actions, an optional detail pane below it
in a splitter whose position is remembered, and the delete/restore plumbing.

Row actions are QActions, so one definition serves three places: the keyboard (Enter edits, Delete
deletes, while the table has the focus), the row's context menu (right click, or the menu key /
Shift+F10 on the selected row) and the window's 编辑 menu (the main window shows the current page's
`edit_actions()` there). Actions that need a row are disabled while none is selected, and so are the
buttons made from them.

Small lists (a catalogue of a few dozen entries, a report's rows) sit on the same RecordTable through
`SmallListSource`: a core function returns the whole list for a search, filters and a sort, and the
model pages it like any other, so selection by record, row actions and remembered columns work alike.

Also here: the one list of townships a clerk may choose (county mode: all of them; township mode: only
the database's own), which every filter and form asks for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QKeyCombination, QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from oldcomm_desktop.core import townships, workspace
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.gui import colours, commands
from oldcomm_desktop.gui import settings_keys as keys
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.paged_model import Column, PageQuery
from oldcomm_desktop.gui.pages.base import Page
from oldcomm_desktop.gui.record_table import RecordTable
from oldcomm_desktop.gui.widgets import ask, open_dialog, push_button

# key sequences are made when an action is (a QKeySequence needs the application to exist)
EDIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)  # Enter: edit (or open) the selected row
DELETE_KEYS = (Qt.Key.Key_Delete,)  # Delete: delete (after asking)
RESTORE_KEYS = EDIT_KEYS  # in the recycle bin Enter restores


# -- choices every page asks for ---------------------------------------------------------------------------
def township_choices(ctx: AppContext) -> list[tuple[str, str]]:
    """(code, name) of the townships the clerk may pick: all in county mode, the own one in township mode."""
    return ctx.read(townships.choices)


def is_county(ctx: AppContext) -> bool:
    return ctx.read(workspace.mode) == workspace.COUNTY


# -- a small list as a page source ------------------------------------------------------------------------
class SmallListSource:
    """A PageSource over a core function returning every row of a small list: `read(session, query)`.

    The core function applies the search, filters and sort (a catalogue's few dozen rows: in Python is
    fine); the model pages the result. `count` re-reads (the model counts first after every query or
    write), `fetch` serves the same query's rows from that read. Rows need an "id" (what selection follows).
    """

    def __init__(
        self,
        ctx: AppContext,
        columns: Sequence[Column],
        read: Callable[[Any, PageQuery], list[dict]],
        *,
        session: bool = True,
    ):
        self.ctx = ctx
        self.columns = list(columns)
        self.read = read
        self.session = session  # False: `read(None, query)` serves rows the page already holds (a report's)
        self._rows: tuple[PageQuery, list[dict]] | None = None

    def rows(self, query: PageQuery, *, fresh: bool = False) -> list[dict]:
        if fresh or self._rows is None or self._rows[0] != query:
            rows = self.ctx.read(lambda s: self.read(s, query)) if self.session else self.read(None, query)
            self._rows = (query, rows)
        return self._rows[1]

    def count(self, query: PageQuery) -> int:
        return len(self.rows(query, fresh=True))

    def fetch(self, query: PageQuery, offset: int, limit: int) -> list[Mapping[str, Any]]:
        return self.rows(query)[offset : offset + limit]

    def position(self, query: PageQuery, record_id: str) -> int | None:
        for i, row in enumerate(self.rows(query)):
            if str(row["id"]) == record_id:
                return i
        return None


def query_rows(rows: Iterable[Mapping[str, Any]], query: PageQuery, search_keys: Sequence[str]) -> list[dict]:
    """A small list already read (a report's rows) searched, filtered and sorted as a PageQuery asks:
    the search in any of `search_keys` (or its pinyin initials), each filter by equality, text sorted by
    pinyin as WPS does, empty values last."""
    from oldcomm_desktop.core import pinyin_search

    needle = query.search.strip().lower()
    needles = pinyin_search.search_forms(needle)  # 建設路 finds 建设路 too
    out = []
    for row in rows:
        if any(row.get(k) != v for k, v in query.filters):
            continue
        if needle and not any(
            n in str(row.get(k) or "").lower()
            or any(n in v for v in pinyin_search.search_text(str(row.get(k) or "")).split())
            for k in search_keys
            for n in needles
        ):
            continue
        out.append(dict(row))
    key = query.sort_key
    if key:
        def order(row: dict) -> tuple:
            value = row.get(key)
            if value is None or value == "":
                return (1, 0, "")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return (0, value, "")
            return (0, 0, pinyin_search.sort_key(str(value)))

        filled = [r for r in out if r.get(key) not in (None, "")]
        empty = [r for r in out if r.get(key) in (None, "")]
        out = sorted(filled, key=order, reverse=query.descending) + empty
    return out


class RoleTextDelegate(QStyledItemDelegate):
    """One column's text in a colours.py role the row decides (审核通过 green, 退回 red …), asked while
    painting, so the colour follows a live switch to dark mode. The paged model stays domain-free."""

    def __init__(self, column: int, role_of: Callable[[Mapping[str, Any]], str | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.column = column
        self.role_of = role_of

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # type: ignore[override]
        super().initStyleOption(option, index)
        if index.column() != self.column:
            return
        row = getattr(index.model(), "row_mapping", lambda _r: None)(index.row())
        role = self.role_of(row) if row else None
        if role:
            option.palette.setColor(QPalette.ColorRole.Text, colours.qcolor(role))


# -- row actions ---------------------------------------------------------------------------------------------
class RowActions:
    """The actions on a table's rows: shortcuts while the table has focus, the context menu, the Edit menu."""

    def __init__(self, view: QTableView, owner: QWidget, current_id: Callable[[], str]):
        self.view = view
        self.owner = owner
        self.current_id = current_id
        self._actions: list[QAction] = []
        self._need_row: list[tuple[QAction, Callable[[], bool] | None]] = []
        self.menu: QMenu | None = None  # the context menu last shown (tests look at it)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._show_menu)
        self._keys = _KeysToActions(self)
        view.installEventFilter(self._keys)
        # the current row moves before the selection does: follow the selection, and the model being re-read
        view.selectionModel().selectionChanged.connect(lambda *_: self.update())
        model = view.model()
        model.modelReset.connect(self.update)
        self._select: Callable[[int], None] = view.selectRow

    @classmethod
    def for_table(cls, table: RecordTable, owner: QWidget) -> RowActions:
        """Row actions over a RecordTable (selection by record id, which survives re-sorting)."""
        actions = cls(table.view, owner, table.current_id)
        table.current_changed.connect(lambda _id: actions.update())

        def select(row: int) -> None:
            record_id = table.model.row_id(row)
            if record_id and record_id != table.current_id():
                table.select_id(record_id)

        actions._select = select
        return actions

    def add(
        self,
        text: str,
        name: str,
        slot: Callable[[], Any],
        *,
        shortcuts: Iterable[Qt.Key | QKeySequence] = (),
        needs_row: bool = True,
        enabled_when: Callable[[], bool] | None = None,
        tip: str = "",
    ) -> QAction:
        """An action the table's keyboard, its context menu and the Edit menu share.

        `needs_row`: enabled only while a row is selected; `enabled_when`: and only while this holds (a
        rectification still open …; call `update()` when what it reads changes)."""
        action = QAction(text, self.owner)
        action.setObjectName(name)
        action.setShortcuts([QKeySequence(k) for k in shortcuts])
        # only while the focus is in this table: Enter in the search box still searches
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.view.addAction(action)
        self._actions.append(action)
        if needs_row:
            self._need_row.append((action, enabled_when))
        self.update()
        return action

    def separator(self) -> None:
        sep = QAction(self.owner)
        sep.setSeparator(True)
        self._actions.append(sep)

    def actions(self) -> list[QAction]:
        return list(self._actions)

    def update(self) -> None:
        """Row actions are enabled only while a row is selected."""
        try:
            has = bool(self.current_id())
            for action, when in self._need_row:
                action.setEnabled(has and (when is None or bool(when())))
        except RuntimeError:  # the table is being destroyed (its model's last signals)
            return

    def button(self, action: QAction, name: str, text: str | None = None) -> QPushButton:
        """A toolbar button that triggers `action` and is enabled exactly when it is."""
        b = push_button(text or action.text(), name, action.toolTip())
        b.clicked.connect(action.trigger)
        b.setEnabled(action.isEnabled())
        action.enabledChanged.connect(b.setEnabled)
        return b

    def context_menu(self) -> QMenu:
        menu = QMenu(self.view)
        menu.setObjectName("row_menu")
        for action in self._actions:
            menu.addAction(action)
        return menu

    def _show_menu(self, pos: QPoint) -> None:
        view = self.view
        index = view.indexAt(pos)
        if index.isValid():
            self._select(index.row())  # the menu acts on the row clicked, as in a file manager
        self.menu = self.context_menu()
        self.menu.popup(view.viewport().mapToGlobal(pos))


class _KeysToActions(QObject):
    """A key press that reached the table (its shortcut did not fire: e.g. the window was not active when
    the key was sent) still triggers the row action whose shortcut it is: the actions are the one truth."""

    def __init__(self, actions: RowActions):
        super().__init__(actions.owner)
        self.row_actions = actions

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # Qt's name
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        pressed = QKeySequence(QKeyCombination(mods, Qt.Key(event.key())))
        for action in self.row_actions.actions():
            if action.isEnabled() and any(
                k.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch for k in action.shortcuts()
            ):
                action.trigger()
                return True
        return False


# -- a remembered splitter -------------------------------------------------------------------------------------
def remembered_splitter(
    ctx: AppContext,
    page: str,
    widgets: Sequence[QWidget],
    *,
    orientation: Qt.Orientation = Qt.Orientation.Vertical,
    stretch: Sequence[int] = (),
    sizes: Sequence[int] = (),
) -> QSplitter:
    """A splitter over `widgets` that comes back where the clerk left it (QSettings, per page)."""
    splitter = QSplitter(orientation)
    splitter.setObjectName(f"{page}_splitter")
    for w in widgets:
        splitter.addWidget(w)
    splitter.setChildrenCollapsible(False)
    for i, factor in enumerate(stretch):
        splitter.setStretchFactor(i, factor)
    if sizes:
        splitter.setSizes(list(sizes))
    state = ctx.settings.value(keys.splitter_state(page))
    if isinstance(state, QByteArray) and not state.isEmpty():
        splitter.restoreState(state)
    splitter.splitterMoved.connect(lambda *_: save_splitter(ctx, page, splitter))
    return splitter


def save_splitter(ctx: AppContext, page: str, splitter: QSplitter) -> None:
    ctx.settings.setValue(keys.splitter_state(page), splitter.saveState())


# -- delete and restore ------------------------------------------------------------------------------------------
def delete_record(
    parent: QWidget,
    ctx: AppContext,
    *,
    title: str,
    question: str,
    undo_text: str,
    record_id: str,
    delete: Callable[..., Any],
    restore: Callable[..., Any],
    table: str,
    version: int | None,
) -> bool:
    """Ask, then delete undoably, carrying the version the row was read at (a colleague's newer save is
    refused by the core as StaleRecord and said in Chinese); False when the clerk says no or it is refused."""
    if not ask(parent, title, question):
        return False
    try:
        commands.delete(ctx, undo_text, record_id, delete, restore, table=table, version=version)
    except OldcommError as exc:
        QMessageBox.warning(parent, "不能删除", str(exc))
        return False
    return True


def restore_record(
    ctx: AppContext,
    *,
    undo_text: str,
    record_id: str,
    restore: Callable[..., Any],
    delete: Callable[..., Any],
    table: str,
    version: int | None,
) -> Any:
    """Bring a deleted record back, undoably (undo puts it back in the bin), carrying the version the row
    was read at: a record someone restored, changed or purged since is refused (StaleRecord, said in
    Chinese by the caller). `restore`/`delete` are `fn(session, record_id, expected_version=…)`. Raises
    the core's OldcommError; the table re-reads on the write and hands the selection to the next row."""
    do = commands.record_step(ctx, record_id, restore, first_version=version)
    return commands.perform(ctx, undo_text, do, commands.record_step(ctx, record_id, delete), table=table)


# -- the page --------------------------------------------------------------------------------------------------
class ListPage(Page):
    """A page whose heart is one RecordTable: `build_table` then `add_actions`, optionally a detail pane.

    Gives the Page protocol for free: activate (select the first row), focus_search, select_first,
    save_state (columns and splitter), status text, and `edit_actions()` for the window's Edit menu.
    """

    page_key = ""  # the settings name of this page's splitter
    noun = "条记录"  # 共 1,234 条记录

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.dialog: Any = None  # the last dialog opened (tests type into it)
        self.table: RecordTable
        self.row_actions: RowActions
        self.splitter: QSplitter | None = None

    def set_table(self, table: RecordTable) -> RecordTable:
        self.table = table
        self.row_actions = RowActions.for_table(table, self)
        return table

    def split(self, top: QWidget, detail: QWidget, *, stretch: Sequence[int] = (1, 1)) -> QSplitter:
        self.splitter = remembered_splitter(self.ctx, self.page_key, [top, detail], stretch=stretch)
        return self.splitter

    # -- Page ------------------------------------------------------------------------------------------
    def activate(self) -> None:
        if not self.table.current_id():
            self.table.select_first()

    def select_first(self) -> None:
        self.table.select_first()

    def focus_search(self) -> None:
        self.table.search.setFocus()
        self.table.search.selectAll()

    def status_text(self) -> str:
        return f"共 {self.table.model.shown_count:,} {self.noun}"

    def edit_actions(self) -> list[QAction]:
        return self.row_actions.actions()

    def save_state(self) -> None:
        self.table.save_state()
        if self.splitter is not None:
            save_splitter(self.ctx, self.page_key, self.splitter)

    def open(self, dialog: Any) -> Any:
        """Open a dialog of this page without blocking and keep it as `self.dialog`."""
        self.dialog = open_dialog(dialog)
        return dialog
