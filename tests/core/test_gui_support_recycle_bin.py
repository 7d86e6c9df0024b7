"""The recycle bin (core/recycle_bin.py): every kind listed once, restored through its service, refused clearly."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import communities, demo, inspections, items, listings, projects, recycle_bin
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import Community, Inspection, Project, Rectification, RenovationItem
from oldcomm_desktop.core.recycle_bin import BinQuery
from oldcomm_desktop.storage.database import Database


@pytest.fixture
def demo_db(empty_db: Database) -> Database:
    with empty_db.transaction("测试员") as s:
        demo.build(s, communities_count=12, seed=5)
    return empty_db


def _first(s, cls, *where):
    return s.scalars(select(cls).where(cls.deleted_at.is_(None), *where).order_by(cls.id)).first()


def test_lists_each_kind_with_who_and_when(demo_db: Database) -> None:
    with demo_db.transaction("张三") as s:
        community = _first(s, Community)
        other = _first(s, Community, Community.id != community.id)
        item = _first(s, RenovationItem, RenovationItem.community_id == other.id)
        # a patrol not of the deleted community (one of its own goes to the bin with it)
        inspection = _first(s, Inspection, Inspection.community_id != community.id, Inspection.kind == "patrol")
        communities.delete(s, community.id)
        items.delete(s, item.id)
        inspections.delete(s, inspection.id)
        project = projects.create(s, {"name": "空项目", "township_code": community.township_code})
        projects.delete(s, project.id)
        ids = {community.id: "community", item.id: "item", inspection.id: "inspection", project.id: "project"}
    with demo_db.transaction("测试员") as s:
        rows = recycle_bin.page(s)
        assert recycle_bin.count(s) == len(rows) == 4  # the community's own items are not listed apart
        assert {r["id"]: r["kind"] for r in rows} == ids
        assert all(r["deleted_by"] == "张三" and r["deleted_at"] is not None for r in rows)
        assert {r["kind_label"] for r in rows} == {"小区", "改造内容", "检查记录", "项目"}
        by_id = {r["id"]: r for r in rows}
        assert by_id[community.id]["name"] == community.name and by_id[community.id]["township"]
        assert by_id[item.id]["parent"] == other.name
        assert by_id[inspection.id]["name"].startswith("质量安全巡查 ")
        assert recycle_bin.count(s, BinQuery(kind="item")) == 1
        assert recycle_bin.count(s, BinQuery(search=community.name)) >= 1
        assert recycle_bin.count(s, BinQuery(search="不存在的名字")) == 0
        oldest_first = recycle_bin.page(s, BinQuery(descending=False))
        assert [r["id"] for r in oldest_first] == [r["id"] for r in reversed(rows)]


def test_restore_and_delete_again_through_the_services(demo_db: Database) -> None:
    with demo_db.transaction("测试员") as s:
        community = _first(s, Community)
        n_items = listings.count(s, "items", listings.ListQuery(filters={"community": community.id}))
        communities.delete(s, community.id)
    with demo_db.transaction("测试员") as s:
        assert listings.count(s, "items", listings.ListQuery(filters={"community": community.id})) == 0
        recycle_bin.restore(s, "community", community.id)
    with demo_db.transaction("测试员") as s:
        assert s.get(Community, community.id).deleted_at is None
        assert listings.count(s, "items", listings.ListQuery(filters={"community": community.id})) == n_items
        recycle_bin.delete(s, "community", community.id)
    with demo_db.transaction("测试员") as s:
        assert s.get(Community, community.id).deleted_at is not None
        assert recycle_bin.count(s) == 1


def test_restore_is_refused_while_the_parent_is_deleted(demo_db: Database) -> None:
    with demo_db.transaction("测试员") as s:
        community = _first(s, Community)
        item = _first(s, RenovationItem, RenovationItem.community_id == community.id)
        items.delete(s, item.id)
        communities.delete(s, community.id)
    with demo_db.transaction("测试员") as s:
        assert recycle_bin.count(s, BinQuery(kind="item")) == 1  # deleted before its community: listed
        with pytest.raises(ValidationError, match="请先恢复小区"):
            recycle_bin.restore(s, "item", item.id)


def test_inspection_comes_back_with_its_rectifications(demo_db: Database) -> None:
    with demo_db.transaction("测试员") as s:
        inspection = s.scalars(
            select(Inspection).join(Rectification, Rectification.inspection_id == Inspection.id).order_by(Inspection.id)
        ).first()
        n = len(list(s.scalars(select(Rectification).where(Rectification.inspection_id == inspection.id))))
        inspections.delete(s, inspection.id)
    with demo_db.transaction("测试员") as s:
        recycle_bin.restore(s, "inspection", inspection.id)
    with demo_db.transaction("测试员") as s:
        live = s.scalars(
            select(Rectification).where(
                Rectification.inspection_id == inspection.id, Rectification.deleted_at.is_(None)
            )
        )
        assert len(list(live)) == n
        assert s.get(Inspection, inspection.id).deleted_at is None


def test_a_deleted_projects_community_waits_for_the_project(demo_db: Database) -> None:
    with demo_db.transaction("测试员") as s:
        project = _first(s, Project)
        members = list(s.scalars(select(Community).where(Community.project_id == project.id)))
        for c in members:
            communities.delete(s, c.id)
        projects.delete(s, project.id)
    with demo_db.transaction("测试员") as s:
        with pytest.raises(ValidationError, match="请先恢复项目"):
            recycle_bin.restore(s, "community", members[0].id)
    with demo_db.transaction("测试员") as s:
        recycle_bin.restore(s, "project", project.id)
        recycle_bin.restore(s, "community", members[0].id)


def test_unknown_kind_is_refused(demo_db: Database) -> None:
    with demo_db.transaction("测试员") as s:
        with pytest.raises(ValidationError):
            recycle_bin.restore(s, "operator", "x")
        with pytest.raises(ValidationError):
            recycle_bin.count(s, BinQuery(kind="operator"))


def test_milestones_and_investment_entries_come_back(demo_db: Database) -> None:
    from oldcomm_desktop.core import milestones
    from oldcomm_desktop.core.model import InvestmentEntry, Milestone

    with demo_db.transaction("张三") as s:
        community = _first(s, Community, Community.status == "started")
        start = _first(s, Milestone, Milestone.community_id == community.id, Milestone.kind == "start")
        entry = _first(s, InvestmentEntry, InvestmentEntry.community_id == community.id)
        milestones.remove(s, start.id)
        recycle_bin.delete(s, "investment", entry.id)
        assert s.get(Community, community.id).status == "planned"
    with demo_db.transaction("测试员") as s:
        rows = {r["id"]: r for r in recycle_bin.page(s)}
        assert rows[start.id]["kind_label"] == "进度节点" and rows[start.id]["name"].startswith("开工 ")
        assert rows[start.id]["parent"] == community.name
        assert rows[entry.id]["amount"] == entry.amount and rows[entry.id]["parent"] == community.name
        recycle_bin.restore(s, "milestone", start.id)
        recycle_bin.restore(s, "investment", entry.id)
    with demo_db.transaction("测试员") as s:
        assert s.get(Community, community.id).status == "started"
        assert recycle_bin.count(s) == 0
        communities.delete(s, community.id)
    with demo_db.transaction("测试员") as s:  # its milestones and entries went with it: one row, the community
        assert [r["kind"] for r in recycle_bin.page(s)] == ["community"]


def test_a_bin_row_carries_the_version_a_restore_is_checked_against(demo_db: Database) -> None:
    """The bin lists each record's version, so the first restore from it is a checked save like any other."""
    from oldcomm_desktop.core.errors import StaleRecord

    with demo_db.transaction("测试员") as s:
        community = _first(s, Community)
        communities.delete(s, community.id)
    with demo_db.transaction("测试员") as s:
        (row,) = [r for r in recycle_bin.page(s, BinQuery(kind="community")) if r["id"] == community.id]
        seen = row["version"]
        assert seen == s.get(Community, community.id).version
    with demo_db.transaction("另一位") as s:  # a colleague restores and deletes it again meanwhile
        recycle_bin.restore(s, "community", community.id, expected_version=seen)
    with demo_db.transaction("另一位") as s:
        recycle_bin.delete(s, "community", community.id)
    with demo_db.transaction("测试员") as s, pytest.raises(StaleRecord):
        recycle_bin.restore(s, "community", community.id, expected_version=seen)
