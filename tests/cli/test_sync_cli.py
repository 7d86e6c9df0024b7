"""`oldcomm keys` and `oldcomm sync` through cli.main: the messages and exit codes a clerk meets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oldcomm_desktop.cli import main

T, C = "341122001000", "341122000000"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


@pytest.fixture
def pair(tmp_path: Path, capsys) -> tuple[Path, Path]:
    t, c = tmp_path / "t.sqlite3", tmp_path / "c.sqlite3"
    assert run(capsys, "--db", t, "init", "--township-code", T, "--township-name", "城关街道")[0] == 0
    assert run(capsys, "--db", c, "init", "--county-code", C, "--county-name", "青禾县")[0] == 0
    return t, c


@pytest.fixture
def introduced(pair, tmp_path: Path, capsys) -> tuple[Path, Path, Path]:
    """The pair with each side's key trusted by the other, and a folder standing for the USB stick."""
    t, c = pair
    for db, other, code in ((t, c, T), (c, t, C)):
        assert run(capsys, "--db", db, "keys", "export", "--out", tmp_path / f"{code}.pub")[0] == 0
        assert run(capsys, "--db", other, "keys", "trust", tmp_path / f"{code}.pub", "--township", code)[0] == 0
    usb = tmp_path / "usb"
    usb.mkdir()
    return t, c, usb


def test_keys_and_a_first_exchange(pair, tmp_path: Path, capsys) -> None:
    t, c = pair
    assert run(capsys, "--db", t, "keys", "init")[0] == 0
    rc, out, _ = run(capsys, "--db", t, "keys", "show")
    assert rc == 0 and "公钥指纹：" in out
    fingerprint = out.split("公钥指纹：")[1].strip()
    assert run(capsys, "--db", t, "keys", "export", "--out", tmp_path / "t.pub")[0] == 0
    assert run(capsys, "--db", c, "keys", "export", "--out", tmp_path / "c.pub")[0] == 0
    out_dir = tmp_path / "usb"
    out_dir.mkdir()
    rc, out, _ = run(capsys, "--db", t, "sync", "export", "--out", out_dir)
    name = out.strip()
    assert rc == 0 and name.endswith(".ocpkg") and (out_dir / name).is_file()

    rc, _, err = run(capsys, "--db", c, "sync", "import", out_dir / name)
    assert rc == 1 and "尚未被本县登记" in err and "keys trust" in err and fingerprint in err

    rc, out, _ = run(capsys, "--db", c, "keys", "trust", tmp_path / "t.pub", "--township", T)
    assert rc == 0 and fingerprint in out
    rc, _, err = run(capsys, "--db", c, "keys", "trust", tmp_path / "t.pub", "--township", "341122002000")
    assert rc == 1 and "不是 341122002000" in err
    assert run(capsys, "--db", t, "keys", "trust", tmp_path / "c.pub", "--township", C)[0] == 0

    rc, out, _ = run(capsys, "--db", c, "sync", "import", out_dir / name, "--dry-run")
    assert rc == 0 and "预览" in out
    rc, out, _ = run(capsys, "--db", c, "sync", "import", out_dir / name)
    assert rc == 0 and "已导入" in out and "导入编号" in out
    rc, out, _ = run(capsys, "--db", c, "sync", "history", "--json")
    [h] = json.loads(out)
    assert h["sender"] == T and h["status"] == "applied"
    assert run(capsys, "--db", c, "sync", "rollback", h["id"])[0] == 0
    rc, _, err = run(capsys, "--db", c, "sync", "rollback", h["id"])
    assert rc == 1 and "已经回滚" in err
    rc, out, _ = run(capsys, "--db", c, "sync", "conflicts", "--json")
    assert rc == 0 and json.loads(out) == []
    rc, out, _ = run(capsys, "--db", c, "sync", "status", "--json")
    assert rc == 0 and json.loads(out)[0]["code"] == T

    rc, _, err = run(capsys, "--db", c, "sync", "export", "--out", out_dir)
    assert rc == 1 and "--to" in err
    rc, out, _ = run(capsys, "--db", c, "sync", "export", "--out", out_dir, "--to", T, "--full")
    assert rc == 0
    rc, out, _ = run(capsys, "--db", t, "sync", "import", out_dir / out.strip())
    assert rc == 0 and "已导入" in out  # the catalogues already agree: nothing to change


