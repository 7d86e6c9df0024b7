"""年度考核 tab (county mode): every township's indicators, points, score, rank and grade for a year; hand
scores entered here; the result saved with its scheme; the table and its 通报 lists exported.

In township mode the assessment is the county's business: the tab says so instead of showing a table.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QSpinBox, QVBoxLayout, QWidget

from oldcomm_desktop.core import inspections
from oldcomm_desktop.core.fields import Field, parse_changes
from oldcomm_desktop.core.supervision import assessment, bulletins, exports
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.gui.dialogs.record_form import RecordDialog
from oldcomm_desktop.gui.list_page import is_county, township_choices
from oldcomm_desktop.gui.supervision.common import attempt
from oldcomm_desktop.gui.supervision.export import ask_and_write
from oldcomm_desktop.gui.supervision.rows_table import RowsTable


def flatten(result: dict) -> tuple[list[tuple[str, str]], list[dict]]:
    """Columns and rows for the table: rank, township, score, grade, then each indicator's points (rate)."""
    columns = [("rank", "排名"), ("township", "乡镇（街道）"), ("score", "总分"), ("grade", "等次")]
    for ind in result["scheme"]["indicators"]:
        columns.append((ind["code"], f"{ind['label']}\n（{ind['weight']}分）"))
    rows = []
    for r in result["rows"]:
        row: dict[str, Any] = {
            "id": r["township_code"],
            "rank": r["rank"],
            "township": r["township"],
            "score": r["score"],
            "grade": r["grade"],
        }
        for ind in result["scheme"]["indicators"]:
            i = r["indicators"][ind["code"]]
            if i["value"] is None:
                value = "—"
            elif ind["manual"]:
                value = "手工"
            else:
                value = f"{float(i['value']):.1%}"
            row[ind["code"]] = f"{i['points']}（{value}）"
        rows.append(row)
    return columns, rows


class AssessmentTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.result: dict | None = None
        layout = QVBoxLayout(self)
        self.county = is_county(ctx)
        if not self.county:
            note = QLabel("年度绩效考核由县住建局在县级模式下进行；本乡镇的督办、检查和诉求数据会计入考核。")
            note.setObjectName("assessment_note")
            note.setWordWrap(True)
            layout.addWidget(note)
            layout.addStretch(1)
            return
        self.year = QSpinBox()
        self.year.setObjectName("assessment_year")
        self.year.setRange(2000, 2100)
        self.year.setValue(inspections.today().year)
        self.year.setSuffix(" 年")
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        bar.addWidget(QLabel("考核年度："))
        bar.addWidget(self.year)
        self.scheme = QLabel()
        self.scheme.setObjectName("assessment_scheme")
        bar.addWidget(self.scheme, 1)
        for key, text, slot in (
            ("manual", "手工评分…", self.manual),
            ("save", "保存考核结果", self.save),
            ("export", "导出考核表…", self.export),
            ("bulletin", "导出通报…", self.export_bulletin),
        ):
            b = QPushButton(text)
            b.setObjectName(f"assessment_{key}")
            b.clicked.connect(slot)
            bar.addWidget(b)
            self.buttons[key] = b
        self.table = RowsTable([("rank", "排名")], alert=lambda r: r.get("grade") == r.get("bottom"))
        self.table.setObjectName("assessment_table")
        self.table.setWordWrap(True)
        self.saved = QLabel()
        self.saved.setObjectName("assessment_saved")
        self.saved.setStyleSheet(colours.text_style("muted"))
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.saved)
        self.year.valueChanged.connect(lambda _y: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        if not self.county:
            return
        year = self.year.value()
        self.result = self.ctx.read(lambda s: assessment.compute(s, year))
        stored = self.ctx.read(lambda s: assessment.saved(s, year))
        columns, rows = flatten(self.result)
        bands = self.result["scheme"]["grade_bands"]
        bottom = sorted(bands, key=lambda b: float(b[1]))[0][0] if bands else None
        for r in rows:
            r["bottom"] = bottom
        self.table.columns = columns
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels([label for _, label in columns])
        self.table.set_rows(rows)
        scheme = self.result["scheme"]
        since = f"，{scheme['effective_from']} 起执行" if scheme.get("effective_from") else ""
        self.scheme.setText(f"考核方案：{scheme['name']}{since}")
        self.saved.setText(
            f"已保存 {year} 年的结果（{stored['computed_on']} 计算，方案：{stored['scheme']['name']}）"
            if stored
            else f"{year} 年的结果尚未保存；表中是按当前数据计算的结果。"
        )

    def manual(self) -> None:
        year = self.year.value()
        indicators = [
            (i["code"], f"{i['label']}（满分 {i['weight']}）")
            for i in self.result["scheme"]["indicators"]
            if i["manual"]
        ]
        if not indicators:
            QMessageBox.information(self, "手工评分", f"{year} 年的考核方案没有手工评分指标。")
            return
        fields = [
            Field("township_code", "乡镇（街道）", required=True),
            Field("indicator", "考核指标", required=True),
            Field("points", "得分", "decimal", required=True, minimum=0),
            Field("note", "说明"),
        ]
        current = self.table.current_id()

        def save(values: dict[str, Any], _confirm: bool) -> Any:
            v = parse_changes({f.name: f for f in fields}, values, new=True)
            return self.ctx.write(
                lambda s: assessment.set_manual(s, year, v["township_code"], v["indicator"], v["points"], v.get("note"))
            )

        dialog = RecordDialog(
            "手工评分",
            fields,
            save,
            values={"township_code": current, "indicator": indicators[0][0]},
            choices={"township_code": lambda: township_choices(self.ctx), "indicator": lambda: indicators},
            parent=self,
        )
        dialog.setObjectName("manual_score_dialog")
        if dialog.exec():
            self.refresh()

    def save(self) -> None:
        year = self.year.value()
        if attempt(self, "保存考核结果", lambda: self.ctx.write(lambda s: assessment.save(s, year).id)):
            self.refresh()

    def export(self) -> None:
        result = self.result
        ask_and_write(
            self, "导出考核表", f"{result['year']}年度考核结果.xlsx", lambda p: exports.write_assessment(result, p)
        )

    def export_bulletin(self) -> None:
        b = self.ctx.read(lambda s: bulletins.from_assessment(s, self.result))
        ask_and_write(self, "导出通报", f"{b.title}.xlsx", lambda p: exports.write_bulletin(b, p))
