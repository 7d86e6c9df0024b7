"""Field specifications: how each editable field is named in Chinese, parsed and range-checked.

One declaration per field serves every face: the GUI labels its widget and shows the message beside it,
the command line and the Excel import print the same message with the row. Cross-field rules (completion
not before start, paid ≤ arrived …) live with the service that owns the record.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.money import to_decimal


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text | int | decimal | money | date | bool | choice
    required: bool = False
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    positive: bool = False  # strictly above zero
    choices: Mapping[str, str] | None = None  # code -> Chinese label
    max_length: int | None = None
    unit: str = ""

    def parse(self, value: Any) -> Any:
        """The stored value for `value` (typed, or text as a clerk typed it); ValueError in Chinese."""
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).strip()
            if value == "":
                value = None
        if value is None:
            if self.required:
                raise ValueError("必须填写")
            return None
        parsed = getattr(self, f"_parse_{self.kind}")(value)
        self._check_range(parsed)
        return parsed

    def _parse_text(self, value: Any) -> str:
        text = str(value)
        if self.max_length and len(text) > self.max_length:
            raise ValueError(f"不能超过 {self.max_length} 个字")
        return text

    def _parse_int(self, value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError("应为整数")
        if isinstance(value, int):
            return value
        try:
            number = to_decimal(value, places=6)
        except ValueError:
            raise ValueError("应为整数") from None
        if number != number.to_integral_value():
            raise ValueError("应为整数，不能有小数")
        return int(number)

    def _parse_decimal(self, value: Any) -> Decimal:
        return to_decimal(value, places=2)

    _parse_money = _parse_decimal

    def _parse_date(self, value: Any) -> date:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-")
        try:
            return date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
        except ValueError:
            raise ValueError(f"“{value}”不是有效日期（应为 2026-05-01 这样的格式）") from None

    def _parse_bool(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in ("1", "true", "yes", "y", "是", "√", "✓"):
            return True
        if text in ("0", "false", "no", "n", "否", "×"):
            return False
        raise ValueError(f"“{value}”应为 是 或 否")

    def _parse_choice(self, value: Any) -> str:
        assert self.choices is not None
        text = str(value)
        if text in self.choices:
            return text
        for code, label in self.choices.items():
            if text == label:
                return code
        raise ValueError(f"“{value}”不是可选值（可选：{'、'.join(self.choices.values())}）")

    def _check_range(self, value: Any) -> None:
        if self.kind not in ("int", "decimal", "money"):
            return
        unit = self.unit
        if self.positive and value <= 0:
            raise ValueError("必须大于 0" if self.kind != "int" else "必须是正整数")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"不能小于 {self.minimum}{unit}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"不能大于 {self.maximum}{unit}")


def parse_changes(spec: Mapping[str, Field], changes: Mapping[str, Any], *, new: bool = False) -> dict[str, Any]:
    """Parse every change against its field; all problems are reported together, nothing is applied.

    `new`: the changes make a new record, so a required field left out is reported as 必须填写 too.
    """
    if new:
        changes = {**{n: None for n, f in spec.items() if f.required and n not in changes}, **changes}
    parsed: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for name, raw in changes.items():
        field = spec.get(name)
        if field is None:
            problems.append(FieldProblem(name, name, "不是可以修改的字段"))
            continue
        try:
            parsed[name] = field.parse(raw)
        except ValueError as exc:
            problems.append(FieldProblem(name, field.label, str(exc)))
    if problems:
        raise ValidationError(problems)
    return parsed


def spec_of(*fields: Field) -> dict[str, Field]:
    return {f.name: f for f in fields}


def problem(spec: Mapping[str, Field], name: str, message: str) -> FieldProblem:
    return FieldProblem(name, spec[name].label if name in spec else name, message)
