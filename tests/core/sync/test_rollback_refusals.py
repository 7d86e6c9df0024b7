"""A rollback that cannot be done is refused before anything is written, naming the records in the way as a clerk
knows them and saying what the clerk can do (QA round 5, bugs A and B):
- a community the import brought now has an item (the county's, or a later package's) or a county photo under it;
- a record the import wrote was changed since: named, with advice the clerk can follow for its kind."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from oldcomm_desktop.cli import main
from oldcomm_desktop.core import attachments, items, milestones, projects
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.model import Community, OrderTarget, Project
from oldcomm_desktop.core.returns import review
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.core.supervision import orders
from oldcomm_desktop.core.sync import history

from .conftest import COUNTY, T1, Node, db_state, exchange
from .test_concurrent_reinspections import FAILED, PASSED, _reinspect, _shared


def _rollback(node: Node, import_id: str | None) -> None:
    assert import_id
    with node.db.transaction("回滚员") as s:
        history.rollback(s, import_id)


def _refused(node: Node, import_id: str | None) -> str:
    before = db_state(node.db)
    with pytest.raises(OldcommError) as e:
        _rollback(node, import_id)
    assert db_state(node.db) == before
    return str(e.value)


def _add_item(node: Node, cid: str) -> str:
    with node.db.transaction("县复核员") as s:
        return items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "100"}, confirm=True).id


def _brought(county: Node, t1: Node) -> tuple[str, str | None]:
    cid = t1.new_community("幸福里", total_investment="1000")
    return cid, county.import_(t1.export().path).import_id


def _communities(node: Node) -> list[str]:
    with node.db.transaction("测试员") as s:
        return list(s.scalars(select(Community.name)))


def test_an_item_the_county_added_under_a_brought_community_stops_the_rollback(world, county: Node) -> None:
    cid, imp = _brought(county, world[T1])
    _add_item(county, cid)
    why = _refused(county, imp)
    assert "改造内容“供水管网改造”（小区“幸福里”）" in why
    assert "请直接删除" in why and "IntegrityError" not in why


def test_an_item_in_the_recycle_bin_stops_it_too(world, county: Node) -> None:
    """Deleting the item puts it in the recycle bin, still under the community: it is still in the way."""
    cid, imp = _brought(county, world[T1])
    iid = _add_item(county, cid)
    with county.db.transaction("县复核员") as s:
        items.delete(s, iid)
    assert "回收站中的改造内容“供水管网改造”" in _refused(county, imp)


def test_a_county_photo_of_a_brought_community_stops_the_rollback(world, county: Node, tmp_path: Path) -> None:
    """A photo has no foreign key: without the check it would be left pointing at a community that is gone."""
    cid, imp = _brought(county, world[T1])
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    with county.db.transaction("县复核员") as s:
        attachments.add(s, s.get(Community, cid), photo, caption="施工前现场")
    why = _refused(county, imp)
    assert "照片“施工前现场”（小区“幸福里”）" in why


def test_an_older_import_waits_for_the_later_one_that_built_on_it(world, county: Node) -> None:
    t1 = world[T1]
    cid, first = _brought(county, t1)
    _add_item(t1, cid)
    later = county.import_(t1.export().path).import_id
    assert later
    why = _refused(county, first)
    assert "改造内容“供水管网改造”（小区“幸福里”）" in why
    assert f"之后的导入 {later[:8]}" in why and "请先回滚之后的导入" in why
    _rollback(county, later)
    _rollback(county, first)
    assert _communities(county) == []


def _changed_by_import(county: Node, t1: Node) -> tuple[str, str | None]:
    """A community both sides know, that an import then changes at the county: (its id, the import)."""
    cid = t1.new_community("幸福里", total_investment="1000")
    exchange(county, t1)
    t1.update_community(cid, households=30)
    return cid, county.import_(t1.export().path).import_id


def test_a_record_changed_since_is_named_not_by_its_id(world, county: Node) -> None:
    cid, imp = _changed_by_import(county, world[T1])
    county.update_community(cid, households=31)
    why = _refused(county, imp)
    assert why.startswith("小区“幸福里”在这次导入之后又被修改过") and cid not in why
    assert "改回导入之前的样子（“小区台账”页面打开小区修改，或 oldcomm edit community）" in why  # and where


def test_a_reviewed_return_is_not_advised_to_be_edited_by_hand(world, county: Node) -> None:
    """A submission moves only by 审核/退回/重新打开: the advice names those, not an edit nobody can make."""
    t1 = world[T1]
    t1.new_community("幸福里小区", households=10, floor_area="1000", total_investment="1000", plan_year=2026)
    with t1.db.transaction("城关街道填报员") as s:
        review.submit(s, "progress", Period(2026, 5), operator="城关街道填报员")
    imp = county.import_(t1.export().path).import_id
    with county.db.transaction("县审核员") as s:
        review.approve(s, "progress", Period(2026, 5), township=T1, operator="县审核员")
    why = _refused(county, imp)
    assert why.startswith("报表上报") and "手工修改这条记录" not in why and "改回" not in why
    assert "已审核通过" in why and "重新打开" in why


def test_the_command_line_prints_the_refusal(world, capsys) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid, imp = _brought(county, t1)
    _add_item(county, cid)
    path = county.db.engine.url.database
    county.db.close()
    assert imp and path
    assert main(["--db", path, "sync", "rollback", imp]) == 1
    err = capsys.readouterr().err
    assert "改造内容“供水管网改造”（小区“幸福里”）" in err and "意外" not in err


def test_a_community_moved_into_a_brought_project_goes_back_before_the_project_goes(world, county: Node) -> None:
    """Not in the way: the import itself moved it there, and its before-image puts it back in its old project."""
    t1 = world[T1]
    with t1.db.transaction("录入员") as s:
        old = projects.create(s, {"name": "一期", "township_code": T1, "plan_year": 2026}).id
    cid = t1.new_community("幸福里", total_investment="1000", project_id=old)
    exchange(county, t1)
    with t1.db.transaction("录入员") as s:
        new = projects.create(s, {"name": "二期", "township_code": T1, "plan_year": 2026}).id
    t1.update_community(cid, project_id=new)
    imp = county.import_(t1.export().path).import_id
    _rollback(county, imp)
    with county.db.transaction("测试员") as s:
        assert s.get(Community, cid).project_id == old
        assert s.get(Project, new) is None


# ---- advice per kind: what a clerk can actually do with a record changed since the import (rollback_advice.py)


def test_a_record_a_later_import_changed_names_that_import(world, county: Node) -> None:
    """The clerk did not change it: the refusal says which later package did, then the kind's advice."""
    t1 = world[T1]
    cid, first = _changed_by_import(county, t1)
    t1.update_community(cid, households=32)
    later = county.import_(t1.export().path).import_id
    assert later
    why = _refused(county, first)
    assert why.startswith("小区“幸福里”在这次导入之后又被修改过")
    assert f"修改它的是之后的导入 {later[:8]}" in why and "对方之后的修改" in why
    assert "请手工把这条记录改回导入之前的样子" in why  # and the kind's own advice


