"""A township PC set up again (a new database, a new key, the same township code): nothing it enters is lost.

Before: the county's receipt counted the old installation's changes, and the new installation took that count
for its own, so its next packages left out everything it had entered up to that number, silently. And the
county's records that came from the old installation were echoes, never sent to the new one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from oldcomm_desktop.core.model import Community, SyncPeer
from oldcomm_desktop.core.sync import keys

from .conftest import COUNTY, T1, Node, assert_refused, make_node


def _names(node: Node) -> set[str]:
    with node.db.transaction("测试员") as s:
        return set(s.scalars(select(Community.name).where(Community.deleted_at.is_(None))))


def _key_file(node: Node, path: Path) -> Path:
    with node.db.transaction("测试员") as s:
        keys.export_public_key(s, path)
    return path


@pytest.fixture
def reinstalled(world: dict[str, Node], tmp_path: Path) -> Node:
    """T1 sends six communities and hears back from the county; then its PC is set up again."""
    county, old = world[COUNTY], world[T1]
    for i in range(6):
        old.new_community(f"旧机小区{i}", households=10 + i)
    county.import_(old.export().path)
    old.import_(county.export(to=T1).path)  # the county's receipt: it holds T1's changes up to some number
    new = make_node(tmp_path / "t1-new.sqlite3", T1, tmp_path / "t1-new")
    with new.db.transaction("测试员") as s:
        keys.trust(s, _key_file(county, tmp_path / "county.pub"), COUNTY)
    return new


def test_a_new_key_for_a_known_township_is_not_taken_without_the_clerks_word(
    world: dict[str, Node], reinstalled: Node, tmp_path: Path
) -> None:
    county = world[COUNTY]
    new_key = _key_file(reinstalled, tmp_path / "t1-new.pub")
    with county.db.transaction("测试员") as s:
        old = keys.trusted_key(s, T1).fingerprint
    with pytest.raises(keys.KeyReplacement, match="已登记过另一个公钥.*--replace"):
        with county.db.transaction("测试员") as s:
            keys.trust(s, new_key, T1)
    with county.db.transaction("测试员") as s:
        assert keys.trusted_key(s, T1).fingerprint == old  # unchanged
    # a package from the new installation meanwhile: refused, saying what to do if the new PC is real
    reinstalled.new_community("新机小区", households=5)
    assert_refused(county, reinstalled.export().path, "另一个密钥.*--replace")


def test_after_the_key_is_replaced_the_new_installation_gets_its_records_back_and_loses_nothing(
    world: dict[str, Node], reinstalled: Node, tmp_path: Path
) -> None:
    county = world[COUNTY]
    with county.db.transaction("测试员") as s:
        keys.trust(s, _key_file(reinstalled, tmp_path / "t1-new.pub"), T1, replace=True)
        peer = s.get(SyncPeer, T1)
        assert (peer.acked_seq, peer.received_seq) == (0, 0)
    # the county's next package gives the township back what the old PC had sent (they were echoes before)
    report = reinstalled.import_(county.export(to=T1).path)
    assert report.tables["community"].added == 6
    assert _names(reinstalled) == {f"旧机小区{i}" for i in range(6)}
    # what the new PC enters next reaches the county, though the county's receipt was a high number before
    reinstalled.new_community("新机小区", households=5)
    county.import_(reinstalled.export().path)
    assert "新机小区" in _names(county)
    # and the exchange goes on as usual: an edit of a restored record travels up too
    with reinstalled.db.transaction("测试员") as s:
        cid = s.scalar(select(Community.id).where(Community.name == "旧机小区0"))
    reinstalled.update_community(cid, households=99)
    county.import_(reinstalled.export().path)
    with county.db.transaction("测试员") as s:
        assert s.scalar(select(Community.households).where(Community.id == cid)) == 99


def test_a_receipt_counting_another_installation_is_not_taken(
    world: dict[str, Node], reinstalled: Node, tmp_path: Path
) -> None:
    """Even without the key step (a county program from before it), a receipt names whose changes it counts."""
    county = world[COUNTY]
    path = county.export(to=T1).path  # the county's receipt still counts the OLD installation's changes
    reinstalled.import_(path)
    with reinstalled.db.transaction("测试员") as s:
        assert s.get(SyncPeer, COUNTY).acked_seq == 0  # not the old PC's count
    reinstalled.new_community("新机小区", households=5)
    result = reinstalled.export()
    assert result.counts.get("community") == 1  # the new record goes up
