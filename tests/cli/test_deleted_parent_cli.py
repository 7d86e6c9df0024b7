"""`oldcomm requests reply` on a request whose community is in the recycle bin: the core's Chinese refusal
(naming the community and saying to restore it), exit 1, no traceback, nothing written; after the community is
restored from the bin the same command answers it.

A resident's request outlives its community's deletion (deleting a community leaves its requests live), so
this is a state a clerk reaches without any sync package.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from oldcomm_desktop.core import communities, recycle_bin, workspace
from oldcomm_desktop.core.model.supervision import ResidentRequest
from oldcomm_desktop.core.supervision import requests
from oldcomm_desktop.storage.database import open_database

TOWNSHIP = ("341122001000", "城关街道")


def run(tmp: Path, *args: object) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": str(tmp / "home"), "XDG_DATA_HOME": str(tmp / "xdg"), "PYTHONUTF8": "1"}
    env.pop("OLDCOMM_DB", None)
    env["PYTHONPATH"] = str(Path(__file__).parents[2])
    return subprocess.run(
        [sys.executable, "-m", "oldcomm_desktop", *map(str, args), "--db", str(tmp / "town.sqlite3")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp,
        timeout=120,
    )


def test_reply_to_a_request_of_a_deleted_community_is_refused_in_chinese(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    db = open_database(tmp_path / "town.sqlite3")
    try:
        with db.transaction("测试员") as s:
            workspace.initialise(s, mode=workspace.TOWNSHIP, code=TOWNSHIP[0], name=TOWNSHIP[1], operator="测试员")
            c = communities.create(s, {"name": "幸福里小区", "households": 100})
            cid = c.id
            raised = {"community_id": cid, "topic": "停车难", "channel": "visit", "raised_on": date.today()}
            rid = requests.add(s, raised).id
        with db.transaction("测试员") as s:
            communities.delete(s, cid)
    finally:
        db.close()

    refused = run(tmp_path, "requests", "reply", rid, "--text", "已施划车位")
    assert refused.returncode == 1, refused.stderr
    assert refused.stderr.strip() == "错误：小区“幸福里小区”已删除（在回收站中），不能答复居民诉求；请先从回收站恢复。"
    assert "Traceback" not in refused.stderr and refused.stdout == ""

    db = open_database(tmp_path / "town.sqlite3")
    try:
        with db.transaction("测试员") as s:
            assert s.get(ResidentRequest, rid).reply is None  # nothing written
            recycle_bin.restore(s, "community", cid)
    finally:
        db.close()

    answered = run(tmp_path, "requests", "reply", rid, "--text", "已施划车位")
    assert answered.returncode == 0, answered.stderr
    assert "已答复：停车难" in answered.stdout


def test_edit_of_an_item_whose_community_is_binned_names_the_community(tmp_path: Path, monkeypatch) -> None:
    """`oldcomm edit item` looks the item up before the service does: it says which record to restore, too."""
    from oldcomm_desktop.core import items

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    db = open_database(tmp_path / "town.sqlite3")
    try:
        with db.transaction("测试员") as s:
            workspace.initialise(s, mode=workspace.TOWNSHIP, code=TOWNSHIP[0], name=TOWNSHIP[1], operator="测试员")
            cid = communities.create(s, {"name": "幸福里小区", "households": 100}).id
            iid = items.create(s, cid, {"item_type_id": "water_pipe", "planned_quantity": "300"}, confirm=True).id
        with db.transaction("测试员") as s:
            communities.delete(s, cid)
    finally:
        db.close()
    refused = run(tmp_path, "edit", "item", iid, "planned_quantity=400")
    assert refused.returncode == 1, refused.stderr
    assert refused.stderr.strip() == "错误：小区“幸福里小区”已删除（在回收站中），不能修改改造内容；请先从回收站恢复。"
