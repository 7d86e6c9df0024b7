"""Record ids are time-ordered UUIDs (version 7): valid UUID text, unique, and sorted in the order made.

Why it matters: every table's primary key is this id; ids made one after another append to the right edge
of each B-tree instead of landing on random pages (the demo's cost per community grew with the database).
The clock and the random source are module-level hooks (`base._now_ms`, `base._random_bytes`), so a test
can fix both and get the same ids every time.
"""

from __future__ import annotations

import random
import threading
import time
import uuid

import pytest

from oldcomm_desktop.core.model import base
from oldcomm_desktop.core.model.base import new_id


def _ms(text: str) -> int:
    return uuid.UUID(text).int >> 80


def test_ids_carry_the_time_they_were_made_and_sort_in_that_order() -> None:
    before = time.time_ns() // 1_000_000
    ids = [new_id() for _ in range(20_000)]
    after = time.time_ns() // 1_000_000
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert before <= _ms(ids[0]) <= _ms(ids[-1]) <= after + 5  # the counter may borrow a few ms, no more
    for text in ids[::997]:
        u = uuid.UUID(text)
        assert (u.version, u.variant, str(u)) == (7, uuid.RFC_4122, text)


def test_many_ids_in_one_millisecond_still_sort_in_creation_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """A frozen clock: the 12-bit counter runs out (2,048 to 4,096 ids), the timestamp moves on by one."""
    monkeypatch.setattr(base, "_now_ms", lambda: 1_764_000_000_000)
    monkeypatch.setattr(base, "_last_ms", 0)
    ids = [new_id() for _ in range(10_000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert _ms(ids[0]) == 1_764_000_000_000
    assert 1_764_000_000_002 <= _ms(ids[-1]) <= 1_764_000_000_004
    assert all(uuid.UUID(i).version == 7 for i in ids)


def test_a_clock_that_goes_back_does_not_break_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    times = iter([5_000, 5_001, 4_000, 4_000, 5_001, 3, 5_002, 9_000, 8_999])
    monkeypatch.setattr(base, "_now_ms", lambda: next(times))
    monkeypatch.setattr(base, "_last_ms", 0)
    ids = [new_id() for _ in range(9)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert [_ms(i) for i in ids] == [5_000, 5_001, 5_001, 5_001, 5_001, 5_001, 5_002, 9_000, 9_000]


def test_a_seeded_random_source_and_a_fixed_clock_give_the_same_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    def run() -> list[str]:
        rng = random.Random(7)
        clock = iter(range(1_000, 2_000))
        monkeypatch.setattr(base, "_random_bytes", rng.randbytes)
        monkeypatch.setattr(base, "_now_ms", lambda: next(clock) // 3)
        monkeypatch.setattr(base, "_last_ms", 0)
        return [new_id() for _ in range(300)]

    first = run()
    assert run() == first and first == sorted(first) and len(set(first)) == 300


def test_ids_made_on_several_threads_are_unique_and_each_threads_sort() -> None:
    made: dict[int, list[str]] = {}

    def make(k: int) -> None:
        made[k] = [new_id() for _ in range(5_000)]

    threads = [threading.Thread(target=make, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for ids in made.values() for i in ids]
    assert len(set(every)) == 20_000
    assert all(ids == sorted(ids) for ids in made.values())


class _Stream:
    """A seeded random source that hands out its bytes in order, however many are asked for at once."""

    def __init__(self, seed: int):
        self.data, self.at = random.Random(seed).randbytes(10 * 20_000), 0

    def __call__(self, n: int) -> bytes:
        out = self.data[self.at : self.at + n]
        self.at += n
        return out


@pytest.mark.parametrize("clock", [1_764_000_000_000, None])
def test_new_ids_give_what_as_many_new_id_calls_give(monkeypatch: pytest.MonkeyPatch, clock: int | None) -> None:
    """The batch form is the same ids: the same random bytes in the same order, the same counter rule (a frozen
    clock runs the counter out several times over 9,000 ids; a clock read once is the same as a frozen one)."""

    def made(batch: bool) -> list[str]:
        monkeypatch.setattr(base, "_random_bytes", _Stream(3))
        monkeypatch.setattr(base, "_now_ms", lambda: clock if clock is not None else 5_000)
        monkeypatch.setattr(base, "_last_ms", 0)
        monkeypatch.setattr(base, "_counter", 0)
        return base.new_ids(9_000) if batch else [new_id() for _ in range(9_000)]

    plain, batched = made(False), made(True)
    assert batched == plain and batched == sorted(batched) and len(set(batched)) == 9_000
    assert all(uuid.UUID(i).version == 7 and uuid.UUID(i).variant == uuid.RFC_4122 for i in batched[::101])


def test_new_ids_sort_between_the_ids_made_before_and_after_them() -> None:
    before = new_id()
    batch = base.new_ids(5_000)
    after = new_id()
    assert [before, *batch, after] == sorted([before, *batch, after]) and len({before, *batch, after}) == 5_002
    assert base.new_ids(0) == [] and len(base.new_ids(1)) == 1
    now = time.time_ns() // 1_000_000
    assert abs(_ms(batch[0]) - now) < 60_000
