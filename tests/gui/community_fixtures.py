"""A small demo county for the communities page tests, built once per session and copied per test.

Not a conftest (tests/gui has no package, and tests/conftest.py is shared): test modules import the
fixtures from here.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from oldcomm_desktop.core import demo, listings
from oldcomm_desktop.gui.context import AppContext
from oldcomm_desktop.storage.database import open_database

DEMO_COMMUNITIES = 12


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("community_demo") / "demo.sqlite3"
    db = open_database(path)
    with db.transaction("演示操作员") as s:
        demo.build(s, communities_count=DEMO_COMMUNITIES, seed=1)
    db.close()
    return path


@pytest.fixture
def ctx(demo_file: Path, tmp_path: Path) -> Iterator[AppContext]:
    for suffix in ("", "-wal", "-shm"):
        src = demo_file.with_name(demo_file.name + suffix)
        if src.exists():
            shutil.copy(src, tmp_path / src.name)
    db = open_database(tmp_path / demo_file.name)
    context = AppContext(db, "测试员", QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    yield context
    db.close()


@pytest.fixture
def page(qtbot, ctx: AppContext):  # noqa: ANN001, ANN201
    from oldcomm_desktop.gui.pages.communities import CommunitiesPage

    p = CommunitiesPage(ctx)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    p.activate()
    return p


def core_count(ctx: AppContext, **filters: object) -> int:
    """What the core's listing counts for these filters (the reference a page's count must match)."""
    return ctx.read(lambda s: listings.count(s, "communities", listings.ListQuery(filters=filters)))


def core_rows(ctx: AppContext, **filters: object) -> list[dict]:
    return ctx.read(lambda s: listings.page(s, "communities", listings.ListQuery(filters=filters), 0, 1000))


def select_by_name(qtbot, page, name: str) -> str:  # noqa: ANN001
    """Select the community named `name` in the page's table (scanning the rows shown) and return its id."""
    model = page.table.model
    for row in range(model.rowCount()):
        if model.row_mapping(row)["name"] == name:
            record_id = model.row_id(row)
            page.table.view.selectRow(row)
            qtbot.waitUntil(lambda rid=record_id: page.detail.community_id == rid)
            return record_id
    raise AssertionError(f"{name} is not shown")


def cell_text(page, row: int, key: str) -> str:  # noqa: ANN001
    model = page.table.model
    return model.data(model.index(row, model.column_index(key)))


def row_of(page, record_id: str) -> int:  # noqa: ANN001
    model = page.table.model
    return next(r for r in range(model.rowCount()) if model.row_id(r) == record_id)
