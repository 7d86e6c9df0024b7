"""A county edits its catalogue of renovation item types (改造内容目录): add, rename, retire, delete unused.

The national catalogue is a starting point; counties add their own kinds of work and rename entries to their
own wording. An entry in use is never deleted (items and returns point at it): it is retired instead, which
hides it from new items and keeps the old ones readable. Only a county database edits the catalogue, so the
townships it sends packages to share one list.

Entries are addressed by their code or their record id (the 设置 page's table follows records by id); every
change of an existing entry carries the version the clerk saw (`expected_version`), so a colleague's newer
change is refused as StaleRecord instead of overwritten. `listing` gives the page its rows (the catalogue is
a few dozen entries: searched and sorted here, not paged in SQL).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, pinyin_search, records, workspace
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.model import Category, EffectIndicator, ItemType, RenovationItem


def _county_only(session: Session) -> None:
    if workspace.mode(session) != workspace.COUNTY:
        raise ValidationError("改造内容目录由县（区）统一维护，乡镇数据库不能修改")


def _type(
    session: Session, code: str, *, expected_version: int | None = None, include_deleted: bool = False
) -> ItemType:
    """The entry by code or id; with `expected_version`, StaleRecord when someone changed it since."""
    return catalogues.editable_entry(
        session, ItemType, code, f"目录中没有“{code}”",
        expected_version=expected_version, include_deleted=include_deleted,
    )


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


def rename(
    session: Session, code: str, name: str, unit: str | None = None, *, expected_version: int | None = None
) -> ItemType:
    _county_only(session)
    t = _type(session, code, expected_version=expected_version)
    name = _name(name)
    same = session.scalar(
        select(ItemType.id).where(ItemType.name == name, ItemType.id != t.id, ItemType.deleted_at.is_(None))
    )
    if same is not None:
        raise ValidationError(FieldProblem("name", "名称", f"目录中已有“{name}”"))
    t.name = name
    if unit is not None:
        t.unit = _name(unit, "单位", "unit")
    session.flush()
    return t


def retire(session: Session, code: str, *, active: bool = False, expected_version: int | None = None) -> ItemType:
    """Hide the type from new items (active=True brings it back); items already made keep it."""
    _county_only(session)
    t = _type(session, code, expected_version=expected_version)
    t.active = active
    session.flush()
    return t


def unretire(session: Session, code: str, *, expected_version: int | None = None) -> ItemType:
    """Bring a retired type back into use (the undo of `retire`, and 启用 on the page)."""
    return retire(session, code, active=True, expected_version=expected_version)


def delete(session: Session, code: str, *, expected_version: int | None = None) -> None:
    """Delete a type nothing uses; one in use is refused (retire it instead)."""
    _county_only(session)
    t = _type(session, code, expected_version=expected_version)
    n = uses(session, t.code)
    if n:
        raise ValidationError(f"已有 {n:,} 项改造内容使用这个类型，不能删除；可以“停用”，不再用于新的改造内容")
    records.soft_delete(session, t)
    session.flush()


def restore(session: Session, code: str, *, expected_version: int | None = None) -> ItemType:
    """Bring a deleted entry back (the undo of `delete`, the redo of `add`)."""
    _county_only(session)
    t = _type(session, code, expected_version=expected_version, include_deleted=True)
    same = session.scalar(
        select(ItemType.id).where(ItemType.name == t.name, ItemType.id != t.id, ItemType.deleted_at.is_(None))
    )
    if same is not None:
        raise ValidationError(FieldProblem("name", "名称", f"目录中已有“{t.name}”，不能恢复同名的类型"))
    records.restore(session, t)
    session.flush()
    return t


def _matches(needle: str, text: str) -> bool:
    """The text contains what was typed, or its pinyin initials do (gs: 供水管网)."""
    return needle in text.lower() or any(needle in v for v in pinyin_search.initials(text).split())


#: what `listing` can sort by (a column of the page's table)
SORT_KEYS = ("order", "category", "name", "unit", "indicator", "central", "state", "uses")


def listing(
    session: Session,
    *,
    search: str = "",
    state: str | None = None,
    sort_key: str | None = None,
    descending: bool = False,
) -> list[dict[str, Any]]:
    """The catalogue as the 设置 page lists it: every live entry, retired ones included (启用 brings them back).

    `search` matches the name, unit or category (pinyin initials too); `state` "active" / "retired" filters;
    the default order is the catalogue's own (category, then entry). Each row carries its version.
    """
    used = (
        select(RenovationItem.item_type_id, func.count(RenovationItem.id).label("n"))
        .where(RenovationItem.deleted_at.is_(None))
        .group_by(RenovationItem.item_type_id)
        .subquery()
    )
    q = (
        select(ItemType, Category.name, Category.sort_order, EffectIndicator.name, EffectIndicator.unit, used.c.n)
        .join(Category, Category.id == ItemType.category_id)
        .outerjoin(EffectIndicator, EffectIndicator.id == ItemType.indicator_id)
        .outerjoin(used, used.c.item_type_id == ItemType.id)
        .where(ItemType.deleted_at.is_(None))
    )
    if state == "active":
        q = q.where(ItemType.active)
    elif state == "retired":
        q = q.where(~ItemType.active)
    rows: list[dict[str, Any]] = []
    for t, category, category_order, indicator, indicator_unit, n in session.execute(q):
        shown = indicator or ""
        if indicator and t.factor != 1:
            shown += f"（1 {t.unit} = {t.factor.normalize():f} {indicator_unit}）"
        rows.append(
            {
                "id": t.id,
                "code": t.code,
                "name": t.name,
                "category": category,
                "unit": t.unit,
                "indicator": shown,
                "central": "是" if t.central_eligible else "否",
                "active": bool(t.active),
                "state": "在用" if t.active else "已停用",
                "uses": int(n or 0),
                "version": t.version,
                "order": (category_order or 0, t.sort_order or 0, t.name),
            }
        )
    needle = search.strip().lower()
    if needle:
        rows = [r for r in rows if any(_matches(needle, r[k]) for k in ("name", "unit", "category"))]
    key = sort_key if sort_key in SORT_KEYS else "order"
    if key in ("order", "uses"):
        rows.sort(key=lambda r: r[key], reverse=descending)
    else:
        rows.sort(key=lambda r: (pinyin_search.sort_key(str(r[key])), r["order"]), reverse=descending)
    return rows
