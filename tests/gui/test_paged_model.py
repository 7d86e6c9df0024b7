"""The windowed model must stay cheap at 200,000 rows: a true count, but only the pages a view shows."""

from __future__ import annotations

from typing import Any

import pytest
from page_sources import ListPageSource
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView

from oldcomm_desktop.gui.paged_model import (
    RAW_VALUE_ROLE,
    ROW_ID_ROLE,
    Column,
    PagedTableModel,
    PageQuery,
    format_value,
    setup_table_view,
)

N = 200_000
PAGE = 500

COLUMNS = [
    Column("id", "编号", align="right"),
    Column("name", "小区名称"),
    Column("district", "所在区"),
    Column("households", "户数"),
    Column("area", "建筑面积（㎡）", formatter=lambda v: f"{v:,.2f}"),
    Column("note", "备注", sortable=False),
]
DISTRICTS = ["鼓楼区", "玄武区", "秦淮区", "建邺区"]


def make_row(i: int) -> dict[str, Any]:
    return {
        "id": i + 1,
        "name": f"幸福里小区{i:06d}",
        "district": DISTRICTS[i % 4],
        "households": (i * 37) % 900,
        "area": 1000.0 + (i * 7919) % 50_000 / 4,
        "note": None if i % 3 else "需加装电梯",
    }


@pytest.fixture
def source() -> ListPageSource:
    return ListPageSource(COLUMNS, N, make_row)


@pytest.fixture
def view(qtbot, source: ListPageSource) -> QTableView:
    model = PagedTableModel(source, page_size=PAGE, max_pages=20)
    table = QTableView()
    setup_table_view(table, model)
    model.setParent(table)
    table.resize(900, 600)
    qtbot.addWidget(table)
    table.show()
    qtbot.waitExposed(table)
    return table


def visible_rows(table: QTableView) -> range:
    """Row range the viewport shows, read off the view rather than assumed from its size."""
    first = table.rowAt(0)
    last = table.rowAt(table.viewport().height() - 1)
    if last < 0:
        last = table.model().rowCount() - 1
    return range(first, last + 1)


def read_screen(table: QTableView) -> list[list[str]]:
    table.grab()  # paints the viewport, i.e. the data() calls a real screen makes
    model = table.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in visible_rows(table)]


def test_true_count_but_first_screen_fetches_at_most_two_pages(view: QTableView, source: ListPageSource):
    model: PagedTableModel = view.model()
    assert model.rowCount() == N
    assert model.shown_count == N
    screen = read_screen(view)
    assert screen[0][:3] == ["1", "幸福里小区000000", "鼓楼区"]
    assert len(screen) > 5
    assert len(source.fetch_calls) <= 2
    assert source.rows_fetched <= 2 * PAGE
    # the scrollbar is real: its range covers all rows, not just what was fetched
    assert view.verticalScrollBar().maximum() > N // 2


def test_jump_to_last_row_fetches_only_that_page(view: QTableView, source: ListPageSource):
    read_screen(view)
    before = len(source.fetch_calls)
    view.scrollToBottom()
    screen = read_screen(view)
    new_offsets = {offset for _, offset, _ in source.fetch_calls[before:]}
    assert new_offsets == {N - PAGE}
    assert screen[-1][1] == f"幸福里小区{N - 1:06d}"
    assert view.model().row_id(N - 1) == str(N)


def test_sort_is_delegated_to_source(view: QTableView, source: ListPageSource, qtbot):
    model: PagedTableModel = view.model()
    view.setSortingEnabled(True)
    with qtbot.waitSignals([model.query_changed, model.count_changed]):
        view.sortByColumn(COLUMNS.index(next(c for c in COLUMNS if c.key == "area")), Qt.DescendingOrder)
    assert model.query.sort_key == "area" and model.query.descending
    assert source.count_calls[-1] == PageQuery(sort_key="area", descending=True)
    screen = read_screen(view)
    assert source.fetch_calls[-1][0] == PageQuery(sort_key="area", descending=True)
    # the model shows the source's order; it never re-sorts rows itself
    top = source.fetch(PageQuery(sort_key="area", descending=True), 0, 1)[0]
    assert screen[0][0] == str(top["id"])
    assert model.index(0, 4).data(RAW_VALUE_ROLE) == max(make_row(i)["area"] for i in range(N))


