"""The national list of division codes: levels, children, search by name or pinyin, villages on demand,
a county's townships registered with codes, and units missing from the list added by hand (400–599)."""

from __future__ import annotations

import pytest

from oldcomm_desktop.core import divisions
from oldcomm_desktop.core import national_divisions as nd
from oldcomm_desktop.core.errors import ValidationError

LAIAN = "341122000000"  # 安徽省 滁州市 来安县


def test_levels_from_province_to_village() -> None:
    provinces = nd.children()
    assert len(provinces) == 31 and provinces[0].name == "北京市"
    anhui = nd.search("安徽")[0]
    assert anhui.code == "340000000000"
    found = nd.search("czs", anhui.code)  # pinyin initials: 滁州 chuzhou and 池州 chizhou
    assert [c.name for c in found] == ["滁州市", "池州市"]
    chuzhou = nd.search("滁州", anhui.code)
    counties = nd.children(chuzhou[0].code)
    assert "来安县" in [c.name for c in counties]
    towns = nd.children(LAIAN)
    assert all(t.level == "township" and t.code.startswith("341122") for t in towns)
    assert "新安镇" in [t.name for t in towns]
    villages = nd.children(towns[0].code)
    assert villages and all(v.code[:9] == towns[0].code[:9] for v in villages)
    assert {v.kind for v in villages} <= {"社区", "村", "其他"}  # 其他: 类似居委会/村委会, 400–599
    assert [e.name for e in nd.path(villages[0].code)][:3] == ["安徽省", "滁州市", "来安县"]
    assert nd.listed(villages[0].code) and not nd.listed("341122599000")


def test_search_by_name_or_initials() -> None:
    towns = nd.children(LAIAN)
    assert [t.name for t in nd.matches(towns, "xaz")] == ["新安镇"]
    assert [t.name for t in nd.matches(towns, "新安")] == ["新安镇"]
    assert nd.matches(towns, "不存在") == []


def test_a_county_registers_its_townships(session) -> None:
    n = nd.register_townships(session, LAIAN)
    names = {d.code: d.name for d in divisions.townships(session)}
    assert n == len(nd.children(LAIAN)) and names["341122100000"] == "新安镇"
    with pytest.raises(ValidationError, match="不在全国区划代码表"):
        nd.register_townships(session, "341199000000")


def test_missing_units_get_codes_from_the_range_left_for_them(session) -> None:
    town = nd.add_by_hand(session, LAIAN, "来安经济开发区")
    assert town.code == "341122599000" and not nd.listed(town.code)  # from the top of 400–599
    assert nd.add_by_hand(session, LAIAN, "来安经济开发区").code == town.code  # the same name again: the same unit
    second = nd.add_by_hand(session, LAIAN, "汊河新城")
    assert second.code != town.code
    listed_town = nd.children(LAIAN)[0]
    village = nd.add_by_hand(session, listed_town.code, "新建幸福社区")
    assert village.code[:9] == listed_town.code[:9] and 400 <= int(village.code[9:]) <= 599
    assert divisions.parse_code(village.code).level == "village"
    assert nd.ensure_listed(session, nd.children(listed_town.code)[0].code).level == "village"
