"""How a record is named to a clerk — 小区“幸福里”, 改造内容“供水管网改造”（小区“幸福里”）, 照片“施工照片”（…） — in
every message that speaks of a record: the recycle bin's refusals, the integrity check, sync's conflicts and
refusals. Never by its id or a column name, but for what has no name of its own (then by the end of its id)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select

from oldcomm_desktop.core.model import Base

# each table's name as a clerk knows it
TABLE_LABELS = {
    "project": "项目",
    "community": "小区",
    "renovation_item": "改造内容",
    "milestone": "进度节点",
    "funding_line": "资金",
    "funding_line_history": "资金到位拨付记录",
    "investment_entry": "完成投资",
    "inspection": "检查",
    "inspection_result": "检查结果",
    "rectification": "整改",
    "reinspection": "复查",
    "attachment": "照片和附件",
    "responsible_party": "五方责任主体",
    "inspection_schedule": "检查计划",
    "resident_request": "居民诉求",
    "supervision_order": "督办",
    "order_target": "督办对象及答复",
    "order_event": "督办办理记录",
    "return_submission": "报表上报",
    "return_archive": "报表归档",
    "return_round": "报表审核记录",
    "return_note": "报表说明",
    "category": "改造类别",
    "effect_indicator": "效果指标",
    "item_type": "改造内容类型",
    "funding_source": "资金来源",
    "checklist_template": "检查表模板",
    "checklist_template_item": "检查表条目",
    "division": "行政区划",
}


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


NAME_COLUMNS = ("name", "description", "problem", "topic", "text", "file_name")  # what names a record, in order


def kind_label(name: str, values: dict[str, Any]) -> str:
    """A milestone or an inspection by its kind and date (方案公示 2026-02-01), the codes in Chinese; an order's
    target by the order's deadline and its answer (办理期限 2026-06-30，答复：已完成), so a clerk told to issue a
    lost order again can tell which one it was: "" else."""
    from oldcomm_desktop.core.inspections import KINDS as INSPECTION_KINDS
    from oldcomm_desktop.core.lifecycle import KIND_BY_CODE

    kind = values.get("kind")
    if name == "milestone" and kind:
        found = KIND_BY_CODE.get(str(kind))
        return f"{found.label if found else kind} {values.get('reached_on') or ''}".strip()
    if name == "inspection" and kind:
        return f"{INSPECTION_KINDS.get(str(kind), kind)} {values.get('inspected_on') or ''}".strip()
    if name == "order_target" and values.get("deadline"):
        answer = str(values.get("answer") or "")[:20]
        return f"办理期限 {values['deadline']}" + (f"，答复：{answer}" if answer else "")
    return ""


def named(conn: Any, name: str, record_id: str, values: dict[str, Any] | None = None) -> str:
    """A record as a message names it for a clerk: 小区“幸福里”, 改造内容“供水管网改造”（小区“幸福里”）, from
    `values` (a package's, not stored yet) or the stored row; what has no name of its own by its kind and
    community, else by the end of its id (records made together share the time-ordered start)."""
    label = TABLE_LABELS.get(name, name)
    t = _table(name) if name in Base.metadata.tables else None
    stored: dict[str, Any] = {}
    if conn is not None and t is not None:
        row = conn.execute(select(t).where(t.c.id == record_id)).first()
        stored = dict(row._mapping) if row is not None else {}
    v = {**stored, **{k: x for k, x in (values or {}).items() if x is not None}}
    if name == "attachment":  # 照片“施工照片”（改造内容“供水管网改造”（小区“幸福里”））
        return _named_file(conn, record_id, v)
    shown = next((str(v[c])[:30] for c in NAME_COLUMNS if v.get(c)), "")
    if not shown and v.get("item_type_id") and conn is not None:  # stored: its id; a package's: its code
        kind = _table("item_type")
        found = select(kind.c.name).where((kind.c.id == v["item_type_id"]) | (kind.c.code == v["item_type_id"]))
        shown = conn.execute(found.limit(1)).scalar() or ""
    if not shown and v.get("source_id") and conn is not None:  # money: its funding source (中央预算内投资)
        source = _table("funding_source")
        found = select(source.c.name).where((source.c.id == v["source_id"]) | (source.c.code == v["source_id"]))
        shown = conn.execute(found.limit(1)).scalar() or ""
    if not shown:
        shown = kind_label(name, v)
    if not shown and v.get("funding_line_id") and conn is not None:  # a dated money row: its line's, and its date
        line = named(conn, "funding_line", v["funding_line_id"])
        return f"{line}的{label}（{str(v.get('as_of') or '')[:10]}）"
    where = ""
    if v.get("community_id") and conn is not None and name != "community":
        community = conn.execute(
            select(_table("community").c.name).where(_table("community").c.id == v["community_id"])
        ).scalar()
        where = f"（小区“{community}”）" if community else ""
    if shown:
        return f"{label}“{shown}”{where}"
    return f"{label}（编号尾号 {str(record_id)[-8:]}）{where}"


def _named_file(conn: Any, record_id: str, v: dict[str, Any]) -> str:
    """A photo or a file, by its caption (else its file's name), with the record it is attached to."""
    label = "照片" if str(v.get("media_type") or "").startswith("image/") else "附件"
    shown = str(v.get("caption") or v.get("file_name") or "")[:30]
    owner, oid = v.get("owner_table"), v.get("owner_id")
    where = ""
    if owner and oid and owner != "attachment" and owner in Base.metadata.tables:
        where = f"（{named(conn, str(owner), str(oid))}）"
    return f"{label}“{shown}”{where}" if shown else f"{label}（编号尾号 {str(record_id)[-8:]}）{where}"
