"""A save refused because the record changed since the clerk loaded it (StaleRecord): say who and when,
offer 重新载入, and never lose what was typed.

Reloading puts the stored record into the form and then the clerk's own changes back on top, so each field
they touched still shows their value (and counts as changed), every other field shows the colleague's;
the next 保存 starts from the reloaded version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from oldcomm_desktop.core.errors import StaleRecord

TITLE = "记录已被别人修改"
KEPT = "你填写的内容仍在窗口中，没有丢失。"


def who_and_when(exc: StaleRecord) -> str:
    """"张三 于 2026年12月1日 15:20" — the core's words for the last change, or 别人 when unknown."""
    text = str(exc)
    start = text.find("已被")
    end = text.find("修改过")
    return text[start + 2 : end].strip() if 0 <= start < end else "别人"


def ask_reload(parent: QWidget | None, exc: StaleRecord, *, can_reload: bool = True) -> bool:
    """The message box: True when the clerk chose 重新载入 (False: keep editing, nothing saved)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(TITLE)
    detail = "选“重新载入”显示对方保存后的内容，你改过的字段仍保留你填写的值，核对后再保存。" if can_reload else ""
    box.setText(f"{exc}\n\n{KEPT}{detail}")
    reload_button = box.addButton("重新载入", QMessageBox.ButtonRole.AcceptRole) if can_reload else None
    box.addButton("继续编辑", QMessageBox.ButtonRole.RejectRole)
    box.setObjectName("stale_message")
    box.exec()
    return reload_button is not None and box.clickedButton() is reload_button


def reapply(form: Any, fresh: Mapping[str, Any], typed: Mapping[str, Any]) -> None:
    """Show `fresh` (the stored record) as the new starting point, then the clerk's `typed` changes on top.

    `form` is a RecordForm or a SectionedForm (several RecordForms in tabs); the typed values stay
    "changed" against the reloaded record, so an edit that saves only changed fields saves exactly them.
    """
    form.set_values(fresh)
    for part in getattr(form, "forms", [form]):
        baseline = dict(part._initial)
        part.set_values({k: v for k, v in typed.items() if k in part.widgets})
        part._initial = baseline
