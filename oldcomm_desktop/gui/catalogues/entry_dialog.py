"""The small dialog that adds (or renames) a catalogue entry: every field on one form, checked as typed.

Qt's one-line QInputDialog asked for an item type's category, name and unit in three dialogs in a row, with
English OK/Cancel and no word about a duplicate name until the core refused it afterwards. This one shows
the fields together, says beside the field what is wrong (必须填写, 目录中已有“…”, at most 80 characters) and
keeps 确定 unavailable until the entry can be saved; the core still checks everything on save.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.gui import colours

MAX_NAME = 80  # the core's limit (catalogue_editing._name, funding_catalogue._name)


class EntryDialog(QDialog):
    """Category (item types), name, unit (item types); `taken`: the names already in the catalogue."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        *,
        where: str = "",
        categories: list[str] | None = None,
        unit: bool = False,
        taken: Iterable[str] = (),
        name: str = "",
        unit_text: str = "",
        intro: str = "",
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("catalogue_entry_dialog")
        self.taken = {t.strip() for t in taken} - ({name.strip()} if name else set())
        self.original = name.strip()
        self.original_unit = unit_text.strip()
        self._touched: set[str] = set()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.category: QComboBox | None = None
        if categories is not None:
            self.category = QComboBox()
            self.category.setObjectName("entry_category")
            self.category.addItems(categories)
            form.addRow("类别：", self.category)
        self.name = QLineEdit(name)
        self.name.setObjectName("entry_name")
        self.name.setMaxLength(MAX_NAME + 1)  # one more, so the limit is said rather than typing silently stopped
        self.name.setPlaceholderText("中文名称，如 智能门禁" if unit else "中文名称，如 企业捐赠")
        self.name_problem = self._problem_label("entry_name_problem")
        form.addRow("名称：", self._with_problem(self.name, self.name_problem))
        self.unit: QLineEdit | None = None
        self.unit_problem: QLabel | None = None
        if unit:
            self.unit = QLineEdit(unit_text)
            self.unit.setObjectName("entry_unit")
            self.unit.setMaxLength(MAX_NAME + 1)
            self.unit.setPlaceholderText("自然单位，如 米、个、处、套")
            self.unit_problem = self._problem_label("entry_unit_problem")
            form.addRow("单位：", self._with_problem(self.unit, self.unit_problem))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if where or intro:
            head = QLabel("\n".join(t for t in (where, intro) if t))
            head.setObjectName("entry_where")
            head.setWordWrap(True)
            head.setStyleSheet(colours.text_style("secondary"))
            layout.addWidget(head)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.name.textEdited.connect(lambda _t: self._edited("name"))
        if self.unit is not None:
            self.unit.textEdited.connect(lambda _t: self._edited("unit"))
        self.check()
        self.setMinimumWidth(420)
        self.name.setFocus()

    @staticmethod
    def _problem_label(name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setStyleSheet(colours.text_style("error"))
        label.setWordWrap(True)
        return label

    @staticmethod
    def _with_problem(field: QLineEdit, problem: QLabel) -> QWidget:
        """The field with its problem right under it, in the same form row."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(field)
        column.addWidget(problem)
        return box

    def _edited(self, which: str) -> None:
        self._touched.add(which)
        self.check()

    # -- checking ---------------------------------------------------------------------------------------
    def problems(self) -> dict[str, str]:
        """What is wrong, by field ("name", "unit"); empty when the entry can be saved."""
        out: dict[str, str] = {}
        name = self.name.text().strip()
        if not name:
            out["name"] = "必须填写"
        elif len(name) > MAX_NAME:
            out["name"] = f"最多 {MAX_NAME} 个字"
        elif name in self.taken:
            out["name"] = f"目录中已有“{name}”"
        if self.unit is not None:
            unit = self.unit.text().strip()
            if not unit:
                out["unit"] = "必须填写"
            elif len(unit) > MAX_NAME:
                out["unit"] = f"最多 {MAX_NAME} 个字"
        return out

    def check(self, *, all_fields: bool = False) -> bool:
        """Show the problems beside their fields (an untouched empty field is not scolded until 确定) and
        allow 确定 only when there are none; True when there are none."""
        problems = self.problems()
        shown = problems if all_fields else {k: v for k, v in problems.items() if k in self._touched or v != "必须填写"}
        self.name_problem.setText(shown.get("name", ""))
        self.name_problem.setVisible("name" in shown)
        if self.unit_problem is not None:
            self.unit_problem.setText(shown.get("unit", ""))
            self.unit_problem.setVisible("unit" in shown)
        unchanged = (bool(self.original) and self.name.text().strip() == self.original
                     and (self.unit is None or self.unit.text().strip() == self.original_unit))
        self.ok.setEnabled(not problems and not unchanged)
        return not problems

    def try_accept(self) -> bool:
        if not self.check(all_fields=True):
            return False
        self.accept()
        return True

    def values(self) -> dict[str, str]:
        out = {"name": self.name.text().strip()}
        if self.category is not None:
            out["category"] = self.category.currentText()
        if self.unit is not None:
            out["unit"] = self.unit.text().strip()
        return out
