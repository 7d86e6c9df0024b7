"""Setting a database up for one township (乡镇/街道 mode) or for the county office (county mode)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, divisions
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.model import Operator

TOWNSHIP, COUNTY = "township", "county"


def check_identity(*, mode: str, code: str, name: str) -> divisions.DivisionCode:
    """The division code and name a database is set up for, checked without touching any database."""
    label = "乡镇（街道）代码" if mode == TOWNSHIP else "县（区）代码"
    parsed = divisions.parse_code(code, label=label)
    if parsed.level != mode:
        want = "乡镇（街道）级（后 3 位为 000，第 7–9 位不为 000）" if mode == TOWNSHIP else "县级（后 6 位为 000000）"
        raise ValidationError(FieldProblem("code", label, f"“{code}”不是{want}代码"))
    if not name or not name.strip():
        raise ValidationError(FieldProblem("name", "名称", "必须填写"))
    return parsed


def initialise(session: Session, *, mode: str, code: str, name: str, operator: str | None = None) -> None:
    """Seed the catalogues and record whose database this is; refuse to re-initialise as someone else."""
    label = "乡镇（街道）代码" if mode == TOWNSHIP else "县（区）代码"
    parsed = check_identity(mode=mode, code=code, name=name)
    existing = catalogues.get_setting(session, "own_division_code")
    if existing and existing != code:
        raise ValidationError(FieldProblem("code", label, f"这个数据库已经属于 {existing}，不能改为 {code}"))
    catalogues.seed(session)
    if mode == TOWNSHIP:
        divisions.ensure(session, parsed.county_code, catalogues.get_setting(session, "county_name") or "本县")
    divisions.ensure(session, code, name)
    catalogues.set_setting(session, "mode", mode)
    catalogues.set_setting(session, "own_division_code", code)
    catalogues.set_setting(session, "own_division_name", name.strip())
    if operator:
        add_operator(
            session,
            operator,
            role="clerk" if mode == TOWNSHIP else "county",
            township_code=code if mode == TOWNSHIP else None,
        )
    session.flush()


def is_initialised(session: Session) -> bool:
    return bool(catalogues.get_setting(session, "own_division_code"))


def mode(session: Session) -> str | None:
    return catalogues.get_setting(session, "mode")


def own_code(session: Session) -> str | None:
    return catalogues.get_setting(session, "own_division_code")


def add_operator(session: Session, name: str, *, role: str = "clerk", township_code: str | None = None) -> Operator:
    name = (name or "").strip()
    if not name:
        raise ValidationError(FieldProblem("name", "操作员姓名", "必须填写"))
    if role not in ("clerk", "reviewer", "county"):
        raise ValidationError(FieldProblem("role", "角色", f"“{role}”不是可选值（clerk、reviewer、county）"))
    found = session.scalar(select(Operator).where(Operator.name == name, Operator.deleted_at.is_(None)))
    if found is None:
        found = Operator(name=name, role=role, township_code=township_code)
        session.add(found)
    return found


def operators(session: Session) -> list[Operator]:
    return list(session.scalars(select(Operator).where(Operator.deleted_at.is_(None)).order_by(Operator.name)))
