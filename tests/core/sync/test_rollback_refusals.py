"""A rollback that cannot be done is refused before anything is written, naming the records in the way as a clerk
knows them and saying what the clerk can do (QA round 5, bugs A and B):
- a community the import brought now has an item (the county's, or a later package's) or a county photo under it;
- a record the import wrote was changed since: named, with advice the clerk can follow for its kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from oldcomm_desktop.cli import main
from oldcomm_desktop.core import attachments, items, projects
from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.model import Community, Project
from oldcomm_desktop.core.returns import review
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.core.sync import history

from .conftest import COUNTY, T1, Node, db_state, exchange


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


def test_a_record_changed_since_is_named_not_by_its_id(world, county: Node) -> None:
    t1 = world[T1]
    cid = t1.new_community("幸福里", total_investment="1000")
    exchange(county, t1)
    t1.update_community(cid, households=30)
    imp = county.import_(t1.export().path).import_id
    county.update_community(cid, households=31)
    why = _refused(county, imp)
    assert why.startswith("小区“幸福里”在这次导入之后又被修改过") and cid not in why
    assert "改回导入之前的样子" in why


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
