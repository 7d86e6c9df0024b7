"""整改回复 and 复查: what the contractor did, and the re-inspection that closes (or reopens) the loop.

Both go through the core (`inspections.reply`, `inspections.reinspect`) as undoable commands. Only a
re-inspection that passes with its evidence — an after photo, or a note why there is none — closes a
rectification; one that fails needs a new deadline and the rectification stays open. Those rules are
the core's: this dialog shows its messages and keeps what was entered.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import inspections
from oldcomm_desktop.core.errors import OldcommError, StaleRecord, ValidationError
from oldcomm_desktop.gui import colours, commands
from oldcomm_desktop.gui import settings_keys as keys
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.dialogs.record_form import RecordDialog
from oldcomm_desktop.gui.forms.ui_reinspection_dialog import Ui_ReinspectionDialog
from oldcomm_desktop.gui.inspection.photos import PhotoStrip, photos_from


def reply_dialog(ctx: AppContext, rectification_id: str, parent: QWidget | None = None) -> RecordDialog:
    """A form for the reply (整改情况, 回复日期); saving is undoable (undo puts the old reply back)."""
    def load() -> tuple[dict[str, Any], dict[str, Any], int | None]:
        d = ctx.read(lambda s: inspections.rectification_detail(s, rectification_id))
        version = commands.current_version(ctx, "rectification", rectification_id)
        return d, {"reply": d["reply"] or "", "replied_on": d["replied_on"] or inspections.today()}, version

    detail, shown, version = load()

    def save(values: dict[str, Any], _confirm: bool) -> Any:
        old_text, old_date = detail["reply"], detail["replied_on"]
        return commands.perform(
            ctx,
            f"整改回复：{detail['notice_no'] or ''}",
            commands.record_step(
                ctx, rectification_id, inspections.reply, values["reply"], values["replied_on"],
                first_version=dialog.version,
            ),
            commands.record_step(ctx, rectification_id, inspections.undo_reply, old_text, old_date),
            table="rectification",
        )

    def reload() -> tuple[dict[str, Any], int | None]:
        fresh, values, v = load()
        detail.update(fresh)  # an undo puts back the reply that is stored now
        return values, v

    dialog = RecordDialog(
        f"整改回复 — {detail['notice_no'] or ''}",
        list(inspections.REPLY_FIELDS.values()),
        save,
        values=shown,
        version=version,
        reload=reload,
        parent=parent,
    )
    about = QLabel(
        f"<b>{escape(detail['notice_no'] or '')}</b>　{escape(detail['community'] or '')}<br>"
        f"存在问题：{escape(detail['problem'])}<br>整改期限：{detail['current_deadline']}"
    )
    about.setObjectName("reply_about")
    about.setWordWrap(True)
    about.setStyleSheet("padding: 4px 2px;")
    dialog.layout().insertWidget(0, about)
    dialog.form.adjustSize()
    dialog.resize(540, about.sizeHint().height() + dialog.form.sizeHint().height() + 90)
    return dialog


def summary_html(d: dict[str, Any]) -> str:
    """The rectification in a few lines, for the top of the re-inspection dialog and the board's pane."""
    state = inspections.STATES[d["state"]]
    role = {"overdue": "alert", "closed": "ok"}.get(d["state"], "text")
    lines = [
        f"<b>{escape(d['notice_no'] or '')}</b>　{escape(d['community'] or '')}"
        f"　{colours.span(role, f'<b>{state}</b>')}",
        f"存在问题：{escape(d['problem'])}",
    ]
    if d.get("requirement"):
        lines.append(f"整改要求：{escape(d['requirement'])}")
    deadline = f"整改期限：{d['current_deadline']}"
    if d["current_deadline"] != d["deadline"]:
        deadline += f"（原定 {d['deadline']}）"
    lines.append(deadline + f"　检查：{d['inspected_on']} {escape(d['kind_label'])}")
    if d.get("addressed_to"):
        lines.append(f"整改单位：{escape(d['addressed_to'])}")
    if d.get("reply"):
        lines.append(f"整改回复（{d['replied_on']}）：{escape(d['reply'])}")
    else:
        lines.append(colours.span("muted", "尚未回复"))
    for r in d.get("reinspections", []):
        result = "合格，已销号" if r["passed"] else f"不合格，新期限 {r['new_deadline']}"
        who = f"（{escape(r['inspector'])}）" if r.get("inspector") else ""
        note = f"：{escape(r['note'])}" if r.get("note") else ""
        lines.append(f"复查 {r['inspected_on']}{who}：{result}{note}")
    return "<br>".join(lines)