def test_usage_errors(pair, tmp_path: Path, capsys) -> None:
    t, _ = pair
    assert run(capsys, "--db", t, "sync", "resolve", "x")[0] == 2
    assert run(capsys, "--db", t, "sync", "resolve", "x", "--keep", "mine")[0] == 2
    rc, _, err = run(capsys, "--db", t, "sync", "resolve", "nope", "--keep", "ours")
    assert rc == 1 and "不存在" in err
    bogus = tmp_path / "x.ocpkg"
    bogus.write_text("hello", encoding="utf-8")
    rc, _, err = run(capsys, "--db", t, "sync", "import", bogus)
    assert rc == 1 and "不是数据包" in err


def test_keys_show_never_writes(pair, tmp_path: Path, capsys) -> None:
    """A read never writes: `keys show` on a database without a key pair says so and leaves every byte."""
    import hashlib

    t, _ = pair

    def files() -> tuple[str, int]:
        """The database file's hash, and the size of a write-ahead log beside it (SQLite may leave an empty one)."""
        wal = t.with_name(t.name + "-wal")
        return hashlib.sha256(t.read_bytes()).hexdigest(), wal.stat().st_size if wal.exists() else 0

    before = files()
    rc, out, _ = run(capsys, "--db", t, "keys", "show")
    assert rc == 0 and "尚未生成密钥" in out and "oldcomm keys init" in out and "公钥指纹" not in out
    assert files() == before
    rc, out, _ = run(capsys, "--db", t, "keys", "init")
    assert rc == 0 and "已生成本机密钥" in out
    fingerprint = out.split("公钥指纹：")[1].strip()
    rc, out, _ = run(capsys, "--db", t, "keys", "init")
    assert rc == 0 and "已经存在" in out and fingerprint in out
    before = files()
    rc, out, _ = run(capsys, "--db", t, "keys", "show")
    assert rc == 0 and fingerprint in out
    assert files() == before


def test_a_deletion_conflict_reads_as_deleted_or_not(introduced, capsys) -> None:
    """`sync conflicts` names a deletion against an edit in words: 已删除 (with its time) and 未删除."""
    from oldcomm_desktop.core import communities
    from oldcomm_desktop.storage.database import open_database

    t, c, usb = introduced
    tdb = open_database(t)
    with tdb.transaction("录入员") as s:
        cid = communities.create(s, {"name": "幸福里小区", "households": 100}, confirm=True).id
    tdb.close()
    name = run(capsys, "--db", t, "sync", "export", "--out", usb)[1].strip()
    assert run(capsys, "--db", c, "sync", "import", usb / name)[0] == 0
    cdb = open_database(c)
    with cdb.transaction("审核员") as s:
        communities.update(s, cid, {"buildings": 7}, confirm=True)
    cdb.close()
    tdb = open_database(t)
    with tdb.transaction("录入员") as s:
        communities.delete(s, cid)
    tdb.close()
    name = run(capsys, "--db", t, "sync", "export", "--out", usb)[1].strip()
    rc, out, _ = run(capsys, "--db", c, "sync", "import", usb / name)
    assert rc == 0
    rc, out, _ = run(capsys, "--db", c, "sync", "conflicts")
    assert rc == 0 and "回收站（deleted_at）" in out and "本方：未删除" in out and "：已删除（20" in out
    # what each choice does, with the option that makes it (the county edited, the township deleted)
    assert "--keep ours  保留本方：不删除小区“幸福里小区”" in out
    assert "--keep theirs  采用对方：删除小区“幸福里小区”（进回收站，可恢复）" in out and "--value" not in out


