"""A form built from the core's field specifications, with the core's messages shown beside each field.

One declaration in the core (label, kind, unit, choices) gives every edit form its widgets: dates get a
calendar, numbers a unit and thousands separators, choices a list from the catalogue — and the same
Chinese message the command line prints appears under the field that caused it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from oldcomm_desktop.core.errors import ConfirmationNeeded, OldcommError, StaleRecord, ValidationError
from oldcomm_desktop.core.fields import Field
from oldcomm_desktop.core.money import format_in_unit, format_quantity, parse_in_unit
from oldcomm_desktop.gui import colours

EMPTY_DATE = QDate(1900, 1, 1)
Choices = Callable[[], Sequence[tuple[str, str]]]  # () -> [(stored value, Chinese label)]
LONG_TEXT = {"notes", "findings", "reason", "requirement", "problem", "reply", "note"}


class DateField(QDateEdit):
    """A date picker that can also be empty (a clerk often does not know a date yet)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(EMPTY_DATE)
        self.setSpecialValueText("（未填）")
        self.setDate(EMPTY_DATE)

    def value(self) -> date | None:
        d = self.date()
        return None if d == EMPTY_DATE else date(d.year(), d.month(), d.day())

    def set_value(self, value: date | None) -> None:
        self.setDate(EMPTY_DATE if value is None else QDate(value.year, value.month, value.day))