def test_header_clicks_sort_in_source_and_skip_unsortable(view: QTableView, source: ListPageSource):
    model: PagedTableModel = view.model()
    header = view.horizontalHeader()
    assert source.count_calls == [PageQuery()]  # enabling sorting did not re-query
    assert header.sortIndicatorSection() == -1

    def click(key: str) -> None:
        x = header.sectionViewportPosition(model.column_index(key)) + 5
        QTest.mouseClick(header.viewport(), Qt.LeftButton, Qt.NoModifier, QPoint(x, 5))

    click("name")
    assert model.query == PageQuery(sort_key="name")
    click("name")
    assert model.query == PageQuery(sort_key="name", descending=True)
    click("note")  # not sortable: nothing re-queried, the arrow stays on 小区名称
    assert model.query == PageQuery(sort_key="name", descending=True)
    assert header.sortIndicatorSection() == model.column_index("name")
    assert len(source.count_calls) == 3


def test_unsortable_column_is_ignored(source: ListPageSource):
    model = PagedTableModel(source)
    model.sort(COLUMNS.index(next(c for c in COLUMNS if not c.sortable)), Qt.AscendingOrder)
    assert model.query == PageQuery()
    assert len(source.count_calls) == 1


def test_cache_stays_bounded_while_scrolling(view: QTableView, source: ListPageSource):
    model: PagedTableModel = view.model()
    bar = view.verticalScrollBar()
    for step in range(60):
        bar.setValue(bar.maximum() * step // 59)
        read_screen(view)
        assert model.cached_page_count <= 20
    assert len(source.fetch_calls) >= 40
    assert model.stats.pages_evicted >= 20
    assert source.rows_fetched <= 2 * PAGE * 60


def test_set_query_recounts_and_signals(source: ListPageSource, qtbot):
    model = PagedTableModel(source)
    with qtbot.waitSignal(model.count_changed) as counted:
        model.set_query(PageQuery(filters=(("district", "秦淮区"),)))
    assert counted.args == [N // 4]
    assert model.rowCount() == N // 4
    assert model.index(0, 2).data() == "秦淮区"
    model.set_search("幸福里小区00012")
    assert model.query.filters == (("district", "秦淮区"),)
    assert model.rowCount() == 2  # of 000120..000129 only 122 and 126 are in 秦淮区 (i % 4 == 2)


def test_refresh_keeps_query_and_picks_up_new_rows(source: ListPageSource, qtbot):
    model = PagedTableModel(source, query=PageQuery(sort_key="name"))
    assert model.index(10, 1).data() == "幸福里小区000010"
    fetched = len(source.fetch_calls)
    model.index(10, 1).data()
    assert len(source.fetch_calls) == fetched  # cached
    source.set_size(N + 5)
    with qtbot.waitSignal(model.rowsInserted):
        model.refresh()
    assert model.rowCount() == N + 5
    assert model.query == PageQuery(sort_key="name")
    model.index(10, 1).data()
    assert len(source.fetch_calls) == fetched + 1  # cache dropped
    source.set_size(10)
    with qtbot.waitSignal(model.rowsRemoved):
        model.refresh()
    assert model.rowCount() == 10


def test_alignment_formatting_and_roles(source: ListPageSource):
    model = PagedTableModel(source)
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    align = Qt.ItemDataRole.TextAlignmentRole
    assert model.index(0, 0).data(align) == right  # explicit
    assert model.index(0, 1).data(align) == left  # text
    assert model.index(0, 3).data(align) == right  # int, decided per value
    assert model.index(0, 4).data(align) == right  # float
    assert model.index(0, 4).data() == "1,000.00"
    assert model.index(1, 5).data() == ""  # None shows as empty, not "None"
    assert model.index(3, 0).data(ROW_ID_ROLE) == "4"
    assert model.headerData(1, Qt.Orientation.Horizontal) == "小区名称"
    assert model.row_mapping(2)["district"] == "秦淮区"
    assert model.row_mapping(N) is None
    with pytest.raises(IndexError):
        model.row_id(N)
    assert model.column_index("households") == 3 and model.column_index("nope") == -1
    assert format_value(True) == "是"


def test_qt_model_contract(qtmodeltester):
    small = ListPageSource(COLUMNS, 1_234, make_row)
    qtmodeltester.check(PagedTableModel(small, page_size=100, max_pages=3))


def test_failing_source_reports_instead_of_raising(qtbot):
    class Broken(ListPageSource):
        def fetch(self, query, offset, limit):
            super().fetch(query, offset, limit)
            raise RuntimeError("数据库已锁定")

    broken = Broken(COLUMNS, 1000, make_row)
    model = PagedTableModel(broken)
    with qtbot.waitSignal(model.fetch_failed) as failed:
        assert model.index(0, 1).data() is None
        assert model.index(1, 1).data() is None
    assert "数据库已锁定" in failed.args[0]
    assert len(broken.fetch_calls) == 1  # the failed page is not re-fetched for every cell
