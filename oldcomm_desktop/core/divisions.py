"""Statistical division codes (统计用区划代码, 12 digits: PP CC DD TTT VVV) and the division registry."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.model import Division


@dataclass(frozen=True)
class DivisionCode:
    code: str
    level: str  # county | township | village
    kind: str  # 县级 | 街道 | 镇 | 乡 | 其他 | 居委会 | 村委会

    @property
    def county_code(self) -> str:
        return self.code[:6] + "000000"

    @property
    def township_code(self) -> str:
        return self.code[:9] + "000"


def township_kind(part: int) -> str:
    if 1 <= part <= 99:
        return "街道"
    if 100 <= part <= 199:
        return "镇"
    if 200 <= part <= 399:
        return "乡"
    if 400 <= part <= 599:
        return "其他"  # farms, development zones and other government-enterprise units
    raise ValueError(f"乡镇级代码段 {part:03d} 不在 001–599 之内")


LEVEL_LABELS = {"county": "县级", "township": "乡镇（街道）", "village": "社区（村）"}


def normalise_code(code: object) -> str:
    """The code as stored: NFKC (full-width digits typed with a Chinese IME become ASCII) and stripped.

    Only characters that are decimal digits in their own right count: a superscript ¹ or a circled ①
    would become a digit under NFKC, but nobody types those meaning a code, so they are refused.
    """
    text = str(code or "").strip()
    if any(not ch.isdecimal() for ch in text):
        return text  # parse_code refuses it, showing it as typed
    return unicodedata.normalize("NFKC", text).strip()


def parse_code(code: str, *, label: str = "区划代码", field: str = "code", level: str | None = None) -> DivisionCode:
    """Check a 12-digit code and tell what it names; ValidationError in Chinese otherwise.

    With `level` (county | township | village), a code of another level is refused too.
    """
    code = normalise_code(code)
    if len(code) != 12 or not (code.isascii() and code.isdigit()):
        shown = code.encode("unicode_escape").decode("ascii") if not code.isprintable() else code
        raise ValidationError(FieldProblem(field, label, f"“{shown}”应为 12 位数字的统计用区划代码"))
    parsed = _parse(code, label, field)
    if level is not None and parsed.level != level:
        raise ValidationError(
            FieldProblem(field, label, f"“{code}”是{LEVEL_LABELS[parsed.level]}代码，这里应填{LEVEL_LABELS[level]}代码")
        )
    return parsed


def _parse(code: str, label: str, field: str) -> DivisionCode:
    township, village = int(code[6:9]), int(code[9:12])
    if code[:6].endswith("00") or code[:2] == "00":
        raise ValidationError(FieldProblem(field, label, f"“{code}”的前 6 位不是县级代码"))
    try:
        if township == 0:
            if village:
                raise ValueError("县级代码的后 6 位应为 0")
            return DivisionCode(code, "county", "县级")
        kind = township_kind(township)
        if village == 0:
            return DivisionCode(code, "township", kind)
        if 1 <= village <= 199:
            return DivisionCode(code, "village", "居委会")
        if 200 <= village <= 399:
            return DivisionCode(code, "village", "村委会")
        if 400 <= village <= 599:  # 类似居委会/村委会 (a development zone's 社区, 农场's 生活区) or added by hand
            return DivisionCode(code, "village", "其他")
        raise ValueError(f"村级代码段 {village:03d} 不在 001–599 之内")
    except ValueError as exc:
        raise ValidationError(FieldProblem(field, label, f"“{code}”：{exc}")) from None


def ensure(session: Session, code: str, name: str, *, urban_rural_class: str | None = None) -> Division:
    """Register (or rename) a division, with its parent derived from the code."""
    parsed = parse_code(code)
    if not name or not name.strip():
        raise ValidationError(FieldProblem("name", "名称", "必须填写"))
    parent = None
    if parsed.level == "township":
        parent = parsed.county_code
    elif parsed.level == "village":
        parent = parsed.township_code
    found = session.scalar(select(Division).where(Division.code == code))
    if found is None:
        found = Division(
            code=code,
            name=name.strip(),
            level=parsed.level,
            kind=parsed.kind,
            parent_code=parent,
            township_code=parsed.township_code if parsed.level != "county" else None,
            urban_rural_class=urban_rural_class,
        )
        session.add(found)
    elif found.name != name.strip():
        found.name = name.strip()
    return found


def townships(session: Session) -> list[Division]:
    return list(
        session.scalars(
            select(Division).where(Division.level == "township", Division.deleted_at.is_(None)).order_by(Division.code)
        )
    )


def name_of(session: Session, code: str | None) -> str:
    if not code:
        return ""
    return session.scalar(select(Division.name).where(Division.code == code)) or code
