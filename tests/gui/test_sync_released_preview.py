"""The package preview says when the import will write records held under a parent this package restores, and
which closed rectifications it will reopen."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from oldcomm_desktop.core.sync import importer
from oldcomm_desktop.gui.packages.dialogs import PreviewDialog


def _report(released: list[str]) -> importer.ImportReport:
    report = importer.ImportReport(
        package_id="p1",
        file_name="341122001000-341122000000.ocpkg",
        sender_code="341122001000",
        sender_name="城关街道",
        created_at="2026-12-01T08:00:00",
        dry_run=True,
    )
    report.tables["community"] = importer.TableCounts(restored=1)
    report.released = released
    return report


def test_the_preview_names_the_held_records_the_import_will_write(qtbot) -> None:
    dialog = PreviewDialog(_report(["c1", "c2"]))
    qtbot.addWidget(dialog)
    note = dialog.findChild(QLabel, "preview_note")
    assert "导入后，2 条因所属记录已删除而暂存的记录将自动写入（所属记录已恢复）" in note.text()
    quiet = PreviewDialog(_report([]))
    qtbot.addWidget(quiet)
    assert "暂存" not in quiet.findChild(QLabel, "preview_note").text()


def test_the_preview_names_a_rectification_the_import_will_reopen(qtbot) -> None:
    report = _report([])
    report.reopened = [{"record_id": "r1", "name": "整改“围挡破损”", "deadline": "2026-11-30", "failed": True}]
    dialog = PreviewDialog(report)
    qtbot.addWidget(dialog)
    assert (
        "有 1 条已销号的整改因对方的复查未通过而将重新打开：整改“围挡破损”（新的整改期限 2026-11-30）"
        in dialog.findChild(QLabel, "preview_note").text()
    )