class RecordForm(QWidget):
    """Widgets for a list of fields; `values()` gives what the clerk entered, as text or typed values."""

    changed = Signal()

    def __init__(
        self, fields: Sequence[Field], *, choices: Mapping[str, Choices] | None = None, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.fields = list(fields)
        self._choices = choices or {}
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self._initial: dict[str, Any] = {}
        #: 元 or 万元 for the money fields kept in 元; None: the unit the clerk chose (the window's, found
        #: through the widgets this form sits in, `money_unit`).
        self.money_unit_override: str | None = None
        self.money_labels: dict[str, QLabel] = {}
        outer = QVBoxLayout(self)
        layout = QFormLayout()
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        outer.addLayout(layout)
        outer.addStretch(1)  # spare height goes below the form, not between a label and its box
        for field in self.fields:
            widget = self._make_widget(field)
            self.widgets[field.name] = widget
            error = QLabel()
            error.setObjectName(f"error_{field.name}")
            error.setStyleSheet(colours.text_style("error"))
            error.setWordWrap(True)
            error.hide()
            self.errors[field.name] = error
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            row = QHBoxLayout()
            row.addWidget(widget, 1)
            if field.unit and field.kind in ("int", "decimal", "money"):
                unit_label = QLabel(field.unit)
                row.addWidget(unit_label)
                if field.kind == "money" and field.unit == "元":
                    self.money_labels[field.name] = unit_label
            box.addLayout(row)
            box.addWidget(error)
            label = QLabel(field.label + ("＊" if field.required else "") + "：")
            label.setBuddy(widget)
            layout.addRow(label, cell)

    # -- widgets ------------------------------------------------------------------------------------
    def _make_widget(self, field: Field) -> QWidget:
        w: QWidget
        if field.name in self._choices or field.kind == "choice":
            w = QComboBox()
            w.addItem("", None)
            options = self._choices[field.name]() if field.name in self._choices else list(field.choices.items())
            for value, label in options:
                w.addItem(label, value)
            w.currentIndexChanged.connect(self.changed)
        elif field.kind == "date":
            w = DateField()
            w.dateChanged.connect(self.changed)
        elif field.kind == "bool":
            w = QCheckBox()
            w.toggled.connect(self.changed)
        elif field.kind == "text" and field.name in LONG_TEXT:
            w = QPlainTextEdit()
            w.setTabChangesFocus(True)
            w.setFixedHeight(64)
            w.textChanged.connect(self.changed)
        else:
            w = QLineEdit()
            if field.max_length:
                w.setMaxLength(field.max_length)
            if field.kind in ("int", "decimal", "money"):
                w.setAlignment(Qt.AlignmentFlag.AlignRight)
                if field.kind != "int":  # a grey 0 in 建成年份 read as "built in year 0": whole numbers stay blank
                    w.setPlaceholderText("0.00")
            w.textChanged.connect(self.changed)
        w.setObjectName(f"field_{field.name}")
        return w

    # -- money in the clerk's unit ----------------------------------------------------------------------
    @property
    def money_unit(self) -> str:
        """元 or 万元: the override, else the unit of the window this form is in (its AppContext), else 元."""
        return self.money_unit_override or money_unit_of(self)

    def _show_money_unit(self) -> str:
        unit = self.money_unit
        for label in self.money_labels.values():
            label.setText(unit)
        return unit

    def set_values(self, values: Mapping[str, Any]) -> None:
        unit = self._show_money_unit()
        for name, value in values.items():
            w = self.widgets.get(name)
            if w is None:
                continue
            if isinstance(w, QComboBox):
                i = w.findData(value)
                w.setCurrentIndex(max(i, 0))
            elif isinstance(w, DateField):
                w.set_value(value)
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QPlainTextEdit):
                w.setPlainText("" if value is None else str(value))
            elif isinstance(w, QLineEdit):
                field = next((f for f in self.fields if f.name == name), None)
                if name in self.money_labels and isinstance(value, (Decimal, int)) and not isinstance(value, bool):
                    w.setText(format_in_unit(Decimal(value), unit))  # exact: 万元 keeps every fen
                    continue
                w.setText(self._show_number(value, grouped=bool(field and field.unit), cents=_two_places(field)))
        self._initial = self.raw_values()

    @staticmethod
    def _show_number(value: Any, *, grouped: bool = True, cents: bool = False) -> str:
        """Thousands separators for counts and amounts (户, 元), none for years and codes (no unit); money and
        areas always with two decimals, as the tables show them."""
        if value is None:
            return ""
        if isinstance(value, Decimal) and cents:
            return f"{value:,.2f}" if grouped else f"{value:.2f}"
        if isinstance(value, Decimal):
            return format_quantity(value) if grouped else format(value.normalize(), "f")
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}" if grouped else str(value)
        return str(value)

    def raw_values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, w in self.widgets.items():
            if isinstance(w, QComboBox):
                out[name] = w.currentData()
            elif isinstance(w, DateField):
                out[name] = w.value()
            elif isinstance(w, QCheckBox):
                out[name] = w.isChecked()
            elif isinstance(w, QPlainTextEdit):
                out[name] = w.toPlainText()
            elif isinstance(w, QLineEdit):
                out[name] = w.text()
        return out

    def values(self, *, only_changed: bool = False) -> dict[str, Any]:
        """What to hand to the core: every field, or only those the clerk changed."""
        raw = self.raw_values()
        if only_changed:
            raw = {k: v for k, v in raw.items() if self._initial.get(k) != v}
        unit = self.money_unit if self.money_labels else "元"
        if unit != "元":  # typed in 万元: handed to the core in 元, exactly (a Decimal shows again in 万元)
            for name in self.money_labels.keys() & raw.keys():
                raw[name] = parse_in_unit(raw[name], unit)
        return raw

    # -- messages -----------------------------------------------------------------------------------
    def clear_problems(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()

    def show_problems(self, error: ValidationError) -> list[str]:
        """Put each message under its field; return those that belong to no field on this form."""
        self.clear_problems()
        unplaced = []
        first: QWidget | None = None
        for p in error.problems:
            label = self.errors.get(p.field)
            if label is None:
                unplaced.append(str(p))
                continue
            label.setText((label.text() + "\n" if label.text() else "") + p.message)
            label.show()
            first = first or self.widgets[p.field]
        if first is not None:
            first.setFocus()
        return unplaced


def money_unit_of(widget: QWidget | None) -> str:
    """The money unit the clerk chose (元/万元), from the first widget up the parent chain with an AppContext
    (pages and dialogs keep theirs as `ctx`); 元 where there is none."""
    w: Any = widget
    while w is not None:
        unit = getattr(getattr(w, "ctx", None), "money_unit", None)
        if isinstance(unit, str):
            return unit
        w = w.parentWidget()
    return "元"


def _two_places(field: Field | None) -> bool:
    """Money (元) and areas (m²) are kept to the fen and the hundredth of a m²: shown with two decimals."""
    return field is not None and (field.kind == "money" or field.unit in ("平方米", "m²", "㎡"))


class RecordDialog(QDialog):
    """A form in a dialog: Enter saves, Esc cancels; a rejected save keeps everything the clerk typed.

    `save(values, confirm)` calls the core; ValidationError messages go beside the fields and
    ConfirmationNeeded asks the clerk, then saves again with confirm=True.
    """

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        save: Callable[[dict[str, Any], bool], Any],
        *,
        values: Mapping[str, Any] | None = None,
        choices: Mapping[str, Choices] | None = None,
        only_changed: bool = False,
        version: int | None = None,
        reload: Callable[[], tuple[Mapping[str, Any], int | None]] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self._save = save
        #: The version of the record the form was loaded from; saves carry it (StaleRecord if it moved on).
        self.version = version
        #: () -> (values as the form shows them, version): what 重新载入 reads after a refused save.
        self.reload = reload
        self._only_changed = only_changed
        self.result_value: Any = None
        self.form = RecordForm(fields, choices=choices)
        self.form.money_unit_override = money_unit_of(self)  # before set_values: amounts shown in it
        self.form._show_money_unit()
        if values:
            self.form.set_values(values)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        self.message = QLabel()
        self.message.setObjectName("dialog_message")
        self.message.setStyleSheet(colours.text_style("error"))
        self.message.setWordWrap(True)
        self.message.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.cancel)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        QShortcut(QKeySequence(Qt.Key.Key_Return | Qt.KeyboardModifier.ControlModifier), self, self.try_save)
        self.resize(560, min(700, 110 + 36 * len(fields)))

    def try_save(self, confirm: bool = False) -> bool:
        values = self.form.values(only_changed=self._only_changed)
        if self._only_changed and not values:
            self.accept()
            return True
        try:
            self.result_value = self._save(values, confirm)
        except ValidationError as exc:
            unplaced = self.form.show_problems(exc)
            self._show_message("\n".join(unplaced))
            return False
        except StaleRecord as exc:
            self.handle_stale(exc, values)
            return False
        except ConfirmationNeeded as exc:
            answer = QMessageBox.question(self, "请确认", str(exc))
            if answer == QMessageBox.StandardButton.Yes:
                return self.try_save(confirm=True)
            return False
        except OldcommError as exc:
            self._show_message(str(exc))
            return False
        self.accept()
        return True

    def handle_stale(self, exc: StaleRecord, typed: Mapping[str, Any]) -> None:
        """Someone saved this record since it was loaded: say who and when; on 重新载入, show theirs with the
        clerk's changes on top. The dialog stays open either way, with everything typed still in it."""
        from oldcomm_desktop.gui import stale

        if not stale.ask_reload(self, exc, can_reload=self.reload is not None):
            self._show_message(f"{exc}\n{stale.KEPT}")
            return
        assert self.reload is not None
        try:
            fresh, self.version = self.reload()
        except OldcommError as gone:  # deleted meanwhile: nothing to reload into
            self._show_message(f"{gone}\n{stale.KEPT}")
            return
        self.form.clear_problems()
        stale.reapply(self.form, fresh, typed)
        self._show_message(
            f"已重新载入 {stale.who_and_when(exc)} 保存的内容；你改过的字段仍是你填写的值，请核对后再按“保存”。"
        )

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- leaving without saving ------------------------------------------------------------------------
    def has_typed_changes(self) -> bool:
        return bool(self.form.values(only_changed=True))

    def cancel(self) -> bool:
        """Esc or 取消: with typed changes, ask before they are thrown away (a stray Esc lost a whole form).
        `reject()` itself stays unconditional for code that closes the dialog."""
        if self.has_typed_changes():
            answer = QMessageBox.question(
                self,
                "放弃修改",
                "已填写的内容还没有保存，确定放弃吗？",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return False
        self.reject()
        return True

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.cancel()
            return
        super().keyPressEvent(event)

