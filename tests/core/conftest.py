"""Fixtures the core's test modules share."""

from __future__ import annotations

import pytest

from oldcomm_desktop.core import workspace


@pytest.fixture
def county(empty_db):
    """An empty county database (来安县) and an open session on it, rolled back after the test.

    Test modules that need a county with records define their own `county`, which takes precedence."""
    with empty_db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.COUNTY, code="341122000000", name="来安县", operator="测试员")
    s = empty_db.session("测试员")
    yield s
    s.rollback()
    s.close()
