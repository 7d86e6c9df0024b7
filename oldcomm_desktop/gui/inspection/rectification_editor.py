"""The rectification notices an inspection issues: one card per failed item, plus any the clerk adds.

Each card asks for the problem, the requirement and the deadline (限期整改). Cards keep what was typed
when an item is switched back and forth between 合格 and 不合格; the rules (a failed item needs a
rectification, a deadline not before the inspection) are the core's, reported when saving.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import inspections
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.dialogs.record_form import DateField

DEFAULT_DAYS = 7
QUICK_DAYS = (3, 7, 15, 30)
LABELS = {name: f.label for name, f in inspections.RECT_FIELDS.items()}


class RectificationCard(QGroupBox):
    removed = Signal(object)

    def __init__(self, title: str, problem: str, deadline: date, *, removable: bool, parent: QWidget | None = None):
        super().__init__(title, parent)
        self.setStyleSheet(
            "QGroupBox { font-weight: bold; } QGroupBox QLabel, QGroupBox QLineEdit { font-weight: normal; }"
        )
        self.problem = QLineEdit(problem)
        self.problem.setObjectName("rect_problem")
        self.requirement = QLineEdit()
        self.requirement.setObjectName("rect_requirement")
        self.requirement.setPlaceholderText("如：立即整改并报监理复查")
        self.deadline = DateField()
        self.deadline.setObjectName("rect_deadline")
        self.deadline.set_value(deadline)
        self._base = deadline - timedelta(days=DEFAULT_DAYS)
        when = QHBoxLayout()
        when.setContentsMargins(0, 0, 0, 0)
        when.addWidget(self.deadline, 1)
        for days in QUICK_DAYS:
            b = QToolButton()
            b.setText(f"{days}天")
            b.setToolTip(f"检查日期后 {days} 天")
            b.clicked.connect(lambda _c=False, d=days: self.deadline.set_value(self._base + timedelta(days=d)))
            when.addWidget(b)
        form = QFormLayout(self)
        form.addRow(LABELS["problem"] + "＊：", self.problem)
        form.addRow(LABELS["requirement"] + "：", self.requirement)
        form.addRow(LABELS["deadline"] + "＊：", when)
        if removable:
            remove = QPushButton("删除这条")
            remove.clicked.connect(lambda: self.removed.emit(self))
            form.addRow("", remove)

    def set_base(self, inspected_on: date) -> None:
        """Move the deadline along with the inspection date while the clerk has not picked one."""
        current = self.deadline.value()
        if current == self._base + timedelta(days=DEFAULT_DAYS):
            self.deadline.set_value(inspected_on + timedelta(days=DEFAULT_DAYS))
        self._base = inspected_on

    def values(self) -> dict[str, Any]:
        return {
            "problem": self.problem.text(),
            "requirement": self.requirement.text(),
            "deadline": self.deadline.value(),
        }


class RectificationEditor(QWidget):
    """Cards for failed items (in checklist order) followed by extra ones; `values()` for the core."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.inspected_on = date.today()
        self._by_item: dict[str, RectificationCard] = {}
        self._order: list[str] = []
        self._extra: list[RectificationCard] = []
        self.inner = QWidget()
        self.cards = QVBoxLayout(self.inner)
        self.cards.setContentsMargins(0, 0, 0, 0)
        self.cards.addStretch(1)
        self.hint = QLabel("没有不合格项。需要时可另加整改。")
        self.hint.setObjectName("rect_hint")
        self.hint.setStyleSheet(colours.text_style("muted"))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.inner)
        self.add_button = QPushButton("另加一条整改…")
        self.add_button.setObjectName("add_rectification")
        self.add_button.clicked.connect(lambda: self.add_extra())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(scroll, 1)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.add_button)
        layout.addLayout(bar)

    def set_inspected_on(self, day: date) -> None:
        self.inspected_on = day
        for card in [*self._by_item.values(), *self._extra]:
            card.set_base(day)

    def _default_deadline(self) -> date:
        return self.inspected_on + timedelta(days=DEFAULT_DAYS)

    def sync(self, failed: Sequence[dict[str, Any]]) -> None:
        """Show a card for each failed item (from ChecklistWidget.failed_items), keeping typed text."""
        wanted = [str(it["id"]) for it in failed]
        for it in failed:
            key = str(it["id"])
            if key not in self._by_item:
                card = RectificationCard(
                    f"第 {it['index'] + 1} 项不合格：{it['text']}",
                    f"{it['text']}不符合要求",
                    self._default_deadline(),
                    removable=False,
                )
                card.setObjectName(f"rect_item_{it['index']}")
                self._by_item[key] = card
        self._order = wanted
        for key, card in self._by_item.items():
            card.setVisible(key in wanted)
        position = 0
        for key in wanted:
            self.cards.insertWidget(position, self._by_item[key])
            position += 1
        self._update_hint()

    def clear(self) -> None:
        for card in [*self._by_item.values(), *self._extra]:
            card.hide()
            card.deleteLater()
        self._by_item, self._order, self._extra = {}, [], []
        self._update_hint()

    def add_extra(self, problem: str = "") -> RectificationCard:
        card = RectificationCard(f"另加整改 {len(self._extra) + 1}", problem, self._default_deadline(), removable=True)
        card.setObjectName(f"rect_extra_{len(self._extra)}")
        card.removed.connect(self._remove)
        self._extra.append(card)
        self.cards.insertWidget(self.cards.count() - 1, card)
        self._update_hint()
        card.problem.setFocus()
        return card

    def _remove(self, card: RectificationCard) -> None:
        self._extra.remove(card)
        card.hide()
        card.deleteLater()
        self._update_hint()

    def _update_hint(self) -> None:
        self.hint.setVisible(not self._order and not self._extra)

    def active_cards(self) -> list[RectificationCard]:
        return [self._by_item[k] for k in self._order] + list(self._extra)

    def values(self) -> list[dict[str, Any]]:
        return [card.values() for card in self.active_cards()]
