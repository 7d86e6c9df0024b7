"""Bad values the core used to accept or crash on: each refused by validation, naming the field, changing nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from oldcomm_desktop.core import audit, communities, items, listings, milestones, projects, summary
from oldcomm_desktop.core.errors import OldcommError, ValidationError
from oldcomm_desktop.core.fields import DEFAULT_MAXIMUM, parse_changes
from oldcomm_desktop.core.model import AuditEntry, Community

INT64 = 2**63 - 1


def _refused(spec, changes: dict) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as info:
        parse_changes(spec, changes)
    return [(p.label, p.message) for p in info.value.problems]


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("field", "raw", "label"),
    [
        ("households", 10**19, "户数"),
        ("households", "10000000000000000000", "户数"),
        ("total_investment", "1e17", "总投资"),
        ("total_investment", 1e17, "总投资"),
        ("total_investment", "100000000000000000", "总投资"),
        ("floor_area", "1e400", "建筑面积"),
        ("floor_area", "nan", "建筑面积"),
        ("floor_area", "inf", "建筑面积"),
        ("floor_area", float("nan"), "建筑面积"),
        ("households", "1,2,3", "户数"),
        ("households", "12,34", "户数"),
        ("consent_owners_total", 10**12, "业主总户数"),
        ("year_built", 10**6, "建成年份"),
    ],
)
def test_numbers_beyond_range_or_malformed_are_refused_with_the_field_name(field: str, raw: object, label: str) -> None:
    assert [p[0] for p in _refused(communities.FIELDS, {field: raw})] == [label]


def test_thousands_separators_in_groups_of_three_are_fine() -> None:
    parsed = parse_changes(communities.FIELDS, {"households": "1,234", "total_investment": "1,234,567.50"})
    assert parsed == {"households": 1234, "total_investment": Decimal("1234567.50")}


def test_every_number_field_has_a_bound_that_keeps_sums_within_int64() -> None:
    """Money is stored in fen, areas in hundredths: nine million records at the bound still sum in int64."""
    from oldcomm_desktop.core import editable_settings, funding, inspections

    specs = [communities.FIELDS, projects.FIELDS, items.FIELDS, funding.LINE_FIELDS, funding.ENTRY_FIELDS]
    specs += [inspections.RESULT_FIELDS, editable_settings.fields()]
    for spec in specs:
        for f in spec.values():
            if f.kind in ("int", "decimal", "money"):
                top = f.upper_bound
                assert top is not None, f.name
                scale = 1 if f.kind == "int" else 100
                assert top * scale * 9_000_000 < INT64, (f.name, top)
    assert DEFAULT_MAXIMUM["money"] * 100 * 9_000_000 < INT64


def test_summary_of_communities_at_the_bounds_does_not_overflow(db) -> None:
    top = communities.FIELDS["total_investment"].upper_bound
    with db.transaction("测试员") as s:
        for n in range(3):
            communities.create(s, {"name": f"大小区{n}", "households": 100_000, "total_investment": top})
    with db.session("测试员") as s:
        total = summary.totals(s).total
    assert total.investment_yuan == 3 * top and total.households == 300_000


# ---------------------------------------------------------------- division codes


def test_division_codes_are_normalised_before_they_are_stored(db) -> None:
    with db.transaction("测试员") as s:
        c = communities.create(s, {"name": "全角代码小区", "township_code": " ３４１１２２００１０００ "})
        cid = c.id
    with db.session("测试员") as s:
        assert s.get(Community, cid).township_code == "341122001000"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("34112200100¹", "12 位数字"),  # a superscript is not a digit anyone means
        ("341122000000", "县级代码"),  # a county where a township belongs
        ("341122001001", "社区（村）代码"),  # a village where a township belongs
    ],
)
def test_odd_or_wrong_level_township_codes_are_refused(code: str, words: str) -> None:
    ((label, message),) = _refused(communities.FIELDS, {"township_code": code})
    assert label == "乡镇（街道）" and words in message


def test_a_filter_of_the_wrong_level_is_refused_not_silently_empty(db) -> None:
    with db.session("测试员") as s:
        with pytest.raises(ValidationError, match="县级代码"):
            listings.page(s, "communities", listings.ListQuery(filters={"township": "341122000000"}))
        with pytest.raises(ValidationError, match="县级代码"):
            summary.totals(s, township="341122000000")
        assert (
            listings.count(s, "communities", listings.ListQuery(filters={"township": "３４１１２２００１０００"})) == 0
        )


# ---------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("field", "raw", "words"),
    [
        ("name", "幸福\x00里", "控制字符"),
        ("name", "幸福\x1b[31m里", "控制字符"),
        ("name", "幸福\n里", "换行"),
        ("address", "城北路\r\n12号", "换行"),
        ("name", "\u200b\u200b\u3000", "看不见"),
        ("name", "\u202e里福幸", "控制字符"),
        ("notes", "第一行\x07", "控制字符"),
    ],
)
def test_text_with_control_characters_or_nothing_visible_is_refused(field: str, raw: str, words: str) -> None:
    ((_label, message),) = _refused(communities.FIELDS, {field: raw})
    assert words in message


def test_free_text_keeps_its_line_breaks() -> None:
    assert parse_changes(communities.FIELDS, {"notes": "第一行\r\n第二行\t备注"}) == {"notes": "第一行\n第二行\t备注"}


# ---------------------------------------------------------------- dates and years


def test_a_milestone_dated_year_one_is_refused(db) -> None:
    with db.transaction("测试员") as s:
        c = communities.create(s, {"name": "幸福里小区"})
        with pytest.raises(ValidationError, match="早于 1949-01-01"):
            milestones.add(s, c, {"kind": "survey", "reached_on": "0001-01-01"})
        with pytest.raises(ValidationError, match="晚于"):
            milestones.add(s, c, {"kind": "survey", "reached_on": "2999-01-01"})


def test_plan_years_are_bounded_alike_for_communities_and_projects(db) -> None:
    with db.transaction("测试员") as s:
        for create in (
            lambda y: communities.create(s, {"name": f"小区{y}", "plan_year": y}),
            lambda y: projects.create(s, {"name": f"项目{y}", "plan_year": y}),
        ):
            with pytest.raises(ValidationError, match="太远"):
                create(2100)
            with pytest.raises(ValidationError, match="不能小于 1990"):
                create(1989)
            create(1990)


# ---------------------------------------------------------------- audit


def test_a_write_without_an_operator_is_refused_with_a_clear_message(db) -> None:
    with pytest.raises(OldcommError, match="操作员"), db.transaction(None) as s:
        communities.create(s, {"name": "无名氏写的小区"})
    with db.session("测试员") as s:
        assert s.query(Community).filter_by(name="无名氏写的小区").count() == 0


def test_a_create_records_the_values_it_created(db) -> None:
    with db.transaction("张三") as s:
        cid = communities.create(s, {"name": "幸福里小区", "households": 100, "floor_area": "8000.5"}).id
    with db.session("测试员") as s:
        (entry,) = [e for e in audit.history(s, cid) if e.action == "create"]
        assert isinstance(entry, AuditEntry) and entry.operator == "张三"
        values = json.loads(entry.new_value)
    assert values["name"] == "幸福里小区" and values["households"] == "100" and values["floor_area"] == "8000.50"
    assert values["township_code"] == "341122001000"
