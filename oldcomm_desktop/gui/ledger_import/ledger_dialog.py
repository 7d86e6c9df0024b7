"""导入台账: choose a workbook and sheet, check the column mapping, see the dry run, then import.

Everything it shows comes from `core.importing.ledger` (the same plan the command line prints); the dry
run and the import run in a worker behind the progress dialog, and the import — planned again inside its
own transaction — is cancellable: a cancel rolls the transaction back, so the database stays as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import workspace
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.importing import columns, ledger, workbook
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui import settings_keys as keys
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.jobs import JobCancelled, Progress, run_with_progress

AREA_UNITS = ("按表头或单元格", "平方米", "万平方米")


_LABEL, _SAMPLES, _FIELD = range(3)  # the mapping table's columns: header, values under it, what it imports as


class LedgerImportDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None, path: Path | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("导入台账")
        self.plan: ledger.LedgerPlan | None = None
        self.labels: list[str] = []
        self.imported: ledger.LedgerPlan | None = None
        self.county = ctx.read(lambda s: workspace.mode(s)) == workspace.COUNTY

        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("path")
        self.path_edit.setReadOnly(True)
        choose = QPushButton("选择文件…")
        choose.clicked.connect(self.ask_file)
        self.sheet_box = QComboBox()
        self.sheet_box.setObjectName("sheet")
        self.sheet_box.currentIndexChanged.connect(self._sheet_changed)
        self.area_unit = QComboBox()
        self.area_unit.addItems(AREA_UNITS)
        self.add_townships = QCheckBox("登记文件中出现、本县尚未登记的乡镇（街道）")
        self.add_townships.setVisible(self.county)
        self.confirm = QCheckBox("确认预演中“需要确认”的行（如建成年份在延长年限内），一并导入")
        self.confirm.setObjectName("confirm")
        self.confirm.toggled.connect(lambda _on: self._forget_plan())
        top = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(choose)
        top.addRow("台账文件", row)
        top.addRow("工作表", self.sheet_box)
        top.addRow("建筑面积单位", self.area_unit)
        top.addRow("", self.add_townships)
        top.addRow("", self.confirm)

        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setObjectName("mapping")
        self.mapping_table.setHorizontalHeaderLabels(["表头", "前几行的值", "导入为"])
        head = self.mapping_table.horizontalHeader()
        head.setSectionResizeMode(_LABEL, QHeaderView.ResizeMode.Interactive)
        head.setSectionResizeMode(_SAMPLES, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(_FIELD, QHeaderView.ResizeMode.ResizeToContents)
        self.mapping_table.setColumnWidth(_LABEL, 180)
        self.mapping_table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.result_table = QTableWidget(0, 4)
        self.result_table.setObjectName("dry_run")
        self.result_table.setHorizontalHeaderLabels(["行号", "小区名称", "处理", "原因与提示"])
        self.result_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.result_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.result_table.verticalHeader().hide()
        self.mapping_table.verticalHeader().hide()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.mapping_table, "1 列的对应关系")
        self.tabs.addTab(self.result_table, "2 预演结果")
        self.summary = QLabel("请选择台账文件。")
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.dry_run_button = QPushButton("预演")
        self.dry_run_button.setObjectName("dry_run_button")
        self.dry_run_button.clicked.connect(self.dry_run)
        self.import_button = QPushButton("导入")
        self.import_button.setObjectName("import_button")
        self.import_button.clicked.connect(self.run_import)
        self.report_button = QPushButton("保存未导入的行…")
        self.report_button.clicked.connect(self.ask_report)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        for b in (self.dry_run_button, self.import_button, self.report_button):
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        self._enable()
        self.resize(820, 560)
        if path is not None:
            self.open_file(Path(path))

    # -- file and sheet -------------------------------------------------------------------------------
    def ask_file(self) -> None:
        folder = self.ctx.settings.value(keys.LEDGER_FOLDER) or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        path, _ = QFileDialog.getOpenFileName(self, "选择台账文件", str(folder), "Excel 工作簿 (*.xlsx);;所有文件 (*)")
        if path:
            self.ctx.settings.setValue(keys.LEDGER_FOLDER, str(Path(path).parent))
            self.open_file(Path(path))

    def open_file(self, path: Path) -> bool:
        self.plan = None
        try:
            names = workbook.sheet_names(path)
        except OldcommError as exc:
            self._say(str(exc), error=True)
            return False
        self.path_edit.setText(str(path))
        self.sheet_box.blockSignals(True)
        self.sheet_box.clear()
        self.sheet_box.addItems(names)
        self.sheet_box.blockSignals(False)
        self._sheet_changed()
        return True

    def _forget_plan(self) -> None:
        """A changed answer needs a new dry run before the import (the clerk sees what it will do)."""
        self.plan = None
        self._enable()

    def _sheet_changed(self) -> None:
        self.plan = None
        self.labels = []
        self.mapping_table.setRowCount(0)
        try:
            self._propose()
        except OldcommError as exc:
            self._say(str(exc), error=True)
        self._enable()

    def _propose(self) -> None:
        from oldcomm_desktop.core.importing import header

        sheet = workbook.read_sheet(Path(self.path_edit.text()), self.sheet_box.currentText())
        known = self.ctx.read(lambda s: columns.known_headers(s))
        head = header.find(sheet.cells, known)
        if head is None:
            raise OldcommError("前 20 行中找不到表头（没有“小区名称”“户数”这样的列名）")
        saved = self.ctx.read(lambda s: columns.remembered(s, head.labels))
        mapping, units, _ = columns.from_json(saved, head.labels) if saved else (columns.propose(head.labels), {}, None)
        self.labels = head.labels
        values = header.samples(sheet.cells, head, mapping)
        self.mapping_table.setRowCount(len(head.labels))
        for row, label in enumerate(head.labels):
            item = QTableWidgetItem(label)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            item.setToolTip(label)
            self.mapping_table.setItem(row, _LABEL, item)
            shown = QTableWidgetItem(" | ".join(values[row]) if values[row] else "（前几行都是空的）")
            shown.setFlags(shown.flags() & ~Qt.ItemFlag.ItemIsEditable)
            shown.setToolTip("\n".join(values[row]))
            self.mapping_table.setItem(row, _SAMPLES, shown)
            box = QComboBox()
            box.addItem("（不导入）", None)
            for key, text in columns.LABELS.items():
                box.addItem(text, key)
            box.setCurrentIndex(max(0, box.findData(mapping.get(row))))
            self.mapping_table.setCellWidget(row, _FIELD, box)
        unit = units.get("floor_area")
        self.area_unit.setCurrentIndex(AREA_UNITS.index(unit) if unit in AREA_UNITS else 0)
        self._say(f"表头在第 {head.first_row + 1} 行。请检查每一列导入为什么，然后点“预演”。")

    def mapping(self) -> dict[int, str]:
        out = {}
        for row in range(self.mapping_table.rowCount()):
            box = self.mapping_table.cellWidget(row, _FIELD)
            if isinstance(box, QComboBox) and box.currentData():
                out[row] = box.currentData()
        return out

    def set_field(self, column: int, field: str | None) -> None:
        box = self.mapping_table.cellWidget(column, _FIELD)
        assert isinstance(box, QComboBox)
        box.setCurrentIndex(max(0, box.findData(field)))

    def options(self) -> ledger.Options:
        units = {"floor_area": self.area_unit.currentText()} if self.area_unit.currentIndex() else {}
        data = columns.to_json(self.labels, self.mapping(), units, None)
        return ledger.Options(
            sheet=self.sheet_box.currentText() or None,
            mapping=data,
            add_townships=self.add_townships.isChecked(),
            confirm=self.confirm.isChecked(),
        )

    # -- dry run and import ---------------------------------------------------------------------------
    def dry_run(self) -> ledger.LedgerPlan | None:
        path, options = Path(self.path_edit.text()), self.options()

        def work(progress: Progress) -> ledger.LedgerPlan:
            progress.report(0, 1, "正在读取并核对台账…")
            with self.ctx.db.transaction(self.ctx.operator) as s:
                p = ledger.plan(s, path, options)
                s.rollback()
            return p

        try:
            self.plan = run_with_progress(self, "预演", work, cancellable=False)
        except OldcommError as exc:
            self.plan = None
            self._say(str(exc), error=True)
            self._enable()
            return None
        self._show_plan(self.plan)
        self.tabs.setCurrentIndex(1)
        self._enable()
        return self.plan

    def work(self, progress: Progress) -> ledger.LedgerPlan:
        """The import in one transaction: planned again (the data may have changed), then written."""
        path, options = Path(self.path_edit.text()), self._options
        with self.ctx.db.transaction(self.ctx.operator) as s:
            progress.report(0, 1, "正在核对台账…")
            p = ledger.plan(s, path, options)
            progress.check()
            ledger.apply(
                s,
                p,
                progress=lambda done, total: progress.report(done, total, f"正在写入 {done:,}/{total:,}…"),
                cancelled=lambda: progress.cancelled,
            )
            progress.check()
        return p

    def run_import(self) -> ledger.LedgerPlan | None:
        self._options = self.options()
        try:
            p = run_with_progress(self, "导入台账", self.work, cancellable=True)
        except (JobCancelled, OldcommError) as exc:
            cancelled = isinstance(exc, JobCancelled) or "取消" in str(exc)
            self._say("已取消，数据库没有任何改动。" if cancelled else f"没有导入：{exc}", error=not cancelled)
            return None
        self.imported = p
        self.ctx.data_changed.emit("*")
        c = p.counts()
        self._show_plan(p)
        self._say(
            f"已导入：新增 {c['new']} 个小区，更新 {c['updated']} 个，"
            f"无变化 {c['unchanged']} 个，未导入 {c['rejected']} 行。"
        )
        return p

    def ask_report(self) -> None:
        if self.plan is None:
            return
        folder = self.ctx.settings.value(keys.LEDGER_FOLDER) or ""
        out, _ = QFileDialog.getSaveFileName(
            self, "保存未导入的行", str(Path(folder) / "未导入的行.xlsx"), "Excel 工作簿 (*.xlsx)"
        )
        if out:
            try:
                ledger.write_report(self.plan, Path(out))
            except OldcommError as exc:
                self._say(str(exc), error=True)
                return
            self._say(f"未导入的行已保存到 {out}")

    # -- showing ------------------------------------------------------------------------------------
    def _show_plan(self, p: ledger.LedgerPlan) -> None:
        shown = [r for r in p.rows if r.action != ledger.SKIPPED or r.kind != "footer"]
        self.result_table.setRowCount(len(shown))
        for i, r in enumerate(shown):
            why = "；".join(x for x in (r.shown_reason, *r.shown_flags) if x)
            for col, value in enumerate((str(r.row), r.name, ledger.ACTION_LABELS[r.action], why)):
                self.result_table.setItem(i, col, QTableWidgetItem(value))
        c = p.counts()
        lines = [
            f"新增 {c['new']}，更新 {c['updated']}，无变化 {c['unchanged']}，"
            f"拒绝 {c['rejected']}，跳过 {c['skipped']}。"
        ]
        if p.unknown_townships:
            lines.append("未登记的乡镇（街道）：" + "、".join(p.unknown_townships))
        lines += p.notices  # about the sheet and its columns (a hidden column imported, two 户数 columns …)
        lines += [f"核对不符：{m.message()}" for m in p.mismatches]
        lines += [f"需要确认：{q}" for q in p.questions]
        self._say("\n".join(lines), error=bool(p.questions))

    def _say(self, text: str, *, error: bool = False) -> None:
        self.summary.setStyleSheet(colours.text_style("error") if error else "")
        self.summary.setText(text)

    def _enable(self) -> None:
        ready = bool(self.labels)
        self.dry_run_button.setEnabled(ready)
        self.import_button.setEnabled(ready and self.plan is not None and not self.plan.questions)
        self.report_button.setEnabled(self.plan is not None and self.plan.counts()["rejected"] > 0)

    def plan_rows(self) -> list[list[Any]]:
        """What the dry-run table shows, row by row (for tests and screenshots)."""
        return [
            [self.result_table.item(r, c).text() for c in range(self.result_table.columnCount())]
            for r in range(self.result_table.rowCount())
        ]
