"""The demo counties the page tests share, in one place: built once per session, copied per test.

`conftest.py` makes the session fixtures from `build`; the fixture modules (`community_fixtures`,
`overview_pages_fixtures`) open a test's own copy with `open_copy`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QSettings

from oldcomm_desktop.core import demo
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.storage.database import open_database

COMMUNITY_DEMO = 12  # the communities page and detail tests (seed 1)
PAGES_DEMO = 20  # the 概览/项目/改造内容/回收站/设置/数据交换 page tests (seed 2)


def build(path: Path, communities: int, seed: int) -> Path:
    db = open_database(path)
    with db.transaction("演示操作员") as s:
        demo.build(s, communities_count=communities, seed=seed)
    db.close()
    return path


def open_copy(source: Path, tmp_path: Path) -> Iterator[AppContext]:
    """A context on this test's copy of `source` (with its -wal), closed when the test ends."""
    for suffix in ("", "-wal", "-shm"):
        src = source.with_name(source.name + suffix)
        if src.exists():
            shutil.copy(src, tmp_path / src.name)
    db = open_database(tmp_path / source.name)
    yield AppContext(db, "测试员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    db.close()
