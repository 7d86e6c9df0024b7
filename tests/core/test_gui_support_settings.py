"""Editable settings (core/editable_settings.py): checked before stored, percentages in, fractions stored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from oldcomm_desktop.core import catalogues, communities, editable_settings, workspace
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.storage.database import Database


def test_shows_percentages_and_stores_fractions(db: Database) -> None:
    with db.transaction("测试员") as s:
        shown = editable_settings.current(s)
        assert shown["consent_participation_owners"] == Decimal("66.67")
        assert shown["eligibility_cutoff_year"] == 2000
        before = editable_settings.stored(s)
        editable_settings.update(s, {"consent_participation_owners": "75", "return_due_day": "27"})
    with db.transaction("测试员") as s:
        assert catalogues.get_setting(s, "consent_participation_owners") == "0.7500"
        assert catalogues.get_setting(s, "return_due_day") == 27
        assert editable_settings.current(s)["consent_participation_owners"] == Decimal("75.00")
        editable_settings.put_stored(s, before)
    with db.transaction("测试员") as s:
        assert editable_settings.stored(s) == before


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"eligibility_cutoff_year": "3000"}, "eligibility_cutoff_year", "不能大于"),
        ({"eligibility_cutoff_year": "19九9"}, "eligibility_cutoff_year", "整数"),
        ({"eligibility_cutoff_year": ""}, "eligibility_cutoff_year", "必须填写"),
        ({"eligibility_extension_year": "1998"}, "eligibility_extension_year", "早于截止年份"),
        ({"consent_approval_area": "101"}, "consent_approval_area", "不能大于"),
        ({"consent_participation_area": "0"}, "consent_participation_area", "不能为 0"),
        ({"return_due_day": "32"}, "return_due_day", "不能大于"),
    ],
)
def test_bad_values_are_refused_and_nothing_changes(db: Database, changes, field, words) -> None:
    with db.transaction("测试员") as s:
        before = editable_settings.stored(s)
        with pytest.raises(ValidationError) as err:
            editable_settings.update(s, {**changes, "return_due_day": changes.get("return_due_day", "20")})
        assert any(words in m for m in err.value.for_field(field))
        assert editable_settings.stored(s) == before


def test_a_later_cutoff_changes_what_communities_accept(db: Database) -> None:
    with db.transaction("测试员") as s:
        editable_settings.update(s, {"eligibility_cutoff_year": "2004", "eligibility_extension_year": "2004"})
        c = communities.create(s, {"name": "新规则小区", "year_built": 2003})
        assert c.year_built == 2003
        with pytest.raises(ValidationError):
            communities.create(s, {"name": "太新的小区", "year_built": min(2005, date.today().year)})


def test_remove_operator(db: Database) -> None:
    with db.transaction("测试员") as s:
        workspace.add_operator(s, "李四")
        editable_settings.remove_operator(s, "李四")
        assert "李四" not in [o.name for o in workspace.operators(s)]
        with pytest.raises(ValidationError):
            editable_settings.remove_operator(s, "李四")


def test_item_type_rows(db: Database) -> None:
    with db.transaction("测试员") as s:
        rows = editable_settings.item_type_rows(s)
    assert len(rows) == len(catalogues.national_reference()["item_types"])
    water = next(r for r in rows if r.code == "water_pipe")
    assert (water.category, water.unit, water.central_eligible) == ("基础类", "米", True)
    assert water.indicator.startswith("改造提升老旧管网") and "0.001 公里" in water.indicator
    assert [r.category for r in rows] == sorted([r.category for r in rows], key=["基础类", "完善类", "提升类"].index)