def test_a_held_item_is_listed_and_decided_from_the_command_line(introduced, capsys) -> None:
    """An item added at the township to a community the county deleted: the import applies, `sync conflicts`
    names it (所属记录已删除), `--value` is refused, `--keep theirs` restores the community with the item."""
    from oldcomm_desktop.core import communities, items
    from oldcomm_desktop.core.model import Community, RenovationItem
    from oldcomm_desktop.storage.database import open_database

    t, c, usb = introduced
    tdb = open_database(t)
    with tdb.transaction("录入员") as s:
        cid = communities.create(s, {"name": "幸福里小区", "households": 100}, confirm=True).id
    tdb.close()
    assert (
        run(
            capsys, "--db", c, "sync", "import", usb / run(capsys, "--db", t, "sync", "export", "--out", usb)[1].strip()
        )[0]
        == 0
    )
    cdb = open_database(c)
    with cdb.transaction("审核员") as s:
        communities.delete(s, cid)
    cdb.close()
    tdb = open_database(t)
    with tdb.transaction("录入员") as s:
        iid = items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "300"}, confirm=True).id
    tdb.close()
    name = run(capsys, "--db", t, "sync", "export", "--out", usb)[1].strip()
    rc, out, _ = run(capsys, "--db", c, "sync", "import", usb / name)
    assert rc == 0 and "1 处冲突" in out
    rc, out, _ = run(capsys, "--db", c, "sync", "conflicts")
    assert rc == 0 and "所属记录已删除" in out and "幸福里小区" in out and "对方新增或修改了这条记录" in out
    rc, out, _ = run(capsys, "--db", c, "sync", "conflicts", "--json")
    [held] = json.loads(out)
    assert held["field"] == "parent_deleted" and held["record_id"] == iid and held["theirs"]["community_id"] == cid
    assert held["choices"]["theirs"] == "采用对方：从回收站恢复所属记录，并写入对方的这条记录"
    assert held["choices"]["edit"] == ""
    rc, _, err = run(capsys, "--db", c, "sync", "resolve", held["id"], "--value", "5")
    assert rc == 1 and "只能选择" in err
    assert run(capsys, "--db", c, "sync", "resolve", held["id"], "--keep", "theirs")[0] == 0
    cdb = open_database(c)
    with cdb.transaction("测试员") as s:
        assert s.get(Community, cid).deleted_at is None and s.get(RenovationItem, iid).deleted_at is None
    cdb.close()


def test_an_import_that_restores_the_parent_releases_the_held_item(introduced, capsys) -> None:
    """`oldcomm sync import` says when a package brought back the parent of a held record, and `sync conflicts
    --all` shows that conflict closed by itself, with why."""
    from oldcomm_desktop.core import communities, items
    from oldcomm_desktop.storage.database import open_database

    t, c, usb = introduced

    def send(src: Path, dst: Path, *extra: str) -> str:
        name = run(capsys, "--db", src, "sync", "export", "--out", usb, *extra)[1].strip()
        rc, out, err = run(capsys, "--db", dst, "sync", "import", usb / name)
        assert rc == 0, err
        return out

    def edit(path: Path, fn) -> str:
        db = open_database(path)
        try:
            with db.transaction("录入员") as s:
                return fn(s)
        finally:
            db.close()

    cid = edit(t, lambda s: communities.create(s, {"name": "幸福里小区", "households": 100}, confirm=True).id)
    send(t, c)
    edit(c, lambda s: communities.delete(s, cid))
    iid = edit(t, lambda s: items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "300"}).id)
    assert "1 处冲突" in send(t, c)
    send(c, t, "--to", T)  # the deletion meets the new item at the township, which keeps the community
    rc, out, _ = run(capsys, "--db", t, "sync", "conflicts", "--json")
    [held] = [x for x in json.loads(out) if x["record_id"] == cid]
    assert run(capsys, "--db", t, "sync", "resolve", held["id"], "--keep", "ours")[0] == 0
    out = send(t, c)
    assert "有 1 条因所属记录已删除而暂存的记录，所属记录已恢复，已自动写入" in out
    rc, out, _ = run(capsys, "--db", c, "sync", "conflicts", "--json")
    assert rc == 0 and json.loads(out) == []
    rc, out, _ = run(capsys, "--db", c, "sync", "conflicts", "--json", "--all")
    [held] = json.loads(out)
    assert (held["record_id"], held["status"]) == (iid, "released")
    assert held["resolved_by"] == "自动写入：所属记录已由数据包恢复" and held["resolved_at"]


