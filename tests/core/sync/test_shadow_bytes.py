"""A package read fast keeps each state's text as the line's UTF-8 bytes, and SQLite stores them as text
(`changes.save_shadows`: CAST(? AS TEXT)) without Python decoding them and the driver encoding them back.
What is stored must be exactly what the plain reader's `str` gives: the same shadows, every state a TEXT
value (the `sqlite3` shell asks `typeof`), and a later package updating those shadows stores text too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from oldcomm_desktop.core.sync import package
from oldcomm_desktop.storage.database import open_database

from .conftest import COUNTY, T1, Node

pytest.importorskip("orjson")

SHADOWS = "SELECT table_name, record_id, township_code, state, clock, seq, echo_of FROM sync_shadow ORDER BY 1, 2"


def _shadows(node: Node) -> list[tuple]:
    with node.db.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(SHADOWS)]


def _not_text(path: Path) -> str:
    return subprocess.run(
        ["sqlite3", str(path), "SELECT count(*) FROM sync_shadow WHERE typeof(state) <> 'text'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_states_read_as_bytes_are_stored_as_the_plain_readers_text(
    world: dict[str, Node], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    county, t1 = world[COUNTY], world[T1]
    ids = [t1.new_community(f"幸福里{i}号小区", households=100 + i, address=f"人民路{i}号“东”") for i in range(3)]
    first = t1.export().path
    path = Path(county.db.engine.url.database or "")
    twin_path = tmp_path / "twin.sqlite3"
    shutil.copy(path, twin_path)  # the county before the import
    twin = Node(open_database(twin_path), COUNTY, tmp_path / "out-twin")
    try:
        read: list[type] = []
        fast = package._fast_record_lines

        def seen(raw: bytes):  # type: ignore[no-untyped-def]
            out = fast(raw)
            read.extend(type(v) for v, _c in (out[1].values() if out else ()))
            return out

        monkeypatch.setattr(package, "_fast_record_lines", seen)
        county.import_(first)
        assert read and set(read) == {bytes}  # the fast reader did read this package, as bytes
        with monkeypatch.context() as plain:
            plain.setattr(package, "_orjson", None)  # the plain reader: each state's text a str
            twin.import_(first)
        assert _shadows(county) == _shadows(twin)
        assert all(type(row[3]) is str for row in _shadows(county))
        t1.update_community(ids[0], households=999)  # a second package: an existing shadow is updated
        second = t1.export().path
        county.import_(second)
        with monkeypatch.context() as plain:
            plain.setattr(package, "_orjson", None)
            twin.import_(second)
        assert _shadows(county) == _shadows(twin)
        assert '"households":999' in dict((r[1], r[3]) for r in _shadows(county))[ids[0]]
    finally:
        twin.db.close()
    county.db.close()
    if shutil.which("sqlite3"):
        assert _not_text(path) == "0"
