"""工作汇报: the briefing for a date and area, previewed, and exported as .docx or .txt (with its sources .xlsx)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.returns import briefing
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.jobs import Progress, run_with_progress
from oldcomm_desktop.gui.list_page import is_county, township_choices


class BriefingPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.day = QDateEdit(QDate.currentDate())
        self.day.setObjectName("briefing_date")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setMaximumDate(QDate.currentDate())
        self.area = QComboBox()
        self.area.setObjectName("briefing_area")
        preview = QPushButton("生成预览")
        preview.setObjectName("preview")
        preview.clicked.connect(self.preview)
        save = QPushButton("导出 Word / 文本…")
        save.setObjectName("save_briefing")
        save.clicked.connect(self.ask_save)
        row = QHBoxLayout()
        row.addWidget(QLabel("截至："))
        row.addWidget(self.day)
        row.addWidget(QLabel("范围："))
        row.addWidget(self.area)
        row.addWidget(preview)
        row.addWidget(save)
        row.addStretch(1)
        self.text = QPlainTextEdit()
        self.text.setObjectName("briefing_text")
        self.text.setReadOnly(True)
        self.message = QLabel()
        self.message.setObjectName("briefing_message")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(
            QLabel("数字按讲话习惯取整（余户、万平方米、亿元），只舍不入；导出时另附“明细”表，列出每个数字所加的各行。")
        )
        layout.addWidget(self.text, 1)
        layout.addWidget(self.message)
        self.briefing: briefing.Briefing | None = None

    def load(self) -> None:
        self.area.clear()
        if is_county(self.ctx):
            self.area.addItem("全县", None)
        for code, name in township_choices(self.ctx):  # township mode: only its own
            self.area.addItem(name, code)

    def _day(self) -> date:
        return self.day.date().toPython()

    def preview(self) -> briefing.Briefing | None:
        day, town = self._day(), self.area.currentData()
        try:
            self.briefing = run_with_progress(
                self,
                "工作汇报",
                lambda _p: self.ctx.read(lambda s: briefing.build(s, day=day, township=town)),
                label="正在汇总…",
            )
        except OldcommError as exc:
            self.message.setText(str(exc))
            return None
        self.text.setPlainText(self.briefing.text)
        return self.briefing

    def ask_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出工作汇报", "工作汇报.docx", "Word 文档 (*.docx);;文本 (*.txt)")
        if path:
            self.save_to(Path(path))

    def save_to(self, out: Path) -> list[Path]:
        if self.briefing is None and self.preview() is None:
            return []
        b = self.briefing

        def work(_progress: Progress) -> list[Path]:
            return briefing.write(b, out)

        try:
            files = run_with_progress(self, "导出工作汇报", work, cancellable=False)
        except (OldcommError, OSError) as exc:
            self.message.setText(f"没有导出：{exc}")
            return []
        self.message.setText("已导出：" + "，".join(str(f) for f in files))
        return files
