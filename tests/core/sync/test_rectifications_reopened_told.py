"""A package that undoes or makes a rectification's 销号 says so in the import's result (report, `sync import` and
its --json, dry run too): a township that closed one finds it reopened by the county's later failed re-inspection,
and is told which, with the new deadline; it used to hear nothing of it."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from oldcomm_desktop.cli import main
from oldcomm_desktop.core import inspections
from oldcomm_desktop.core.model import Reinspection
from oldcomm_desktop.core.sync import rectification_news
from oldcomm_desktop.storage.database import open_database

from .conftest import T1, Node
from .test_concurrent_reinspections import FAILED, PASSED, _both_reinspect, _reinspect, _shared, _state

NAME = "整改“围挡破损”"
REOPENED = f"有 1 条已销号的整改因对方的复查未通过而重新打开：{NAME}（新的整改期限 2026-11-30）"


def _cli(capsys, node: Node, *argv: object) -> str:
    """`oldcomm sync import` on the node's database file (the node lets go of it meanwhile, as a window would)."""
    path = node.db.path
    node.db.close()
    try:
        assert main(["--db", str(path), "sync", "import", *map(str, argv)]) == 0
    finally:
        node.db = open_database(path)
    return capsys.readouterr().out


def test_the_township_is_told_which_closed_rectification_the_county_reopened(county: Node, world, capsys) -> None:
    t1 = world[T1]
    rid = _both_reinspect(county, t1, date(2026, 11, 6), date(2026, 11, 8), FAILED)
    up = county.import_(t1.export().path)  # open at the county before and after: nothing to tell
    assert (up.reopened, up.closed) == ([], [])
    down = county.export(to=T1).path
    told = {"record_id": rid, "name": NAME, "deadline": "2026-11-30", "failed": True}
    assert t1.import_(down, dry_run=True).reopened == [told]
    assert _state(t1, rid)[0] is True  # the dry run changed nothing
    preview = _cli(capsys, t1, down, "--dry-run")
    assert REOPENED.replace("而重新打开", "而将重新打开") in preview
    assert json.loads(_cli(capsys, t1, down, "--dry-run", "--json"))["reopened"] == [told]
    out = _cli(capsys, t1, down)
    assert REOPENED in out and "销号：" not in out
    assert _state(t1, rid) == (False, None, date(2026, 11, 30))
    again = t1.import_(down)  # the same package again: nothing reopened this time
    assert (again.reopened, again.closed) == ([], [])


def test_the_county_is_told_when_the_townships_failure_reopens_its_closed_one(county: Node, world) -> None:
    """The county closed it; the township, not knowing, found the problem still there two days later."""
    t1 = world[T1]
    rid = _shared(county, t1)
    _reinspect(county, rid, date(2026, 11, 6), PASSED)
    _reinspect(t1, rid, date(2026, 11, 8), FAILED)
    report = county.import_(t1.export().path)
    assert report.reopened == [{"record_id": rid, "name": NAME, "deadline": "2026-11-30", "failed": True}]
    assert report.closed == []


def test_a_rectification_the_package_closed_is_told_too(county: Node, world, capsys) -> None:
    t1 = world[T1]
    rid = _shared(county, t1)
    _reinspect(county, rid, date(2026, 11, 6), PASSED)
    down = county.export(to=T1).path
    out = _cli(capsys, t1, down)
    assert f"有 1 条整改因对方的复查通过而销号：{NAME}（销号日期 2026-11-06）" in out
    assert "重新打开" not in out
    assert _state(t1, rid)[0] is True


def test_a_withdrawn_pass_is_told_as_withdrawn(county: Node, world) -> None:
    """No failure reopened it: the other side withdrew the pass; the clerk hears that, and the deadline."""
    t1 = world[T1]
    rid = _shared(county, t1)
    _reinspect(t1, rid, date(2026, 11, 6), PASSED)
    county.import_(t1.export().path)
    with county.db.transaction("复查员") as s:
        re_id = s.scalar(select(Reinspection.id).where(Reinspection.rectification_id == rid))
        inspections.delete_reinspection(s, re_id)
    report = t1.import_(county.export(to=T1).path)
    assert report.reopened == [{"record_id": rid, "name": NAME, "deadline": "2026-11-08", "failed": False}]
    assert rectification_news.lines(report.reopened, report.closed) == [
        f"有 1 条已销号的整改因对方撤回了通过的复查而重新打开：{NAME}（整改期限 2026-11-08）"
    ]