def test_a_milestone_is_advised_to_be_deleted_and_added_again(world, county: Node) -> None:
    """A milestone cannot be edited: the advice names what the timeline offers, not an edit nobody can make."""
    t1 = world[T1]
    cid = t1.new_community("幸福里", households=100, plan_year=2026)
    exchange(county, t1)
    with t1.db.transaction("录入员") as s:
        mid = milestones.add(
            s, s.get(Community, cid), {"kind": "start", "reached_on": date(2026, 3, 1)}, today=date(2026, 6, 1)
        ).id
    imp = county.import_(t1.export().path).import_id
    with county.db.transaction("县复核员") as s:
        milestones.remove(s, mid)
    why = _refused(county, imp)
    assert why.startswith("回收站中的进度节点“开工 2026-03-01”")  # deleted since: where the clerk will find it
    assert "进度节点只能添加和删除" in why and "添加节点…" in why and "改回导入之前的样子" not in why


def test_a_rectification_reinspected_since_names_its_reply_and_reinspection(world, county: Node) -> None:
    """Its 销号 follows the re-inspections: the clerk cannot change it back, the sender can correct theirs."""
    t1 = world[T1]
    rid = _shared(county, t1)
    _reinspect(t1, rid, date(2026, 11, 6), FAILED)
    imp = county.import_(t1.export().path).import_id
    _reinspect(county, rid, date(2026, 11, 8), PASSED)
    why = _refused(county, imp)
    assert why.startswith("整改“围挡破损”在这次导入之后又被修改过")
    assert "只随“整改回复…”和“复查…”改变" in why and "请联系发来数据包的一方更正" in why
    assert "改回导入之前的样子" not in why


def test_an_order_target_answered_since_is_sent_back_not_edited(world, county: Node) -> None:
    """At the township, the county's order arrived and was answered since: only the order's steps move it."""
    t1 = world[T1]
    with county.db.transaction("县督办员") as s:
        order = orders.issue(
            s,
            {"problem": "进度滞后", "requirement": "限期整改", "deadline": date(2026, 6, 30)},
            [{"township_code": T1}],
            today=date(2026, 6, 1),
        )
        target_id = s.scalar(select(OrderTarget.id).where(OrderTarget.order_id == order.id))
    imp = t1.import_(county.export(T1).path).import_id
    with t1.db.transaction("乡镇督办员") as s:
        orders.answer(s, target_id, "已按期整改", date(2026, 6, 20), today=date(2026, 6, 21))
    why = _refused(t1, imp)
    assert why.startswith("督办对象及答复“办理期限 2026-06-30")
    assert "只随办理" in why and "退回…" in why and "改回导入之前的样子" not in why
