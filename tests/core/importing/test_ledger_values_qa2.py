"""QA round 2 on cell values: header units the import did not know, figures written as sums or ranges, status
words, 储备, dates written in other forms. Each found wrong, each built in the test."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from oldcomm_desktop.storage.database import Database
from tests.core.importing.ledgers import _communities, _import, write


@pytest.mark.parametrize(
    ("header", "cell", "field", "stored"),
    [
        ("总投资(万)", 268, "total_investment", Decimal("2680000")),
        ("总投资（万）", 268, "total_investment", Decimal("2680000")),
        ("总投资（千元）", 2680, "total_investment", Decimal("2680000")),
        ("总投资（百万元）", 2.68, "total_investment", Decimal("2680000")),
        ("建筑面积（千平方米）", 12, "floor_area", Decimal("12000")),
    ],
)
def test_a_header_unit_with_a_magnitude_converts(
    county_db: Database, tmp_path: Path, header: str, cell: object, field: str, stored: Decimal
) -> None:
    """总投资(万) 268 was 268 yuan, 总投资（千元） 2680 was 2,680 yuan, 总投资（百万元） 2.68 was 26,800 yuan (the 万元
    inside 百万元 was read), 建筑面积（千平方米） 12 was 12 m²: each is the figure times its unit."""
    rows = [
        ["城关街道2023年老旧小区改造台账"],
        ["乡镇（街道）", "小区名称", "户数（户）", header],
        ["城关街道", "幸福里", 100, cell],
    ]
    path = write(tmp_path / "a.xlsx", rows)
    p = _import(county_db, path, confirm=True)
    assert p.rows[0].action != "rejected"
    assert getattr(_communities(county_db)["幸福里"], field) == stored
    assert _import(county_db, path, confirm=True).counts()["unchanged"] == 1  # the remembered unit reads back
    assert getattr(_communities(county_db)["幸福里"], field) == stored
