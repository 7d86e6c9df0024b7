"""The Excel ledger import meets the returns' period lock (core/returns/locking.py) as a clerk's single edit does:
a row that would change the figures of an approved, locked return is a rejected row with the lock's reason, in
the dry run and the import; the rest of the file imports, and rows outside the locked period import as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from oldcomm_desktop.core import communities
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.importing import ledger
from oldcomm_desktop.core.returns import review
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.storage.database import Database
from tests.core.importing.conftest import CHENGGUAN
from tests.core.importing.ledgers import _communities, _import, _plan, write
from tests.core.importing.test_ledger import HEAD as LEDGER_HEAD

MAY = Period(2026, 5)
LOCKED = "2026年1–5月进度月报表已审核通过并锁定"
HEAD = [*LEDGER_HEAD[:-1], "改造年度"]  # test_ledger's columns, 状态 replaced by the plan year


def _rows() -> list[list[object]]:
    return [
        HEAD,
        [1, "城关街道", "幸福里", 1995, 6, 120, 12000, 400, 2026],
        [2, "城关街道", "和平苑", 1998, 4, 80, 8000, 300, 2026],
        [3, "城关街道", "旧年小区", 1990, 2, 50, 3000, 100, 2025],
    ]


def _locked_may(db: Database, tmp_path: Path) -> None:
    """城关街道's communities imported, then its May 2026 progress return submitted and approved (locked)."""
    p = _import(db, write(tmp_path / "first.xlsx", _rows()))
    assert p.counts()["new"] == 3
    with db.transaction("城关街道填报员") as s:
        review.submit(s, "progress", MAY, township=CHENGGUAN, operator="城关街道填报员")
    with db.transaction("县审核员") as s:
        review.approve(s, "progress", MAY, township=CHENGGUAN, operator="县审核员")


def test_a_row_changing_a_locked_figure_is_rejected_with_the_locks_reason(county_db: Database, tmp_path: Path) -> None:
    _locked_may(county_db, tmp_path)
    rows = _rows()
    rows[1][5] = 125  # 幸福里 户数 120 → 125: a figure of the approved May return
    rows[3][5] = 55  # 旧年小区 (plan year 2025) is in no locked return
    rows.append([4, "城关街道", "新华里", 2000, 3, 30, 2000, 50, 2027])  # a new community of an open year
    path = write(tmp_path / "second.xlsx", rows)

    dry = _plan(county_db, path)
    assert [r.action for r in dry.rows] == ["rejected", "unchanged", "updated", "new"]
    assert LOCKED in dry.rows[0].reason and "重新打开" in dry.rows[0].reason
    assert dry.rows[0].row == 2  # the file's row (the header is row 1)

    done = _import(county_db, path)
    assert [r.action for r in done.rows] == ["rejected", "unchanged", "updated", "new"]
    found = _communities(county_db)
    assert found["幸福里"].households == 120 and found["幸福里"].version == 1  # the approved figure stands
    assert found["旧年小区"].households == 55 and found["新华里"].households == 30  # the rest imported

    out = ledger.write_report(done, tmp_path / "rejected.xlsx")
    table = [list(r) for r in load_workbook(out).active.iter_rows(values_only=True)]
    assert [r[0] for r in table[1:]] == [2] and LOCKED in table[1][2]

    # the single edit refuses the same change: one rule for both ways in
    with pytest.raises(ValidationError, match=LOCKED), county_db.transaction("测试员") as s:
        communities.update(s, found["幸福里"].id, {"households": 125})
        s.flush()


def test_after_reopening_the_row_imports(county_db: Database, tmp_path: Path) -> None:
    _locked_may(county_db, tmp_path)
    rows = _rows()
    rows[1][5] = 125
    with county_db.transaction("县审核员") as s:
        review.reopen(s, "progress", MAY, township=CHENGGUAN, operator="县审核员", reason="幸福里户数更正")
    p = _import(county_db, write(tmp_path / "second.xlsx", rows))
    assert [r.action for r in p.rows] == ["updated", "unchanged", "unchanged"]
    assert _communities(county_db)["幸福里"].households == 125


def test_dates_and_new_communities_meet_the_lock_as_a_single_edit_does(county_db: Database, tmp_path: Path) -> None:
    """A 开工 dated within the locked months is refused, one dated after them imports; a new community of the
    locked plan year would join the approved return, so it is refused as `communities.create` refuses it."""
    _locked_may(county_db, tmp_path)
    rows = [[*r, "开工时间" if i == 0 else None] for i, r in enumerate(_rows())]
    rows[1][9] = "2026-05-10"  # 幸福里: within 1–5月
    rows[2][9] = "2026-07-01"  # 和平苑: after May, the approved return does not show it
    rows.append([4, "城关街道", "新华里", 2000, 3, 30, 2000, 50, 2026, None])
    p = _import(county_db, write(tmp_path / "second.xlsx", rows))
    assert [r.action for r in p.rows] == ["rejected", "updated", "unchanged", "rejected"]
    assert all(LOCKED in p.rows[i].reason for i in (0, 3))
    found = _communities(county_db)
    assert found["和平苑"].status == "started" and found["幸福里"].status == "planned"
    assert "新华里" not in found
    with pytest.raises(ValidationError, match=LOCKED), county_db.transaction("测试员") as s:
        communities.create(
            s,
            {"name": "新华里", "township_code": CHENGGUAN, "year_built": 2000, "households": 30, "plan_year": 2026},
        )
        s.flush()


def test_without_an_approved_return_no_row_is_looked_at(
    county_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The common case: nothing approved, so the lock is not asked of any row (one query a plan, cached)."""
    from oldcomm_desktop.core.importing import period_locks

    def asked(*_args: object, **_kwargs: object) -> str:
        raise AssertionError("no return is approved: no row should be checked")

    monkeypatch.setattr(period_locks, "refusal", asked)
    _import(county_db, write(tmp_path / "first.xlsx", _rows()))
    rows = _rows()
    rows[1][5] = 125
    p = _import(county_db, write(tmp_path / "second.xlsx", rows))
    assert [r.action for r in p.rows] == ["updated", "unchanged", "unchanged"]
    assert _communities(county_db)["幸福里"].households == 125
