"""A community's status is derived from its own milestones and its project's (立项/可研批复 on the project). After
a rollback, and after a community moved into or out of a project by package, it is what a fresh derivation from
the live milestones gives, and after full exchanges both sides hold the same records (QA round 5, bugs D and F)."""

from __future__ import annotations

from datetime import date

from oldcomm_desktop.core import communities, milestones, projects
from oldcomm_desktop.core.model import Base, Community, Project
from oldcomm_desktop.core.sync import history

from .conftest import T1, Node, db_state, exchange

TODAY = date(2026, 6, 1)
BUSINESS = ("project", "community", "milestone")
# written by each node for itself: the record's local version and stamps, and its search text
LOCAL = {"version", "created_at", "updated_at", "created_by", "updated_by", "search_text"}


def _milestone(node: Node, target: type[Community] | type[Project], tid: str, kind: str, on: date) -> str:
    with node.db.transaction("录入员") as s:
        return milestones.add(s, s.get_one(target, tid), {"kind": kind, "reached_on": on}, today=TODAY).id


def _remove(node: Node, milestone_id: str) -> None:
    with node.db.transaction("录入员") as s:
        milestones.remove(s, milestone_id)


def _project(node: Node) -> str:
    with node.db.transaction("录入员") as s:
        return projects.create(s, {"name": "城关2026年改造项目"}).id


def _status(node: Node, cid: str) -> str:
    """The stored status, after checking it is what the single edit's derivation gives from the live milestones."""
    with node.db.transaction("测试员") as s:
        community = s.get_one(Community, cid)
        assert community.status == milestones.status_of(s, community), community.name
        return community.status


def _rolled_back(node: Node, import_id: str | None) -> None:
    assert import_id
    with node.db.transaction("审核员") as s:
        history.rollback(s, import_id)


def _records(node: Node) -> dict[str, list[tuple]]:
    """db_state's business tables without the columns each node writes for itself."""
    state = db_state(node.db)
    out = {}
    for name in BUSINESS:
        columns = [c.name for c in Base.metadata.tables[name].columns]
        keep = [k for k, c in enumerate(columns) if c not in LOCAL]
        out[name] = sorted((tuple(r[k] for k in keep) for r in state[name]), key=repr)
    return out


def _converged(county: Node, township: Node) -> None:
    exchange(county, township, 3)
    assert county.open_conflicts() == township.open_conflicts() == []
    assert _records(county) == _records(township)


def test_rolling_back_an_imported_completion_removal_brings_completed_back(county: Node, world) -> None:
    t1 = world[T1]
    cid = t1.new_community("幸福里", total_investment="1000")
    _milestone(t1, Community, cid, "start", date(2026, 3, 1))
    done = _milestone(t1, Community, cid, "completion", date(2026, 5, 1))
    exchange(county, t1, 1)
    assert _status(county, cid) == "completed"
    _remove(t1, done)
    report = county.import_(t1.export().path)
    assert _status(county, cid) == "started"
    _rolled_back(county, report.import_id)
    assert _status(county, cid) == "completed"
    _converged(county, t1)
    assert _status(county, cid) == _status(t1, cid) == "started"  # the township's removal arrives again


def test_rolling_back_an_imported_community_deletion_keeps_its_status(county: Node, world) -> None:
    t1 = world[T1]
    cid = t1.new_community("幸福里", total_investment="1000")
    _milestone(t1, Community, cid, "start", date(2026, 3, 1))
    exchange(county, t1, 1)
    t1.delete_community(cid)
    report = county.import_(t1.export().path)
    _rolled_back(county, report.import_id)
    assert _status(county, cid) == "started"
    exchange(county, t1, 2)
    with t1.db.transaction("录入员") as s:
        communities.restore(s, cid)
    _converged(county, t1)
    assert _status(county, cid) == _status(t1, cid) == "started"


def test_rolling_back_an_imported_project_milestone_removal_moves_its_communities(county: Node, world) -> None:
    t1 = world[T1]
    pid = _project(t1)
    approval = _milestone(t1, Project, pid, "approval", date(2026, 3, 1))
    cids = [t1.new_community(name, total_investment="1000", project_id=pid) for name in ("幸福里", "和平里")]
    exchange(county, t1, 1)
    assert [_status(county, c) for c in cids] == ["planned", "planned"]
    _remove(t1, approval)
    report = county.import_(t1.export().path)
    assert [_status(county, c) for c in cids] == ["reserve", "reserve"]
    _rolled_back(county, report.import_id)
    assert [_status(county, c) for c in cids] == ["planned", "planned"]
    _converged(county, t1)
    assert [_status(t1, c) for c in cids] == [_status(county, c) for c in cids] == ["reserve", "reserve"]


def test_rolling_back_an_imported_move_into_a_project(county: Node, world) -> None:
    t1 = world[T1]
    pid = _project(t1)
    _milestone(t1, Project, pid, "approval", date(2026, 3, 1))
    cid = t1.new_community("和平里", total_investment="1000")
    exchange(county, t1, 1)
    t1.update_community(cid, project_id=pid)
    report = county.import_(t1.export().path)
    assert _status(county, cid) == "planned"
    _rolled_back(county, report.import_id)
    assert _status(county, cid) == "reserve"
    _converged(county, t1)
    assert _status(county, cid) == _status(t1, cid) == "planned"


def test_a_community_moved_into_or_out_of_a_project_by_package_takes_its_status(county: Node, world) -> None:
    t1 = world[T1]
    pid = _project(t1)
    _milestone(t1, Project, pid, "approval", date(2026, 3, 1))
    moved_in = t1.new_community("和平里", total_investment="1000")
    moved_out = t1.new_community("幸福里", total_investment="1000", project_id=pid)
    exchange(county, t1, 1)
    t1.update_community(moved_in, project_id=pid)  # the township's clerk puts 和平里 into the project
    county.update_community(moved_out, project_id=None)  # the county's reviewer takes 幸福里 out of it
    county.import_(t1.export().path)
    assert _status(county, moved_in) == "planned"
    t1.import_(county.export(to=t1.code).path)
    assert _status(t1, moved_out) == "reserve"
    _converged(county, t1)
    assert _status(county, moved_in) == _status(t1, moved_in) == "planned"
    assert _status(county, moved_out) == _status(t1, moved_out) == "reserve"
