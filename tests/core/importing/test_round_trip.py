"""Round trip: the real 进度月报表 export (core/returns) imported again changes nothing.

The return is what a county sends upward: title, 填报单位, two header rows with merged groups, figures in
万元 and 万平方米 rounded to the return's places, township 小计 rows, 合计, a rounding note under the table
("注：建筑面积按精确值合计为…") and the 填报人 footer. Importing it back must match every community, find each
figure equal to the stored one at the precision the return shows it, skip the subtotal, total and note
rows, agree with the file's own totals, and write nothing — not even an audit event.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from oldcomm_desktop.core import demo
from oldcomm_desktop.core.importing import ledger, values
from oldcomm_desktop.core.model import AuditEntry, Community, FundingLine, Milestone, Project
from oldcomm_desktop.core.returns import export
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.storage.database import Database


def _state(db: Database) -> tuple:
    with db.transaction("测试员") as s:
        counts = tuple(
            s.scalar(select(func.count()).select_from(m))
            for m in (Community, Project, Milestone, FundingLine, AuditEntry)
        )
        figures = tuple(
            s.execute(
                select(
                    Community.id,
                    Community.version,
                    Community.floor_area,
                    Community.total_investment,
                    Community.households,
                    Community.status,
                ).order_by(Community.id)
            )
        )
        return counts, figures


def test_the_progress_return_exported_then_imported_changes_nothing(empty_db: Database, tmp_path: Path) -> None:
    with empty_db.transaction("演示操作员") as s:
        demo.build(s, communities_count=40)
    out = tmp_path / "进度月报表.xlsx"
    with empty_db.transaction("测试员") as s:
        export.produce(s, "progress", Period.of(date.today()), out)
    cells = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert any("小计" in str(r[1]) for r in cells) and any(str(r[0]).startswith("注") for r in cells)
    before = _state(empty_db)
    with empty_db.transaction("测试员") as s:
        p = ledger.plan(s, out)
        n = sum(1 for r in p.rows if r.kind == "community")
        assert n >= 5
        assert p.counts()["unchanged"] == n, [(r.row, r.action, r.reason) for r in p.rows if r.action != "unchanged"]
        assert not p.mismatches, [c.message() for c in p.mismatches]
        assert not p.questions
        assert p.units["floor_area"] == "万平方米" and p.units["total_investment"] == "万元"
        assert {r.kind for r in p.rows} >= {"community", "subtotal", "total", "footer"}
        assert ledger.apply(s, p) == ""  # nothing to write: no audit event either
    assert _state(empty_db) == before


def test_a_rounded_figure_keeps_the_stored_value_only_when_it_agrees_at_the_files_precision() -> None:
    shown = values.parse_number(1.953, default_unit="万平方米")
    assert shown is not None
    assert values.agrees_as_written(Decimal("19530.49"), shown)  # 1.953 万 = 19530 ± 5 m²
    assert values.agrees_as_written(Decimal("19534.99"), shown)
    assert not values.agrees_as_written(Decimal("19535.00"), shown)  # rounds to 1.954 万
    exact = values.parse_number("19530.49", default_unit="平方米")
    assert exact is not None and not values.agrees_as_written(Decimal("19530.50"), exact)
    money = values.parse_number(427.32, default_unit="万元")
    assert money is not None and values.agrees_as_written(Decimal("4273160.00"), money)


def test_a_changed_figure_in_the_return_is_imported_as_a_change(empty_db: Database, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    with empty_db.transaction("演示操作员") as s:
        demo.build(s, communities_count=20)
    out = tmp_path / "进度月报表.xlsx"
    with empty_db.transaction("测试员") as s:
        export.produce(s, "progress", Period.of(date.today()), out)
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[3]]
    col = header.index("户数（户）") + 1
    row = next(r for r in range(5, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, (int, float)))
    name = ws.cell(row, header.index("小区名称") + 1).value
    ws.cell(row, col).value = int(ws.cell(row, col).value) + 7
    wb.save(out)
    with empty_db.transaction("测试员") as s:
        p = ledger.plan(s, out)
        assert p.counts()["updated"] == 1
        (changed,) = [r for r in p.rows if r.action == "updated"]
        assert changed.name == name
        ledger.apply(s, p)
