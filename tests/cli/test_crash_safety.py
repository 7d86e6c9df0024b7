"""Crash safety: a process killed (SIGKILL) at a random moment of an edit, the demo, a backup or a restore
leaves a database that passes `PRAGMA integrity_check`, opens in the program, and holds every edit the
process reported committed (it prints after each commit). At least 50 kills in all, about a minute.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oldcomm_desktop.storage.database import open_database

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")

CHILD = r"""
import json, os, sys
from pathlib import Path
from oldcomm_desktop.storage.database import open_database
from oldcomm_desktop.storage import backup, migrations
from oldcomm_desktop.core import communities, demo
from oldcomm_desktop.core.model import Community
import alembic.command, alembic.script, sqlalchemy.dialects.sqlite  # imported before forking: children start at once
from oldcomm_desktop.core import pinyin_search
pinyin_search.community_columns("预热小区")  # pypinyin's dictionaries too: every save derives the name's keys


def work(mode, path, extra, say):
    if mode == "edit":
        db = open_database(path)
        with db.transaction("崩溃测试") as s:
            c = s.query(Community).filter_by(name="计数小区").one()
            cid, n = c.id, c.households
        say("ready")
        while True:
            n = n + 1 if n < 99_999 else 1
            with db.transaction("崩溃测试") as s:
                communities.update(s, cid, {"households": n, "notes": f"第 {n} 次"})
            say(f"committed {n}")
    elif mode == "demo":
        db = open_database(path)
        say("ready")
        with db.transaction("演示操作员") as s:
            demo.build(s, communities_count=8, seed=3)
        say("committed demo")
    elif mode == "backup":
        say("ready")
        for k in range(1000):
            backup.backup(path, path.with_name(f"b-{extra}-{k}.zip"))
            say("committed backup")
    elif mode == "restore":
        say("ready")
        while True:
            backup.restore(path, Path(extra))
            say("committed restore")


# a fork server: each request runs in a new process, killed by the test; this one only forks and reaps
for line in sys.stdin:
    request = json.loads(line)
    if request[0] == "reap":
        os.waitpid(request[1], 0)
        print("reaped", flush=True)
        continue
    mode, path, extra, log = request
    pid = os.fork()
    if pid == 0:
        out = open(log, "w", buffering=1, encoding="utf-8")
        try:
            work(mode, Path(path), extra, lambda text: print(text, file=out, flush=True))
        except BaseException as exc:
            print(f"error {type(exc).__name__}: {exc}", file=out, flush=True)
        os._exit(0)
    print(pid, flush=True)
"""


def _env() -> dict[str, str]:
    root = str(Path(__file__).resolve().parents[2])
    return {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", ""), "PYTHONUTF8": "1"}


class Forks:
    """The fork server: start a request in a new process, kill it at a random moment, read what it printed."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.n = 0
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_env(), text=True
        )

    def _ask(self, request: list) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def run_and_kill(self, rng: random.Random, mode: str, path: Path, extra: str = "", *, longest: float) -> list[str]:
        self.n += 1
        log = self.folder / f"child-{self.n}.log"
        pid = int(self._ask([mode, str(path), extra, str(log)]))
        deadline = time.monotonic() + 60
        while not (log.exists() and log.read_text(encoding="utf-8").startswith("ready")):
            assert time.monotonic() < deadline and not (log.exists() and "error" in log.read_text(encoding="utf-8")), (
                log.read_text(encoding="utf-8") if log.exists() else "no output"
            )
            time.sleep(0.005)
        time.sleep(rng.uniform(0, longest))
        os.kill(pid, signal.SIGKILL)
        assert self._ask(["reap", pid]) == "reaped"
        lines = log.read_text(encoding="utf-8").splitlines()
        assert not any(line.startswith("error") for line in lines), lines
        return lines

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _sound(path: Path) -> None:
    """integrity_check ok through the sqlite3 module, and the program opens it (recovering the -wal)."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    with open_database(path) as db, db.transaction("检查") as s:
        s.execute(__import__("sqlalchemy").text("SELECT count(*) FROM community")).scalar()


def _households(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT households FROM community WHERE name = '计数小区'").fetchone()[0]
    finally:
        conn.close()


def test_kills_at_random_moments_lose_nothing_committed(tmp_path: Path) -> None:
    rng = random.Random(20261201)
    db_path = tmp_path / "ledger.sqlite3"
    with open_database(db_path) as db:
        with db.transaction("测试员") as s:
            from oldcomm_desktop.core import communities, workspace

            workspace.initialise(s, mode=workspace.TOWNSHIP, code="341122001000", name="城关街道", operator="测试员")
            communities.create(s, {"name": "计数小区", "households": 1})
    kills = 0
    committed = 0
    forks = Forks(tmp_path)

    # edits: every value the child said it committed is there (or a later one)
    for _ in range(22):
        printed = forks.run_and_kill(rng, "edit", db_path, longest=0.3)
        kills += 1
        _sound(db_path)
        done = [int(line.split()[1]) for line in printed if line.startswith("committed")]
        committed += len(done)
        if done:
            assert _households(db_path) in (done[-1], done[-1] + 1)  # the last print may trail its commit

    # the demo into a new file each time: all of it or none of it
    for k in range(10):
        target = tmp_path / f"demo-{k}.sqlite3"
        printed = forks.run_and_kill(rng, "demo", target, longest=0.8)
        kills += 1
        if target.exists() and target.stat().st_size:
            _sound(target)
            conn = sqlite3.connect(target)
            n = conn.execute("SELECT count(*) FROM community").fetchone()[0]
            conn.close()
            assert n in (0, 8)
            if "committed demo" in printed:
                assert n == 8

    # backups while the ledger is intact; any finished backup verifies
    from oldcomm_desktop.storage import backup

    before = _households(db_path)
    for k in range(10):
        forks.run_and_kill(rng, "backup", db_path, str(k), longest=0.5)
        kills += 1
        _sound(db_path)
        assert _households(db_path) == before
    finished = sorted(tmp_path.glob("b-*.zip"))
    for made in finished[:3]:
        backup.verify(made)
    if not finished:
        finished = [backup.backup(db_path, tmp_path / "b-final.zip")]

    # restores: the ledger is the old one or the backup's, never broken, never half of each
    with open_database(db_path) as db, db.transaction("测试员") as s:
        from oldcomm_desktop.core import communities
        from oldcomm_desktop.core.model import Community

        cid = s.query(Community).filter_by(name="计数小区").one().id
        communities.update(s, cid, {"households": 99_999})
    source = finished[0]
    for _ in range(12):
        forks.run_and_kill(rng, "restore", db_path, str(source), longest=0.6)
        kills += 1
        _sound(db_path)
        assert _households(db_path) in (99_999, before)
    forks.close()
    assert kills >= 50 and committed > 0
