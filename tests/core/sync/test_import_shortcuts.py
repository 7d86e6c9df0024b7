"""The import's shortcuts for big packages check no less than the plain code.

A well-formed clock text is checked once per package (most records carry the same one), so a malformed clock
after many good ones must still be refused; a first package into a database with nothing stored skips the
lookups for rows, shadows and conflicts, and must still give every record its shadow, be idempotent on a second
import and roll back whole.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from oldcomm_desktop.core.model import Community, SyncShadow
from oldcomm_desktop.core.sync import history

from .conftest import COUNTY, T1, assert_refused, db_state, rewrite


@pytest.fixture
def package(world) -> Path:
    t1 = world[T1]
    for i in range(6):
        t1.new_community(f"幸福里{i}号小区", households=100 + i)
    return t1.export().path


def test_a_bad_clock_after_good_ones_is_refused(world, package: Path, tmp_path: Path) -> None:
    def wrong(m: dict) -> None:
        lines = m["records/community.jsonl"].splitlines()
        last = json.loads(lines[-1])
        assert all(json.loads(line)["c"] == last["c"] for line in lines)  # one clock text, seen five times
        last["c"] = {k: {n: str(x) for n, x in vec.items()} for k, vec in last["c"].items()}
        lines[-1] = json.dumps(last, ensure_ascii=False, separators=(",", ":")).encode()
        m["records/community.jsonl"] = b"\n".join(lines) + b"\n"

    bad = rewrite(package, tmp_path / "bad.ocpkg", world[T1], members=wrong)
    assert_refused(world[COUNTY], bad, "版本信息格式不对")


def test_a_first_package_gets_every_shadow_repeats_as_nothing_and_rolls_back(world, package: Path) -> None:
    county = world[COUNTY]
    before = db_state(county.db)
    report = county.import_(package)
    assert report.tables["community"].added == 6
    with county.db.transaction("测试员") as s:
        shadows = s.scalar(select(func.count()).select_from(SyncShadow).where(SyncShadow.table_name == "community"))
        assert shadows == s.scalar(select(func.count()).select_from(Community)) == 6
    again = county.import_(package)
    assert again.total("added") == again.total("changed") == 0
    assert again.tables["community"].unchanged == 6
    with county.db.transaction("测试员") as s:
        history.rollback(s, report.import_id)
    after = db_state(county.db)
    kept = ("sync_import", "sync_import_row", "sync_peer", "sync_identity", "audit_log")  # history, counters
    assert {k: v for k, v in after.items() if k not in kept} == {k: v for k, v in before.items() if k not in kept}
    assert after["sync_shadow"] == [] and after["community"] == []
