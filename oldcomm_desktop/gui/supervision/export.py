"""Ask where to save a 通报 list or an assessment table (.xlsx or .docx) and write it through the core."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from oldcomm_desktop.core.errors import OldcommError


def ask_and_write(parent: QWidget, title: str, suggested: str, write: Callable[[Path], object]) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, "Excel 工作簿 (*.xlsx);;Word 文档 (*.docx)")
    if not path:
        return None
    target = Path(path)
    if target.suffix.lower() not in (".xlsx", ".docx"):
        target = target.with_suffix(".xlsx")
    try:
        write(target)
    except (OldcommError, OSError) as exc:
        QMessageBox.warning(parent, title, f"无法保存：{exc}")
        return None
    return target
