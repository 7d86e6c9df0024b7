"""A community (or project) that has travelled stays with its township: the county moving it to another township
made every later package of the first township refused for good, and that township never learned of the move
(QA round 3, bug 1). A move before the record has travelled is an ordinary correction."""

from __future__ import annotations

import pytest

from oldcomm_desktop.core import communities, projects
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.model import Community, Project

from .conftest import COUNTY, T1, T2, Node, db_state, exchange


def test_the_county_cannot_move_a_community_the_township_holds(world: dict[str, Node]) -> None:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里", households=100)
    other = t1.new_community("别的小区", households=5)
    exchange(county, t1, rounds=1)
    before = db_state(county.db)
    with pytest.raises(ValidationError, match="已与城关街道同步.*数据包都会被拒收.*请由城关街道删除它"):
        county.update_community(cid, township_code=T2)
    assert db_state(county.db) == before  # nothing changed
    t1.update_community(cid, notes="门牌已核对")
    t1.update_community(other, households=6)
    exchange(county, t1)  # the township's packages still go through
    with county.db.transaction() as s:
        assert s.get(Community, other).households == 6 and s.get(Community, cid).notes == "门牌已核对"


def test_a_project_that_travelled_stays_with_its_township(world: dict[str, Node]) -> None:
    county, t1 = world[COUNTY], world[T1]
    with t1.db.transaction("录入员") as s:
        pid = projects.create(s, {"name": "2026年城关片区改造", "township_code": T1}).id
    exchange(county, t1, rounds=1)
    with pytest.raises(ValidationError, match="这个项目已与城关街道同步"):
        with county.db.transaction("审核员") as s:
            projects.update(s, pid, {"township_code": T2})
    with county.db.transaction() as s:
        assert s.get(Project, pid).township_code == T1


def test_a_community_not_yet_sent_can_be_moved(world: dict[str, Node]) -> None:
    county = world[COUNTY]
    with county.db.transaction("审核员") as s:
        cid = communities.create(s, {"name": "县录小区", "township_code": T1, "households": 20}, confirm=True).id
    county.update_community(cid, township_code=T2)  # typed under the wrong township, corrected before sending
    with county.db.transaction() as s:
        assert s.get(Community, cid).township_code == T2
