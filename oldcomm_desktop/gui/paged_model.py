"""A table model that shows hundreds of thousands of rows without loading them.

Why windowed and not a Python list: loading 200,000 ledger rows into a list costs ~0.9 s and ~265 MB
before the first paint, and a QSortFilterProxyModel over it sorts in ~12 s on the GUI thread
(tech-notes §4). Here the source answers ``COUNT(*)`` once per query (so the scrollbar is true) and
hands out pages of rows on demand; sorting and searching are pushed down to the source (SQL with a
(column, id) index), never done in Python.

The model knows nothing about our domain: anything with ``columns``, ``count`` and ``fetch`` works,
which keeps the SQL in the core and lets tests use an in-memory source.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol, runtime_checkable

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

__all__ = [
    "Align",
    "Column",
    "PageQuery",
    "PageSource",
    "PagedTableModel",
    "ROW_ID_ROLE",
    "RAW_VALUE_ROLE",
    "format_value",
    "setup_table_view",
]

log = logging.getLogger(__name__)

Align = Literal["left", "right"]

#: Role answering the row's ``id`` as ``str`` — lets delegates and context menus find the record
#: without knowing which column holds it.
ROW_ID_ROLE: int = int(Qt.ItemDataRole.UserRole) + 1
#: Role answering the unformatted value, for copy/export code that must not parse display text back.
RAW_VALUE_ROLE: int = int(Qt.ItemDataRole.UserRole) + 2

_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_NUMBER_TYPES = (int, float, decimal.Decimal)

_AnyIndex = QModelIndex | QPersistentModelIndex
MAX_LANDMARKS = 1000  # a row per page read: a few hundred KB at most
LANDMARK_DELAY_MS = 300  # after the count, before the landmarks are read on a worker (see _start_landmarks)


def format_value(value: Any) -> str:
    """Default cell text; exists so every table shows None, booleans and dates the same way (Chinese UI)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Column:
    """One visible column; ``key`` is what the source sorts and the row mapping is indexed by.

    ``align=None`` means "decide per value": numbers go right (so digits line up), text goes left.
    ``sortable=False`` is for columns the source has no index for — sorting those would be a full scan.
    """

    key: str
    title: str
    align: Align | None = None
    sortable: bool = True
    formatter: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class PageQuery:
    """Everything that changes *which* rows are shown and in what order.

    Frozen and hashable so a source can cache ``count`` per query, and so the model can tell when a
    query really changed. ``filters`` is a tuple of pairs (not a dict) for the same reason.
    """

    search: str = ""
    filters: tuple[tuple[str, Any], ...] = ()
    sort_key: str | None = None
    descending: bool = False

    def filter_value(self, key: str, default: Any = None) -> Any:
        """Sources read filters by name; a linear scan is fine for the handful a screen has."""
        for k, v in self.filters:
            if k == key:
                return v
        return default


@runtime_checkable
class PageSource(Protocol):
    """What the model needs from the data layer (typically SQLAlchemy Core ``LIMIT/OFFSET`` queries).

    ``fetch`` must apply search, filters and sort itself and return at most ``limit`` rows, each a
    mapping with at least ``"id"``; results must be stable for a given query (add ``id`` as the last
    ORDER BY term) or pages will overlap.
    """

    columns: Sequence[Column]

    def count(self, query: PageQuery) -> int: ...

    def fetch(self, query: PageQuery, offset: int, limit: int) -> list[Mapping[str, Any]]: ...


@dataclass
class _CacheStats:
    """Counters for tests and the status bar's debug view; cheap enough to keep always."""

    fetch_calls: int = 0
    rows_fetched: int = 0
    pages_evicted: int = 0
    last_error: str | None = field(default=None)
    last_exception: BaseException | None = field(default=None)
    fetch_failures: int = 0
    counts_in_background: int = 0
    last_count_seconds: float | None = None  # how long the last background count took


