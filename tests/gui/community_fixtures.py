"""The communities page tests' fixtures and helpers, over the small demo county of tests/gui/conftest.py
(`demo_file`); test modules import `ctx`, `page` and the helpers from here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from demo_context import COMMUNITY_DEMO, open_copy

from oldcomm_desktop.core import listings
from oldcomm_desktop.gui.context import AppContext

DEMO_COMMUNITIES = COMMUNITY_DEMO


@pytest.fixture
def ctx(demo_file: Path, tmp_path: Path) -> Iterator[AppContext]:
    yield from open_copy(demo_file, tmp_path)


@pytest.fixture
def page(qtbot, ctx: AppContext):
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


def select_by_name(qtbot, page, name: str) -> str:
    """Select the community named `name` in the page's table (scanning the rows shown) and return its id."""
    model = page.table.model
    for row in range(model.rowCount()):
        if model.row_mapping(row)["name"] == name:
            record_id = model.row_id(row)
            page.table.view.selectRow(row)
            qtbot.waitUntil(lambda rid=record_id: page.detail.community_id == rid)
            return record_id
    raise AssertionError(f"{name} is not shown")


def cell_text(page, row: int, key: str) -> str:
    model = page.table.model
    return model.data(model.index(row, model.column_index(key)))


def row_of(page, record_id: str) -> int:
    model = page.table.model
    return next(r for r in range(model.rowCount()) if model.row_id(r) == record_id)


def open_rectifications(ctx: AppContext, count: int = 3) -> list[str]:
    """`count` open rectification notices (deadlines ahead), each from its own patrol on its own community.

    The demo (now written by the bulk path, patrols at a plausible rate) gives the 12-community county a
    single rectification, closed; tests that need several open ones on the board make them here.
    """
    from datetime import timedelta

    from sqlalchemy import select

    from oldcomm_desktop.core import catalogues, communities, inspections
    from oldcomm_desktop.core.model import Rectification

    today = inspections.today()
    made: list[str] = []
    with ctx.db.transaction("测试员") as s:
        tmpl = catalogues.template(s, "patrol_default")
        for n, row in enumerate(core_rows(ctx)[:count]):
            results = [
                {"template_item_id": it.id, "area": it.area, "text": it.text, "result": "fail" if i == 0 else "pass"}
                for i, it in enumerate(tmpl.items)
            ]
            rect = {
                "problem": f"围挡破损{n + 1}",
                "requirement": "三日内修复",
                "deadline": today + timedelta(days=5 + n),
            }
            insp = inspections.record(
                s,
                communities.get(s, str(row["id"])),
                {"kind": "patrol", "inspected_on": today - timedelta(days=1)},
                results,
                [rect],
                template="patrol_default",
            )
            made += s.scalars(select(Rectification.id).where(Rectification.inspection_id == insp.id)).all()
    return made
