"""The editable catalogues (categories, item types, indicators, funding sources, templates) and settings.

`seed` loads the national defaults shipped in reference/national.json into a new database; after that
the rows are the county's own and may be edited like any record.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import (
    Category,
    ChecklistTemplate,
    ChecklistTemplateItem,
    EffectIndicator,
    FundingSource,
    ItemType,
    Setting,
)


@cache
def national_reference() -> dict[str, Any]:
    text = resources.files("oldcomm_desktop.reference").joinpath("national.json").read_text("utf-8")
    return json.loads(text)


def seed(session: Session) -> None:
    """Load the national defaults into an empty database (idempotent: existing codes are left alone)."""
    ref = national_reference()
    if session.scalar(select(Category.id).limit(1)) is not None:
        return
    cats = {}
    for i, c in enumerate(ref["categories"]):
        cats[c["code"]] = Category(code=c["code"], name=c["name"], sort_order=i)
    inds = {}
    for i, d in enumerate(ref["effect_indicators"]):
        inds[d["code"]] = EffectIndicator(code=d["code"], name=d["name"], unit=d["unit"], sort_order=i)
    session.add_all([*cats.values(), *inds.values()])
    for i, t in enumerate(ref["item_types"]):
        session.add(
            ItemType(
                code=t["code"],
                name=t["name"],
                category=cats[t["category"]],
                unit=t["unit"],
                central_eligible=t["central_eligible"],
                indicator=inds.get(t["indicator"]) if t["indicator"] else None,
                indicator_factor=t["indicator_factor"],
                sort_order=i,
            )
        )
    sources: dict[str, FundingSource] = {}
    for i, s in enumerate(ref["funding_sources"]):
        src = FundingSource(code=s["code"], name=s["name"], sort_order=i, needs_note=s["needs_note"])
        if s["parent"]:
            session.flush()
            src.parent_id = sources[s["parent"]].id
        sources[s["code"]] = src
        session.add(src)
    for t in ref["checklist_templates"]:
        template = ChecklistTemplate(
            code=t["code"], name=t["name"], inspection_kind=t["inspection_kind"], grade_bands=t["grade_bands"]
        )
        session.add(template)
        for i, item in enumerate(t["items"]):
            session.add(
                ChecklistTemplateItem(
                    template=template,
                    area=item["area"],
                    text=item["text"],
                    max_score=item.get("max_score"),
                    sort_order=i,
                )
            )
    for key, value in ref["settings"].items():
        if session.get(Setting, key) is None:
            session.add(Setting(key=key, value=value))
    session.flush()


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    if row is not None:
        return row.value
    return national_reference()["settings"].get(key, default)


def set_setting(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def item_type(session: Session, code_or_id: str) -> ItemType:
    found = session.scalar(
        select(ItemType).where(
            (ItemType.code == code_or_id) | (ItemType.id == code_or_id) | (ItemType.name == code_or_id)
        )
    )
    if found is None or found.deleted_at is not None:
        raise ValidationError(f"改造内容类型“{code_or_id}”不在目录中")
    return found


def item_types(session: Session, *, keep: str | None = None) -> list[ItemType]:
    """Active item types in catalogue order: what a new item may choose. `keep` (an item's own type id) is
    listed too when it was retired since, so a form shows the item's type instead of a blank (the core
    refuses a retired type for anything else, items.retired_problem)."""
    live = ItemType.active.is_(True) if keep is None else (ItemType.active.is_(True) | (ItemType.id == keep))
    return list(
        session.scalars(select(ItemType).where(ItemType.deleted_at.is_(None), live).order_by(ItemType.sort_order))
    )


def item_type_label(t: ItemType) -> str:
    """The label a form lists: 基础类 · 供水管网改造（米）, with （已停用） after a retired one."""
    category = t.category.name if t.category else ""
    return f"{category} · {t.name}（{t.unit}）" + ("" if t.active else "（已停用）")


def categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).where(Category.deleted_at.is_(None)).order_by(Category.sort_order)))


def funding_source(session: Session, code_or_id: str) -> FundingSource:
    found = session.scalar(
        select(FundingSource).where(
            (FundingSource.code == code_or_id) | (FundingSource.id == code_or_id) | (FundingSource.name == code_or_id)
        )
    )
    if found is None or found.deleted_at is not None:
        raise ValidationError(f"资金来源“{code_or_id}”不在目录中")
    return found


def funding_sources(session: Session) -> list[FundingSource]:
    return list(
        session.scalars(
            select(FundingSource).where(FundingSource.deleted_at.is_(None)).order_by(FundingSource.sort_order)
        )
    )


def is_leaf(session: Session, source: FundingSource) -> bool:
    return (
        session.scalar(
            select(FundingSource.id)
            .where(FundingSource.parent_id == source.id, FundingSource.deleted_at.is_(None))
            .limit(1)
        )
        is None
    )


def retired_ids(session: Session) -> set[str]:
    """Live sources closed to new money: retired themselves or under a retired source (retiring a parent
    closes its whole branch, since money is recorded on the leaves below it)."""
    rows = session.execute(
        select(FundingSource.id, FundingSource.parent_id, FundingSource.active).where(
            FundingSource.deleted_at.is_(None)
        )
    ).all()
    parent = {sid: pid for sid, pid, _ in rows}
    own = {sid for sid, _, active in rows if not active}
    out: set[str] = set()
    for sid in parent:
        node: str | None = sid
        seen = 0
        while node is not None and seen <= len(parent):  # `seen`: a broken tree never loops forever
            if node in own:
                out.add(sid)
                break
            node, seen = parent.get(node), seen + 1
    return out


RETIRED_TEXT = "“{name}”已停用，不能再记新的资金（已记的资金照常保留、照常计入报表）"


def template(session: Session, code_or_id: str) -> ChecklistTemplate:
    found = session.scalar(
        select(ChecklistTemplate).where((ChecklistTemplate.code == code_or_id) | (ChecklistTemplate.id == code_or_id))
    )
    if found is None or found.deleted_at is not None:
        raise ValidationError(f"检查表模板“{code_or_id}”不存在")
    return found


def grade_for(bands: list | None, score: float) -> str | None:
    """The grade whose lower bound the score reaches, bands sorted from the top (优秀 ≥ 90 …)."""
    if not bands:
        return None
    for name, lower in sorted(bands, key=lambda b: -float(b[1])):
        if score >= float(lower):
            return name
    return None


def editable_entry(
    session: Session,
    cls: Any,
    ref: str,
    missing: str,
    *,
    expected_version: int | None = None,
    include_deleted: bool = False,
) -> Any:
    """A catalogue entry (item type, funding source) by code or id, for the county's catalogue editing;
    `missing` is the message when there is none; with `expected_version`, StaleRecord when someone changed it
    since."""
    from oldcomm_desktop.core import records

    q = select(cls).where(or_(cls.code == ref, cls.id == ref))
    if not include_deleted:
        q = q.where(cls.deleted_at.is_(None))
    found = session.scalar(q)
    if found is None:
        raise ValidationError(missing)
    if expected_version is not None:
        records.check_version(session, cls, found.id, expected_version)
    return found
