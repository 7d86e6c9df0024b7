"""First run: whose database this is (township or county, code and name) and who is working.

Also the operator chooser shown when an existing database opens and no operator is remembered.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core import catalogues, national_divisions, workspace
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.gui import colours
from oldcomm_desktop.gui.context import AppContext  # noqa: F401 - documented type of callers
from oldcomm_desktop.storage.database import Database

SEARCH_ROLE = int(Qt.ItemDataRole.UserRole) + 1


class _NameOrPinyin(QCompleter):
    """Completes on "name initials…" (so 城关 and cg both find 城关镇) but writes the name alone."""

    def pathFromIndex(self, index: QModelIndex) -> str:  # Qt's name
        return str(index.data(Qt.ItemDataRole.DisplayRole) or "")


class DivisionPicker(QComboBox):
    """One level of the national list (省/市/县/乡镇): pick from the list or type a name or pinyin initials."""

    def __init__(self, placeholder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMinimumContentsLength(16)
        self.lineEdit().setPlaceholderText(placeholder)
        self.items = QStandardItemModel(self)
        self.setModel(self.items)
        completer = _NameOrPinyin(self.items, self)
        completer.setCompletionRole(SEARCH_ROLE)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.entries: list[national_divisions.Entry] = []

    def set_entries(self, entries: list[national_divisions.Entry]) -> None:
        from oldcomm_desktop.core.pinyin_search import initials

        blocked = self.blockSignals(True)
        self.items.clear()
        self.entries = list(entries)
        for e in self.entries:
            item = QStandardItem(e.name)
            item.setData(e.code, Qt.ItemDataRole.UserRole)
            item.setData(f"{e.name} {initials(e.name)}", SEARCH_ROLE)
            self.items.appendRow(item)
        self.setCurrentIndex(-1)
        self.blockSignals(blocked)
        self.setEnabled(bool(self.entries))
        self.currentIndexChanged.emit(-1)

    def code(self) -> str:
        """The chosen entry's code, '' unless the text names one of the entries."""
        i = self.currentIndex()
        if i >= 0 and self.itemText(i) == self.currentText():
            return str(self.itemData(i) or "")
        return ""

    def choose(self, text: str) -> bool:
        """Pick the first entry matching `text` by name or pinyin initials (what the completer offers)."""
        found = national_divisions.matches(self.entries, text)
        if not found:
            return False
        self.setCurrentIndex(self.entries.index(found[0]))
        return True


class FirstRunDialog(QDialog):
    """Whose database this is: the township (or county) picked from the national list of division codes,
    and who is working; then initialises the database (a county registers its townships with codes)."""

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("首次使用：设置本单位")
        self.setMinimumWidth(560)
        intro = QLabel(
            "欢迎使用老旧小区改造工作台。请选择本单位：逐级选择省、市、县（区）和乡镇（街道），"
            "可以输入名称或拼音首字母（如 cg 找到城关镇）。"
        )
        intro.setWordWrap(True)
        self.township = QRadioButton("乡镇（街道）")
        self.county = QRadioButton("县（区）住建局")
        self.township.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.township)
        group.addButton(self.county)
        self.pickers = {
            "province": DivisionPicker("省、自治区、直辖市"),
            "city": DivisionPicker("市、州、盟"),
            "county": DivisionPicker("县、区、市"),
            "township": DivisionPicker("乡、镇、街道"),
        }
        for level, picker in self.pickers.items():
            picker.setObjectName(f"pick_{level}")
        order = list(self.pickers)
        for upper, lower in zip(order, order[1:], strict=False):
            self.pickers[upper].currentIndexChanged.connect(lambda _i, u=upper, lo=lower: self._fill(u, lo))
        self.pickers["township"].currentIndexChanged.connect(lambda _i: self._show_code())
        self.pickers["county"].currentIndexChanged.connect(lambda _i: self._show_code())
        self.by_hand = QLineEdit()
        self.by_hand.setObjectName("by_hand")
        self.by_hand.setPlaceholderText("列表中没有本乡镇时，在这里填写名称（手工添加，代码取 400–599 段）")
        self.by_hand.textChanged.connect(lambda _t: self._show_code())
        self.code_label = QLabel()
        self.code_label.setObjectName("code_label")
        self.code_label.setStyleSheet(colours.text_style("muted"))
        self.operator = QLineEdit()
        self.operator.setObjectName("operator")
        self.operator.setPlaceholderText("您的姓名")
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet(colours.text_style("error"))
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("单位类型：", self.township)
        form.addRow("", self.county)
        self.rows: dict[str, QLabel] = {}
        for level, label in (
            ("province", "省＊："),
            ("city", "市＊："),
            ("county", "县（区）＊："),
            ("township", "乡镇（街道）＊："),
        ):
            self.rows[level] = QLabel(label)
            form.addRow(self.rows[level], self.pickers[level])
        self.by_hand_label = QLabel("不在列表中：")
        form.addRow(self.by_hand_label, self.by_hand)
        form.addRow("区划代码：", self.code_label)
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
        self.county.toggled.connect(self._mode_changed)
        self.pickers["province"].set_entries(national_divisions.children())
        self._mode_changed()

    def _fill(self, upper: str, lower: str) -> None:
        code = self.pickers[upper].code()
        self.pickers[lower].set_entries(national_divisions.children(code) if code else [])

    def _mode_changed(self) -> None:
        township = self.township.isChecked()
        for widget in (self.rows["township"], self.pickers["township"], self.by_hand_label, self.by_hand):
            widget.setVisible(township)
        self._show_code()

    def chosen(self) -> tuple[str, str, bool]:
        """(12-digit code, name, added by hand) of the unit as chosen so far; code '' when incomplete."""
        county = self.pickers["county"].code()
        if self.county.isChecked():
            return county, self.pickers["county"].currentText().strip() if county else "", False
        township = self.pickers["township"].code()
        if township:
            return township, self.pickers["township"].currentText().strip(), False
        name = self.by_hand.text().strip()
        return (county, name, True) if county and name else ("", "", False)

    def _show_code(self) -> None:
        code, name, by_hand = self.chosen()
        if not code:
            self.code_label.setText("（请逐级选择）")
        elif by_hand:
            self.code_label.setText(f"{name}：手工添加，代码在 {code[:6]} 下的 400–599 段自动编排")
        else:
            self.code_label.setText(f"{code}（{name}）")

    def try_accept(self) -> None:
        operator = self.operator.text().strip()
        if not operator:
            self.error.setText("操作员：必须填写")
            self.operator.setFocus()
            return
        code, name, by_hand = self.chosen()
        if not code:
            self.error.setText(
                "请逐级选择本单位（省、市、县（区）" + ("、乡镇（街道）" if self.township.isChecked() else "") + "）"
            )
            return
        mode = workspace.TOWNSHIP if self.township.isChecked() else workspace.COUNTY
        try:
            with self.db.transaction(operator) as s:
                if by_hand:
                    code = national_divisions.add_by_hand(s, code, name).code
                    s.flush()
                if mode == workspace.TOWNSHIP:
                    county = national_divisions.entry(code[:6] + "000000")
                    if county is not None:
                        catalogues.set_setting(s, "county_name", county.name)
                workspace.initialise(s, mode=mode, code=code, name=name, operator=operator)
                if mode == workspace.COUNTY:
                    national_divisions.register_townships(s, code)
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
        self.error.setStyleSheet(colours.text_style("error"))
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
