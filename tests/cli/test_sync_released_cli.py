"""`oldcomm sync import` says when a package brought back the parent of a held record, and `sync conflicts
--all` shows that conflict closed by itself, with why."""

from __future__ import annotations

import json
from pathlib import Path

from oldcomm_desktop.cli import main

T, C = "341122001000", "341122000000"


def run(capsys, *argv: object) -> tuple[int, str, str]:
    rc = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def test_an_import_that_restores_the_parent_releases_the_held_item(tmp_path: Path, capsys) -> None:
    from oldcomm_desktop.core import communities, items, recycle_bin
    from oldcomm_desktop.storage.database import open_database

    t, c = tmp_path / "t.sqlite3", tmp_path / "c.sqlite3"
    assert run(capsys, "--db", t, "init", "--township-code", T, "--township-name", "城关街道")[0] == 0
    assert run(capsys, "--db", c, "init", "--county-code", C, "--county-name", "青禾县")[0] == 0
    for db, other, code in ((t, c, T), (c, t, C)):
        assert run(capsys, "--db", db, "keys", "export", "--out", tmp_path / f"{code}.pub")[0] == 0
        assert run(capsys, "--db", other, "keys", "trust", tmp_path / f"{code}.pub", "--township", code)[0] == 0
    usb = tmp_path / "usb"
    usb.mkdir()

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
    send(c, t, "--to", T)  # the deletion reaches the township, which restores the community
    edit(t, lambda s: recycle_bin.restore(s, "community", cid))
    out = send(t, c)
    assert "有 1 条因所属记录已删除而暂存的记录，所属记录已恢复，已自动写入" in out
    rc, out, _ = run(capsys, "--db", c, "sync", "conflicts", "--json")
    assert rc == 0 and json.loads(out) == []
    rc, out, _ = run(capsys, "--db", c, "sync", "conflicts", "--json", "--all")
    [held] = json.loads(out)
    assert (held["record_id"], held["status"]) == (iid, "released")
    assert held["resolved_by"] == "自动写入：所属记录已由数据包恢复" and held["resolved_at"]
