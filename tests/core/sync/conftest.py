"""A county and its townships, each with its own database and key, trusting each other as in real life."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from oldcomm_desktop.core import communities, workspace
from oldcomm_desktop.core.model import Base
from oldcomm_desktop.core.sync import importer, keys
from oldcomm_desktop.core.sync.exporter import export
from oldcomm_desktop.core.sync.package import PackageError
from oldcomm_desktop.storage.database import Database, open_database

try:  # the PostgreSQL helpers of the top conftest, for the county-on-a-server tests of this package
    from tests.conftest import _reset_postgres, postgres_url
except ModuleNotFoundError:  # bare pytest
    import importlib.util

    _spec = importlib.util.spec_from_file_location("_oc_conftest", Path(__file__).parents[2] / "conftest.py")
    _c = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_c)
    _reset_postgres, postgres_url = _c._reset_postgres, _c.postgres_url


COUNTY = "341122000000"
T1, T2, T3 = "341122001000", "341122100000", "341122101000"
NAMES = {COUNTY: "测试县", T1: "城关街道", T2: "东关镇", T3: "西关镇"}


@pytest.fixture(autouse=True)
def _private_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The user's data folder (logs, a server database's attachment store) is the test's own, never the real one."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


class Node:
    """One installation: its database, its code, and helpers that go through the core as the CLI does."""

    def __init__(self, db: Database, code: str, folder: Path):
        self.db, self.code, self.folder = db, code, folder
        folder.mkdir(parents=True, exist_ok=True)

    def export(self, to: str | None = None, *, full: bool = False):
        with self.db.transaction("导出员") as s:
            return export(s, self.folder, to=to, full=full)

    def import_(self, path: Path, *, dry_run: bool = False) -> importer.ImportReport:
        return importer.import_package(self.db, path, dry_run=dry_run, operator="导入员")

    def new_community(self, name: str, **extra) -> str:
        with self.db.transaction("录入员") as s:
            data = {"name": name, "township_code": extra.pop("township_code", self.code), **extra}
            return communities.create(s, data, confirm=True).id

    def update_community(self, cid: str, **changes) -> None:
        with self.db.transaction("录入员") as s:
            communities.update(s, cid, changes, confirm=True)

    def delete_community(self, cid: str) -> None:
        with self.db.transaction("录入员") as s:
            communities.delete(s, cid)

    def open_conflicts(self) -> list[tuple[str, str]]:
        """(table, field) of each open conflict, sorted."""
        from sqlalchemy import select

        from oldcomm_desktop.core.model import SyncConflict

        with self.db.transaction("测试员") as s:
            rows = s.execute(select(SyncConflict.table_name, SyncConflict.field).where(SyncConflict.status == "open"))
            return sorted((t, f) for t, f in rows)


ORDERS = ("both_export_first", "county_imports_first", "township_imports_first")


def first_moves(county: Node, township: Node, order: str, *, whole_round: bool = False) -> None:
    """After each side changed something: both export before either imports, or one side imports the other's
    package first (`whole_round`: and the other then imports the answer)."""
    if order == "both_export_first":
        up, down = township.export().path, county.export(to=township.code).path
        county.import_(up)
        township.import_(down)
    elif order == "county_imports_first":
        county.import_(township.export().path)
        if whole_round:
            township.import_(county.export(to=township.code).path)
    else:
        township.import_(county.export(to=township.code).path)
        if whole_round:
            county.import_(township.export().path)


def exchange(county: Node, township: Node, rounds: int = 2) -> None:
    """Ordinary packages back and forth: the township's up, then the county's down to it."""
    for _ in range(rounds):
        county.import_(township.export().path)
        township.import_(county.export(to=township.code).path)


def make_node(target: str | Path, code: str, folder: Path) -> Node:
    db = open_database(target)
    mode = workspace.COUNTY if code.endswith("000000") else workspace.TOWNSHIP
    with db.transaction("测试员") as s:
        workspace.initialise(s, mode=mode, code=code, name=NAMES[code])
    return Node(db, code, folder)


def introduce(a: Node, b: Node, tmp: Path) -> None:
    """Each registers the other's public key (the key files carried by hand in real life). A peer that knew
    another installation under the same code (the county moved to a server) takes the new key as the clerk
    would, on their word (`replace`)."""
    for x, y in ((a, b), (b, a)):
        f = tmp / f"{x.code}.pub"
        with x.db.transaction("测试员") as s:
            keys.export_public_key(s, f)
        with y.db.transaction("测试员") as s:
            keys.trust(s, f, x.code, replace=True)


def db_state(db: Database) -> dict[str, list[tuple]]:
    with db.engine.connect() as conn:
        return {
            t.name: sorted((tuple(r) for r in conn.execute(t.select())), key=repr) for t in Base.metadata.sorted_tables
        }


def assert_refused(node: Node, path: Path, match: str) -> None:
    """Importing `path` is refused with a message matching `match`, and the database is exactly as before."""
    before = db_state(node.db)
    with pytest.raises(PackageError, match=match):
        node.import_(path)
    assert db_state(node.db) == before


def edit_record(members: dict, table: str, change: Callable[[dict], object], *, index: int = 0) -> None:
    """Change one record line of `table` in a package's members (`change(line)` edits the parsed line in
    place), written back in the exporter's compact layout; for `rewrite(..., members=...)`."""
    name = f"records/{table}.jsonl"
    lines = members[name].splitlines()
    line = json.loads(lines[index])
    change(line)
    lines[index] = json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode()
    members[name] = b"\n".join(lines) + b"\n"


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Made once per run (seeding four catalogues and keys takes seconds): the four database files."""
    folder = tmp_path_factory.mktemp("world")
    nodes = {code: make_node(folder / f"{code}.sqlite3", code, folder / "out") for code in NAMES}
    for t in (T1, T2, T3):
        introduce(nodes[COUNTY], nodes[t], folder)
    for n in nodes.values():
        n.db.close()  # checkpoints the WAL into the main file
    return folder


@pytest.fixture
def world(world_template: Path, tmp_path: Path) -> Iterator[dict[str, Node]]:
    """The county and three townships on SQLite, every township introduced to the county (fresh copies)."""
    import shutil

    nodes = {}
    for code in NAMES:
        shutil.copy(world_template / f"{code}.sqlite3", tmp_path / f"{code}.sqlite3")
        nodes[code] = Node(open_database(tmp_path / f"{code}.sqlite3"), code, tmp_path / f"out-{code}")
    yield nodes
    for n in nodes.values():
        n.db.close()


def rewrite(
    src: Path,
    dst: Path,
    signer: Node | None,
    *,
    manifest=None,  # callable(dict) -> None, edits the manifest
    members=None,  # callable(dict[name, bytes]) -> None, edits the members
    rehash: bool = True,
) -> Path:
    """Copy a package with changes; `signer` re-signs it with its own key (a forged but well-signed package)."""
    import hashlib
    import json
    import zipfile

    with zipfile.ZipFile(src) as zf:
        content = {n: zf.read(n) for n in zf.namelist()}
    man = json.loads(content.pop("manifest.json"))
    sig = content.pop("manifest.sig")
    if members:
        members(content)
    if rehash:
        man["members"] = {n: {"sha256": hashlib.sha256(b).hexdigest(), "size": len(b)} for n, b in content.items()}
    if manifest:
        manifest(man)
    body = json.dumps(man, ensure_ascii=False, indent=1, sort_keys=True).encode()
    if signer is not None:
        with signer.db.transaction("测试员") as s:
            sig = keys.sign(s, body).hex().encode()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, b in content.items():
            zf.writestr(n, b)
        zf.writestr("manifest.json", body)
        zf.writestr("manifest.sig", sig)
    return dst


@pytest.fixture
def pg_county(tmp_path: Path, world: dict[str, Node]) -> Iterator[Node]:
    """The county on a real PostgreSQL server (OLDCOMM_TEST_PG_URL), introduced to township T1 of `world`."""
    url = postgres_url()
    _reset_postgres(url)
    county = make_node(url, COUNTY, tmp_path / "county-pg")
    introduce(county, world[T1], tmp_path)
    yield county
    county.db.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def county(request: pytest.FixtureRequest, world: dict[str, Node]) -> Node:
    """The county on SQLite, and on a real PostgreSQL server (OLDCOMM_TEST_PG_URL): a test taking `county`
    runs on both."""
    return world[COUNTY] if request.param == "sqlite" else request.getfixturevalue("pg_county")
