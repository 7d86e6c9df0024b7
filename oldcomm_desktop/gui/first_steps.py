"""The guide a new database opens on (core/first_steps.py): four steps, each a button that does it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from oldcomm_desktop.core.first_steps import Step
from oldcomm_desktop.gui import colours

TICK, TODO = "✔", "○"


class FirstStepsGuide(QFrame):
    """Rows of ✔/○, the step's button and what it makes; `step_clicked(key)` asks the window to do it."""

    step_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("first_steps")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        title = QLabel("<h3 style='margin:0'>开始使用：四步建起台账</h3>")
        layout.addWidget(title)
        layout.addWidget(QLabel("按顺序点击下面的按钮；完成的步骤会打勾。"))
        self.grid = QGridLayout()
        self.grid.setColumnStretch(2, 1)
        layout.addLayout(self.grid)
        self.marks: dict[str, QLabel] = {}
        self.buttons: dict[str, QPushButton] = {}
        self.steps: list[Step] = []

    def set_steps(self, steps: list[Step]) -> None:
        self.steps = steps
        for row, step in enumerate(steps):
            if step.key not in self.buttons:
                mark, button, hint = QLabel(), QPushButton(f"{row + 1}. {step.title}"), QLabel(step.hint)
                button.setObjectName(f"step_{step.key}")
                button.clicked.connect(lambda _=False, k=step.key: self.step_clicked.emit(k))
                hint.setWordWrap(True)
                self.grid.addWidget(mark, row, 0)
                self.grid.addWidget(button, row, 1)
                self.grid.addWidget(hint, row, 2)
                self.marks[step.key], self.buttons[step.key] = mark, button
            self.marks[step.key].setText(TICK if step.done else TODO)
            tone = "{ok}" if step.done else "{faint}"
            self.marks[step.key].setStyleSheet(colours.style(f"color: {tone}; font-size: 16px;"))
        first_open = next((s.key for s in steps if not s.done), None)
        for key, button in self.buttons.items():
            button.setDefault(key == first_open)

    def done(self, key: str) -> bool:
        return any(s.key == key and s.done for s in self.steps)


def run_step(window, key: str) -> object:  # the MainWindow (gui.main_window imports pages lazily)
    """Do a step in the window: open the dialog that makes its record, on the page where it lives."""
    actions: dict[str, Callable[[], object]] = {
        "project": lambda: window.go_to("projects").new_record(),
        "community": lambda: window.go_to("communities").new_record(),
        "milestone": lambda: _add_milestone(window.go_to("communities")),
        "inspection": lambda: window.go_to("inspections").new_record(),
    }
    return actions[key]()


def _add_milestone(page) -> object:  # CommunitiesPage
    if page.table.model.rowCount() == 0:
        return page.new_record()  # no community yet: the step before comes first
    if not page.table.current_id():
        page.table.select_first()
    if page.detail.community_id != page.table.current_id():
        page.detail.show_community(page.table.current_id())
    page.detail.tabs.setCurrentWidget(page.detail.timeline)
    return page.detail.timeline.add_milestone()
