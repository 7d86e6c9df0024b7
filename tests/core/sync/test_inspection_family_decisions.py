"""One side deletes an inspection while the other replies to its rectification and re-inspects it: one decision
on either side settles the whole family on both, and a rectification's closed state (derived from its live
re-inspections) agrees with them on both sides (QA round 4, bugs A and B)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from oldcomm_desktop.core import inspections
from oldcomm_desktop.core.model import Community, Inspection, Rectification, Reinspection, SyncConflict
from oldcomm_desktop.core.sync import conflicts, history, tables

from .conftest import COUNTY, T1, Node, exchange, first_moves

TODAY = date(2026, 11, 30)


def _inspection(node: Node, cid: str) -> tuple[str, str]:
    """A patrol with one failed line and its rectification (deadline a week on)."""
    day = date(2026, 11, 1)
    with node.db.transaction("录入员") as s:
        sheet = inspections.sheet(s, inspections.templates(s, "patrol")[0]["id"])
        results = [
            {
                "template_item_id": it["id"],
                "area": it["area"],
                "text": it["text"],
                "result": "fail" if k == 0 else "pass",
            }
            for k, it in enumerate(sheet["items"])
        ]
        insp = inspections.record(
            s, s.get(Community, cid), {"kind": "patrol", "inspected_on": day, "inspectors": "周工"}, results,
            [{"problem": "围挡破损", "deadline": day + timedelta(days=7)}], template=sheet["id"], today=TODAY,
        )  # fmt: skip
        return insp.id, s.scalar(select(Rectification.id).where(Rectification.inspection_id == insp.id))


def _shared(world) -> tuple[Node, Node, str, str]:
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("幸福里小区", households=100)
    iid, rid = _inspection(t1, cid)
    exchange(county, t1, 1)
    return county, t1, iid, rid


def _delete(node: Node, iid: str) -> None:
    with node.db.transaction("审核员") as s:
        inspections.delete(s, iid)


def _reply_and_pass(node: Node, rid: str) -> None:
    with node.db.transaction("录入员") as s:
        inspections.reply(s, rid, "已修复", date(2026, 11, 5))
        inspections.reinspect(
            s, rid, {"inspected_on": date(2026, 11, 6), "passed": True, "note": "现场已修复"}, today=TODAY
        )


def _decide_all(node: Node, keep: str) -> None:
    with node.db.transaction("审核员") as s:
        ids = list(s.scalars(select(SyncConflict.id).where(SyncConflict.status == "open")))
    for i in ids:
        with node.db.transaction("审核员") as s:
            if s.get(SyncConflict, i).status == "open":
                conflicts.resolve(s, i, keep)


def _state(node: Node, iid: str, rid: str) -> tuple:
    """(inspection live, rectification live, closed, closed on, [(passed, live) of each re-inspection])."""
    with node.db.transaction("测试员") as s:
        i, r = s.get(Inspection, iid), s.get(Rectification, rid)
        re = s.scalars(select(Reinspection).where(Reinspection.rectification_id == rid)).all()
        return (
            i.deleted_at is None,
            r.deleted_at is None,
            r.closed,
            r.closed_on,
            [(x.passed, x.deleted_at is None) for x in re],
        )


def _rows(node: Node, rid: str) -> dict:
    """The rectification and its re-inspections as the packages carry them."""
    with node.db.engine.connect() as conn:
        keymaps = tables.KeyMaps(conn)
        out = {}
        for name, col in (("rectification", "id"), ("reinspection", "rectification_id")):
            t, codec = tables.table(name), tables.RowCodec(name, keymaps)
            out[name] = {r._mapping["id"]: codec.encode(r) for r in conn.execute(select(t).where(t.c[col] == rid))}
        return out


def _open(node: Node) -> list[tuple[str, str]]:
    return node.open_conflicts()


def test_keep_ours_at_the_township_closes_the_countys_rectification_too(world) -> None:
    """The county deletes the inspection; the township replies and passes the re-inspection, then keeps its
    inspection. The county gets it back with the re-inspection, and its rectification is closed as the township's."""
    county, t1, iid, rid = _shared(world)
    _delete(county, iid)
    _reply_and_pass(t1, rid)
    first_moves(county, t1, "both_export_first")
    exchange(county, t1, 1)  # a round of ordinary packages before anyone decides
    assert ("reinspection", "parent_deleted") in _open(county)
    _decide_all(t1, "ours")
    exchange(county, t1, 2)
    assert _state(county, iid, rid) == _state(t1, iid, rid) == (True, True, True, date(2026, 11, 6), [(True, True)])
    assert _rows(county, rid) == _rows(t1, rid)
    assert _open(county) == _open(t1) == []


