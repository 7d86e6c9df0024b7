"""Field parsing (whole numbers, decimals, dates, choices), exact money, and the 12-digit division codes.

Pure rules first; then the same rules seen through a service, where a refused value must leave the
database exactly as it was (checked by re-reading every table from a fresh connection).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from oldcomm_desktop.core import communities, divisions, summary, workspace
from oldcomm_desktop.core.errors import ValidationError
from oldcomm_desktop.core.fields import Field, parse_changes, spec_of
from oldcomm_desktop.core.model import Base, Community
from oldcomm_desktop.core.money import format_quantity, format_yuan, from_fen, to_decimal, to_fen, yuan

HOUSEHOLDS = communities.FIELDS["households"]
FLOOR_AREA = communities.FIELDS["floor_area"]
TOTAL = communities.FIELDS["total_investment"]


def db_state(db) -> dict[str, list[tuple]]:
    """Every row of every table, read on a new connection."""
    with db.engine.connect() as conn:
        return {
            t.name: sorted((tuple(r) for r in conn.execute(t.select())), key=repr) for t in Base.metadata.sorted_tables
        }


def refused(db, call, exc_type=ValidationError):
    """Run `call(session)`, expect `exc_type`, commit the session anyway: nothing may have changed."""
    before = db_state(db)
    with db.session("测试员") as s:
        with pytest.raises(exc_type) as info:
            call(s)
        s.commit()
    assert db_state(db) == before
    return info.value


def labels(exc: ValidationError) -> list[str]:
    return [p.label for p in exc.problems]


# ---------------------------------------------------------------- whole numbers (户数)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(123, 123), ("123", 123), ("１２３", 123), (" 1,234 ", 1234), ("１，２３４", 1234), (2.0, 2), (Decimal("7"), 7)],
)
def test_households_accepts_positive_whole_numbers_as_typed(raw: object, expected: int) -> None:
    value = HOUSEHOLDS.parse(raw)
    assert value == expected
    assert type(value) is int


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (0, "必须是正整数"),
        (-3, "必须是正整数"),
        ("-3", "必须是正整数"),
        (2.5, "应为整数，不能有小数"),
        ("2.5", "应为整数，不能有小数"),
        ("abc", "应为整数"),
        (True, "应为整数"),
        ("12户", "应为整数"),
    ],
)
def test_households_refuses_anything_but_a_positive_whole_number(raw: object, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_changes(communities.FIELDS, {"households": raw})
    [p] = info.value.problems
    assert (p.field, p.label, p.message) == ("households", "户数", message)
    assert str(info.value) == f"户数：{message}"


def test_empty_optional_is_none_and_empty_required_is_refused() -> None:
    assert HOUSEHOLDS.parse("") is None
    assert HOUSEHOLDS.parse("   ") is None
    assert HOUSEHOLDS.parse(None) is None
    with pytest.raises(ValidationError) as info:
        parse_changes(communities.FIELDS, {"name": "  "})
    assert [(p.label, p.message) for p in info.value.problems] == [("小区名称", "必须填写")]


def test_every_bad_field_is_reported_together_with_its_label() -> None:
    with pytest.raises(ValidationError) as info:
        parse_changes(
            communities.FIELDS,
            {"households": 0, "floor_area": "12.345", "year_built": 1850, "no_such_field": 1, "name": "好小区"},
        )
    assert labels(info.value) == ["户数", "建筑面积", "建成年份", "no_such_field"]
    assert info.value.for_field("floor_area") == ["最多保留 2 位小数"]
    assert info.value.for_field("year_built") == ["不能小于 1900"]
    assert info.value.for_field("no_such_field") == ["不是可以修改的字段"]


def test_range_limits_name_the_unit() -> None:
    progress = communities.FIELDS["progress_percent"]
    assert progress.parse("100") == 100
    assert progress.parse(0) == 0
    with pytest.raises(ValueError, match="不能大于 100%"):
        progress.parse(101)
    with pytest.raises(ValueError, match="不能小于 0%"):
        progress.parse(-1)


# ---------------------------------------------------------------- decimals (建筑面积)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3456.78", "3456.78"), ("12,000", "12000.00"), ("０.５", "0.50"), (0.01, "0.01"), (8500, "8500.00")],
)
def test_floor_area_keeps_two_places_exactly(raw: object, expected: str) -> None:
    value = FLOOR_AREA.parse(raw)
    assert value == Decimal(expected)
    assert str(value) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (0, "必须大于 0"),
        ("-1.5", "必须大于 0"),
        ("12.345", "最多保留 2 位小数"),
        (0.001, "最多保留 2 位小数"),
        ("abc", "“abc”不是数字"),
        ("NaN", "应为有限的数字"),
        ("Infinity", "应为有限的数字"),
    ],
)
def test_floor_area_refuses_non_positive_or_three_decimals(raw: object, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_changes(communities.FIELDS, {"floor_area": raw})
    assert [(p.label, p.message) for p in info.value.problems] == [("建筑面积", message)]


# ---------------------------------------------------------------- dates, yes/no, choices, text


@pytest.mark.parametrize(
    "raw", ["2019-05-01", "2019/5/1", "2019.05.01", "2019年5月1日", "２０１９－０５－０１", date(2019, 5, 1)]
)
def test_dates_as_clerks_write_them(raw: object) -> None:
    assert communities.FIELDS["planned_start"].parse(raw) == date(2019, 5, 1)


@pytest.mark.parametrize("raw", ["2019-13-01", "2019-02-30", "明年", "5/1"])
def test_bad_dates_are_refused_with_an_example(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_changes(communities.FIELDS, {"planned_start": raw})
    [p] = info.value.problems
    assert p.label == "计划开工日期"
    assert "不是有效日期" in p.message and "2026-05-01" in p.message


def test_yes_no_choices_and_text_length() -> None:
    flag = communities.FIELDS["in_statistics"]
    assert [flag.parse(v) for v in ("是", "否", "√", "×", "1", "0", True)] == [
        True,
        False,
        True,
        False,
        True,
        False,
        True,
    ]
    with pytest.raises(ValueError, match="应为 是 或 否"):
        flag.parse("也许")
    kind = communities.FIELDS["start_kind"]
    assert kind.parse("new") == "new"
    assert kind.parse("续建") == "continued"
    with pytest.raises(ValueError, match="可选：新开工、续建"):
        kind.parse("改建")
    name = communities.FIELDS["name"]
    assert name.parse("  幸福里小区 ") == "幸福里小区"
    with pytest.raises(ValueError, match="不能超过 200 个字"):
        name.parse("小" * 201)


def test_field_spec_of_keys_by_name() -> None:
    spec = spec_of(Field("a", "甲", "int", positive=True), Field("b", "乙"))
    assert list(spec) == ["a", "b"]
    assert parse_changes(spec, {"a": "３", "b": " x "}) == {"a": 3, "b": "x"}


# ---------------------------------------------------------------- money


def test_decimal_sums_are_exact_where_floats_drift() -> None:
    assert 0.1 + 0.2 != 0.3  # the float problem the money type exists for
    assert to_decimal(0.1) + to_decimal(0.2) == Decimal("0.30")
    assert sum((yuan("0.1") for _ in range(10)), Decimal(0)) == Decimal("1.00")
    assert yuan("6,800,000") + yuan("0.01") == Decimal("6800000.01")


@pytest.mark.parametrize("raw", ["1.005", "0.001", 0.1 + 0.2, "12.3456"])
def test_money_with_more_than_two_decimals_is_refused_not_rounded(raw: object) -> None:
    with pytest.raises(ValueError, match="最多保留 2 位小数"):
        yuan(raw)


@pytest.mark.parametrize("raw", [True, None, [1], "", "一百"])
def test_money_refuses_what_is_not_a_number(raw: object) -> None:
    with pytest.raises(ValueError):
        yuan(raw)


def test_money_parsing_full_width_and_separators() -> None:
    assert yuan("６，８００，０００．００") == Decimal("6800000.00")
    assert yuan(" 1 234.5 ") == Decimal("1234.50")
    assert to_decimal("1.2345", places=4) == Decimal("1.2345")


def test_fen_round_trip_and_formatting() -> None:
    for amount in (Decimal("0.01"), Decimal("6800000.00"), Decimal("-12.30")):
        assert from_fen(to_fen(amount)) == amount
    assert to_fen(Decimal("6800000.00")) == 680_000_000
    assert format_yuan(Decimal("6800000")) == "6,800,000.00"
    assert format_yuan(Decimal("6800000"), unit="万元") == "680.00"
    assert format_yuan(Decimal("870000000"), unit="亿元") == "8.70"
    assert format_yuan(Decimal("12345"), unit="万元") == "1.23"  # 1.2345 万元 -> 1.23
    assert format_yuan(Decimal("12350"), unit="万元") == "1.24"  # half up, not banker's
    assert format_yuan(None) == ""
    assert format_quantity(Decimal("12000.00")) == "12,000"
    assert format_quantity(Decimal("8.50")) == "8.5"
    assert format_quantity(None) == ""


def test_money_is_stored_and_summed_exactly(db) -> None:
    with db.transaction("测试员") as s:
        for i, amount in enumerate(["0.1", "0.2", "0.1", "0.2", "0.1", "0.2", "0.1"]):
            communities.create(s, {"name": f"小区{i}", "total_investment": amount, "floor_area": "0.01"})
    with db.session("测试员") as s:
        amounts = [c.total_investment for c in s.query(Community).order_by(Community.name)]
        assert all(isinstance(a, Decimal) for a in amounts)
        total = summary.totals(s).total
        assert total.investment_yuan == Decimal("1.00")
        assert total.floor_area_m2 == Decimal("0.07")


def test_three_decimal_money_is_refused_and_nothing_is_saved(db) -> None:
    err = refused(db, lambda s: communities.create(s, {"name": "甲小区", "total_investment": "100.005"}))
    assert [(p.label, p.message) for p in err.problems] == [("总投资", "最多保留 2 位小数")]


# ---------------------------------------------------------------- division codes


@pytest.mark.parametrize(
    ("part", "kind"),
    [
        ("001", "街道"),
        ("050", "街道"),
        ("099", "街道"),
        ("100", "镇"),
        ("150", "镇"),
        ("199", "镇"),
        ("200", "乡"),
        ("300", "乡"),
        ("399", "乡"),
        ("400", "其他"),
        ("500", "其他"),
        ("599", "其他"),
    ],
)
def test_township_code_ranges(part: str, kind: str) -> None:
    parsed = divisions.parse_code(f"341122{part}000")
    assert (parsed.level, parsed.kind) == ("township", kind)
    assert parsed.county_code == "341122000000"
    assert parsed.township_code == f"341122{part}000"
    assert divisions.township_kind(int(part)) == kind


@pytest.mark.parametrize(
    ("village", "kind"), [("001", "居委会"), ("199", "居委会"), ("200", "村委会"), ("399", "村委会")]
)
def test_village_code_ranges(village: str, kind: str) -> None:
    parsed = divisions.parse_code(f"341122101{village}")
    assert (parsed.level, parsed.kind) == ("village", kind)
    assert parsed.township_code == "341122101000"


def test_county_code() -> None:
    parsed = divisions.parse_code("341122000000")
    assert (parsed.level, parsed.kind, parsed.county_code) == ("county", "县级", "341122000000")


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("34112200100", "应为 12 位数字"),
        ("3411220010000", "应为 12 位数字"),
        ("34112200100A", "应为 12 位数字"),
        ("341122 01000", "应为 12 位数字"),
        ("", "应为 12 位数字"),
        ("34112200100٣", "应为 12 位数字"),  # an Arabic-Indic digit: isdigit() but not a code digit
        ("341100001000", "前 6 位不是县级代码"),
        ("001122001000", "前 6 位不是县级代码"),
        ("000000000000", "前 6 位不是县级代码"),
        ("341122000001", "县级代码的后 6 位应为 0"),
        ("341122600000", "乡镇级代码段 600 不在 001–599 之内"),
        ("341122999000", "乡镇级代码段 999 不在 001–599 之内"),
        ("341122001600", "村级代码段 600 不在 001–599 之内"),  # 400–599: 类似居委会/村委会 (national list)
        ("341122001999", "村级代码段 999 不在 001–599 之内"),
    ],
)
def test_bad_division_codes_are_refused_in_chinese(code: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        divisions.parse_code(code, label="乡镇（街道）", field="township_code")
    [p] = info.value.problems
    assert (p.field, p.label) == ("township_code", "乡镇（街道）")
    assert fragment in p.message


def test_full_width_division_code_is_read_as_digits() -> None:
    parsed = divisions.parse_code("３４１１２２１０１０００")
    assert parsed.code == "341122101000"
    assert (parsed.level, parsed.kind) == ("township", "镇")
    # NFKC would read a circled ① or a superscript ¹ as a 1, but nobody types those meaning a code: refused
    for odd in ("34112210100①", "34112210100¹", "3411221010٠1"):
        with pytest.raises(ValidationError):
            divisions.parse_code(odd)


def test_workspace_refuses_a_code_of_the_wrong_level(empty_db) -> None:
    before = db_state(empty_db)
    for mode, code in ((workspace.TOWNSHIP, "341122000000"), (workspace.COUNTY, "341122001000")):
        with empty_db.session("测试员") as s:
            with pytest.raises(ValidationError) as info:
                workspace.initialise(s, mode=mode, code=code, name="某地")
            assert info.value.problems[0].field == "code"
            assert "不是" in info.value.problems[0].message
            s.commit()
    assert db_state(empty_db) == before


def test_divisions_registry_links_parents(db) -> None:
    with db.transaction("测试员") as s:
        village = divisions.ensure(s, "341122001201", " 东关村 ")
        assert (village.level, village.kind, village.parent_code) == ("village", "村委会", "341122001000")
        assert village.name == "东关村"
    with db.session("测试员") as s:
        assert divisions.name_of(s, "341122001000") == "城关街道"
        assert divisions.name_of(s, "341122001201") == "东关村"
        assert divisions.name_of(s, "341122009000") == "341122009000"
        assert [d.code for d in divisions.townships(s)] == ["341122001000"]
