"""What a clerk can do about a record that stops a rollback because it was changed after the import, per kind.

The rollback will not undo a later change, so the import's effect on that record is the clerk's to undo by hand —
but "change it back to how it was" helps only where the program lets a clerk change that kind of record. Much of
what a package brings cannot be edited: milestones and inspection schedules are added and deleted, never edited;
an inspection and its lines, a re-inspection and completed investment are registered once; a rectification's
销号 follows its re-inspections; an order, its targets and their log move only through the order's steps; dated
money rows follow the funding line; a photo is added or removed. For each kind the advice names what the clerk can
do, and where (the page, the button), or to have the other side correct it; a return's submission and review say
its status and the review's own steps. A change a later import made is said to be one (rollback_checks),
before the kind's advice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from oldcomm_desktop.core.sync import tables

RETURN_TABLES = frozenset({"return_submission", "return_archive", "return_round", "return_note"})

BY_HAND = "如确需撤销这次导入带来的修改，请手工把这条记录改回导入之前的样子"
ASK_THE_SENDER = "如这次导入带来的内容有误，请联系发来数据包的一方更正，更正会随对方的下一个数据包带来"

# where a clerk edits a kind that can be edited, after BY_HAND
EDITED_IN = {
    "project": "（“项目”页面的“修改项目…”，或 oldcomm edit project）",
    "community": "（“小区台账”页面打开小区修改，或 oldcomm edit community）",
    "renovation_item": "（“改造内容”页面，或 oldcomm edit item）",
    "responsible_party": "（“项目”页面选中所属项目，用“参建单位…”修改）",
    "funding_line": "（小区详情的“资金”页签，用“编辑资金来源…”修改）",
}

# kinds no clerk can edit: what they can do instead
NOT_EDITABLE = {
    "milestone": (
        "进度节点只能添加和删除，不能修改：如需撤销这次导入带来的节点，请在小区详情的“进度节点”页签删除它"
        "（已在回收站中的不必再删），需要时用“添加节点…”按导入之前的日期重新登记"
    ),
    "inspection_schedule": (
        "检查计划只能添加和删除，不能修改：请在“检查整改”页面的检查计划中删除它，"
        "再用“添加检查计划…”按导入之前的内容重新添加"
    ),
    "funding_line_history": (
        "资金到位拨付记录是按日期记下的历史，不能手工修改，它随资金的修改写入：请在小区详情的“资金”页签用"
        "“编辑资金来源…”把这条资金的到位、拨付金额改回导入之前的数额（会按今天另记一条，之前的记录保留）"
    ),
    "investment_entry": "完成投资登记后不能修改或删除。" + ASK_THE_SENDER,
    "inspection": (
        "检查记录登记后不能修改：如这次导入带来的检查有误，请在“检查整改”页面用“删除检查记录”"
        "把它连同整改和复查放入回收站，再按实际情况重新记录检查"
    ),
    "inspection_result": (
        "检查结果是检查记录的一部分，登记后不能修改：如有误，请在“检查整改”页面用“删除检查记录”"
        "把这次检查放入回收站，再按实际情况重新记录检查"
    ),
    "rectification": ("整改的回复、销号和整改期限只随“整改回复…”和“复查…”改变，不能手工改回。" + ASK_THE_SENDER),
    "reinspection": "复查登记后不能修改或撤回。" + ASK_THE_SENDER,
    "attachment": "照片和附件不能修改，只能移除或添加：请在它所属记录的照片中移除它，需要时重新添加导入之前的文件",
    "resident_request": "居民诉求登记后只能答复和评价，不能改回。" + ASK_THE_SENDER,
    "supervision_order": (
        "督办下达后不能手工修改：如这次导入带来的督办有误，请县里在“督办考核”页面用“下达督办…”"
        "重新下达一份更正的督办（乡镇请联系县里）"
    ),
    "order_target": (
        "督办对象的答复和状态只随办理（答复、确认办结、退回）改变，不能手工改回：答复有误的，"
        "请县里在“督办考核”页面用“退回…”退回，由乡镇重新答复"
    ),
    "order_event": (
        "督办办理记录是办理过程的记载，不能修改或删除：如之后的办理有误，请按督办的办理步骤纠正"
        "（县里用“退回…”退回，乡镇重新答复）"
    ),
}


def advice(conn: Any, table_name: str, record_id: str) -> str:
    """What the clerk can do about `table_name`'s record `record_id`, changed after the import being rolled back."""
    if table_name in RETURN_TABLES:
        return _return_advice(conn, table_name, record_id)
    if table_name in NOT_EDITABLE:
        return NOT_EDITABLE[table_name]
    return BY_HAND + EDITED_IN.get(table_name, "")


def _return_advice(conn: Any, table_name: str, record_id: str) -> str:
    """A return's submission and review move only by 审核通过/退回/重新打开, never by a clerk's edit."""
    from oldcomm_desktop.core.returns.review import STATUS_LABELS

    t = tables.table("return_submission")
    sid = record_id
    if table_name != "return_submission":
        own = tables.table(table_name)
        row = conn.execute(select(own).where(own.c.id == record_id)).first()
        sid = (row._mapping.get("submission_id") if row is not None else None) or sid
    status = conn.execute(select(t.c.status).where(t.c.id == sid)).scalar()
    now = f"（当前状态：{STATUS_LABELS.get(str(status), status)}）" if status else ""
    return (
        f"报表的上报和审核不能手工修改，这份报表在导入之后已经审核过{now}，这次导入不能回滚。"
        "如上报的内容有误：已上报待审核的请退回修改，已审核通过的请重新打开（写明原因），由乡镇改正后重新上报"
    )