class PagedTableModel(QAbstractTableModel):
    """Read-only windowed model: true row count, a bounded LRU cache of pages filled lazily in ``data()``.

    Views must not ask for every row up front: keep the vertical header in ``Interactive``/``Fixed``
    mode (``ResizeToContents`` there would fetch all pages) and use uniform row heights.
    """

    #: Emitted after a new query took effect (search, filter or sort); carries the PageQuery.
    query_changed = Signal(object)
    #: Emitted with the row count after every re-query or refresh, for the status bar ("共 N 条").
    count_changed = Signal(int)
    #: Emitted (queued, never from inside a paint) when the source raised while fetching a page.
    fetch_failed = Signal(str)

    def __init__(
        self,
        source: PageSource,
        parent: QObject | None = None,
        *,
        page_size: int = 500,
        max_pages: int = 20,
        query: PageQuery | None = None,
        count_in_background: bool | None = None,
    ) -> None:
        super().__init__(parent)
        if page_size < 1 or max_pages < 1:
            raise ValueError("page_size and max_pages must be positive")
        self._source = source
        self._columns: tuple[Column, ...] = tuple(source.columns)
        self._page_size = page_size
        self._max_pages = max_pages
        self._query = query or PageQuery()
        self._pages: OrderedDict[int, Sequence[Mapping[str, Any]]] = OrderedDict()
        # First rows of pages read since the last query (their sort keys): a jump lands near one of them
        # and is sought from it, even after the page itself left the cache.
        self._landmarks: dict[int, Mapping[str, Any]] = {}
        # The page the last data() call used; a screenful of cells nearly always hits it, so the
        # OrderedDict bookkeeping runs once per page switch instead of once per cell and role.
        self._hot_no = -1
        self._hot_rows: Sequence[Mapping[str, Any]] = ()
        self.stats = _CacheStats()
        # A source whose COUNT(*) is slow on a big ledger (two million items: 0.1–0.5 s) is counted off the GUI
        # thread: the first page is read and painted at once, the exact count follows (the source says so
        # with `count_in_background = True`; a list shorter than a page is counted by its first page).
        if count_in_background is None:
            count_in_background = bool(getattr(source, "count_in_background", False))
        self._count_in_background = count_in_background
        self._count_exact = True
        self._count_generation = 0
        self._count_job: Any = None
        self._landmark_job: Any = None
        self._count = 0
        self._count = self._first_count()

    # ------------------------------------------------------------------ public API

    @property
    def source(self) -> PageSource:
        return self._source

    @property
    def query(self) -> PageQuery:
        return self._query

    @property
    def columns(self) -> tuple[Column, ...]:
        return self._columns

    @property
    def shown_count(self) -> int:
        """Rows matching the current query — what the status bar shows, not what is cached."""
        return self._count

    @property
    def count_exact(self) -> bool:
        """False while the exact count is still being computed in the background (`shown_count` is then the
        rows read so far); `count_changed` is emitted again when it arrives."""
        return self._count_exact

    def wait_for_count(self, timeout: float = 30.0) -> bool:
        """Block until a background count has arrived and taken effect (benchmarks and tests only)."""
        from PySide6.QtCore import QCoreApplication, QDeadlineTimer

        deadline = QDeadlineTimer(int(timeout * 1000))
        while not self._count_exact and not deadline.hasExpired():
            QCoreApplication.processEvents()
            job = self._count_job
            if job is not None:
                job.wait(0.005)
        return self._count_exact

    @property
    def landmarks_pending(self) -> bool:
        """True while the landmarks asked for after the count are still being read (benchmarks, tests)."""
        return self._landmark_job is not None

    @property
    def page_size(self) -> int:
        return self._page_size

    @property
    def cached_page_count(self) -> int:
        """Exposed so tests (and a debug view) can prove memory stays bounded."""
        return len(self._pages)

    def column_index(self, key: str) -> int:
        """Callers sort/hide by key so they survive column reordering; -1 if unknown."""
        for i, col in enumerate(self._columns):
            if col.key == key:
                return i
        return -1

    def set_query(self, query: PageQuery) -> None:
        """Replace search/filter/sort and re-count; a reset because every row may now be different."""
        self.beginResetModel()
        self._query = query
        self._drop_cache()
        self._count = self._first_count()
        self.endResetModel()
        self.query_changed.emit(query)
        self.count_changed.emit(self._count)

    def set_search(self, text: str) -> None:
        """Shortcut for the search box; keeps filters and sort."""
        self.set_query(replace(self._query, search=text))

    def refresh(self) -> None:
        """Re-read after an edit or import, keeping the query *and* the user's scroll position.

        A model reset would jump the view to the top; instead the tail is inserted/removed to match
        the new count and every cell is marked changed, so only the visible page is fetched again.
        """
        self._drop_cache()
        self._count_generation += 1  # a background count of before the edit would be stale
        self._count_exact = True
        new_count = self._safe_count()
        self._start_landmarks(self._count_generation, new_count)
        old_count = self._count
        if new_count < old_count:
            self.beginRemoveRows(QModelIndex(), new_count, old_count - 1)
            self._count = new_count
            self.endRemoveRows()
        elif new_count > old_count:
            self.beginInsertRows(QModelIndex(), old_count, new_count - 1)
            self._count = new_count
            self.endInsertRows()
        if self._count and self._columns:
            self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, len(self._columns) - 1))
        self.count_changed.emit(self._count)

    def row_mapping(self, row: int) -> Mapping[str, Any] | None:
        """The source's mapping for a row (fetching its page if needed); None if out of range."""
        if row < 0 or row >= self._count:
            return None
        page_no, within = divmod(row, self._page_size)
        rows = self._page(page_no)
        return rows[within] if within < len(rows) else None

    def find_row(self, record_id: str, hint: int = -1, *, scan_pages: int = 20) -> int:
        """The row showing `record_id` under the current query, or -1: how a view keeps its record.

        Cheapest first: the row it was on (`hint`, whose page the view needs anyway), the pages already
        cached, then the source's own ``position`` (one SQL query) if it has one; a source without it is
        scanned for at most `scan_pages` pages, so a missing record never reads a whole big table.
        """
        if not record_id:
            return -1
        if 0 <= hint < self._count:
            mapping = self.row_mapping(hint)
            if mapping is not None and str(mapping["id"]) == record_id:
                return hint
        for page_no, rows in list(self._pages.items()):
            for within, mapping in enumerate(rows):
                if str(mapping["id"]) == record_id:
                    return page_no * self._page_size + within
        position = getattr(self._source, "position", None)
        if callable(position):
            try:
                found = position(self._query, record_id)
            except Exception:  # a lookup that fails is a lookup that found nothing; the model goes on
                log.exception("page source position() failed for %r", self._query)
                return -1
            if found is None or not 0 <= found < self._count:
                return -1
            mapping = self.row_mapping(found)  # the page the view is about to show anyway: never a wrong row
            return found if mapping is not None and str(mapping["id"]) == record_id else -1
        for page_no in range(min(scan_pages, -(-self._count // self._page_size))):
            for within, mapping in enumerate(self._page(page_no)):
                if str(mapping["id"]) == record_id:
                    return page_no * self._page_size + within
        return -1

    def row_id(self, row: int) -> str:
        """The record id as text, so callers never depend on whether the key is int or UUID."""
        mapping = self.row_mapping(row)
        if mapping is None:
            raise IndexError(f"row {row} is not shown (count {self._count})")
        return str(mapping["id"])

    # ------------------------------------------------------------------ Qt overrides

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._columns)

    def flags(self, index: _AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES_WITH_DATA or not index.isValid():
            return None
        row = index.row()
        if row >= self._count:
            return None
        page_no, within = divmod(row, self._page_size)
        rows = self._hot_rows if page_no == self._hot_no else self._page(page_no)
        if within >= len(rows):
            return None  # the table shrank under us; the next refresh() fixes the count
        mapping = rows[within]
        if role == ROW_ID_ROLE:
            return str(mapping["id"])
        col = self._columns[index.column()]
        value = mapping.get(col.key)
        if role == _DISPLAY or role == _TOOLTIP:
            text = col.formatter(value) if col.formatter is not None else format_value(value)
            if role == _TOOLTIP:
                # Only long text gets a tooltip; the column is probably too narrow for it.
                return text if len(text) > 20 else None
            return text
        if role == _ALIGN:
            if col.align == "right":
                return _RIGHT
            if col.align == "left":
                return _LEFT
            return _RIGHT if isinstance(value, _NUMBER_TYPES) and not isinstance(value, bool) else _LEFT
        return value  # EditRole / RAW_VALUE_ROLE

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            col = self._columns[section]
            if role == _DISPLAY:
                return col.title
            if role == _ALIGN:
                return _RIGHT if col.align == "right" else _LEFT
            return None
        return super().headerData(section, orientation, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Hand the order to the source (SQL ORDER BY); columns marked unsortable are ignored."""
        if column < 0 or column >= len(self._columns):
            key: str | None = None
        else:
            col = self._columns[column]
            if not col.sortable:
                return
            key = col.key
        # Without a key the direction means nothing; normalising it keeps "unsorted" a single query.
        descending = key is not None and order == Qt.SortOrder.DescendingOrder
        if key == self._query.sort_key and descending == self._query.descending:
            return  # QTableView re-sends the current order on setSortingEnabled; don't re-count for it
        self.set_query(replace(self._query, sort_key=key, descending=descending))

    # ------------------------------------------------------------------ internals

    def _drop_cache(self) -> None:
        self._landmarks.clear()
        self._pages.clear()
        self._hot_no = -1
        self._hot_rows = ()

    def _first_count(self) -> int:
        """The row count for a new query: exact at once, or (counting in background) the first page's rows
        while the exact count runs on a worker thread (`_count_arrived` then grows the table)."""
        self._count_generation += 1
        self._count_exact = True
        if not self._count_in_background:
            return self._safe_count()
        self._count_exact = False  # the first page is read from the top, whatever the old count was
        try:
            rows = list(self._fetch(0))
        except Exception as exc:
            log.exception("page source fetch() failed for the first page of %r", self._query)
            self._report_error(exc)
            self._count_exact = True
            return self._safe_count()
        self.stats.fetch_calls += 1
        self.stats.rows_fetched += len(rows)
        self._pages[0] = rows
        if len(rows) < self._page_size:
            self._count_exact = True
            return len(rows)  # the whole list is on the first page: nothing more to count
        self._start_count(self._count_generation, self._query)
        return len(rows)

    def _start_count(self, generation: int, query: PageQuery) -> None:
        import time

        from oldcomm_desktop.gui.jobs import Job

        source = self._source

        def work(_progress: Any) -> tuple[int, float]:
            t = time.perf_counter()
            return int(source.count(query)), time.perf_counter() - t

        job: Any = Job(work, self)
        job.finished.connect(lambda: self._count_arrived(generation, job))
        self._count_job = job
        self.stats.counts_in_background += 1
        job.start()

    def _count_arrived(self, generation: int, job: Any) -> None:
        if self._count_job is job:
            self._count_job = None
        if generation != self._count_generation:
            return  # a newer query or a refresh counted since
        try:
            new_count, seconds = job.result()
        except Exception as exc:  # the table keeps the rows it has; the error is reported like a fetch's
            log.exception("page source count() failed for %r", self._query)
            self._report_error(exc)
            self._count_exact = True
            return
        self.stats.last_count_seconds = seconds
        self._count_exact = True
        self._start_landmarks(generation, new_count)
        old_count = self._count
        new_count = max(0, new_count)
        if new_count > old_count:
            self.beginInsertRows(QModelIndex(), old_count, new_count - 1)
            self._count = new_count
            self.endInsertRows()
        elif new_count < old_count:  # changed under us between the page and the count
            self.beginRemoveRows(QModelIndex(), new_count, old_count - 1)
            self._count = new_count
            self.endRemoveRows()
        self.count_changed.emit(self._count)

    def _start_landmarks(self, generation: int, total: int) -> None:
        """Ask a source that can (`landmarks(query, every)`: sort keys of every n-th row, from its index) for
        a row to seek from near any row, on a worker thread: a jump to the middle of two million items then
        costs what a page does instead of an OFFSET over a million rows."""
        landmarks = getattr(self._source, "landmarks", None)
        if landmarks is None or not self._count_in_background or total <= 4 * self._page_size:
            return
        from oldcomm_desktop.gui.jobs import Job

        every = max(2 * self._page_size, -(-total // (MAX_LANDMARKS - 100)))
        query = self._query
        # a moment later, not at once: the table's first paint (the window's, at start-up) does not share the
        # interpreter with a worker stepping through the index; no one drags the scroll bar within it
        waiting = object()
        self._landmark_job = waiting

        def start() -> None:
            if self._landmark_job is waiting and generation == self._count_generation:
                self._start_landmark_job(Job(lambda _progress: landmarks(query, every, total), self), generation)
            elif self._landmark_job is waiting:
                self._landmark_job = None

        QTimer.singleShot(LANDMARK_DELAY_MS, self, start)

    def _start_landmark_job(self, job: Any, generation: int) -> None:
        self._landmark_job = job

        def arrived() -> None:
            if self._landmark_job is job:
                self._landmark_job = None
            if generation != self._count_generation or job.error is not None:
                return  # stale, or failed: the table still works, with OFFSET for far jumps
            for at, keys in job.result():
                self._landmarks.setdefault(at, keys)

        job.finished.connect(arrived)
        job.start()

    def _safe_count(self) -> int:
        try:
            return max(0, int(self._source.count(self._query)))
        except Exception as exc:  # a broken query must not take the whole window down
            log.exception("page source count() failed for %r", self._query)
            self._report_error(exc)
            return 0

    def _page(self, page_no: int) -> Sequence[Mapping[str, Any]]:
        rows = self._pages.get(page_no)
        if rows is not None:
            self._pages.move_to_end(page_no)
        else:
            try:
                rows = list(self._fetch(page_no))
            except Exception as exc:
                # Cache the empty page so a failing source is not hit again for every cell painted;
                # refresh() or a new query retries.
                log.exception("page source fetch() failed for page %d of %r", page_no, self._query)
                self._report_error(exc)
                rows = []
            else:
                self.stats.fetch_calls += 1
                self.stats.rows_fetched += len(rows)
            self._pages[page_no] = rows
            while len(self._pages) > self._max_pages:
                self._pages.popitem(last=False)
                self.stats.pages_evicted += 1
        self._hot_no = page_no
        self._hot_rows = rows
        return rows

    def _fetch(self, page_no: int) -> Sequence[Mapping[str, Any]]:
        """One page from the source; a source that can seek (``fetch_near``) is handed a neighbouring row
        already cached and the total, so a deep page costs what the first does (no OFFSET over every row
        before it: Ctrl+End or dragging the scroll bar on 200,000 rows)."""
        offset = page_no * self._page_size
        fetch_near = getattr(self._source, "fetch_near", None)
        if fetch_near is None:
            return self._source.fetch(self._query, offset, self._page_size)
        anchor = None
        before, after = self._pages.get(page_no - 1), self._pages.get(page_no + 1)
        if before:
            anchor = (offset - self._page_size + len(before) - 1, before[-1])
        elif after:
            anchor = ((page_no + 1) * self._page_size, after[0])
        elif self._landmarks:  # the nearest row seen, if it is nearer than either end of the list
            at = min(self._landmarks, key=lambda i: abs(i - offset))
            if abs(at - offset) < min(offset, max(0, self._count - offset - self._page_size)):
                anchor = (at, self._landmarks[at])
        total = self._count if self._count_exact else None  # read from the end only once the end is known
        rows = fetch_near(self._query, offset, self._page_size, total=total, anchor=anchor)
        if rows:
            if len(self._landmarks) >= MAX_LANDMARKS:
                self._landmarks.pop(next(iter(self._landmarks)))
            self._landmarks[offset] = rows[0]
        return rows

    def _report_error(self, exc: Exception) -> None:
        message = f"{type(exc).__name__}: {exc}"
        self.stats.last_error = message
        self.stats.last_exception = exc  # for a Chinese message (gui.errors.describe), never the raw text
        self.stats.fetch_failures += 1
        # Deferred: this may run inside a paint event, where opening a message box is not allowed.
        QTimer.singleShot(0, self, lambda: self.fetch_failed.emit(message))


def setup_table_view(view: QTableView, model: PagedTableModel) -> None:
    """Attach ``model`` to ``view`` avoiding the settings that silently defeat the windowing.

    - ``ResizeToContents`` on the vertical header would measure (so fetch) every row: rows are fixed.
    - ``setSortingEnabled(True)`` re-sorts by the header's default indicator (column 0, descending);
      the indicator is first set from the model's query so enabling sorting issues no query.
    - Clicking an unsortable column would move the arrow although nothing was re-sorted; the arrow is
      put back to what the source actually sorted by.
    - Tab walking cell by cell traps a keyboard user in a table of 200,000 rows: Tab leaves it (as in WPS
      lists), the arrow keys move within.
    """
    view.setModel(model)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)  # Tab leaves the table for the next control; the arrows move within it
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    rows = view.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setSortIndicatorShown(True)
    header.setSectionsClickable(True)

    def sync_indicator(*_: object) -> None:
        q = model.query
        section = model.column_index(q.sort_key) if q.sort_key is not None else -1
        order = Qt.SortOrder.DescendingOrder if q.descending else Qt.SortOrder.AscendingOrder
        if (header.sortIndicatorSection(), header.sortIndicatorOrder()) != (section, order):
            blocked = header.blockSignals(True)
            header.setSortIndicator(section, order)
            header.blockSignals(blocked)

    sync_indicator()
    view.setSortingEnabled(True)
    # Connected after the view's own slot, so this runs once the model has (or has not) re-sorted.
    header.sortIndicatorChanged.connect(sync_indicator)
    model.query_changed.connect(sync_indicator)


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_EDIT = int(Qt.ItemDataRole.EditRole)
_ROLES_WITH_DATA = frozenset({_DISPLAY, _TOOLTIP, _ALIGN, _EDIT, ROW_ID_ROLE, RAW_VALUE_ROLE})
