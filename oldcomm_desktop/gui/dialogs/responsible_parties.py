"""责任主体: a project's five responsible parties (质量终身责任制), edited as one table and saved undoably.

The core checks everything (a named leader, a licence number for the four licensed units) and names the
role and field at fault; the dialog shows those messages and keeps what the clerk typed.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import responsibility
from oldcomm_desktop.core.errors import OldcommError, ValidationError
from oldcomm_desktop.gui import colours, commands
from oldcomm_desktop.gui.context import AppContext

COLUMNS = (
    ("unit_name", "单位名称", 260),
    ("leader", "项目负责人", 90),
    ("licence_no", "资质或执业证号", 170),
    ("phone", "联系电话", 110),
)


class PartiesDialog(QDialog):
    def __init__(self, ctx: AppContext, project_id: str, project_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.project_id = project_id
        self.setWindowTitle(f"参建单位及项目负责人 — {project_name}")
        self.before = ctx.read(lambda s: responsibility.parties(s, project_id))
        grid = QGridLayout()
        for col, (_key, label, _w) in enumerate(COLUMNS, start=1):
            grid.addWidget(QLabel(label), 0, col)
        self.edits: dict[str, dict[str, QLineEdit]] = {}
        for row, party in enumerate(self.before, start=1):
            grid.addWidget(QLabel(party.role_label), row, 0)
            self.edits[party.role] = {}
            for col, (key, label, width) in enumerate(COLUMNS, start=1):
                edit = QLineEdit(getattr(party, key))
                edit.setObjectName(f"{party.role}_{key}")
                edit.setMinimumWidth(width)
                edit.setPlaceholderText(label)
                grid.addWidget(edit, row, col)
                self.edits[party.role][key] = edit
        note = QLabel("质量终身责任制：勘察、设计、施工、监理单位须填写资质证书号或项目负责人执业证号。")
        note.setStyleSheet(colours.text_style("muted"))
        self.message = QLabel()
        self.message.setObjectName("dialog_message")
        self.message.setStyleSheet(colours.text_style("alert"))
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def values(self) -> dict[str, dict[str, str]]:
        return {role: {k: e.text().strip() for k, e in fields.items()} for role, fields in self.edits.items()}

    def save(self) -> bool:
        """Send only the roles the clerk changed (an untouched, prefilled role is not saved as a party)."""
        previous = responsibility.as_data(self.before)
        shown = {p.role: {k: getattr(p, k) for k, _l, _w in COLUMNS} for p in self.before}
        changed: dict[str, dict[str, str] | None] = {}
        for role, values in self.values().items():
            if values != shown[role]:
                notes = (previous.get(role) or {}).get("notes", "")
                changed[role] = {**values, "notes": notes} if any(values.values()) else None
        if not changed:
            self.accept()
            return True
        undo = {role: previous.get(role) for role in changed}
        try:
            commands.perform(
                self.ctx,
                "修改参建单位及项目负责人",
                lambda s: responsibility.set_parties(s, self.project_id, changed),
                lambda s: responsibility.set_parties(s, self.project_id, undo),
                table="project",
            )
        except ValidationError as exc:
            self.message.setText("\n".join(str(p) for p in exc.problems))
            return False
        except OldcommError as exc:
            self.message.setText(str(exc))
            return False
        self.accept()
        return True
