"""A township database restored from an old backup (same PC, same key): what it had sent after the backup comes
back from the county, what it enters afterwards reaches the county, and nothing diverges silently.

Before: the county's full package left out every record that came from the township (echoes), so the records
made after the backup never came back; and the county's receipt counted past the restored database's own change
numbers, so its next edits were never sent. An edit made before taking the county's package back collided with
the version the county held and was kept apart on both sides without a word.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from oldcomm_desktop.core.model import Community
from oldcomm_desktop.storage.backup import copy_database, restore
from oldcomm_desktop.storage.database import open_database

from .conftest import COUNTY, T1, Node


def _households(node: Node) -> dict[str, int]:
    with node.db.transaction("测试员") as s:
        rows = s.execute(select(Community.name, Community.households).where(Community.deleted_at.is_(None)))
        return {name: households for name, households in rows}


@pytest.fixture
def restored(world: dict[str, Node], tmp_path: Path) -> Node:
    """T1 backs up, then makes a community and edits one, and sends both; then restores the backup."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("和平苑", households=380)
    county.import_(t1.export().path)
    t1.import_(county.export(to=T1).path)
    path = Path(t1.db.path)
    snapshot = copy_database(path, tmp_path / "backup.sqlite3")
    t1.new_community("备份后新建小区", households=100)
    t1.update_community(cid, households=395)
    county.import_(t1.export().path)
    t1.import_(county.export(to=T1).path)  # the receipt: the county holds T1's changes past the backup's count
    t1.db.close()
    restore(path, snapshot)  # as `oldcomm restore` does it
    return Node(open_database(path), T1, t1.folder)


def test_the_countys_full_package_gives_back_what_was_sent_after_the_backup(world, restored: Node) -> None:
    county = world[COUNTY]
    assert _households(restored) == {"和平苑": 380}
    restored.import_(county.export(to=T1, full=True).path)
    assert _households(restored) == {"和平苑": 395, "备份后新建小区": 100}
    with restored.db.transaction("测试员") as s:
        cid = s.scalar(select(Community.id).where(Community.name == "和平苑"))
    restored.update_community(cid, households=400)  # the next edit reaches the county, whatever its receipt said
    county.import_(restored.export().path)
    assert _households(county)["和平苑"] == 400


def test_an_edit_before_taking_the_package_back_is_a_conflict_not_a_silent_split(world, restored: Node) -> None:
    county = world[COUNTY]
    with restored.db.transaction("测试员") as s:
        cid = s.scalar(select(Community.id).where(Community.name == "和平苑"))
    restored.update_community(cid, households=401)  # counted with the number the county holds for 395
    report = county.import_(restored.export().path)
    assert [(c["field"], c["ours"], c["theirs"]) for c in report.conflicts] == [("households", 395, 401)]


def test_two_edits_after_the_restore_do_not_pass_for_later_ones_of_the_lost_series(world, restored: Node) -> None:
    """The restored file counts its edits under a new mark: two edits after the restore are not taken for the
    successors of the edit it lost (395, which the county holds), silently replacing it: the clerk decides."""
    county = world[COUNTY]
    with restored.db.transaction("测试员") as s:
        cid = s.scalar(select(Community.id).where(Community.name == "和平苑"))
    restored.update_community(cid, households=401)
    restored.export()  # counted once (a package written, left on the desk)
    restored.update_community(cid, households=402)
    report = county.import_(restored.export().path)  # counted twice: past the number the county holds for 395
    assert [(c["field"], c["ours"], c["theirs"]) for c in report.conflicts] == [("households", 395, 402)]
    assert _households(county)["和平苑"] == 395  # kept until decided


def test_each_restore_marks_the_clock_anew(world, restored: Node, tmp_path: Path) -> None:
    from oldcomm_desktop.core.sync import changes

    with restored.db.transaction("测试员") as s:
        first = changes.node(s)
    assert first.startswith(T1 + "~")
    path = Path(restored.db.path)
    snapshot = copy_database(path, tmp_path / "again.sqlite3")
    restored.db.close()
    restore(path, snapshot)
    db = open_database(path)
    try:
        with db.transaction("测试员") as s:
            second = changes.node(s)
    finally:
        db.close()
    assert second.startswith(T1 + "~") and second != first


def test_the_countys_next_ordinary_package_gives_back_what_was_sent_after_the_backup(world, restored: Node) -> None:
    """The restored file is a new installation to the county (same key): the county counts it afresh and its
    township records are no echoes any more, so no --full is needed to get them back."""
    county = world[COUNTY]
    restored.update_community(_id(restored, "和平苑"), contact_person="李四")  # something to send first
    county.import_(restored.export().path)
    restored.import_(county.export(to=T1).path)
    assert _households(restored) == {"和平苑": 395, "备份后新建小区": 100}


def test_a_county_restored_from_a_backup_sends_its_next_correction(world, tmp_path: Path) -> None:
    """The county is restored; its clerk corrects a record; the township's package (whose receipt counts the old
    county's changes) is read first. Before, the county's export then said there was nothing new, and the
    correction never reached the township."""
    county, t1 = world[COUNTY], world[T1]
    cid = t1.new_community("和平苑", households=380)
    county.import_(t1.export().path)
    t1.import_(county.export(to=T1).path)
    path = Path(county.db.path)
    snapshot = copy_database(path, tmp_path / "county-backup.sqlite3")
    for n in range(5):  # after the backup: sent, then lost by the restore
        county.update_community(cid, contact_person=f"王审{n}")
        t1.import_(county.export(to=T1).path)
        county.import_(t1.export().path)
    county.db.close()
    restore(path, snapshot)
    county = Node(open_database(path), COUNTY, county.folder)
    county.update_community(cid, notes="县里核对过")
    t1.update_community(cid, households=381)
    county.import_(t1.export().path)  # its receipt counts the old county's numbers
    t1.import_(county.export(to=T1).path)
    with t1.db.transaction("测试员") as s:
        assert s.scalar(select(Community.notes).where(Community.id == cid)) == "县里核对过"
    with county.db.transaction("测试员") as s:
        assert s.scalar(select(Community.households).where(Community.id == cid)) == 381


def _id(node: Node, name: str) -> str:
    with node.db.transaction("测试员") as s:
        return str(s.scalar(select(Community.id).where(Community.name == name)))
