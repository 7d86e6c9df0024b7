"""A source with a slow COUNT(*) is counted off the GUI thread: the first page shows at once, the table grows
to the exact count when it arrives, a count overtaken by a newer query is dropped, a short list needs none."""

from __future__ import annotations

import threading
from typing import Any

from page_sources import ListPageSource

from oldcomm_desktop.gui.paged_model import Column, PagedTableModel, PageQuery

COLUMNS = [Column("id", "编号"), Column("name", "名称")]


def _row(i: int) -> dict[str, Any]:
    return {"id": i + 1, "name": f"幸福里{i % 7}"}


class SlowCountSource(ListPageSource):
    """Counts only when the test opens the gate, on whatever thread asks (the model's worker)."""

    count_in_background = True

    def __init__(self, n: int) -> None:
        super().__init__(COLUMNS, n, _row)
        self.gate = threading.Event()
        self.threads: list[str] = []

    def count(self, query: PageQuery) -> int:
        self.threads.append(threading.current_thread().name)
        assert self.gate.wait(10)
        return super().count(query)


def test_first_page_at_once_then_the_exact_count(qtbot) -> None:
    source = SlowCountSource(1_234)
    model = PagedTableModel(source, page_size=100)
    assert model.rowCount() == 100 and not model.count_exact  # the first page, painted without waiting
    assert model.data(model.index(99, 1)) == _row(99)["name"]
    with qtbot.waitSignal(model.count_changed, timeout=5000) as got:
        source.gate.set()
    assert got.args == [1_234] and model.rowCount() == 1_234 and model.count_exact
    assert source.threads and all(t != threading.main_thread().name for t in source.threads)
    assert model.row_mapping(1_233)["id"] == 1_234  # the end is known now: read from there


def test_a_count_overtaken_by_a_new_query_is_dropped(qtbot) -> None:
    source = SlowCountSource(1_000)
    model = PagedTableModel(source, page_size=100)
    model.set_query(PageQuery(search="幸福里3"))  # 1,000 / 7 → 143 rows: more than a page, counted again
    source.gate.set()
    assert model.wait_for_count(5)
    assert model.rowCount() == len([i for i in range(1_000) if "幸福里3" in str(_row(i)["name"])])


def test_a_list_shorter_than_a_page_is_counted_by_its_page(qtbot) -> None:
    source = SlowCountSource(42)
    model = PagedTableModel(source, page_size=100)
    assert model.rowCount() == 42 and model.count_exact and source.threads == []  # no count query at all


def test_sources_without_the_flag_count_at_once(qtbot) -> None:
    source = ListPageSource(COLUMNS, 1_000, _row)
    model = PagedTableModel(source, page_size=100)
    assert model.rowCount() == 1_000 and model.count_exact and len(source.count_calls) == 1


class SeekingSource(SlowCountSource):
    """Also seeks (`fetch_near`) and gives landmarks: records the anchors the model hands it."""

    def __init__(self, n: int) -> None:
        super().__init__(n)
        self.gate.set()
        self.anchors: list[Any] = []
        self.asked_every: list[int] = []

    def fetch_near(self, query, offset, limit, *, total=None, anchor=None):
        self.anchors.append(anchor)
        return [{**_row(i), "_k0": i} for i in range(offset, min(offset + limit, self._n))]

    def landmarks(self, query: PageQuery, every: int, total: int | None = None):
        self.asked_every.append(every)
        return [(at, {"_k0": at}) for at in range(0, self._n, every)]


def test_landmarks_arrive_after_the_count_and_a_far_jump_seeks_from_one(qtbot) -> None:
    from oldcomm_desktop.gui import jobs

    source = SeekingSource(100_000)
    model = PagedTableModel(source, page_size=100)
    assert model.wait_for_count(5) and model.rowCount() == 100_000
    qtbot.waitUntil(lambda: len(source.asked_every) == 1 and not jobs.running_jobs(), timeout=5000)
    qtbot.waitUntil(lambda: len(model._landmarks) > 10, timeout=5000)
    every = source.asked_every[0]
    assert 100_000 // every < 1000  # a bounded number of keys
    source.anchors.clear()
    assert model.row_mapping(50_050)["id"] == 50_051
    at, row = source.anchors[-1]
    assert abs(at - 50_000) <= every and row["_k0"] == at  # sought from the nearest landmark