def test_a_package_row_the_rules_refuse_is_refused_in_their_words(introduced, tmp_path: Path, capsys) -> None:
    """A resident's request arrives through the bulk write path: a row breaking the single edit's rule (a
    satisfaction without a reply) refuses the package naming the record, exit 1, nothing imported."""
    from datetime import date
    from types import SimpleNamespace

    from oldcomm_desktop.core import communities
    from oldcomm_desktop.core.supervision import requests
    from oldcomm_desktop.storage.database import open_database
    from tests.core.sync.conftest import rewrite

    t, c, usb = introduced
    db = open_database(t)
    try:
        with db.transaction("录入员") as s:
            cid = communities.create(s, {"name": "幸福里小区", "households": 100}, confirm=True).id
            day = date(2026, 6, 1)
            values = {
                "community_id": cid,
                "topic": "停车难",
                "channel": "hotline",
                "raised_on": day,
                "raised_by": "张女士",
            }
            rid = requests.add(s, values, today=day).id
    finally:
        db.close()
    rc, name, err = run(capsys, "--db", t, "sync", "export", "--out", usb)
    assert rc == 0, err
    name = name.strip()

    def satisfied_without_reply(members: dict) -> None:
        line = json.loads(members["records/resident_request.jsonl"].decode().splitlines()[0])
        line["v"]["satisfaction"] = "satisfied"
        members["records/resident_request.jsonl"] = (json.dumps(line, ensure_ascii=False) + "\n").encode()

    db = open_database(t)
    try:
        forged = rewrite(usb / name, tmp_path / "forged.ocpkg", SimpleNamespace(db=db), members=satisfied_without_reply)
    finally:
        db.close()
    rc, out, err = run(capsys, "--db", c, "sync", "import", forged)
    assert rc == 1 and "Traceback" not in err
    assert "居民诉求“" in err and "没有导入任何内容" in err and rid not in err
    assert json.loads(run(capsys, "--db", c, "sync", "history", "--json")[1]) == []
    rc, out, err = run(capsys, "--db", c, "sync", "import", usb / name)  # the package as it was sent applies
    assert rc == 0, err


def test_a_reinstalled_township_key_needs_replace_and_then_nothing_it_enters_is_lost(
    introduced, tmp_path: Path, capsys
) -> None:
    from oldcomm_desktop.core import communities
    from oldcomm_desktop.storage.database import open_database

    def new(db: Path, name: str) -> None:
        opened = open_database(db)
        with opened.transaction("录入员") as s:
            communities.create(s, {"name": name, "households": 10}, confirm=True)
        opened.close()

    t, c, usb = introduced
    new(t, "旧机小区")
    rc, out, _ = run(capsys, "--db", t, "sync", "export", "--out", usb)
    assert run(capsys, "--db", c, "sync", "import", usb / out.strip())[0] == 0
    t2 = tmp_path / "t2.sqlite3"  # the township's PC set up again
    assert run(capsys, "--db", t2, "init", "--township-code", T, "--township-name", "城关街道")[0] == 0
    assert run(capsys, "--db", t2, "keys", "export", "--out", tmp_path / "t2.pub")[0] == 0
    assert run(capsys, "--db", t2, "keys", "trust", tmp_path / f"{C}.pub", "--township", C)[0] == 0
    rc, _, err = run(capsys, "--db", c, "keys", "trust", tmp_path / "t2.pub", "--township", T)
    assert rc != 0 and "已登记过另一个公钥" in err and "--replace" in err
    rc, out, _ = run(capsys, "--db", c, "keys", "trust", tmp_path / "t2.pub", "--township", T, "--replace")
    assert rc == 0 and "已替换" in out and "原指纹" in out
    rc, out, _ = run(capsys, "--db", c, "sync", "export", "--out", usb, "--to", T)
    rc, out, _ = run(capsys, "--db", t2, "sync", "import", usb / out.strip())
    assert rc == 0 and "新增 1" in out  # the county gave the new PC back what the old one had sent
    new(t2, "新机小区")
    rc, out, _ = run(capsys, "--db", t2, "sync", "export", "--out", usb)
    rc, out, _ = run(capsys, "--db", c, "sync", "import", usb / out.strip())
    assert rc == 0 and "新增 1" in out


def test_small_words_a_clerk_reads(introduced, tmp_path: Path, capsys) -> None:
    """A preview does not say it recorded anything; a package imported twice says so; --out a file, --to a code
    the county does not have: each named for what it is."""
    from oldcomm_desktop.core import communities
    from oldcomm_desktop.storage.database import open_database

    t, c, usb = introduced
    tdb = open_database(t)
    with tdb.transaction("录入员") as s:
        communities.create(s, {"name": "幸福里小区", "households": 100}, confirm=True)
    tdb.close()
    name = run(capsys, "--db", t, "sync", "export", "--out", usb)[1].strip()
    assert "已于" not in run(capsys, "--db", c, "sync", "import", usb / name)[1]
    rc, out, _ = run(capsys, "--db", c, "sync", "import", usb / name)
    assert rc == 0 and "这个数据包已于" in out and "导入过" in out
    rc, _, err = run(capsys, "--db", c, "sync", "export", "--out", usb / name, "--to", T)
    assert rc != 0 and "是一个文件，不是文件夹" in err
    rc, _, err = run(capsys, "--db", c, "sync", "export", "--out", usb, "--to", "341122399000")
    assert rc != 0 and "不是本县已登记的乡镇" in err
