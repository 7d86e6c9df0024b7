"""A simplified search finds text kept in traditional characters, and back, in every list on both backends.

An address, an item's description, a finding or a problem is stored as the clerk (or a converted repost) wrote
it, and no search key simplifies it: on PostgreSQL and in the lists without a full-text index the search read
them with LIKE alone, so 东段 did not find 解放路東段 and 更换 did not find 更換雨水管.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from oldcomm_desktop.core import communities, inspections, items, listings
from oldcomm_desktop.core.chinese_script import either_script_pattern
from oldcomm_desktop.core.listings import ListQuery
from oldcomm_desktop.core.model import Community, Project
from oldcomm_desktop.storage.database import Database, open_database
from oldcomm_desktop.storage.migrations import current_revision, head_revision

DAY = date(2026, 5, 12)


@pytest.fixture
def ledger(db: Database) -> Database:
    with db.transaction("测试员") as s:
        c = communities.create(s, {"name": "和平里小区", "address": "解放路東段"})
        communities.create(s, {"name": "建設路小區", "address": "建设路东段"})
        communities.create(s, {"name": "幸福苑", "address": "人民路"})
        items.create(s, c.id, {"item_type_id": "road", "description": "更換雨水管，樓道照明"})
        rect = {"problem": "樓道堆放雜物", "deadline": date(2026, 5, 20)}
        inspections.record(
            s, c, {"kind": "patrol", "inspected_on": DAY, "findings": "施工圍擋破損"}, (), [rect], today=DAY
        )
    return db


def _found(db: Database, listing: str, query: str, column: str = "name") -> list[str]:
    with db.transaction("测试员") as s:
        return sorted(str(r[column]) for r in listings.page(s, listing, ListQuery(search=query)))


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("东段", ["和平里小区", "建設路小區"]),  # 解放路東段 (traditional) and 建设路东段 (simplified)
        ("東段", ["和平里小区", "建設路小區"]),
        ("解放路东", ["和平里小区"]),
        ("建设路", ["建設路小區"]),
        ("人民", ["幸福苑"]),
    ],
)
def test_communities_by_an_address_in_either_script(ledger: Database, query: str, names: list[str]) -> None:
    assert _found(ledger, "communities", query) == names


@pytest.mark.parametrize("query", ["更换", "更換", "楼道照明", "雨水"])
def test_items_by_a_description_in_either_script(ledger: Database, query: str) -> None:
    assert _found(ledger, "items", query, "community") == ["和平里小区"]


@pytest.mark.parametrize("query", ["围挡", "圍擋", "施工围"])
def test_inspections_by_a_finding_in_either_script(ledger: Database, query: str) -> None:
    assert len(_found(ledger, "inspections", query, "id")) == 1


@pytest.mark.parametrize("query", ["楼道", "杂物", "樓道堆放杂物"])
def test_rectifications_by_a_problem_in_either_script(ledger: Database, query: str) -> None:
    assert len(_found(ledger, "rectifications", query, "id")) == 1


def test_a_word_with_no_traditional_form_is_searched_as_typed() -> None:
    """Only words with a character t2s makes get the regular expression; its other characters are literal."""
    assert either_script_pattern("幸福") == "[幸倖]福"
    assert either_script_pattern("人民") is None
    assert either_script_pattern("abc") is None
    assert either_script_pattern("东.1") == "[东東]\\.1"


def test_a_database_from_release_0014_gets_its_traditional_keys(tmp_path) -> None:
    """A community and a project saved before the keys held the simplified form (release 0014) are found by a
    simplified search once the database is opened by this release (migration 0015 writes their keys again)."""
    path = tmp_path / "old.sqlite3"
    with open_database(path) as db, db.transaction("测试员") as s:
        from oldcomm_desktop.core import projects, workspace
        from tests.conftest import TOWNSHIP_CODE, TOWNSHIP_NAME

        workspace.initialise(s, mode=workspace.TOWNSHIP, code=TOWNSHIP_CODE, name=TOWNSHIP_NAME, operator="测试员")
        projects.create(s, {"name": "建設路片區改造項目", "plan_year": 2025})
        c = communities.create(s, {"name": "建設路小區", "address": "解放路東段"})
        items.create(s, c.id, {"item_type_id": "road", "description": "更換雨水管"})
    # as release 0014 left them: keys of initials only, the full-text rows of the text as typed
    with open_database(path) as db, db.engine.begin() as conn:
        conn.execute(text("UPDATE community SET search_initials = 'jslxq'"))
        conn.execute(text("UPDATE project SET search_initials = 'jslpqgzxm'"))
        conn.execute(text("DELETE FROM search_text"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0014'"))
        version = conn.execute(select(Community.version)).scalar_one()
    with open_database(path) as db:
        assert current_revision(db.engine) == head_revision()
        with db.transaction("测试员") as s:
            assert [r["name"] for r in listings.page(s, "communities", ListQuery(search="建设路"))] == ["建設路小區"]
            assert [r["name"] for r in listings.page(s, "communities", ListQuery(search="东段"))] == ["建設路小區"]
            assert [r["name"] for r in listings.page(s, "projects", ListQuery(search="片区"))] == ["建設路片區改造項目"]
            assert len(listings.page(s, "items", ListQuery(search="更换"))) == 1
            # keys only: the record itself is not changed (no new version, nothing to send)
            assert s.scalar(select(Community.version)) == version
            assert s.scalar(select(Project.search_initials)).startswith("jslpqgzxm")
