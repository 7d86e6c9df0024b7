"""A checklist template filled in on screen: items grouped by area, each 合格 / 不合格 / 不适用 or a score.

The template (items, areas, maximum scores, grade bands) comes from the core's `inspections.sheet`; the
total and grade shown while scoring come from the core's `inspections.score_total`, the same sum and
bands `inspections.record` stores — the widget only collects what the clerk chose.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import inspections
from oldcomm_desktop.core.money import format_quantity
from oldcomm_desktop.gui import colours

RESULT_ORDER = ("pass", "fail", "na")


class ChecklistWidget(QWidget):
    """Shows one sheet. `results()` is what `inspections.record` takes; `failed_items()` need rectification."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.sheet: dict[str, Any] = {"items": [], "grade_bands": []}
        self.scored = False
        self._groups: list[QButtonGroup] = []
        self._scores: list[QLineEdit] = []
        self.inner = QWidget()
        self.inner_layout = QVBoxLayout(self.inner)
        self.inner_layout.setContentsMargins(4, 4, 4, 4)
        scroll = QScrollArea()
        scroll.setObjectName("checklist_scroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.inner)
        self.all_pass = QPushButton("其余各项合格")
        self.all_pass.setObjectName("all_pass")
        self.all_pass.setToolTip("把还没有选择结果的各项设为“合格”")
        self.all_pass.clicked.connect(self.mark_rest_passed)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.all_pass)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addLayout(bar)

    # -- building -----------------------------------------------------------------------------------
    def set_sheet(self, sheet: Mapping[str, Any], *, scored: bool) -> None:
        """Show `sheet` (from `inspections.sheet`); `scored` for a management check (scores, not results)."""
        self.sheet = dict(sheet)
        self.scored = scored
        self._groups, self._scores = [], []
        while self.inner_layout.count():
            item = self.inner_layout.takeAt(0)
            if item.widget():
                item.widget().hide()
                item.widget().deleteLater()
        areas: dict[str, list[tuple[int, dict]]] = {}
        for n, it in enumerate(self.sheet["items"]):
            areas.setdefault(it["area"] or "其他", []).append((n, it))
        for area, entries in areas.items():
            box = QGroupBox(area)
            grid = QGridLayout(box)
            grid.setColumnStretch(1, 1)
            grid.setHorizontalSpacing(12)
            for row, (n, it) in enumerate(entries):
                grid.addWidget(QLabel(f"{n + 1}."), row, 0, Qt.AlignmentFlag.AlignTop)
                text = QLabel(it["text"])
                text.setWordWrap(True)
                grid.addWidget(text, row, 1)
                if scored:
                    grid.addWidget(self._score_cell(n, it), row, 2)
                else:
                    grid.addWidget(self._result_cell(n), row, 2)
            self.inner_layout.addWidget(box)
        self.inner_layout.addStretch(1)
        if not self.sheet["items"]:
            self.inner_layout.insertWidget(0, QLabel("这个检查表没有检查项。"))
        self.all_pass.setVisible(not scored and bool(self.sheet["items"]))
        self.changed.emit()

    def _result_cell(self, n: int) -> QWidget:
        cell = QWidget()
        row = QHBoxLayout(cell)
        row.setContentsMargins(0, 0, 0, 0)
        group = QButtonGroup(cell)
        group.setExclusive(True)
        for code in RESULT_ORDER:
            button = QRadioButton(inspections.RESULTS[code])
            button.setObjectName(f"item_{n}_{code}")
            if code == "fail":
                button.setStyleSheet(colours.style("QRadioButton { color: {alert}; }"))
            group.addButton(button)
            button.setProperty("result", code)
            row.addWidget(button)
        group.buttonToggled.connect(lambda _b, on: on and self.changed.emit())
        self._groups.append(group)
        return cell

    def _score_cell(self, n: int, item: Mapping[str, Any]) -> QWidget:
        cell = QWidget()
        row = QHBoxLayout(cell)
        row.setContentsMargins(0, 0, 0, 0)
        edit = QLineEdit()
        edit.setObjectName(f"score_{n}")
        edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        edit.setFixedWidth(72)
        top = item.get("max_score")
        validator = QDoubleValidator(0.0, float(top) if top is not None else 1000.0, 2, edit)
        validator.setNotation(QDoubleValidator.Notation.StandardNotation)
        edit.setValidator(validator)
        edit.setPlaceholderText("得分")
        edit.textChanged.connect(self.changed)
        row.addWidget(edit)
        row.addWidget(QLabel(f"/ {top} 分" if top is not None else "分"))
        self._scores.append(edit)
        return cell

    # -- what was chosen ----------------------------------------------------------------------------
    def set_result(self, n: int, code: str | None) -> None:
        group = self._groups[n]
        if code is None:
            group.setExclusive(False)
            for b in group.buttons():
                b.setChecked(False)
            group.setExclusive(True)
            self.changed.emit()
            return
        for b in group.buttons():
            if b.property("result") == code:
                b.setChecked(True)

    def result_of(self, n: int) -> str | None:
        checked = self._groups[n].checkedButton() if n < len(self._groups) else None
        return checked.property("result") if checked else None

    def set_score(self, n: int, value: Any) -> None:
        self._scores[n].setText("" if value is None else str(value))

    def score_of(self, n: int) -> Decimal | None:
        if n >= len(self._scores):
            return None
        try:
            return inspections.RESULT_FIELDS["score"].parse(self._scores[n].text())
        except ValueError:
            return None

    def mark_rest_passed(self) -> None:
        for n in range(len(self._groups)):
            if self.result_of(n) is None:
                self.set_result(n, "pass")

    def results(self) -> list[dict[str, Any]]:
        """The checklist lines for `inspections.record` (scores as typed, so the core reports bad ones)."""
        lines = []
        for n, it in enumerate(self.sheet["items"]):
            line: dict[str, Any] = {"template_item_id": it["id"], "area": it["area"], "text": it["text"]}
            if self.scored:
                line["score"] = self._scores[n].text()
            else:
                line["result"] = self.result_of(n)
            lines.append(line)
        return lines

    def failed_items(self) -> list[dict[str, Any]]:
        if self.scored:
            return []
        return [dict(it, index=n) for n, it in enumerate(self.sheet["items"]) if self.result_of(n) == "fail"]

    def summary(self) -> str:
        """One line under the list: counts per result, or the live total and grade."""
        items = self.sheet["items"]
        if not items:
            return ""
        if self.scored:
            scores = [self.score_of(n) for n in range(len(items))]
            total, grade = inspections.score_total(self.sheet.get("grade_bands"), scores)
            top = sum(it["max_score"] or 0 for it in items)
            missing = sum(1 for s in scores if s is None)
            text = f"总分 <b>{format_quantity(total)}</b> / {top} 分　等级：<b>{grade or '—'}</b>"
            if missing:
                text += "　" + colours.span("caution", f"（还有 {missing} 项未评分）")
            return text
        counts = {code: 0 for code in (*RESULT_ORDER, None)}
        for n in range(len(items)):
            counts[self.result_of(n)] += 1
        text = (
            f"合格 {counts['pass']} 项　" + colours.span("alert", f"不合格 {counts['fail']} 项")
            + f"　不适用 {counts['na']} 项"
        )
        if counts[None]:
            text += "　" + colours.span("caution", f"未选 {counts[None]} 项")
        return text

    def total_and_grade(self) -> tuple[Decimal, str | None]:
        scores = [self.score_of(n) for n in range(len(self.sheet["items"]))]
        return inspections.score_total(self.sheet.get("grade_bands"), scores)
