"""记录检查: record one inspection from a checklist template, with photos and the rectifications it requires.

Saving goes through `inspections.record` (all or nothing) as an undoable command: undo moves the
inspection to the recycle bin with its rectifications, redo restores the same record. When the core
rejects the input, its messages are shown and everything typed stays in the dialog.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from oldcomm_desktop.core import communities, inspections
from oldcomm_desktop.core.errors import OldcommError, ValidationError
from oldcomm_desktop.gui import colours, commands
from oldcomm_desktop.gui import settings_keys as keys
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.forms.ui_inspection_dialog import Ui_InspectionDialog
from oldcomm_desktop.gui.inspection.checklist import ChecklistWidget
from oldcomm_desktop.gui.inspection.community_chooser import CommunityChooser
from oldcomm_desktop.gui.inspection.photos import PhotoStrip
from oldcomm_desktop.gui.inspection.rectification_editor import RectificationEditor


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


class InspectionDialog(QDialog):
    """Enter saves (Ctrl+Enter from a text box), Esc cancels. `saved_id` is the new inspection's id."""

    def __init__(
        self,
        ctx: AppContext,
        *,
        kind: str = "patrol",
        community_id: str = "",
        today: date | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.ctx = ctx
        self.saved_id = ""
        self.ui = Ui_InspectionDialog()
        self.ui.setupUi(self)
        ui = self.ui
        ui.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        ui.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        ui.buttons.accepted.connect(self.try_save)
        ui.buttons.rejected.connect(self.reject)
        ui.message.setStyleSheet(colours.text_style("error"))  # colours by role (light or dark palette)
        ui.message.hide()

        self.community = CommunityChooser(ctx)
        ui.communityLayout.addWidget(self.community)
        ui.communityLabel.setBuddy(self.community.edit)
        self.checklist = ChecklistWidget()
        self.checklist.setObjectName("checklist")
        ui.checklistLayout.insertWidget(0, self.checklist, 1)
        ui.totalLabel.setObjectName("total_label")
        ui.totalLabel.setTextFormat(Qt.TextFormat.RichText)
        ui.totalLabel.setStyleSheet("font-size: 14px; padding: 4px;")
        self.photos = PhotoStrip(editable=True, settings=ctx.settings, empty_text="还没有照片。可添加现场照片。")
        ui.photosLayout.addWidget(self.photos)
        self.rectifications = RectificationEditor()
        ui.rectLayout.addWidget(self.rectifications)
        ui.splitter.setStretchFactor(0, 5)
        ui.splitter.setStretchFactor(1, 4)
        ui.splitter.setSizes([600, 480])

        today = today or inspections.today()
        ui.inspectedOn.setDate(_qdate(today))
        ui.inspectedOn.dateChanged.connect(self._date_changed)
        self.rectifications.set_inspected_on(today)
        for code, label in inspections.KINDS.items():
            ui.kindCombo.addItem(label, code)
        ui.kindCombo.currentIndexChanged.connect(self._kind_changed)
        ui.templateCombo.currentIndexChanged.connect(self._template_changed)
        self.checklist.changed.connect(self._checklist_changed)
        ui.inspectors.setText(str(keys.value(ctx.settings, keys.LAST_INSPECTORS) or ""))
        QShortcut(QKeySequence(Qt.Key.Key_Return | Qt.KeyboardModifier.ControlModifier), self, self.try_save)

        self.set_kind(kind)
        if community_id:
            self.community.set_community(community_id)
        self.resize(1120, 760)

    # -- kind and template --------------------------------------------------------------------------
    def set_kind(self, kind: str) -> None:
        i = self.ui.kindCombo.findData(kind)
        if i == self.ui.kindCombo.currentIndex():
            self._kind_changed()
        else:
            self.ui.kindCombo.setCurrentIndex(max(i, 0))

    @property
    def kind(self) -> str:
        return self.ui.kindCombo.currentData()

    def _kind_changed(self, *_: Any) -> None:
        kind = self.kind
        templates = self.ctx.read(lambda s: inspections.templates(s, kind))
        combo = self.ui.templateCombo
        combo.blockSignals(True)
        combo.clear()
        for t in templates:
            combo.addItem(t["name"], t["id"])
        if not templates:
            combo.addItem("（没有这一类检查表模板）", None)
        combo.blockSignals(False)
        self.setWindowTitle(f"记录检查 — {inspections.KINDS.get(kind, '')}")
        self._template_changed()

    def _template_changed(self, *_: Any) -> None:
        tid = self.ui.templateCombo.currentData()
        sheet = self.ctx.read(lambda s: inspections.sheet(s, tid)) if tid else {"items": [], "grade_bands": []}
        scored = self.kind == "management"
        self.checklist.set_sheet(sheet, scored=scored)
        self.ui.checklistBox.setTitle(
            "评分项（按模板满分打分）" if scored else "检查项（逐项选择 合格 / 不合格 / 不适用）"
        )
        self.rectifications.clear()
        self._checklist_changed()

    def _checklist_changed(self) -> None:
        self.ui.totalLabel.setText(self.checklist.summary())
        self.rectifications.sync(self.checklist.failed_items())

    def _date_changed(self, d: QDate) -> None:
        self.rectifications.set_inspected_on(date(d.year(), d.month(), d.day()))

    # -- saving -------------------------------------------------------------------------------------
    def data(self) -> dict[str, Any]:
        d = self.ui.inspectedOn.date()
        return {
            "kind": self.kind,
            "inspected_on": date(d.year(), d.month(), d.day()),
            "inspectors": self.ui.inspectors.text(),
            "findings": self.ui.findings.toPlainText(),
        }

    def try_save(self) -> bool:
        community_id = self.community.community_id
        if not community_id:
            self._show("请先选择被检查的小区（在“被检查小区”中输入名称或拼音首字母，再从列表中选择）。")
            self.community.edit.setFocus()
            return False
        data = self.data()
        results = self.checklist.results()
        rects = self.rectifications.values()
        template = self.ui.templateCombo.currentData()
        photos = self.photos.paths()

        def make(s):
            target = communities.get(s, community_id)
            return inspections.record(s, target, data, results, rects, template=template, photos=photos)

        title = f"记录{inspections.KINDS[data['kind']]}：{self.community.community_name}"
        try:
            inspection = commands.create(
                self.ctx, title, make, inspections.delete, inspections.restore, table="inspection"
            )
        except ValidationError as exc:
            self._show("\n".join(str(p) for p in exc.problems))
            return False
        except OldcommError as exc:
            self._show(str(exc))
            return False
        self.saved_id = inspection.id
        self.ctx.settings.setValue(keys.LAST_INSPECTORS, data["inspectors"])
        self.accept()
        return True

    def _show(self, text: str) -> None:
        self.ui.message.setText(text)
        self.ui.message.setVisible(bool(text))
