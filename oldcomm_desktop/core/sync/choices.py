"""What each decision does to one conflict, said in the clerk's words before they click.

A conflict list that only shows two values leaves the clerk guessing what 保留本方 means for a deletion, or for a
record the other side added under a community deleted here. The GUI shows these lines under the list for the
selected conflict and the CLI prints them under each conflict, so both faces say the same thing.
"""

from __future__ import annotations

from typing import Any

from oldcomm_desktop.core.sync import deleted_parents, merge, rule_holds

EDITABLE_HINT = "改为：输入另一个值，两边都改为它"


def _value(c: dict[str, Any], side: str) -> str:
    from oldcomm_desktop.core.sync import conflicts

    return conflicts.shown(c[side], c["field"])


def explain(c: dict[str, Any]) -> dict[str, str]:
    """{"ours", "theirs", "edit"} for one conflict of `conflicts.listing`; "edit" is empty where only keeping one
    side is possible (a deletion, a held record)."""
    record, field = c["record"], c["field"]
    together = "；同一次删除中的其余记录随之处理" if c.get("note") else ""
    if field == deleted_parents.FIELD:
        return {
            "ours": "保留本方：所属记录仍删除，对方的这条记录也不写入（两边都在回收站中）",
            "theirs": "采用对方：从回收站恢复所属记录，并写入对方的这条记录",
            "edit": "",
        }
    if field == rule_holds.FIELD:
        return {
            "ours": "保留本方：本方记录不变并发给对方（对方新增的记录则进回收站）",
            "theirs": "采用对方：写入对方的记录；若本方记录仍与它冲突（原因见对方的值），请先修改本方记录",
            "edit": "",
        }
    if field == merge.DELETED:
        if c["ours"] is not None:  # deleted here, changed there
            return {
                "ours": f"保留本方：{record}仍删除（在回收站中），对方也删除它{together}",
                "theirs": f"采用对方：从回收站恢复{record}，写入对方的修改{together}",
                "edit": "",
            }
        return {
            "ours": f"保留本方：不删除{record}，本方的修改保留，对方也恢复它{together}",
            "theirs": f"采用对方：删除{record}（进回收站，可恢复）{together}",
            "edit": "",
        }
    label = c["field_label"]
    return {
        "ours": f"保留本方：{label}仍为“{_value(c, 'ours')}”，对方也改为它",
        "theirs": f"采用对方：{label}改为“{_value(c, 'theirs')}”",
        "edit": EDITABLE_HINT,
    }
