"""Notice numbers in one bulk run: the next plan goes on from the last plan's numbers instead of reading every
number in use again (fifteen reads of a growing table per plan in the demo), and gives exactly the numbers
the plain reading gives — also when a number was typed into a plan, or a notice was added outside the bulk
path, between two plans."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import demo, inspections
from oldcomm_desktop.core.importing import bulk
from oldcomm_desktop.core.model import Rectification
from oldcomm_desktop.core.model.base import new_id
from oldcomm_desktop.storage.database import Database, open_database
from tests.core.importing.conftest import CHENGGUAN

TODAY = date(2025, 6, 1)


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Database]:
    db = open_database(tmp_path / "demo.sqlite3")
    yield db
    db.close()


def _numbers(db: Database) -> list[str]:
    with db.session() as s:
        return sorted(s.scalars(select(Rectification.notice_no)))


def test_the_demo_run_numbers_as_the_plain_reading_does(
    fresh: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "CHUNK_PROJECTS", 4)  # many plans in the run
    with fresh.transaction("演示操作员") as s:
        demo.build(s, communities_count=300, seed=5, today=TODAY)
    carried = _numbers(fresh)
    monkeypatch.setattr(bulk, "run_memo", lambda session: None)  # every plan reads the numbers in use
    plain_db = open_database(tmp_path / "plain.sqlite3")
    try:
        with plain_db.transaction("演示操作员") as s:
            demo.build(s, communities_count=300, seed=5, today=TODAY)
        assert _numbers(plain_db) == carried
    finally:
        plain_db.close()
    prefixes = Counter(n[: n.index("〕") + 1] for n in carried)
    # the demo is a county database: its notices are the county office's, in its own series (one per year)
    assert len(prefixes) > 1 and len(set(carried)) == len(carried)
    for prefix, count in prefixes.items():  # 001 … n in every series and year, none skipped, none twice
        assert sorted(n for n in carried if n.startswith(prefix)) == [f"{prefix}{i:03d}号" for i in range(1, count + 1)]


def _inspection(session: Any) -> str:
    cid, iid = new_id(), new_id()
    bulk.write(
        session,
        {
            "community": [{"id": cid, "name": "幸福里小区", "township_code": CHENGGUAN, "households": 100}],
            "inspection": [
                {"id": iid, "community_id": cid, "kind": "patrol", "inspected_on": TODAY - timedelta(days=30)}
            ],
        },
        source="测试",
        today=TODAY,
    )
    return iid


def _plan(session: Any, inspection_id: str, n: int, notice_no: str | None = None) -> None:
    rows = [
        {
            "inspection_id": inspection_id,
            "problem": f"问题{i}",
            "deadline": TODAY,
            **({"notice_no": notice_no} if notice_no and i == 0 else {}),
        }
        for i in range(n)
    ]
    plan = bulk.prepare(session, {"rectification": rows}, today=TODAY)
    assert not plan.rejected
    bulk.apply(session, plan, source="测试", event=False)


def test_a_number_typed_into_a_plan_or_a_notice_added_outside_the_run_is_seen(
    county_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    real = inspections.next_notice_no

    def counted(*args: Any) -> str:
        reads.append(1)
        return real(*args)

    monkeypatch.setattr(inspections, "next_notice_no", counted)
    with county_db.transaction("测试员") as s:
        iid = _inspection(s)
        with bulk.one_run(s):
            _plan(s, iid, 3)  # 001–003
            _plan(s, iid, 2)  # 004–005, from the run's memo
            _plan(s, iid, 2, notice_no="青禾县整改〔2025〕040号")  # 040 typed, and 006
            _plan(s, iid, 1)  # 041: the typed number is seen
            s.add(
                Rectification(
                    inspection_id=iid,
                    township_code=CHENGGUAN,
                    problem="手工",
                    deadline=TODAY,
                    current_deadline=TODAY,
                    notice_no="青禾县整改〔2025〕060号",
                )
            )
            s.flush()  # a notice added through the ORM inside the run
            _plan(s, iid, 1)  # 061
    # a county database numbers in the county office's own series (core/notice_numbers.py)
    assert _numbers(county_db) == [f"青禾县整改〔2025〕{n:03d}号" for n in (1, 2, 3, 4, 5, 6, 40, 41, 60, 61)]
    # read in the first plan, after the typed number and after the ORM's insert; carried twice (SQLite only:
    # on PostgreSQL there is no run, and every plan reads)
    assert len(reads) == (3 if county_db.is_sqlite else 5)


def test_a_county_database_numbers_every_townships_notices_in_one_series(county_db: Database) -> None:
    """Keyed by the series, not the township: two townships' notices in one plan never share a number."""
    from tests.core.importing.conftest import DONGCHENG

    with county_db.transaction("测试员") as s:
        rows: dict[str, list[dict[str, Any]]] = {"community": [], "inspection": [], "rectification": []}
        for township in (CHENGGUAN, DONGCHENG):
            cid, iid = new_id(), new_id()
            rows["community"].append({"id": cid, "name": "幸福里小区", "township_code": township, "households": 1})
            day = TODAY - timedelta(days=30)
            rows["inspection"].append({"id": iid, "community_id": cid, "kind": "patrol", "inspected_on": day})
            rows["rectification"].append({"inspection_id": iid, "problem": "围挡破损", "deadline": TODAY})
        bulk.write(s, rows, source="测试", today=TODAY)
    assert _numbers(county_db) == ["青禾县整改〔2025〕001号", "青禾县整改〔2025〕002号"]
