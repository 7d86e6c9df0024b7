"""数据交换 → 导入台账: file and sheet, mapping step, dry-run table, import, cancel leaving the data as it was."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy import func, select

from oldcomm_desktop.core import divisions, workspace
from oldcomm_desktop.core.model import AuditEntry, Community
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.jobs import JobCancelled, Progress
from oldcomm_desktop.gui.ledger_import.ledger_dialog import LedgerImportDialog
from oldcomm_desktop.storage.database import open_database

sys.path.insert(0, str(Path(__file__).parents[2]))
from tests.core.importing.ledgers import messy_county_ledger, write


@pytest.fixture
def ctx(tmp_path: Path):
    db = open_database(tmp_path / "c.sqlite3")
    with db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.COUNTY, code="341122000000", name="青禾县", operator="测试员")
        divisions.ensure(s, "341122001000", "城关街道")
        divisions.ensure(s, "341122002000", "东城街道")
    yield AppContext(db, "测试员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    db.close()


def _count(ctx: AppContext, model: type) -> int:
    return ctx.read(lambda s: s.scalar(select(func.count()).select_from(model)))


def test_choose_map_dry_run_and_import(qtbot, ctx: AppContext, tmp_path: Path) -> None:
    path = messy_county_ledger(tmp_path / "台账.xlsx")
    dialog = LedgerImportDialog(ctx, path=path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.sheet_box.currentText() == "Sheet1"
    assert dialog.mapping()[3] == "name" and dialog.mapping()[7] == "floor_area"
    shown = dialog.mapping_table.item(6, 1)  # 户数: the first values under it, the subtotal above them left out
    assert shown.text() == "1,200 | ２３０余户 | 300" and shown.toolTip() == "1,200\n２３０余户\n300"
    assert not dialog.import_button.isEnabled()  # a dry run comes first
    plan = dialog.dry_run()
    assert plan is not None and plan.counts()["new"] == 3
    table = dialog.plan_rows()
    assert ["6", "其中:1.幸福里小区", "新增"] == table[1][:3]
    assert any(r[2] == "跳过" and "小计" in r[3] for r in table)
    assert "核对不符" in dialog.summary.text() and "全县小计" in dialog.summary.text()
    dialog.grab().save(str(tmp_path / "dry_run.png"))
    assert dialog.import_button.isEnabled()
    assert dialog.run_import() is not None
    assert _count(ctx, Community) == 3 and "已导入：新增 3" in dialog.summary.text()


def test_a_corrected_mapping_is_used_and_remembered(qtbot, ctx: AppContext, tmp_path: Path) -> None:
    path = write(tmp_path / "a.xlsx", [["乡镇", "小区名称", "户数", "面积"], ["城关街道", "甲", 10, 1.5]])
    dialog = LedgerImportDialog(ctx, path=path)
    qtbot.addWidget(dialog)
    assert dialog.mapping()[3] == "floor_area"  # 面积, the sheet's only area column: proposed as 建筑面积
    dialog.set_field(3, None)  # the clerk can change it: not imported …
    assert 3 not in dialog.mapping()
    dialog.set_field(3, "floor_area")  # … or imported as 建筑面积 in 万平方米
    dialog.area_unit.setCurrentText("万平方米")
    dialog.dry_run()
    dialog.run_import()
    assert ctx.read(lambda s: s.scalar(select(Community.floor_area))) == 15000
    again = LedgerImportDialog(
        ctx, path=write(tmp_path / "b.xlsx", [["乡镇", "小区名称", "户数", "面积"], ["城关街道", "乙", 1, 2]])
    )
    qtbot.addWidget(again)
    assert again.mapping()[3] == "floor_area" and again.area_unit.currentText() == "万平方米"


def test_cancel_leaves_the_database_as_it_was(qtbot, ctx: AppContext, tmp_path: Path) -> None:
    dialog = LedgerImportDialog(ctx, path=messy_county_ledger(tmp_path / "a.xlsx"))
    qtbot.addWidget(dialog)
    dialog.add_townships.setChecked(True)
    before = (_count(ctx, Community), _count(ctx, AuditEntry))
    dialog._options = dialog.options()
    progress = Progress()
    progress.cancel()
    with pytest.raises((JobCancelled, Exception)):
        dialog.work(progress)
    assert (_count(ctx, Community), _count(ctx, AuditEntry)) == before


def test_a_broken_file_is_refused_in_the_dialog(qtbot, ctx: AppContext, tmp_path: Path) -> None:
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not excel")
    dialog = LedgerImportDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.open_file(bad) is False
    assert "不是 Excel 文件" in dialog.summary.text() and not dialog.dry_run_button.isEnabled()


def test_rows_that_ask_are_imported_only_once_the_clerk_confirms(qtbot, ctx: AppContext, tmp_path: Path) -> None:
    from oldcomm_desktop.core import catalogues

    with ctx.db.transaction("测试员") as s:
        catalogues.set_setting(s, "eligibility_extension_year", 2005)
    rows = [["乡镇", "小区名称", "建成年份"], ["城关街道", "甲", 1990], ["城关街道", "乙", 2003]]
    dialog = LedgerImportDialog(ctx, path=write(tmp_path / "a.xlsx", rows))
    qtbot.addWidget(dialog)
    plan = dialog.dry_run()
    assert plan is not None and [r.name for r in plan.asking_rows] == ["乙"]
    assert any(r[1] == "乙" and "需要确认" in r[3] for r in dialog.plan_rows())
    dialog.confirm.setChecked(True)
    assert not dialog.import_button.isEnabled()  # a changed answer: dry run again first
    plan = dialog.dry_run()
    assert plan is not None and plan.counts()["new"] == 2 and not plan.asking_rows
    dialog.run_import()
    assert _count(ctx, Community) == 2


def test_the_dry_run_table_shows_a_row_the_returns_period_lock_refuses(qtbot, ctx: AppContext, tmp_path: Path) -> None:
    from oldcomm_desktop.core.importing import ledger
    from oldcomm_desktop.core.returns import review
    from oldcomm_desktop.core.returns.periods import Period

    head = ["乡镇（街道）", "小区名称", "户数", "建筑面积（平方米）", "总投资（万元）", "改造年度"]
    rows = [head, ["城关街道", "幸福里", 120, 12000, 400, 2026], ["城关街道", "旧年小区", 50, 3000, 100, 2025]]
    with ctx.db.transaction("测试员") as s:
        ledger.apply(s, ledger.plan(s, write(tmp_path / "a.xlsx", rows)))
        review.submit(s, "progress", Period(2026, 5), township="341122001000")
        review.approve(s, "progress", Period(2026, 5), township="341122001000")
    rows[1][2], rows[2][2] = 125, 55
    dialog = LedgerImportDialog(ctx, path=write(tmp_path / "b.xlsx", rows))
    qtbot.addWidget(dialog)
    plan = dialog.dry_run()
    assert plan is not None and plan.counts()["rejected"] == 1 and plan.counts()["updated"] == 1
    shown = dialog.plan_rows()
    assert shown[0][:3] == ["2", "幸福里", "拒绝"] and "2026年1–5月进度月报表已审核通过并锁定" in shown[0][3]
    assert dialog.report_button.isEnabled()  # the rejected row can be saved with its reason
    dialog.run_import()
    assert ctx.read(lambda s: sorted(s.execute(select(Community.name, Community.households)))) == [
        ("幸福里", 120),
        ("旧年小区", 55),
    ]
