"""The export's shortcuts give the package the plain code gives, and its read-back still catches a bad file.

A first export does not ask, 2,000 ids at a time, for shadows a table does not have yet; the export runs with a
bigger page cache (set back after) and the cycle collector paused (set back after, a failure too); the package
written is read back with every check but the records' JSON (`package.read(parse=False)`): the members, the
manifest, the signature and each member's SHA-256 over the bytes on the disk.
"""

from __future__ import annotations

import gc
import shutil
import zipfile
from pathlib import Path

import pytest

from oldcomm_desktop.core.errors import OldcommError
from oldcomm_desktop.core.sync import changes, keys, package
from oldcomm_desktop.core.sync.exporter import _own_signature, export
from oldcomm_desktop.storage.database import open_database

from .conftest import COUNTY, T1, Node, rewrite


def _lines(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.startswith(("records/", "catalogue/"))}


def _shadows(node) -> list[tuple]:
    with node.db.engine.connect() as conn:
        return sorted(
            tuple(r)
            for r in conn.exec_driver_sql(
                "SELECT table_name, record_id, township_code, state, clock, seq FROM sync_shadow"
            )
        )


def test_the_first_scan_shortcut_changes_nothing_it_writes(world, monkeypatch) -> None:
    """The same township database exported for the first time twice: with the shortcut, and with every part
    asked for its shadows (the plain path); the records, the catalogue lines and the shadows are the same."""
    fast = world[T1]
    for n in range(4):
        fast.new_community(f"和平{n}号小区", address=f"解放路{n}号")
    src = Path(str(fast.db.engine.url.database))
    fast.db.close()  # checkpointed: the file alone is the database
    copy = src.with_name("plain-copy.sqlite3")
    shutil.copy(src, copy)
    fast.db = open_database(src)
    slow = Node(open_database(copy), T1, src.parent / "out-plain")
    try:
        fast_pkg = _lines(Path(fast.export().path))
        asked: list[str] = []
        real = changes.load_shadows

        def counting(conn, table_name, ids):
            asked.append(table_name)
            return real(conn, table_name, ids)

        monkeypatch.setattr(changes, "has_shadows", lambda conn, name: True)  # the plain path: ask for every part
        monkeypatch.setattr(changes, "load_shadows", counting)
        slow_pkg = _lines(Path(slow.export().path))
        assert "community" in asked
        assert slow_pkg == fast_pkg
        assert _shadows(slow) == _shadows(fast)
    finally:
        slow.db.close()


def _flip_a_compressed_byte(data: bytes) -> bytes:
    spoilt = bytearray(data)
    spoilt[data.find(b"records/community.jsonl") + 60] ^= 0xFF  # inside the member's compressed bytes
    return bytes(spoilt)


def _cut_short(data: bytes) -> bytes:
    return data[: len(data) * 2 // 3]


@pytest.mark.parametrize("spoil", [_flip_a_compressed_byte, _cut_short])
def test_an_export_whose_file_is_damaged_on_the_disk_is_refused_and_removed(world, monkeypatch, spoil) -> None:
    """The file as it is on the disk after writing (a bad sector, a stick pulled out) is what is checked."""
    town = world[T1]
    town.new_community("长青小区")
    real_finish = package.PackageWriter.finish

    def spoiling(self, manifest, sign):
        path = real_finish(self, manifest, sign)
        path.write_bytes(spoil(path.read_bytes()))
        return path

    monkeypatch.setattr(package.PackageWriter, "finish", spoiling)
    with pytest.raises(OldcommError, match="数据包写出后校验失败"):
        town.export()
    assert not list(town.folder.glob("*.ocpkg"))
    assert gc.isenabled()  # the collector is back on after a failed export too


def test_reading_without_parsing_still_checks_every_member(world, tmp_path: Path) -> None:
    town = world[T1]
    town.new_community("长青小区")
    good = Path(town.export().path)
    with town.db.transaction("测试员") as s:
        me = keys.own_key(s)
    check = _own_signature(me)
    read = package.read(good, verify_signature=check, parse=False)
    assert read.records == {} and read.manifest["counts"]["records"]["community"] == 1

    def tamper(members: dict) -> None:
        members["records/community.jsonl"] = members["records/community.jsonl"].replace(
            "长青".encode(), "长春".encode()
        )

    bad = rewrite(good, tmp_path / "bad.ocpkg", None, members=tamper, rehash=False)
    with pytest.raises(package.PackageError, match="校验值不符"):
        package.read(bad, verify_signature=check, parse=False)
    resigned = rewrite(good, tmp_path / "resigned.ocpkg", None, members=tamper)  # hashes redone, old signature
    with pytest.raises(package.PackageError):
        package.read(resigned, verify_signature=check, parse=False)


def test_the_page_cache_is_set_back_after_an_export(world) -> None:
    town = world[T1]
    town.new_community("长青小区")
    with town.db.transaction("测试员") as s:
        before = s.connection().exec_driver_sql("PRAGMA cache_size").scalar()
        export(s, town.folder)
        assert s.connection().exec_driver_sql("PRAGMA cache_size").scalar() == before
    assert gc.isenabled()


def test_the_page_cache_is_set_back_after_an_import(world) -> None:
    from oldcomm_desktop.core.sync import importer

    town, county = world[T1], world[COUNTY]
    town.new_community("长青小区")
    path = town.export().path
    with county.db.transaction("测试员") as s:
        s.connection().exec_driver_sql("PRAGMA cache_size=-3000")
        importer.apply(s, path, operator="导入员")
        assert s.connection().exec_driver_sql("PRAGMA cache_size").scalar() == -3000
