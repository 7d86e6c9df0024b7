"""First run: whose database this is (township or county, code and name) and who is working.

Also the operator chooser shown when an existing database opens and no operator is remembered.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import workspace
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.gui.context import AppContext  # noqa: F401 - documented type of callers
from oldcomm_desktop.storage.database import Database


class FirstRunDialog(QDialog):
    """Asks for the township (or county) code and name and the operator, then initialises the database."""

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("首次使用：设置本单位")
        intro = QLabel(
            "欢迎使用老旧小区改造工作台。请先填写本单位的信息。\n"
            "区划代码是 12 位统计用区划代码，例如 341122001000（乡镇/街道的后 3 位为 000）。"
        )
        intro.setWordWrap(True)
        self.township = QRadioButton("乡镇（街道）")
        self.county = QRadioButton("县（区）住建局")
        self.township.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.township)
        group.addButton(self.county)
        self.code = QLineEdit()
        self.code.setObjectName("code")
        self.code.setMaxLength(12)
        self.code.setPlaceholderText("12 位区划代码")
        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.name.setPlaceholderText("例如：城关街道")
        self.operator = QLineEdit()
        self.operator.setObjectName("operator")
        self.operator.setPlaceholderText("您的姓名")
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("单位类型：", self.township)
        form.addRow("", self.county)
        form.addRow("区划代码＊：", self.code)
        form.addRow("单位名称＊：", self.name)
        form.addRow("操作员＊：", self.operator)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("开始使用")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def try_accept(self) -> None:
        operator = self.operator.text().strip()
        if not operator:
            self.error.setText("操作员：必须填写")
            self.operator.setFocus()
            return
        mode = workspace.TOWNSHIP if self.township.isChecked() else workspace.COUNTY
        try:
            with self.db.transaction(operator) as s:
                workspace.initialise(
                    s, mode=mode, code=self.code.text().strip(), name=self.name.text(), operator=operator
                )
        except ValidationError as exc:
            self.error.setText("\n".join(str(p) for p in exc.problems))
            return
        self.operator_name = operator
        self.accept()


class OperatorDialog(QDialog):
    """Who is working: pick a known operator or type a new name (added to the list)."""

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("选择操作员")
        with db.transaction() as s:
            names = [o.name for o in workspace.operators(s)]
        self.combo = QComboBox()
        self.combo.setObjectName("operator")
        self.combo.setEditable(True)
        self.combo.addItems(names)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("请选择操作员，或输入新的姓名："))
        layout.addWidget(self.combo)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def try_accept(self) -> None:
        name = self.combo.currentText().strip()
        try:
            with self.db.transaction(name) as s:
                workspace.add_operator(s, name)
        except ValidationError as exc:
            self.error.setText(str(exc))
            return
        self.operator_name = name
        self.accept()
