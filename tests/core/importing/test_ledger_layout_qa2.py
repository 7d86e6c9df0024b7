"""A second QA round of ledger layouts (columns that read alike, headings and notes merged across the row, a
parent header's unit, summary sheets, hidden sheets and columns, messages): each found wrong, each built here."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from oldcomm_desktop.storage.database import Database
from tests.core.importing.ledgers import _communities, _import, _plan, write


@pytest.mark.parametrize(
    ("headers", "cells", "field", "expected"),
    [
        (["户数（户）", "户数（原）"], [120, 999], "households", 120),
        (["建筑面积（平方米）", "建筑面积（万平方米）"], [12000, 1.2], "floor_area", Decimal("12000.00")),
    ],
)
def test_the_same_file_imported_again_reads_the_same_columns(
    county_db: Database, tmp_path: Path, headers: list[str], cells: list[object], field: str, expected: object
) -> None:
    """户数（户） and 户数（原） were both remembered as 户数: the second import read the other column (120 → 999,
    12,000 m² → 1.2 m²). The remembered mapping keeps the full header and the position; the first import says
    which of the two columns it reads."""
    rows = [["乡镇（街道）", "小区名称", *headers], ["城关街道", "幸福里", *cells]]
    path = write(tmp_path / "a.xlsx", rows)
    first = _import(county_db, path)
    assert getattr(_communities(county_db)["幸福里"], field) == expected
    assert any("第 3 列" in n and "第 4 列" in n and "不导入" in n for n in first.notices)
    again = _import(county_db, path)
    assert again.counts()["unchanged"] == 1 and again.counts()["updated"] == 0
    assert getattr(_communities(county_db)["幸福里"], field) == expected


def test_a_mapping_file_header_that_two_columns_read_as_is_an_error(county_db: Database, tmp_path: Path) -> None:
    from oldcomm_desktop.core.errors import OldcommError

    rows = [["乡镇（街道）", "小区名称", "户数（户）", "户数（原）"], ["城关街道", "幸福里", 120, 999]]
    path = write(tmp_path / "a.xlsx", rows)
    with pytest.raises(OldcommError, match="不止一列"):
        _plan(county_db, path, mapping={"columns": {"小区名称": "name", "户数": "households"}})
    p = _plan(county_db, path, mapping={"columns": {"小区名称": "name", "户数（原）": "households"}})
    assert p.mapping[3] == "households" and 2 not in p.mapping
