"""Fixtures of the import tests: a county database with two registered townships."""

from __future__ import annotations

import pytest

from oldcomm_desktop.core import divisions, workspace
from oldcomm_desktop.storage.database import Database

COUNTY = "341122000000"
CHENGGUAN = "341122001000"
DONGCHENG = "341122002000"


@pytest.fixture
def county_db(empty_db: Database) -> Database:
    with empty_db.transaction("测试员") as s:
        workspace.initialise(s, mode=workspace.COUNTY, code=COUNTY, name="青禾县", operator="测试员")
        divisions.ensure(s, CHENGGUAN, "城关街道")
        divisions.ensure(s, DONGCHENG, "东城街道")
    return empty_db
