"""A county edits its catalogue of renovation item types (改造内容目录): add, rename, retire, delete unused.

The national catalogue is a starting point; counties add their own kinds of work and rename entries to their
own wording. An entry in use is never deleted (items and returns point at it): it is retired instead, which
hides it from new items and keeps the old ones readable. Only a county database edits the catalogue, so the
townships it sends packages to share one list.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import records, workspace
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.model import Category, ItemType, RenovationItem


def _county_only(session: Session) -> None:
    if workspace.mode(session) != workspace.COUNTY:
        raise ValidationError("改造内容目录由县（区）统一维护，乡镇数据库不能修改")


def _type(session: Session, code: str) -> ItemType:
    found = session.scalar(select(ItemType).where(ItemType.code == code, ItemType.deleted_at.is_(None)))
    if found is None:
        raise ValidationError(f"目录中没有“{code}”")
    return found


def _name(name: str, label: str = "名称", field: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError(FieldProblem(field, label, "必须填写"))
    if len(name) > 80:
        raise ValidationError(FieldProblem(field, label, "最多 80 个字"))
    return name


def uses(session: Session, code: str) -> int:
    """Live items of this type."""
    t = _type(session, code)
    return (
        session.scalar(
            select(func.count(RenovationItem.id)).where(
                RenovationItem.item_type_id == t.id, RenovationItem.deleted_at.is_(None)
            )
        )
        or 0
    )


def add(session: Session, category: str, name: str, unit: str, *, central_eligible: bool = True) -> ItemType:
    """A new item type of the category (code or Chinese name), with its natural unit."""
    _county_only(session)
    name, unit = _name(name), _name(unit, "单位", "unit")
    cat = session.scalar(
        select(Category).where((Category.code == category) | (Category.name == category) | (Category.id == category))
    )
    if cat is None:
        raise ValidationError(FieldProblem("category", "类别", f"没有“{category}”这个类别"))
    same = session.scalar(select(ItemType).where(ItemType.name == name, ItemType.deleted_at.is_(None)))
    if same is not None:
        raise ValidationError(FieldProblem("name", "名称", f"目录中已有“{name}”"))
    n = session.scalar(select(func.count(ItemType.id)).where(ItemType.code.like("county_%"))) or 0
    order = session.scalar(select(func.max(ItemType.sort_order)).where(ItemType.category_id == cat.id)) or 0
    t = ItemType(
        code=f"county_{n + 1:03d}",
        name=name,
        category_id=cat.id,
        unit=unit,
        central_eligible=central_eligible,
        sort_order=order + 1,
        active=True,
    )
    session.add(t)
    session.flush()
    return t


def rename(session: Session, code: str, name: str, unit: str | None = None) -> ItemType:
    _county_only(session)
    t = _type(session, code)
    t.name = _name(name)
    if unit is not None:
        t.unit = _name(unit, "单位", "unit")
    session.flush()
    return t


def retire(session: Session, code: str, *, active: bool = False) -> ItemType:
    """Hide the type from new items (active=True brings it back); items already made keep it."""
    _county_only(session)
    t = _type(session, code)
    t.active = active
    session.flush()
    return t


def delete(session: Session, code: str) -> None:
    """Delete a type nothing uses; one in use is refused (retire it instead)."""
    _county_only(session)
    n = uses(session, code)
    if n:
        raise ValidationError(f"已有 {n:,} 项改造内容使用这个类型，不能删除；可以“停用”，不再用于新的改造内容")
    records.soft_delete(session, _type(session, code))
    session.flush()
