"""Quality lifetime responsibility: a project's five responsible parties, validated with Chinese messages,
audited, replaced by tombstoning (the earlier party stays on record) and kept in step with the project's
own unit columns — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import audit, communities, projects, responsibility
from oldcomm_desktop.core.errors import NotFound, ValidationError
from oldcomm_desktop.core.model import Project, ResponsibleParty

FIVE = {
    "builder": {"unit_name": "青禾县住房和城乡建设局", "leader": "李建国"},
    "surveyor": {"unit_name": "安徽青禾勘察院有限公司", "leader": "王勘察", "licence_no": "B234001234"},
    "designer": {"unit_name": "青禾市建筑设计研究院", "leader": "赵设计", "licence_no": "A134000123"},
    "contractor": {"unit_name": "青禾县城建工程有限公司", "leader": "张建设", "licence_no": "皖1342010201234567"},
    "supervisor": {"unit_name": "青禾建设监理咨询有限公司", "leader": "欧阳·监理", "licence_no": "34001234"},
}


@pytest.fixture
def project_id(db) -> str:
    with db.transaction("测试员") as s:
        return projects.create(s, {"name": "城关街道2026年老旧小区改造项目", "contractor": "旧施工单位"}).id


def test_parties_come_back_in_plaque_order_with_the_project_units_prefilled(db, project_id: str) -> None:
    with db.transaction("测试员") as s:
        parties = responsibility.parties(s, project_id)
    assert [p.role_label for p in parties] == ["建设单位", "勘察单位", "设计单位", "施工单位", "监理单位"]
    assert parties[3].unit_name == "旧施工单位" and parties[3].leader == "" and parties[3].id is None


def test_set_all_five_audited_and_synced_to_the_project(db, project_id: str) -> None:
    with db.transaction("张三") as s:
        responsibility.set_parties(s, project_id, FIVE)
    with db.transaction("测试员") as s:
        parties = responsibility.parties(s, project_id)
        assert {p.role: (p.unit_name, p.leader, p.licence_no) for p in parties}["contractor"] == (
            "青禾县城建工程有限公司",
            "张建设",
            "皖1342010201234567",
        )
        project = s.get(Project, project_id)
        assert (project.builder, project.contractor, project.supervisor, project.designer) == (
            "青禾县住房和城乡建设局",
            "青禾县城建工程有限公司",
            "青禾建设监理咨询有限公司",
            "青禾市建筑设计研究院",
        )
        contractor = next(p for p in parties if p.role == "contractor")
        entries = audit.history(s, contractor.id)
        assert entries[0].action == "create" and entries[0].operator == "张三"
        changed = {(e.field, e.new_value) for e in audit.history(s, project_id)}
        assert ("contractor", "青禾县城建工程有限公司") in changed


def test_replacing_a_leader_tombstones_the_earlier_one(db, project_id: str) -> None:
    with db.transaction("张三") as s:
        responsibility.set_parties(s, project_id, FIVE)
    with db.transaction("李四") as s:
        old = next(p for p in responsibility.parties(s, project_id) if p.role == "contractor")
        responsibility.set_parties(s, project_id, {"contractor": {**FIVE["contractor"], "leader": "刘新"}})
    with db.transaction("测试员") as s:
        rows = list(
            s.scalars(
                select(ResponsibleParty).where(
                    ResponsibleParty.project_id == project_id, ResponsibleParty.role == "contractor"
                )
            )
        )
        assert sorted((r.leader, r.deleted_at is not None) for r in rows) == [("刘新", False), ("张建设", True)]
        assert audit.history(s, old.id)[-1].action == "delete"
        # undo: the earlier party comes back and replaces the new one
        responsibility.restore(s, old.id)
        now = next(p for p in responsibility.parties(s, project_id) if p.role == "contractor")
        assert now.leader == "张建设" and now.id == old.id


def test_unchanged_parties_write_nothing(db, project_id: str) -> None:
    with db.transaction("测试员") as s:
        responsibility.set_parties(s, project_id, FIVE)
    with db.transaction("测试员") as s:
        before = {p.id for p in responsibility.parties(s, project_id)}
        responsibility.set_parties(s, project_id, FIVE)
        assert {p.id for p in responsibility.parties(s, project_id)} == before


def test_bad_input_names_the_role_and_field_and_changes_nothing(db, project_id: str) -> None:
    with db.transaction("测试员") as s:
        responsibility.set_parties(s, project_id, {"builder": FIVE["builder"]})
    bad = {
        "builder": {"unit_name": "", "leader": "李建国"},
        "designer": {"unit_name": "青禾市建筑设计研究院", "leader": "赵设计"},  # no licence
        "contractor": {"unit_name": "青禾县城建工程有限公司", "leader": "13912345678", "licence_no": "x"},
        "owner": {"unit_name": "某公司", "leader": "某人"},
    }
    with db.transaction("测试员") as s, pytest.raises(ValidationError) as caught:
        responsibility.set_parties(s, project_id, bad)
    messages = [str(p) for p in caught.value.problems]
    assert "单位名称：建设单位：必须填写" in messages
    assert any("设计单位：须填写资质证书号" in m for m in messages)
    assert any("施工单位：“13912345678”不像姓名" in m for m in messages)
    assert any("“owner”不是责任主体" in m for m in messages)
    with db.transaction("测试员") as s:
        assert responsibility.parties(s, project_id)[0].leader == "李建国"


def test_clearing_a_role_and_a_community_without_project(db, project_id: str) -> None:
    with db.transaction("测试员") as s:
        responsibility.set_parties(s, project_id, FIVE)
        responsibility.set_parties(s, project_id, {"surveyor": None, "designer": {"unit_name": " ", "leader": ""}})
        parties = {p.role: p for p in responsibility.parties(s, project_id)}
        assert parties["surveyor"].id is None and parties["surveyor"].unit_name == ""
        assert (
            parties["designer"].id is None and parties["designer"].unit_name == "青禾市建筑设计研究院"
        )  # the project's
        lone = communities.create(s, {"name": "独栋楼"})
        assert [p.unit_name for p in responsibility.parties_of_community(s, lone.id)] == [""] * 5
        with pytest.raises(NotFound):
            responsibility.parties(s, "no-such-project")


def test_as_data_round_trips(db, project_id: str) -> None:
    with db.transaction("测试员") as s:
        responsibility.set_parties(s, project_id, {"builder": FIVE["builder"]})
        data = responsibility.as_data(responsibility.parties(s, project_id))
        assert data["builder"]["leader"] == "李建国" and data["surveyor"] is None
        responsibility.set_parties(s, project_id, FIVE)
        responsibility.set_parties(s, project_id, data)  # an undo puts the earlier set back
        assert [p.named for p in responsibility.parties(s, project_id)] == [True, False, True, True, True]


def test_a_replaced_party_waits_in_the_recycle_bin(db, project_id: str) -> None:
    from oldcomm_desktop.core import recycle_bin

    with db.transaction("张三") as s:
        responsibility.set_parties(s, project_id, FIVE)
    with db.transaction("李四") as s:
        responsibility.set_parties(s, project_id, {"contractor": {**FIVE["contractor"], "leader": "刘新"}})
    with db.transaction("测试员") as s:
        rows = recycle_bin.page(s, recycle_bin.BinQuery(kind="party"))
        assert [(r["name"], r["parent"], r["deleted_by"], r["kind_label"]) for r in rows] == [
            ("施工单位：张建设", "城关街道2026年老旧小区改造项目", "李四", "参建单位")
        ]
        recycle_bin.restore(s, "party", rows[0]["id"])
        assert next(p for p in responsibility.parties(s, project_id) if p.role == "contractor").leader == "张建设"
        assert [r["name"] for r in recycle_bin.page(s, recycle_bin.BinQuery(kind="party"))] == ["施工单位：刘新"]


def test_restoring_a_party_checks_the_version_the_bin_showed(db, project_id: str) -> None:
    """Restore and delete through the bin take the version the caller loaded (the GUI's undo passes it);
    an older one is refused as stale and changes nothing."""
    from oldcomm_desktop.core import recycle_bin
    from oldcomm_desktop.core.errors import StaleRecord

    with db.transaction("张三") as s:
        responsibility.set_parties(s, project_id, FIVE)
    with db.transaction("李四") as s:
        responsibility.set_parties(s, project_id, {"contractor": {**FIVE["contractor"], "leader": "刘新"}})
    with db.transaction("测试员") as s:
        row = recycle_bin.page(s, recycle_bin.BinQuery(kind="party"))[0]
        version = s.get(ResponsibleParty, row["id"]).version
    with db.transaction("测试员") as s, pytest.raises(StaleRecord):
        recycle_bin.restore(s, "party", row["id"], expected_version=version - 1)
    with db.transaction("测试员") as s:
        assert next(p for p in responsibility.parties(s, project_id) if p.role == "contractor").leader == "刘新"
        restored = recycle_bin.restore(s, "party", row["id"], expected_version=version)
        assert next(p for p in responsibility.parties(s, project_id) if p.role == "contractor").leader == "张建设"
        s.flush()
        recycle_bin.delete(s, "party", row["id"], expected_version=restored.version)
        assert s.get(ResponsibleParty, row["id"]).deleted_at is not None
