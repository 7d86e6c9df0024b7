"""A project's responsible parties (五方责任主体) arriving by sync go through the one bulk write path: the rules of
`responsibility.set_parties` refuse a bad party naming the record, nothing changes; a party arriving under a
project deleted here is held like any child record. County on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import projects, responsibility
from oldcomm_desktop.core.model import AuditEntry, ResponsibleParty
from oldcomm_desktop.core.sync import conflicts

from .conftest import T1, assert_refused, edit_record, rewrite


def _project(node) -> str:
    with node.db.transaction("录入员") as s:
        pid = projects.create(s, {"name": "2026年城关街道老旧小区改造项目", "plan_year": 2026}).id
        responsibility.set_parties(
            s,
            pid,
            {"contractor": {"unit_name": "安徽某建设有限公司", "leader": "李明", "licence_no": "皖134060800123"}},
        )
    return pid


def test_a_party_arrives_through_the_bulk_path(county, world) -> None:
    t1 = world[T1]
    pid = _project(t1)
    county.import_(t1.export().path)
    with county.db.transaction() as s:
        [party] = [p for p in responsibility.parties(s, pid) if p.named]
        assert (party.role, party.leader, party.licence_no) == ("contractor", "李明", "皖134060800123")
        row = s.scalars(select(ResponsibleParty)).one()
        assert row.township_code == T1
        audit = s.scalars(select(AuditEntry).where(AuditEntry.record_id == row.id)).all()
        # the bulk path's one create entry per record (writes.py wrote one entry per field)
        assert [(a.operator, a.action, a.field) for a in audit] == [("导入员", "create", None)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda v: v.update(leader="李明2号"), "五方责任主体（.*）.*不像姓名"),
        (lambda v: v.update(licence_no=None), "五方责任主体（.*）.*资质证书号"),
        (lambda v: v.update(role="painter"), "五方责任主体（.*）.*不是责任主体"),
    ],
)
def test_a_party_breaking_the_services_rules_is_refused_naming_the_record(
    county, world, tmp_path, change, message
) -> None:
    t1 = world[T1]
    _project(t1)
    up = t1.export()
    forged = rewrite(
        up.path,
        tmp_path / "bad.ocpkg",
        t1,
        members=lambda m: edit_record(m, "responsible_party", lambda line: change(line["v"])),
    )
    assert_refused(county, forged, message)
    county.import_(up.path)  # the real package applies


def test_a_party_under_a_project_deleted_here_is_held_not_refused(county, world) -> None:
    t1 = world[T1]
    pid = _project(t1)
    county.import_(t1.export().path)
    with county.db.transaction("审核员") as s:
        projects.delete(s, pid)
    with t1.db.transaction("录入员") as s:
        responsibility.set_parties(s, pid, {"builder": {"unit_name": "城关街道办事处", "leader": "王建国"}})
    report = county.import_(t1.export().path)
    assert ("responsible_party", "parent_deleted") in {(c["table"], c["field"]) for c in report.conflicts}
    with county.db.transaction("审核员") as s:
        live = s.scalars(select(ResponsibleParty).where(ResponsibleParty.role == "builder")).all()
        assert live == []
        for c in conflicts.listing(s):
            if c["table"] == "responsible_party":
                conflicts.resolve(s, c["id"], "theirs")  # the project comes back, the party is written
        [builder] = s.scalars(select(ResponsibleParty).where(ResponsibleParty.role == "builder")).all()
        assert builder.leader == "王建国" and builder.township_code == T1
