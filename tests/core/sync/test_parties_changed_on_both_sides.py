"""A responsible party (五方责任主体) both sides changed before they exchanged. `set_parties` retires the role's row
and writes a new one, so each side's change is a new record: merged quietly, a project ended with two live
parties of one role and the party list showed one of them (the county's correction of the contractor's leader
vanished). Now a second live party of a role is held as a conflict (与本方记录合并后不符合规则); its decision keeps
one party per role on both sides, decides the project's column naming the unit (监理单位) the same way, and the
column agrees with the party list after any decision."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from oldcomm_desktop.core import projects, responsibility
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import Project, ResponsibleParty, SyncConflict
from oldcomm_desktop.core.sync import conflicts, rule_holds

from .conftest import COUNTY, ORDERS, T1, exchange, first_moves

CONTRACTOR = {"unit_name": "甲建设公司", "leader": "张三", "licence_no": "皖134000001"}


def _start(county, t1) -> str:
    with t1.db.transaction("录入员") as s:
        pid = projects.create(s, {"name": "2026年城关片区改造", "township_code": T1}).id
        responsibility.set_parties(s, pid, {"contractor": CONTRACTOR})
    exchange(county, t1, 1)
    return pid


def _both_change(county, t1, pid: str) -> None:
    with county.db.transaction("审核员") as s:  # the county corrects the leader and names a supervisor
        responsibility.set_parties(
            s,
            pid,
            {
                "contractor": {**CONTRACTOR, "leader": "李四", "licence_no": "皖134000002"},
                "supervisor": {"unit_name": "丙监理", "leader": "王五", "licence_no": "监123"},
            },
        )
    with t1.db.transaction("录入员") as s:  # the township adds a phone and names another supervisor
        responsibility.set_parties(
            s,
            pid,
            {
                "contractor": {**CONTRACTOR, "phone": "13800000000"},
                "supervisor": {"unit_name": "丁监理", "leader": "赵六", "licence_no": "监456"},
            },
        )


def _shown(node, pid: str) -> dict[str, tuple]:
    """role -> (the party list's unit and leader, the project's column, how many live parties of the role)."""
    with node.db.transaction() as s:
        project = s.get(Project, pid)
        out = {}
        for p in responsibility.parties(s, pid):
            if p.role not in ("contractor", "supervisor"):
                continue
            live = s.scalar(
                select(func.count())
                .select_from(ResponsibleParty)
                .where(
                    ResponsibleParty.project_id == pid,
                    ResponsibleParty.role == p.role,
                    ResponsibleParty.deleted_at.is_(None),
                )
            )
            out[p.role] = ((p.unit_name, p.leader), getattr(project, p.role), live)
        return out


def _decide_all(node, keep: str, first: str | None = None) -> None:
    """Every open conflict decided `keep`; `first`: the (table, field) decided before the others."""
    with node.db.transaction("审核员") as s:
        ids = [
            (c.table_name, c.field, c.id) for c in s.scalars(select(SyncConflict).where(SyncConflict.status == "open"))
        ]
    ids.sort(key=lambda x: (x[0], x[1]) != first)
    for _t, _f, cid in ids:
        with node.db.transaction("审核员") as s:
            if s.get(SyncConflict, cid).status == "open":
                conflicts.resolve(s, cid, keep)


@pytest.mark.parametrize("order", ORDERS)
def test_a_party_changed_on_both_sides_is_a_conflict_not_a_second_live_party(world, order) -> None:
    county, t1 = world[COUNTY], world[T1]
    pid = _start(county, t1)
    _both_change(county, t1, pid)
    first_moves(county, t1, order, whole_round=True)
    exchange(county, t1, 1)
    for node in (county, t1):
        held = [(t, f) for t, f in node.open_conflicts() if t == "responsible_party"]
        assert held == [("responsible_party", rule_holds.FIELD)] * 2, node.code  # the contractor and the supervisor
        for role, (_party, _column, live) in _shown(node, pid).items():
            assert live == 1, (node.code, role)


@pytest.mark.parametrize(
    ("who", "keep", "first", "contractor", "supervisor"),
    [
        ("county", "ours", None, "李四", "丙监理"),
        ("county", "theirs", None, "张三", "丁监理"),
        ("township", "ours", None, "张三", "丁监理"),
        ("township", "theirs", None, "李四", "丙监理"),
        # the project's column decided first: the supervisor's party follows it (one question)
        ("county", "theirs", ("project", "supervisor"), "张三", "丁监理"),
        ("county", "ours", ("responsible_party", rule_holds.FIELD), "李四", "丙监理"),
    ],
)
def test_one_decision_leaves_one_party_per_role_and_the_column_agrees_on_both_sides(
    world, who, keep, first, contractor, supervisor
) -> None:
    county, t1 = world[COUNTY], world[T1]
    pid = _start(county, t1)
    _both_change(county, t1, pid)
    first_moves(county, t1, "both_export_first")
    _decide_all(county if who == "county" else t1, keep, first)
    exchange(county, t1, 2)
    for node in (county, t1):
        assert node.open_conflicts() == [], node.code
        shown = _shown(node, pid)
        (unit, leader), column, live = shown["contractor"]
        assert (leader, live, column) == (contractor, 1, "甲建设公司"), node.code
        (unit, leader), column, live = shown["supervisor"]
        assert (unit, column, live) == (supervisor, supervisor, 1), node.code


def test_a_unit_typed_into_the_projects_column_is_refused_while_a_party_names_it(world) -> None:
    county, t1 = world[COUNTY], world[T1]
    pid = _start(county, t1)
    _both_change(county, t1, pid)
    first_moves(county, t1, "both_export_first")
    with county.db.transaction("审核员") as s:
        [cid] = s.scalars(
            select(SyncConflict.id).where(SyncConflict.table_name == "project", SyncConflict.status == "open")
        ).all()
        with pytest.raises(ValidationError, match="监理单位由五方责任主体决定"):
            conflicts.resolve(s, cid, value="戊监理", edit=True)
    before = _shown(county, pid)["supervisor"]
    assert before == (("丙监理", "王五"), "丙监理", 1)
