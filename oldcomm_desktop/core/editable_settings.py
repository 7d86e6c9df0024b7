"""The settings a county or township may change (设置 page, and any other face), checked before they land.

`catalogues.set_setting` stores anything; this module is the gate in front of it: each setting has a
Field spec (Chinese label, kind, range) and the cross rules between them (the extension year is not before
the cut-off year). Consent thresholds are stored as fractions ("0.6667") because `communities.consent_result`
compares shares with them, but a clerk reads and types them as percentages (66.67 %).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, records
from oldcomm_desktop.core.errors import FieldProblem, StaleRecord, ValidationError
from oldcomm_desktop.core.fields import Field, parse_changes, problem, spec_of
from oldcomm_desktop.core.model import Category, EffectIndicator, ItemType, Operator

PERCENT_KEYS = (
    "consent_participation_owners",
    "consent_participation_area",
    "consent_approval_owners",
    "consent_approval_area",
)
FRACTION = Decimal("0.0001")


class _NumberSpec(TypedDict):
    """The Field options several settings share, spelled once."""

    kind: str
    required: bool
    minimum: int
    maximum: int
    unit: str


def _fields() -> dict[str, Field]:
    this_year = date.today().year
    year: _NumberSpec = {"kind": "int", "required": True, "minimum": 1949, "maximum": this_year, "unit": "年"}
    percent: _NumberSpec = {"kind": "decimal", "required": True, "minimum": 0, "maximum": 100, "unit": "%"}
    return spec_of(
        Field("eligibility_cutoff_year", "建成年份截止（该年底前建成）", **year),
        Field("eligibility_extension_year", "可延伸至（最晚建成年份）", **year),
        Field("eligibility_extension_cap_percent", "延伸年份户数占比上限", **percent),
        Field("consent_participation_owners", "参与表决业主人数占比不低于", **percent),
        Field("consent_participation_area", "参与表决专有面积占比不低于", **percent),
        Field("consent_approval_owners", "同意业主人数占参与人数超过", **percent),
        Field("consent_approval_area", "同意面积占参与面积超过", **percent),
        Field("return_due_day", "月报报送日（每月几日）", "int", required=True, minimum=1, maximum=31, unit="日"),
    )


def fields() -> dict[str, Field]:
    """The spec, rebuilt per call so the upper bound of the years follows the calendar."""
    return _fields()


FIELDS = _fields()


def _to_display(key: str, raw: Any) -> Any:
    if raw is None:
        return None
    if key in PERCENT_KEYS:
        return (Decimal(str(raw)) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if FIELDS[key].kind == "int":
        return int(raw)
    return Decimal(str(raw))


def _to_stored(key: str, value: Any) -> Any:
    if key in PERCENT_KEYS:
        return str((Decimal(value) / 100).quantize(FRACTION, ROUND_HALF_UP))
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    return value


def current(session: Session) -> dict[str, Any]:
    """Every editable setting as a clerk sees it (percentages for the thresholds)."""
    return {key: _to_display(key, catalogues.get_setting(session, key)) for key in FIELDS}


def stored(session: Session, keys: list[str] | None = None) -> dict[str, Any]:
    """The raw stored values (to undo an update with `put_stored`)."""
    return {key: catalogues.get_setting(session, key) for key in (keys or list(FIELDS))}


VERSION_KEY = "editable_settings_version"


def version(session: Session) -> int:
    """The version of the editable settings as a whole: each `update` or `put_stored` adds one.

    Settings are not records (no version column of their own), so the page's save carries this number
    instead; two clerks changing the settings at once cannot overwrite each other silently.
    """
    return int(catalogues.get_setting(session, VERSION_KEY, 0) or 0)


def _check_version(session: Session, expected_version: int | None) -> None:
    current_version = version(session)
    if expected_version is not None and expected_version != current_version:
        raise StaleRecord(VERSION_KEY, expected_version, current_version, table="setting")


def _bump_version(session: Session) -> None:
    catalogues.set_setting(session, VERSION_KEY, version(session) + 1)


def put_stored(session: Session, values: Mapping[str, Any], *, expected_version: int | None = None) -> None:
    _check_version(session, expected_version)
    _bump_version(session)
    for key, value in values.items():
        catalogues.set_setting(session, key, value)
    session.flush()


def update(session: Session, changes: Mapping[str, Any], *, expected_version: int | None = None) -> dict[str, Any]:
    """Check and store `changes` ({key: value as typed}); all or nothing. Returns the new display values.

    With `expected_version` (from `version()` when the page loaded), StaleRecord if someone saved since.
    """
    _check_version(session, expected_version)
    spec = fields()
    parsed = parse_changes(spec, changes)
    merged = {**current(session), **parsed}
    problems: list[FieldProblem] = []
    cutoff, extension = merged.get("eligibility_cutoff_year"), merged.get("eligibility_extension_year")
    if cutoff is not None and extension is not None and extension < cutoff:
        where = "eligibility_extension_year" if "eligibility_extension_year" in parsed else "eligibility_cutoff_year"
        problems.append(problem(spec, where, f"可延伸至 {extension} 年，早于截止年份 {cutoff} 年"))
    for key in ("consent_participation_owners", "consent_participation_area"):
        if key in parsed and parsed[key] == 0:
            problems.append(problem(spec, key, "参与表决的比例不能为 0"))
    if problems:
        raise ValidationError(problems)
    _bump_version(session)
    for key, value in parsed.items():
        catalogues.set_setting(session, key, _to_stored(key, value))
    session.flush()
    return current(session)


# -- operators --------------------------------------------------------------------------------------------
def remove_operator(session: Session, name: str, *, expected_version: int | None = None) -> None:
    """Take an operator off the list (what undoing an added operator does); the audit log keeps the name."""
    found = session.scalar(select(Operator).where(Operator.name == name.strip(), Operator.deleted_at.is_(None)))
    if found is None:
        raise ValidationError(f"没有名为“{name}”的操作员")
    if expected_version is not None:
        records.check_version(session, Operator, found.id, expected_version)
    records.soft_delete(session, found)
    session.flush()


# -- read-only catalogue views ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemTypeRow:
    code: str
    name: str
    category: str
    unit: str
    indicator: str  # the effect indicator it counts towards, with the conversion when not 1:1
    central_eligible: bool


def item_type_rows(session: Session) -> list[ItemTypeRow]:
    """The active item types with their category, unit, indicator and central-funds flag, in catalogue order."""
    q = (
        select(ItemType, Category.name, EffectIndicator.name, EffectIndicator.unit)
        .join(Category, Category.id == ItemType.category_id)
        .outerjoin(EffectIndicator, EffectIndicator.id == ItemType.indicator_id)
        .where(ItemType.deleted_at.is_(None), ItemType.active)
        .order_by(Category.sort_order, ItemType.sort_order)
    )
    rows = []
    for t, cat, ind, ind_unit in session.execute(q):
        indicator = ""
        if ind:
            indicator = ind
            if t.factor != 1:
                indicator += f"（1 {t.unit} = {t.factor.normalize():f} {ind_unit}）"
        rows.append(ItemTypeRow(t.code, t.name, cat, t.unit, indicator, bool(t.central_eligible)))
    return rows