class ReinspectionDialog(QDialog):
    """复查: date, inspector, result, after photos, note, and a new deadline when it fails."""

    def __init__(self, ctx: AppContext, rectification_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.rectification_id = rectification_id
        self.saved_id = ""
        self.ui = Ui_ReinspectionDialog()
        self.ui.setupUi(self)
        ui = self.ui
        ui.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        ui.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        ui.buttons.accepted.connect(self.try_save)
        ui.buttons.rejected.connect(self.reject)
        ui.message.setStyleSheet(colours.text_style("error"))  # colours by role (light or dark palette)
        ui.hint.setStyleSheet(colours.text_style("muted"))
        ui.message.hide()
        self.detail = ctx.read(lambda s: inspections.rectification_detail(s, rectification_id))
        #: The rectification's version when this form opened: the re-inspection is refused if it moved on.
        self.version = commands.current_version(ctx, "rectification", rectification_id)
        self._show_summary()
        self.before = PhotoStrip(empty_text="检查时没有拍照")
        self.before.set_photos(photos_from(self.detail["before_photos"]))
        ui.beforeLayout.addWidget(self.before)
        self.after = PhotoStrip(editable=True, settings=ctx.settings, empty_text="还没有整改后照片")
        ui.afterLayout.addWidget(self.after)
        ui.inspectedOn.setMaximumWidth(200)
        self._deadline_row()
        self._note_error_row()
        self.result_group = QButtonGroup(self)
        self.result_group.addButton(ui.passedRadio)
        self.result_group.addButton(ui.failedRadio)
        ui.passedRadio.toggled.connect(self._result_changed)
        ui.failedRadio.toggled.connect(self._result_changed)
        today = inspections.today()
        ui.inspectedOn.setDate(QDate(today.year, today.month, today.day))
        ui.inspector.setText(str(keys.value(ctx.settings, keys.LAST_REINSPECTOR) or ""))
        self._result_changed()
        QShortcut(QKeySequence(Qt.Key.Key_Return | Qt.KeyboardModifier.ControlModifier), self, self.try_save)
        self.setWindowTitle(f"整改复查 — {self.detail['notice_no'] or ''}")
        self.resize(700, self.sizeHint().height())

    def _show_summary(self) -> None:
        self.ui.summary.setText(summary_html(self.detail))

    def _deadline_row(self) -> None:
        """The new deadline with quick choices counted from the re-inspection date (限期 7 / 15 / 30 天)."""
        ui = self.ui
        ui.form.removeWidget(ui.newDeadline)
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        ui.newDeadline.setMaximumWidth(200)
        box.addWidget(ui.newDeadline)
        self.quick_buttons = []
        for days in (7, 15, 30):
            b = QToolButton()
            b.setText(f"{days}天")
            b.setToolTip(f"复查日期后 {days} 天")
            b.clicked.connect(
                lambda _c=False, d=days: ui.newDeadline.set_value(self._reinspected_on() + timedelta(days=d))
            )
            box.addWidget(b)
            self.quick_buttons.append(b)
        box.addStretch(1)
        ui.form.setWidget(5, QFormLayout.ItemRole.FieldRole, row)

    def _note_error_row(self) -> None:
        """A refusal about the evidence (no photo and no note) shows under 复查说明, where it is fixed, not at
        the foot of the dialog."""
        ui = self.ui
        row, _role = ui.form.getWidgetPosition(ui.note)
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        ui.form.removeWidget(ui.note)
        box.addWidget(ui.note)
        self.note_error = QLabel()
        self.note_error.setObjectName("note_error")
        self.note_error.setStyleSheet(colours.text_style("error"))
        self.note_error.setWordWrap(True)
        self.note_error.hide()
        box.addWidget(self.note_error)
        ui.form.setWidget(row, QFormLayout.ItemRole.FieldRole, holder)

    def _reinspected_on(self) -> date:
        d = self.ui.inspectedOn.date()
        return date(d.year(), d.month(), d.day())

    def _result_changed(self, *_: Any) -> None:
        failed = self.ui.failedRadio.isChecked()
        for b in self.quick_buttons:
            b.setEnabled(failed)
        self.ui.newDeadline.setEnabled(failed)
        self.ui.newDeadlineLabel.setEnabled(failed)
        self.ui.newDeadlineLabel.setText("新整改期限＊：" if failed else "新整改期限：")

    def set_passed(self, passed: bool | None) -> None:
        if passed is None:
            self.result_group.setExclusive(False)
            self.ui.passedRadio.setChecked(False)
            self.ui.failedRadio.setChecked(False)
            self.result_group.setExclusive(True)
        else:
            (self.ui.passedRadio if passed else self.ui.failedRadio).setChecked(True)

    def data(self) -> dict[str, Any]:
        passed = True if self.ui.passedRadio.isChecked() else False if self.ui.failedRadio.isChecked() else None
        return {
            "inspected_on": self._reinspected_on(),
            "inspector": self.ui.inspector.text(),
            "passed": passed,
            "note": self.ui.note.toPlainText(),
            "new_deadline": self.ui.newDeadline.value() if passed is False else None,
        }

    def try_save(self) -> bool:
        data = self.data()
        photos = self.after.paths()
        rid = self.rectification_id
        title = f"复查{'合格' if data['passed'] else '不合格'}：{self.detail['notice_no'] or ''}"
        try:
            version = self.version
            re = commands.create(
                self.ctx,
                title,
                lambda s: inspections.reinspect(
                    s, rid, data, photos=photos, **commands.versioned(inspections.reinspect, version)
                ),
                inspections.delete_reinspection,
                inspections.restore_reinspection,
                table="rectification",
            )
        except ValidationError as exc:
            beside = [p.message for p in exc.problems if p.field == "note"]
            self.note_error.setText("\n".join(beside))
            self.note_error.setVisible(bool(beside))
            self._show("\n".join(str(p) for p in exc.problems if p.field != "note"))
            return False
        except StaleRecord as exc:
            self._stale(exc)
            return False
        except OldcommError as exc:
            self._show(str(exc))
            return False
        self.saved_id = re.id
        self.ctx.settings.setValue(keys.LAST_REINSPECTOR, data["inspector"])
        self.accept()
        return True

    def _stale(self, exc: StaleRecord) -> None:
        """Replied to or re-inspected by someone else since this form opened: show the rectification as it
        is now (the summary at the top), keep everything entered here, and start the next save from it."""
        from oldcomm_desktop.gui import stale

        if stale.ask_reload(self, exc):
            try:
                self.detail = self.ctx.read(lambda s: inspections.rectification_detail(s, self.rectification_id))
            except OldcommError as gone:
                self._show(f"{gone}\n{stale.KEPT}")
                return
            self.version = commands.current_version(self.ctx, "rectification", self.rectification_id)
            self._show_summary()
            self._show(f"已重新载入 {stale.who_and_when(exc)} 保存后的整改情况；你填写的复查内容仍在，请核对后再保存。")
        else:
            self._show(f"{exc}\n{stale.KEPT}")

    def _show(self, text: str) -> None:
        self.ui.message.setText(text)
        self.ui.message.setVisible(bool(text))
