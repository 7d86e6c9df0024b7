"""A county edits its catalogue of funding sources (资金来源目录): add, rename, retire, delete an unused one.

Sources form a tree and money is recorded on the leaves (parents are sums of their children), so a source
that already carries money never gets children (the money would no longer add up), and a source with
money or with children is never deleted: it is retired (停用) instead, which closes it (and the sources
below it) to new money while the lines already recorded on it keep working and still count in returns.
Only a county database edits the catalogue, so the townships it
sends packages to share one tree. Every change of an existing source carries the version the clerk saw
(`expected_version`): a colleague's newer change is refused as StaleRecord instead of overwritten.
`listing` gives the 设置 page its rows in tree order (a few dozen sources: built here, not paged in SQL).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, records, workspace
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.model import FundingLine, FundingSource, InvestmentEntry


def _county_only(session: Session) -> None:
    if workspace.mode(session) != workspace.COUNTY:
        raise ValidationError("资金来源目录由县（区）统一维护，乡镇数据库不能修改")


def _source(
    session: Session, ref: str, *, expected_version: int | None = None, include_deleted: bool = False
) -> FundingSource:
    """The source by code or id; with `expected_version`, StaleRecord when someone changed it since."""
    return catalogues.editable_entry(
        session, FundingSource, ref, f"资金来源目录中没有“{ref}”",
        expected_version=expected_version, include_deleted=include_deleted,
    )


def _name(session: Session, name: str, *, other_than: str | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError(FieldProblem("name", "名称", "必须填写"))
    if len(name) > 80:
        raise ValidationError(FieldProblem("name", "名称", "最多 80 个字"))
    q = select(FundingSource.id).where(FundingSource.name == name, FundingSource.deleted_at.is_(None))
    if other_than is not None:
        q = q.where(FundingSource.id != other_than)
    if session.scalar(q) is not None:
        raise ValidationError(FieldProblem("name", "名称", f"资金来源目录中已有“{name}”"))
    return name


def uses(session: Session, ref: str) -> int:
    """Live funding lines and investment entries recorded on this source."""
    source_id = _source(session, ref, include_deleted=True).id
    lines = session.scalar(
        select(func.count(FundingLine.id)).where(FundingLine.source_id == source_id, FundingLine.deleted_at.is_(None))
    )
    entries = session.scalar(
        select(func.count(InvestmentEntry.id)).where(
            InvestmentEntry.source_id == source_id, InvestmentEntry.deleted_at.is_(None)
        )
    )
    return int(lines or 0) + int(entries or 0)


def _children(session: Session, source_id: str) -> int:
    return int(
        session.scalar(
            select(func.count(FundingSource.id)).where(
                FundingSource.parent_id == source_id, FundingSource.deleted_at.is_(None)
            )
        )
        or 0
    )


def add(session: Session, parent: str | None, name: str, *, needs_note: bool = False) -> FundingSource:
    """A new source under `parent` (code or id; None: a top-level source). Refused under a source that
    already carries money: money is recorded on leaves, and it would no longer add up."""
    _county_only(session)
    name = _name(session, name)
    parent_id = None
    if parent:
        above = _source(session, parent)
        n = uses(session, above.id)
        if n:
            raise ValidationError(
                FieldProblem("parent", "上级来源", f"“{above.name}”已记有 {n:,} 笔资金，不能再分下级来源")
            )
        if above.id in catalogues.retired_ids(session):
            raise ValidationError(FieldProblem("parent", "上级来源", f"“{above.name}”已停用，不能再分下级来源"))
        parent_id = above.id
    count = session.scalar(select(func.count(FundingSource.id)).where(FundingSource.code.like("county_src_%"))) or 0
    order = session.scalar(select(func.max(FundingSource.sort_order))) or 0
    source = FundingSource(
        code=f"county_src_{count + 1:03d}", name=name, parent_id=parent_id, sort_order=order + 1,
        needs_note=needs_note,
    )
    session.add(source)
    session.flush()
    return source


def retire(
    session: Session, ref: str, *, active: bool = False, expected_version: int | None = None
) -> FundingSource:
    """Close the source (and those below it) to new money; active=True opens it again. Asking for the state
    it is already in is refused, so the clerk learns nothing happened."""
    _county_only(session)
    source = _source(session, ref, expected_version=expected_version)
    if active and source.parent_id:
        parent = session.get(FundingSource, source.parent_id)
        if parent is not None and parent.id in catalogues.retired_ids(session):
            raise ValidationError(f"“{source.name}”的上级来源“{parent.name}”已停用，请先启用上级来源")
    if bool(source.active) == active:
        raise ValidationError(f"“{source.name}”{'正在使用，无需启用' if active else '已经停用'}")
    source.active = active
    session.flush()
    return source


def unretire(session: Session, ref: str, *, expected_version: int | None = None) -> FundingSource:
    """Open a retired source to new money again (the undo of `retire`, and 启用 on the page)."""
    return retire(session, ref, active=True, expected_version=expected_version)


def rename(session: Session, ref: str, name: str, *, expected_version: int | None = None) -> FundingSource:
    _county_only(session)
    source = _source(session, ref, expected_version=expected_version)
    source.name = _name(session, name, other_than=source.id)
    session.flush()
    return source


def delete(session: Session, ref: str, *, expected_version: int | None = None) -> None:
    """Delete a source nothing is recorded on and that has no sub-sources."""
    _county_only(session)
    source = _source(session, ref, expected_version=expected_version)
    n = uses(session, source.id)
    if n:
        raise ValidationError(f"“{source.name}”已记有 {n:,} 笔资金，不能删除；可以改名")
    if _children(session, source.id):
        raise ValidationError(f"“{source.name}”下还有下级来源，请先删除下级来源")
    records.soft_delete(session, source)
    session.flush()


def restore(session: Session, ref: str, *, expected_version: int | None = None) -> FundingSource:
    """Bring a deleted source back (the undo of `delete`, the redo of `add`) under its live parent."""
    _county_only(session)
    source = _source(session, ref, expected_version=expected_version, include_deleted=True)
    if source.parent_id:
        parent = session.get(FundingSource, source.parent_id)
        if parent is None or parent.deleted_at is not None:
            raise ValidationError(f"“{source.name}”的上级来源已删除，请先恢复上级来源")
    _name(session, source.name, other_than=source.id)
    records.restore(session, source)
    session.flush()
    return source


def listing(session: Session, *, search: str = "") -> list[dict[str, Any]]:
    """The tree in its order, one row a source: its level, its path, whether money is recorded on it (a
    leaf), the 其他 flag, how much is recorded on it, whether it is retired (itself or above), its version.
    `search` keeps the sources whose name contains it (or its pinyin initials) and the sources above them,
    so each is still seen in its place."""
    from oldcomm_desktop.core import pinyin_search

    sources = list(
        session.scalars(
            select(FundingSource).where(FundingSource.deleted_at.is_(None)).order_by(FundingSource.sort_order)
        )
    )
    used = dict(
        session.execute(
            select(FundingLine.source_id, func.count(FundingLine.id))
            .where(FundingLine.deleted_at.is_(None))
            .group_by(FundingLine.source_id)
        ).all()
    )
    for source_id, n in session.execute(
        select(InvestmentEntry.source_id, func.count(InvestmentEntry.id))
        .where(InvestmentEntry.deleted_at.is_(None), InvestmentEntry.source_id.is_not(None))
        .group_by(InvestmentEntry.source_id)
    ).all():
        if source_id is not None:
            used[source_id] = used.get(source_id, 0) + n
    by_id = {s.id: s for s in sources}
    retired = catalogues.retired_ids(session)
    children: dict[str | None, list[FundingSource]] = {}
    for s in sources:
        children.setdefault(s.parent_id if s.parent_id in by_id else None, []).append(s)
    rows: list[dict[str, Any]] = []

    def walk(s: FundingSource, level: int, path: list[str]) -> None:
        leaf = not children.get(s.id)
        rows.append(
            {
                "id": s.id,
                "code": s.code,
                "name": s.name,
                "shown_name": "　" * level + s.name,
                "level": level,
                "parent": path[-1] if path else "",
                "path": " › ".join([*path, s.name]),
                "leaf": leaf,
                "kind": "末级（记账）" if leaf else "上级（下级之和）",
                "needs_note": "须写明来源" if s.needs_note else "",
                "uses": int(used.get(s.id, 0)),
                "active": bool(s.active),
                "retired": s.id in retired,
                "state": ("已停用" if not s.active else "已停用（上级）") if s.id in retired else "在用",
                "version": s.version,
            }
        )
        for child in children.get(s.id, []):
            walk(child, level + 1, [*path, s.name])

    for root in children.get(None, []):
        walk(root, 0, [])
    needle = search.strip().lower()
    if needle:
        def hit(row: dict[str, Any]) -> bool:
            name = str(row["name"])
            return needle in name.lower() or any(needle in v for v in pinyin_search.initials(name).split())

        keep = {r["path"] for r in rows if hit(r)}
        rows = [r for r in rows if any(k == r["path"] or k.startswith(r["path"] + " › ") for k in keep)]
    return rows
