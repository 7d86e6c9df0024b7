"""Notice numbers carry the issuing township's short name, so two townships' first notices differ."""

from __future__ import annotations

import pytest

from oldcomm_desktop.core import divisions, notice_numbers
from oldcomm_desktop.core.errors import ValidationError


@pytest.mark.parametrize(
    ("name", "short"),
    [("城关镇", "城关"), ("东风街道", "东风"), ("红星乡", "红星"), ("新华街道办事处", "新华"), ("镇", "镇"), ("", "")],
)
def test_short_name_drops_the_ending(name: str, short: str) -> None:
    assert notice_numbers.derived_short_name(name) == short


def test_two_townships_number_apart_and_the_short_name_is_configurable(session) -> None:
    divisions.ensure(session, "341122101000", "红星镇")
    a = notice_numbers.next_number(session, "341122001000", 2025)
    b = notice_numbers.next_number(session, "341122101000", 2025)
    assert (a, b) == ("城关整改〔2025〕001号", "红星整改〔2025〕001号")
    assert notice_numbers.set_short_name(session, "341122101000", "红星镇") == "红星镇"
    assert notice_numbers.next_number(session, "341122101000", 2025) == "红星镇整改〔2025〕001号"
    assert notice_numbers.set_short_name(session, "341122101000", "") == "红星"  # back to the derived one
    assert notice_numbers.next_number(session, "341122101000", 2025) == "红星整改〔2025〕001号"
    with pytest.raises(ValidationError, match="简称"):
        notice_numbers.set_short_name(session, "341122101000", "红 星")


def test_the_county_office_numbers_in_its_own_series(session) -> None:
    """A county's short name is its whole name (never a township's short name); its series is its own."""
    divisions.ensure(session, "341122000000", "测试县")
    assert notice_numbers.short_name(session, "341122000000") == "测试县"
    assert notice_numbers.next_number(session, "341122000000", 2026) == "测试县整改〔2026〕001号"
    assert notice_numbers.set_short_name(session, "341122000000", "测试县住建局") == "测试县住建局"
    assert notice_numbers.next_number(session, "341122000000", 2026) == "测试县住建局整改〔2026〕001号"
    assert notice_numbers.series(session, "341122001000") == "341122001000"  # a township database: its own
