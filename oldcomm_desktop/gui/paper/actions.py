"""The print menus the pages add, and what their entries do: make the core's PDF, show the preview.

A page adds one button (`print_button`) whose menu is built when it opens, from a function that says
which forms its current record can print; so the edits to existing pages stay one or two lines.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QWidget,
)

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.gui.context import AppContext

#: (menu text, form, record id) — what a record can print
Entry = tuple[str, str, str]
BLANK_FORMS = (
    "patrol",
    "notice",
    "reinspection",
    "scorecard",
    "profile",
    "publicity",
    "consent",
    "acceptance",
    "plaque",
)


def form_title(form: str) -> str:
    from oldcomm_desktop.core.paper.documents import FORMS

    return FORMS[form].title


def render(ctx: AppContext, form: str, record_id: str | None) -> bytes:
    """The form's PDF, made by the core in a short read session."""
    from oldcomm_desktop.core.paper import documents

    buffer = io.BytesIO()
    ctx.read(lambda s: documents.render(s, form, record_id, buffer))
    return buffer.getvalue()


def show_preview(parent: QWidget | None, pdf: bytes, title: str, file_name: str):  # PreviewDialog
    from oldcomm_desktop.gui.paper.preview import PreviewDialog

    dialog = PreviewDialog(pdf, title, file_name, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.show()
    return dialog


def preview(ctx: AppContext, parent: QWidget | None, form: str, record_id: str | None = None):
    """Make one form and show its preview; a core refusal is shown in Chinese and nothing opens."""
    title = form_title(form)
    try:
        pdf = render(ctx, form, record_id)
    except OldcommError as exc:
        QMessageBox.warning(parent, "无法打印", str(exc))
        return None
    suffix = record_id[-8:] if record_id else "空白"  # the random end: ids made together share their start
    return show_preview(parent, pdf, title, f"{title}-{suffix}.pdf")


def inspection_entries(ctx: AppContext, inspection_id: str) -> list[Entry]:
    """The forms of an inspection: its own record and each rectification's notice and reply sheet."""
    from oldcomm_desktop.core import inspections

    if not inspection_id:
        return []
    try:
        d = ctx.read(lambda s: inspections.detail(s, inspection_id))
    except OldcommError:
        return []
    own = {"patrol": "patrol", "management": "scorecard", "acceptance": "acceptance"}.get(d["kind"])
    entries: list[Entry] = [(form_title(own), own, inspection_id)] if own else []
    for r in d["rectifications"]:
        no = r["notice_no"] or ""
        entries.append((f"整改通知单 {no}", "notice", r["id"]))
        entries.append((f"整改回复及复查单 {no}", "reinspection", r["id"]))
    return entries


def rectification_entries(rectification_id: str) -> list[Entry]:
    if not rectification_id:
        return []
    return [
        (form_title("notice"), "notice", rectification_id),
        (form_title("reinspection"), "reinspection", rectification_id),
    ]


def community_entries(community_id: str) -> list[Entry]:
    if not community_id:
        return []
    return [(form_title(f), f, community_id) for f in ("profile", "publicity", "consent", "acceptance", "plaque")]


def fill_menu(
    ctx: AppContext, parent: QWidget, menu: QMenu, entries: list[Entry], *, blanks: bool = True, batch: bool = False
) -> None:
    menu.clear()
    for text, form, record_id in entries:
        action = menu.addAction(text)
        action.triggered.connect(lambda _=False, f=form, r=record_id: preview(ctx, parent, f, r))
    if not entries:
        menu.addAction("（先选择一条记录）").setEnabled(False)
    if blanks:
        menu.addSeparator()
        sub = menu.addMenu("空白表（现场填写）")
        for form in BLANK_FORMS:
            action = sub.addAction(form_title(form))
            action.triggered.connect(lambda _=False, f=form: preview(ctx, parent, f, None))
    if batch:
        menu.addSeparator()
        menu.addAction("批量打印检查记录…").triggered.connect(lambda: batch_print(ctx, parent))


def print_button(
    ctx: AppContext,
    parent: QWidget,
    entries: Callable[[], list[Entry]],
    *,
    blanks: bool = True,
    batch: bool = False,
    name: str = "print_menu",
) -> QPushButton:
    """A 打印 button whose menu lists what the current record prints (read when the menu opens)."""
    button = QPushButton("打印")
    button.setObjectName(name)
    button.setToolTip("打印表单：预览后打印、另存为 PDF 或用系统程序打开")
    menu = QMenu(button)
    menu.aboutToShow.connect(lambda: fill_menu(ctx, parent, menu, entries(), blanks=blanks, batch=batch))
    button.setMenu(menu)
    return button


# -- batch ------------------------------------------------------------------------------------------------
class BatchDialog(QDialog):
    """Which inspections to print together: a month (or all months) and a township (or all)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from oldcomm_desktop.core import townships as township_rules

        self.setWindowTitle("批量打印检查记录")
        months, townships = ctx.read(lambda s: (_months(s), township_rules.choices(s)))
        self.period = QComboBox()
        self.period.setObjectName("period")
        self.period.addItem("全部月份", None)
        for m in months:
            self.period.addItem(f"{m[:4]}年{int(m[5:])}月", m)
        if months:
            self.period.setCurrentIndex(1)
        self.township = QComboBox()
        self.township.setObjectName("township")
        self.township.addItem("全部乡镇（街道）", None)
        for code, name in townships:
            self.township.addItem(name, code)
        form = QFormLayout(self)
        form.addRow("检查月份", self.period)
        form.addRow("乡镇（街道）", self.township)
        form.addRow(QLabel("每条检查记录打印一份（巡查记录表、评分表或竣工验收记录），合成一个文件。"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def choice(self) -> tuple[str | None, str | None]:
        return self.period.currentData(), self.township.currentData()


def _months(session) -> list[str]:
    from sqlalchemy import select

    from oldcomm_desktop.core.model import Inspection

    days = session.scalars(select(Inspection.inspected_on).where(Inspection.deleted_at.is_(None)).distinct())
    return sorted({d.strftime("%Y-%m") for d in days if isinstance(d, date)}, reverse=True)


def batch_bytes(ctx: AppContext, period: str | None, township: str | None, progress) -> tuple[bytes, int]:
    """The batch PDF and its page count; runs on a worker thread with its own session."""
    from oldcomm_desktop.core.paper import documents

    buffer = io.BytesIO()
    with ctx.db.transaction(ctx.operator) as s:
        result = documents.print_inspections(s, buffer, period=period, township=township, progress=progress)
    return buffer.getvalue(), result.inspections


def batch_print(ctx: AppContext, parent: QWidget | None, choice: tuple[str | None, str | None] | None = None):
    """Ask what to print, make it behind the cancellable progress dialog, then show the preview."""
    from oldcomm_desktop.gui.jobs import run_with_progress

    if choice is None:
        dialog = BatchDialog(ctx, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        choice = dialog.choice()
    period, township = choice
    try:
        pdf, count = run_with_progress(
            parent, "批量打印", lambda progress: batch_bytes(ctx, period, township, progress), label="正在准备打印…"
        )
    except OldcommError as exc:  # PrintCancelled among them: nothing was made
        QMessageBox.information(parent, "批量打印", str(exc))
        return None
    label = "、".join(x for x in (period or "", township or "") if x) or "全部"
    return show_preview(parent, pdf, f"检查记录 {count} 份", f"检查记录-{label}.pdf")
