"""The county database restored from an old backup (`oldcomm restore`): what it had sent a township after the backup
(a correction, a deletion, a review decision) comes back from the township's next ordinary packages, and an edit
the restored county makes against one of them is a conflict the clerk sees, never a silent split.

Before (QA round 4, bug F): the township held the county's later versions as echoes of the county and left them
out of its packages; the restored county counted that package's range as held, so its receipt never sent the
township back to the lost numbers. After any number of exchanges the township had the note and the deletion, the
county neither, and no conflict was open. (The township-restored case converged: the county gave back what the
township lost.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from oldcomm_desktop.core import communities
from oldcomm_desktop.core.model import Community, ReturnRound, ReturnSubmission, SyncPeer
from oldcomm_desktop.core.returns import review
from oldcomm_desktop.core.returns.periods import Period
from oldcomm_desktop.storage.backup import backup, restore
from oldcomm_desktop.storage.database import open_database

from .conftest import COUNTY, T1, Node, exchange

MAY = Period(2026, 5)


def _restore(county: Node, snapshot: Path) -> Node:
    path = Path(county.db.path)
    county.db.close()
    restore(path, snapshot)  # as `oldcomm restore` does it
    return Node(open_database(path), COUNTY, county.folder)


def _state(node: Node, *ids: str) -> list[tuple[str, str | None, int, bool]]:
    with node.db.transaction("测试员") as s:
        rows = [s.get(Community, i) for i in ids]
        return [(c.name, c.notes, c.households, c.deleted_at is not None) for c in rows if c is not None]


def _a_return(t1: Node) -> str:
    """A community and its township's May progress return, submitted; the submission's id."""
    with t1.db.transaction("录入员") as s:
        communities.create(
            s,
            {
                "name": "幸福里小区",
                "township_code": T1,
                "year_built": 1990,
                "households": 120,
                "floor_area": "10000.55",
                "total_investment": "1234567.89",
                "plan_year": 2026,
                "start_kind": "new",
            },
            confirm=True,
        )
    with t1.db.transaction("城关街道填报员") as s:
        return review.submit(s, "progress", MAY, operator="城关街道填报员").id


@pytest.fixture
def corrected(world: dict[str, Node], tmp_path: Path) -> tuple[Node, Node, str, str]:
    """The county backs up, then notes 乙小区 and deletes 丁小区; the township takes both; the county is restored."""
    county, t1 = world[COUNTY], world[T1]
    b = t1.new_community("乙小区", households=20)
    d = t1.new_community("丁小区", households=40)
    exchange(county, t1, 1)
    snapshot = backup(Path(county.db.path), tmp_path / "county-backup.zip")
    county.update_community(b, notes="县核对")
    county.delete_community(d)
    t1.import_(county.export(to=T1).path)  # the township holds the county's corrections
    return _restore(county, snapshot), t1, b, d


def test_the_townships_next_packages_give_back_what_the_county_sent_after_the_backup(corrected) -> None:
    county, t1, b, d = corrected
    assert _state(county, b, d) == [("乙小区", None, 20, False), ("丁小区", None, 40, False)]
    t1.update_community(b, households=22)  # the township goes on working meanwhile
    exchange(county, t1, 2)
    want = [("乙小区", "县核对", 22, False), ("丁小区", None, 40, True)]
    assert _state(county, b, d) == want
    assert _state(t1, b, d) == want
    assert county.open_conflicts() == [] and t1.open_conflicts() == []


def test_a_package_written_for_the_lost_installation_is_not_counted_as_held(corrected) -> None:
    """The township's first package after the restore left the county's later versions out (echoes of the old
    installation): the restored county does not count its range, so its receipt sends the township back."""
    county, t1, _b, _d = corrected
    with county.db.transaction("测试员") as s:
        before = s.get(SyncPeer, T1).received_seq
    county.import_(t1.export().path)
    with county.db.transaction("测试员") as s:
        assert s.get(SyncPeer, T1).received_seq == before


def test_an_edit_after_the_restore_against_a_lost_one_is_a_conflict_not_a_silent_split(corrected) -> None:
    county, t1, b, _d = corrected
    county.update_community(b, notes="复核后另写")  # the clerk writes the note again, differently
    exchange(county, t1, 2)
    conflicts = county.open_conflicts() + t1.open_conflicts()
    assert conflicts, "the two notes must be put to a clerk"
    ours, theirs = _state(county, b)[0][1], _state(t1, b)[0][1]
    assert {ours, theirs} <= {"县核对", "复核后另写"}


def test_a_review_decision_made_after_the_backup_comes_back(world, tmp_path: Path) -> None:
    """A county act (a return sent back) that a township may never report itself is the county's own coming back:
    taken, not refused with the whole package."""
    county, t1 = world[COUNTY], world[T1]
    sub_id = _a_return(t1)
    exchange(county, t1, 1)
    snapshot = backup(Path(county.db.path), tmp_path / "county-backup.zip")
    with county.db.transaction("县审核员") as s:
        review.send_back(s, "progress", MAY, township=T1, operator="县审核员", opinion="户数请核实")
    t1.import_(county.export(to=T1).path)
    county = _restore(county, snapshot)
    exchange(county, t1, 2)
    for node in (county, t1):
        with node.db.transaction("测试员") as s:
            sub = s.get(ReturnSubmission, sub_id)
            assert (sub.status, sub.opinion) == ("sent_back", "户数请核实"), node.code
            rounds = s.scalars(select(ReturnRound).where(ReturnRound.submission_id == sub_id)).all()
            assert sorted((r.round, r.action) for r in rounds) == [(1, "sent_back"), (1, "submitted")], node.code


def test_a_restored_county_still_refuses_an_act_the_township_made_itself(world, tmp_path: Path) -> None:
    """Only what the county's earlier installation counted is taken back: a township's own approval round is
    refused as before, the restore or not."""
    import json

    from oldcomm_desktop.core.sync.package import PackageError

    from .conftest import rewrite

    county, t1 = world[COUNTY], world[T1]
    _a_return(t1)
    snapshot = backup(Path(county.db.path), tmp_path / "county-backup.zip")
    county = _restore(county, snapshot)
    forged = tmp_path / "self-approved.ocpkg"

    def approve_self(members: dict) -> None:
        line = json.loads(members["records/return_round.jsonl"].decode().splitlines()[0])
        line["id"] = "00000000-0000-4000-8000-000000000001"
        line["v"]["action"] = "approved"
        members["records/return_round.jsonl"] += (json.dumps(line, ensure_ascii=False) + "\n").encode()

    rewrite(t1.export().path, forged, t1, members=approve_self)
    with pytest.raises(PackageError, match="县里的审核或督办操作"):
        county.import_(forged)
    with county.db.transaction("测试员") as s:
        assert s.scalars(select(ReturnSubmission)).all() == []


def test_which_county_acts_a_county_takes_back() -> None:
    """Taken back only by a restored county, only when the county's earlier installation alone counted it; left
    out (as before, when it stayed an echo at the township) by a county set up again; refused when a township
    counted it, or at a township."""
    from oldcomm_desktop.core.sync.importer import SKIP, TAKE, _own_act_back

    restored = (COUNTY, f"{COUNTY}~3f9a1c2e")
    assert _own_act_back({"*": {COUNTY: 1}}, restored) == TAKE
    assert _own_act_back({"*": {COUNTY: 1}, "opinion": {f"{COUNTY}~0b1d": 1}}, restored) == TAKE
    assert _own_act_back({"*": {f"{COUNTY}~3f9a1c2e": 1}}, restored) == SKIP
    assert _own_act_back({"*": {COUNTY: 1}}, (COUNTY, COUNTY)) == SKIP
    assert _own_act_back({"*": {COUNTY: 1, T1: 1}}, restored) is None
    assert _own_act_back({"*": {T1: 1}}, restored) is None
    assert _own_act_back({}, restored) is None
    assert _own_act_back({"*": {COUNTY: 1}}, None) is None


def test_which_answered_county_acts_may_be_left_out() -> None:
    """A county act the township answered counts the township too: left out when its order is lost, but only if
    the county began it (a count of the county's, of any installation); one only the township counted is refused."""
    from oldcomm_desktop.core.sync.importer import _answered_act

    restored = (COUNTY, f"{COUNTY}~3f9a1c2e")
    assert _answered_act({"*": {COUNTY: 1}, "state": {T1: 2}}, restored)
    assert _answered_act({"*": {f"{COUNTY}~0b1d": 1}, "answer": {T1: 1}}, (COUNTY, COUNTY))
    assert not _answered_act({"*": {T1: 1}}, restored)
    assert not _answered_act({}, restored)
    assert not _answered_act({"*": {COUNTY: 1}, "state": {T1: 2}}, None)


def test_an_order_issued_after_the_backup_does_not_block_the_townships_packages(corrected, tmp_path: Path) -> None:
    """Orders go down only: the target and steps of an order the restored county lost come back without their
    order. They are left out and named to the clerk (re-issue it), and the rest of the package is taken."""
    county, t1, snapshot = _order_after_backup(corrected, tmp_path)
    b, d = corrected[2:]
    county = _restore(county, snapshot)
    county.import_(t1.export().path)
    t1.import_(county.export(to=T1).path)
    report = county.import_(t1.export().path)  # the township's versions of the county's records come back
    assert report.left_out and all("督办" in n for n in report.left_out)
    assert _state(county, b, d) == [("乙小区", "县核对", 20, False), ("丁小区", None, 40, True)]


def _order_after_backup(corrected, tmp_path: Path):
    """The county backs up, then issues an order to T1, which takes it down: the county, T1 and the backup."""
    from datetime import date

    from oldcomm_desktop.core.supervision import orders

    county, t1 = corrected[:2]
    snapshot = backup(Path(county.db.path), tmp_path / "again.zip")
    with county.db.transaction("县督办员") as s:
        orders.issue(
            s,
            {"problem": "进度滞后", "requirement": "月底前完成", "deadline": date(2026, 6, 30)},
            [{"township_code": T1}],
            today=date(2026, 6, 15),
        )
    t1.import_(county.export(to=T1).path)
    return county, t1, snapshot


def _lost_order_answered(corrected, tmp_path: Path):
    """The county issues an order after a backup, the township takes it down and answers it (text and a file),
    then the county is restored from the backup: the county, the township, and the answered target's id."""
    from datetime import date

    from oldcomm_desktop.core.model import OrderTarget
    from oldcomm_desktop.core.supervision import orders

    county, t1, snapshot = _order_after_backup(corrected, tmp_path)
    scan = tmp_path / "回复.pdf"
    scan.write_bytes(b"%PDF-1.4 reply")
    with t1.db.transaction("城关街道填报员") as s:
        target = s.scalars(select(OrderTarget)).one()
        orders.answer(s, target.id, "已完成整改", date(2026, 6, 20), files=[scan], today=date(2026, 6, 20))
        target_id = target.id
    return _restore(county, snapshot), t1, target_id


def _county_rows(county: Node) -> dict[str, int]:
    from oldcomm_desktop.core.model import Attachment, OrderEvent, OrderTarget, SupervisionOrder

    with county.db.transaction("测试员") as s:
        return {
            m.__tablename__: len(s.scalars(select(m)).all())
            for m in (SupervisionOrder, OrderTarget, OrderEvent, Attachment)
        }


def test_an_answer_to_an_order_issued_after_the_backup_does_not_refuse_the_package(corrected, tmp_path: Path) -> None:
    """The township answered (text, a file) an order the restored county lost: the package is taken, the answer,
    its steps and its file are left out and named (the clerk re-issues the order), the rest is taken."""
    county, t1, target_id = _lost_order_answered(corrected, tmp_path)
    _county, _t1, b, d = corrected
    t1.update_community(b, households=23)  # the township's other work in the same package
    up = t1.export().path
    report = county.import_(up)
    assert report.left_out and all("督办" in n or "附件" in n for n in report.left_out)
    assert any("附件" in n for n in report.left_out), report.left_out  # the answer's file too
    # the target named so the clerk can tell which order to issue again: the order's deadline, the answer
    assert "督办对象及答复“办理期限 2026-06-30，答复：已完成整改”" in report.left_out, report.left_out
    assert _county_rows(county) == {"supervision_order": 0, "order_target": 0, "order_event": 0, "attachment": 0}
    assert _state(county, b)[0][2] == 23
    again = county.import_(up)  # idempotent: the same left out again, nothing written
    assert sorted(again.left_out) == sorted(report.left_out)
    assert _county_rows(county) == {"supervision_order": 0, "order_target": 0, "order_event": 0, "attachment": 0}
    assert _state(county, b)[0][2] == 23


def test_after_the_order_is_issued_again_the_townships_packages_are_still_taken(corrected, tmp_path: Path) -> None:
    """The clerk re-issues the order; the township answers the new one and goes on editing its answer to the lost
    one: every later package is taken, the new answer arrives, the lost order's answer stays left out."""
    from datetime import date

    from oldcomm_desktop.core.model import OrderTarget
    from oldcomm_desktop.core.supervision import orders

    county, t1, old_id = _lost_order_answered(corrected, tmp_path)
    county.import_(t1.export().path)
    with county.db.transaction("县督办员") as s:
        orders.issue(
            s,
            {"problem": "进度滞后（重新下发）", "requirement": "月底前完成", "deadline": date(2026, 7, 31)},
            [{"township_code": T1}],
            today=date(2026, 7, 1),
        )
    t1.import_(county.export(to=T1).path)
    with t1.db.transaction("城关街道填报员") as s:
        new_id = next(t.id for t in s.scalars(select(OrderTarget)) if t.id != old_id)
        orders.answer(s, new_id, "已按期完成", date(2026, 7, 5), today=date(2026, 7, 5))
    more = tmp_path / "补充.pdf"
    more.write_bytes(b"%PDF-1.4 more")
    with t1.db.transaction("城关街道填报员") as s:
        orders.attach(s, old_id, [more])  # a file added later to the lost order's answer, the target unchanged
    report = county.import_(t1.export().path)
    assert sum("附件" in n for n in report.left_out) == 2, report.left_out  # the answer's file and the later one
    t1.import_(county.export(to=T1).path)
    with t1.db.transaction("城关街道填报员") as s:
        s.get(OrderTarget, old_id).answer = "已完成整改（补充）"  # a later edit of the lost order's answer
    for _ in range(2):  # and again, whole: the same left out, nothing refused
        report = county.import_(t1.export(full=True).path)
        assert any("督办" in n for n in report.left_out)
        t1.import_(county.export(to=T1).path)
    exchange(county, t1, 2)
    with county.db.transaction("测试员") as s:
        new = s.get(OrderTarget, new_id)
        assert (new.state, new.answer) == ("done", "已按期完成")
        assert s.get(OrderTarget, old_id) is None
    with t1.db.transaction("测试员") as s:  # the township keeps both: the lost order's answer is not lost
        assert s.get(OrderTarget, old_id).answer == "已完成整改（补充）"
        assert s.get(OrderTarget, new_id).state == "done"
    assert county.open_conflicts() == [] and t1.open_conflicts() == []


def test_the_township_is_told_its_answer_was_not_taken(corrected, tmp_path: Path, capsys) -> None:
    """The township's package was acknowledged like any other, so without a word it would never learn that the
    county left its answer out: the county's packages to it name the answer until the county issues an order to it
    again; the command line says so in Chinese."""
    from datetime import date

    from oldcomm_desktop import cli
    from oldcomm_desktop.core.supervision import orders

    county, t1, _target = _lost_order_answered(corrected, tmp_path)
    shown = "督办对象及答复“办理期限 2026-06-30，答复：已完成整改”"
    up = county.import_(t1.export().path)
    assert shown in up.left_out and up.not_taken == []
    down = county.export(to=T1)
    assert shown in down.not_taken
    path = Path(t1.db.path)
    t1.db.close()  # the command line opens the file itself
    assert cli.main(["--db", str(path), "sync", "import", str(down.path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "县里没有采用本乡镇（街道）上报的" in out and shown in out and "重新下发督办" in out
    t1 = Node(open_database(path), T1, t1.folder)
    report = t1.import_(down.path)
    assert shown in report.not_taken and report.as_json()["not_taken"] == report.not_taken
    # the answer, its step and its file; told again in the next package (a lost USB stick does not lose it)
    assert len(report.not_taken) == 3 and any(n.startswith("督办办理记录") for n in report.not_taken), report.not_taken
    assert t1.import_(county.export(to=T1).path).not_taken == report.not_taken
    with county.db.transaction("县督办员") as s:  # the advice followed: the order issued again
        orders.issue(
            s,
            {"problem": "进度滞后（重新下发）", "requirement": "月底前完成", "deadline": date(2026, 7, 31)},
            [{"township_code": T1}],
            today=date(2026, 7, 1),
        )
    assert t1.import_(county.export(to=T1).path).not_taken == []
