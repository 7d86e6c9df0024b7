"""change_history: the audit log in words, with Field-spec labels and names instead of codes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from oldcomm_desktop.core import change_history, communities, items, milestones


def test_community_history_in_words(db) -> None:
    with db.transaction("张三") as s:
        c = communities.create(s, {"name": "幸福里小区", "households": 120, "plan_year": date.today().year})
        cid = c.id
    with db.transaction("李四") as s:
        communities.update(s, cid, {"households": 130, "total_investment": Decimal("6800000")})
    with db.transaction("李四") as s:
        communities.delete(s, cid)
    with db.transaction("李四") as s:
        communities.restore(s, cid)
    with db.transaction("测试员") as s:
        rows = change_history.history(s, cid)
    assert rows[0].action == "新建" and rows[0].operator == "张三" and rows[0].record == "小区"
    changed = {r.field: r for r in rows if r.action == "修改"}
    assert (changed["户数"].old, changed["户数"].new, changed["户数"].operator) == ("120 户", "130 户", "李四")
    assert changed["总投资"].old == "（空）" and changed["总投资"].new == "6,800,000.00 元"
    assert [r.action for r in rows][-2:] == ["删除（移入回收站）", "从回收站恢复"]
    assert all(r.at.year >= 2024 for r in rows)


def test_children_and_codes_shown_as_names(db) -> None:
    with db.transaction("张三") as s:
        c = communities.create(s, {"name": "和平苑", "plan_year": date.today().year})
        item = items.create(s, c.id, {"item_type_id": "road", "planned_quantity": "800"})
        milestones.add(s, c, {"kind": "start", "reached_on": date.today() - timedelta(days=1)})
        cid, item_id = c.id, item.id
    with db.transaction("张三") as s:
        items.update(s, item_id, {"status": "started"})
        own = change_history.history(s, cid)
        rows = change_history.history(s, cid, with_children=True)
    assert not any(r.record != "小区" for r in own)
    status = [r for r in own if r.field == "状态"]
    assert status and status[-1].new == "已开工"
    records = {r.record for r in rows}
    assert {"小区", "改造内容·道路硬化/沥青铺设", "进度节点·开工"} <= records
    item_status = next(r for r in rows if r.record.startswith("改造内容") and r.field == "状态")
    assert (item_status.old, item_status.new) == ("未开工", "在建")
    township = [r for r in own if r.field == "乡镇（街道）"]
    assert not township or township[0].new == "城关街道"