def test_keep_ours_at_the_county_closes_the_townships_rectification_too(world) -> None:
    """The mirror: the township deletes the inspection, the county passes the re-inspection and keeps ours."""
    county, t1, iid, rid = _shared(world)
    _delete(t1, iid)
    _reply_and_pass(county, rid)
    first_moves(county, t1, "both_export_first")
    exchange(county, t1, 1)  # a round of ordinary packages before anyone decides
    assert ("reinspection", "parent_deleted") in _open(t1)
    _decide_all(county, "ours")
    exchange(county, t1, 2)
    assert _state(county, iid, rid) == _state(t1, iid, rid) == (True, True, True, date(2026, 11, 6), [(True, True)])
    assert _rows(county, rid) == _rows(t1, rid)
    assert _open(county) == _open(t1) == []


def test_the_import_that_released_the_reinspection_rolls_back_whole(world) -> None:
    """The county's import of the township's decision restored the rectification and then derived it again with
    the re-inspection it released: a rollback of that import puts both back as they were, in one step."""
    county, t1, iid, rid = _shared(world)
    _delete(county, iid)
    _reply_and_pass(t1, rid)
    first_moves(county, t1, "both_export_first")
    exchange(county, t1, 1)  # a round of ordinary packages before anyone decides
    before = _state(county, iid, rid)
    _decide_all(t1, "ours")
    report = county.import_(t1.export().path)
    assert report.released
    assert _state(county, iid, rid) == (True, True, True, date(2026, 11, 6), [(True, True)])
    with county.db.transaction("测试员") as s:
        history.rollback(s, report.import_id)
    now = _state(county, iid, rid)
    assert (now[:2], now[4]) == (before[:2], before[4]) == ((False, False), [])  # the re-inspection held again
    assert ("reinspection", "parent_deleted") in _open(county)
    exchange(county, t1, 2)
    assert _state(county, iid, rid) == _state(t1, iid, rid) == (True, True, True, date(2026, 11, 6), [(True, True)])
    assert _open(county) == _open(t1) == []


def test_take_theirs_at_the_township_settles_the_countys_held_reinspection(world) -> None:
    """The county deletes the inspection; the township re-inspects, then takes the county's deletion: its
    re-inspection goes into the bin with the rectification, which reaches the county and settles its hold — no
    second decision there, the same records on both sides."""
    county, t1, iid, rid = _shared(world)
    _delete(county, iid)
    _reply_and_pass(t1, rid)
    first_moves(county, t1, "both_export_first")
    exchange(county, t1, 1)  # a round of ordinary packages before anyone decides
    assert ("reinspection", "parent_deleted") in _open(county)
    _decide_all(t1, "theirs")
    exchange(county, t1, 2)
    assert _open(county) == _open(t1) == []
    assert _state(county, iid, rid) == _state(t1, iid, rid)
    assert _state(county, iid, rid)[:2] == (False, False)
    assert _state(county, iid, rid)[4] == [(True, False)]  # in the bin with its rectification
    assert _rows(county, rid) == _rows(t1, rid)


def test_take_theirs_at_the_county_settles_the_townships_held_reinspection(world) -> None:
    """The mirror: the township deletes the inspection, the county re-inspects and takes the deletion."""
    county, t1, iid, rid = _shared(world)
    _delete(t1, iid)
    _reply_and_pass(county, rid)
    first_moves(county, t1, "both_export_first")
    exchange(county, t1, 1)  # a round of ordinary packages before anyone decides
    assert ("reinspection", "parent_deleted") in _open(t1)
    _decide_all(county, "theirs")
    exchange(county, t1, 2)
    assert _open(county) == _open(t1) == []
    assert _state(county, iid, rid) == _state(t1, iid, rid)
    assert (_state(t1, iid, rid)[:2], _state(t1, iid, rid)[4]) == ((False, False), [(True, False)])
    assert _rows(county, rid) == _rows(t1, rid)


def test_rolling_back_the_import_that_settled_the_hold_opens_it_again(world) -> None:
    county, t1, iid, rid = _shared(world)
    _delete(county, iid)
    _reply_and_pass(t1, rid)
    first_moves(county, t1, "both_export_first")
    exchange(county, t1, 1)  # a round of ordinary packages before anyone decides
    _decide_all(t1, "theirs")
    report = county.import_(t1.export().path)
    assert _open(county) == []
    assert _state(county, iid, rid)[4] == [(True, False)]
    with county.db.transaction("测试员") as s:
        history.rollback(s, report.import_id)
    assert ("reinspection", "parent_deleted") in _open(county)
    assert _state(county, iid, rid)[4] == []  # held again, not written
    exchange(county, t1, 2)
    assert _open(county) == _open(t1) == []
    assert _rows(county, rid) == _rows(t1, rid)
