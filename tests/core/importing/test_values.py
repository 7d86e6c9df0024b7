"""Numbers, units, years, dates and status words as ledgers write them (examples and hypothesis properties)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oldcomm_desktop.core.importing import values

D = Decimal


@pytest.mark.parametrize(
    ("text", "unit", "value", "approx"),
    [
        ("31.5万平方米", None, D("315000"), False),
        ("1.84万m2", None, D("18400"), False),
        ("5.2万方平米", None, D("52000"), False),
        ("46栋", None, D(46), False),
        ("1930户", None, D(1930), False),
        ("268万元", None, D("2680000"), False),
        ("约2.1亿元", None, D("210000000"), True),
        ("约 1.45 万平方米", None, D("14500"), True),
        ("2300余户", None, D(2300), True),
        ("1,930", None, D(1930), False),
        ("１９３０", None, D(1930), False),
        (" 12 000 ", None, D(12000), False),
        ("12000", "平方米", D(12000), False),
        ("1.2", "万平方米", D(12000), False),
        ("3.5", "万元", D(35000), False),
        ("8500㎡", None, D(8500), False),
        ("8500m²", None, D(8500), False),
    ],
)
def test_numbers_with_units_inside_cells_and_headers(text: str, unit: str | None, value: Decimal, approx: bool) -> None:
    n = values.parse_number(text, default_unit=unit)
    assert n is not None
    assert n.value == value
    assert n.approximate is approx


def test_qizhong_part_is_not_added_but_kept_as_a_note() -> None:
    n = values.parse_number("约1.45万平方米，其中0.4万平方米为简易修缮")
    assert n is not None and n.value == D(14500) and n.approximate
    assert "其中0.4万平方米" in n.note


def test_a_unit_in_the_cell_wins_over_the_header() -> None:
    n = values.parse_number("1.5万m2", default_unit="平方米")
    assert n is not None and n.value == D(15000)


def test_float_cells_from_calamine_are_exact() -> None:
    n = values.parse_number(1930.0)
    assert n is not None and n.value == D(1930)
    n = values.parse_number(0.1, default_unit="万元")
    assert n is not None and n.value == D(1000)


def test_text_without_a_figure_is_refused_in_chinese() -> None:
    with pytest.raises(ValueError, match="不是数字"):
        values.parse_number("若干")


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_property_plain_and_separated_numbers_read_back_exactly(x: Decimal) -> None:
    assert values.parse_number(str(x)).value == x  # type: ignore[union-attr]
    assert values.parse_number(f"{x:,}").value == x  # type: ignore[union-attr]


@given(
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(sorted(values.UNITS)),
)
def test_property_unit_conversion_is_exact(x: Decimal, unit: str) -> None:
    n = values.parse_number(f"{x}{unit}")
    assert n is not None
    assert n.value == x * values.UNITS[unit][1]
    assert values.parse_number(str(x), default_unit=unit).value == n.value  # type: ignore[union-attr]


@given(st.integers(min_value=0, max_value=10**8))
def test_property_full_width_digits_equal_ascii(x: int) -> None:
    full = "".join(chr(ord(c) + 0xFEE0) for c in str(x))
    assert values.parse_number(full).value == x  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "year", "approx"),
    [
        ("1995年", 1995, False),
        (1995.0, 1995, False),
        ("1983年至20xx年", 1983, True),
        ("20xx", None, True),
        ("19xx年", None, True),
        ("199x年", None, True),
        ("199X", None, True),
        ("20××年", None, True),
        ("１９９ｘ年", None, True),
        ("二〇〇三年", 2003, False),
        ("二零零三年", 2003, False),
        ("一九九五年", 1995, False),
        ("80年代", None, True),
        ("上世纪80年代", None, True),
        ("八十年代", None, True),
        ("20世纪90年代", None, True),
        ("90年代初", None, True),
        ("1980年代", None, True),
    ],
)
def test_years(text: object, year: int | None, approx: bool) -> None:
    y = values.parse_year(text)
    assert y is not None and y.value == year and y.approximate is approx


@pytest.mark.parametrize(
    ("cell", "expected", "precision"),
    [
        ("2021.3", date(2021, 3, 1), "month"),
        ("2021年3月", date(2021, 3, 1), "month"),
        ("2021-03-15", date(2021, 3, 15), "day"),
        ("2021年3月15日", date(2021, 3, 15), "day"),
        ("3月15日", date(2024, 3, 15), "day"),
        (44270, date(2021, 3, 15), "day"),
        ("44270", date(2021, 3, 15), "day"),
        (date(2021, 3, 15), date(2021, 3, 15), "day"),
        ("二〇二一年三月", date(2021, 3, 1), "month"),  # Chinese numerals: read as the same in digits
        ("二零二一年十二月", date(2021, 12, 1), "month"),
        ("二〇二一年三月十五日", date(2021, 3, 15), "day"),
        ("二〇二一年3月", date(2021, 3, 1), "month"),
        ("三月二十一日", date(2024, 3, 21), "day"),
    ],
)
def test_dates(cell: object, expected: date, precision: str) -> None:
    d = values.parse_date(cell, year=2024)
    assert d is not None and d.value == expected and d.precision == precision


@pytest.mark.parametrize(
    ("text", "decade"),
    [
        ("80年代", "1980年代"),
        ("上世纪80年代", "1980年代"),
        ("八十年代", "1980年代"),
        ("二十世纪九十年代", "1990年代"),
        ("20世纪90年代", "1990年代"),
        ("90年代初", "1990年代"),
        ("上世纪七十年代末", "1970年代"),
        ("00年代", "2000年代"),
        ("1980年代", "1980年代"),
    ],
)
def test_a_decade_is_no_year_and_its_hint_keeps_the_text_and_names_the_decade(text: str, decade: str) -> None:
    y = values.parse_year(text)
    assert y is not None and y.value is None and y.approximate and text in y.note and decade in y.note


@pytest.mark.parametrize(
    ("text", "decades"),
    [
        ("五六十年代", "1950年代、1960年代"),
        ("50-60年代", "1950年代、1960年代"),
        ("80-90年代", "1980年代、1990年代"),
        ("八九十年代", "1980年代、1990年代"),
        ("上世纪七八十年代", "1970年代、1980年代"),
        ("1980-1990年代", "1980年代、1990年代"),
        ("七、八十年代", "1970年代、1980年代"),  # it was read as 八十年代 alone
        ("1970-80年代", "1970年代、1980年代"),  # it was read as the year 1970
        ("80年代末90年代初", "1980年代、1990年代"),
        ("90-00年代", "1990年代、2000年代"),
        ("50-70年代", "1950年代、1960年代、1970年代"),
    ],
)
def test_two_decades_at_once_are_no_year_and_the_hint_names_both(text: str, decades: str) -> None:
    y = values.parse_year(text)
    assert y == values.Year(None, True, f"年份不详：{text}（{decades}）")


@pytest.mark.parametrize("text", ["90-80年代", "1983年至90年代"])
def test_a_backward_range_of_decades_or_a_year_beside_one_is_not_read_as_decades(text: str) -> None:
    """90-80年代 is no year a clerk meant (refused); 1983年至90年代 keeps the year it knows, flagged, as before."""
    if text.startswith("1983"):
        assert values.parse_year(text) == values.Year(1983, True, text)
    else:
        with pytest.raises(ValueError, match="不是年份"):
            values.parse_year(text)


def test_a_date_without_a_year_is_asked_about() -> None:
    with pytest.raises(ValueError, match="没有年份"):
        values.parse_date("3月15日")


@given(st.dates(min_value=date(1960, 1, 1), max_value=date(2099, 12, 31)))
def test_property_dates_in_every_written_form(d: date) -> None:
    for text in (
        d.isoformat(),
        f"{d.year}年{d.month}月{d.day}日",
        f"{d.year}.{d.month}.{d.day}",
        f"{d.year}/{d.month}/{d.day}",
    ):
        assert values.parse_date(text).value == d  # type: ignore[union-attr]
    serial = (d - values.EXCEL_EPOCH).days
    if 20000 <= serial <= 80000:
        assert values.parse_date(serial).value == d  # type: ignore[union-attr]
    assert values.parse_date(f"{d.month}月{d.day}日", year=d.year).value == d  # type: ignore[union-attr]


@given(st.text(max_size=12))
def test_property_parsers_never_fail_other_than_with_a_chinese_value_error(text: str) -> None:
    for parse in (values.parse_number, values.parse_year, values.parse_date, values.parse_status, values.dates_in_text):
        try:
            parse(text)
        except ValueError as exc:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("完工", "completed"),
        ("已完工", "completed"),
        ("竣工", "completed"),
        ("已完成", "completed"),
        ("在建", "started"),
        ("已开工", "started"),
        ("施工中", "started"),
        ("未开工", "planned"),
        ("已竣工", "completed"),
    ],
)
def test_status_words(word: str, status: str) -> None:
    assert values.parse_status(word) == status


def test_traditional_text_is_normalised_to_simplified() -> None:
    assert values.normalise("老舊小區 建設新村") == "老旧小区建设新村"


@pytest.mark.parametrize(
    ("name", "bare"),
    [
        ("其中:1.城东区", "城东区"),
        ("2.城西区", "城西区"),
        ("（3）幸福里", "幸福里"),
        ("幸福里", "幸福里"),
        ("1、2号楼", "1、2号楼"),  # buildings 1 and 2, not a list number before 2号楼
        ("3.4号楼", "3.4号楼"),
    ],
)
def test_list_numbers_are_stripped_from_names(name: str, bare: str) -> None:
    assert values.strip_list_number(values.normalise(name)) == bare


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("其中:1.城东区", 1),
        ("其中：12、城西区", 12),
        ("(3)幸福里", 3),
        ("二、城西区", 2),
        ("十一、城南区", 11),
        ("幸福里", None),
        ("其中：城关", None),
    ],
)
def test_the_list_number_a_name_starts_with(name: str, number: int | None) -> None:
    assert values.list_number(values.normalise(name)) == number


@pytest.mark.parametrize(
    ("cell", "name"),
    [
        (1, "1"),
        (2.0, "2"),
        ("3", "3"),
        ("3.0", "3"),
        ("1.5", "1.5"),
        ("4、", "4"),
        ("5.城东区", "城东区"),
        ("幸福里", "幸福里"),
    ],
)
def test_a_name_that_is_a_number_is_kept_not_stripped(cell: object, name: str) -> None:
    assert values.community_name(cell) == name


def test_serial_numbers_outside_the_date_range_are_refused() -> None:
    with pytest.raises(ValueError):
        values.parse_date(12)
    assert values.parse_date(None) is None
    assert (values.EXCEL_EPOCH + timedelta(days=44270)) == date(2021, 3, 15)


@pytest.mark.parametrize(
    ("text", "header", "value", "approx"),
    [
        ("2.1亿", "万元", D("210000000"), False),  # the cell's magnitude, not the header's unit
        ("300万", "元", D("3000000"), False),
        ("3千万", "万元", D("30000000"), False),
        ("1.2万", "平方米", D("12000"), False),
        ("1.2万方", "平方米", D("12000"), False),
        ("3.15万余平方米", "平方米", D("31500"), True),
        ("5.2万方平米", "万平方米", D("52000"), False),  # a whole unit still wins over 万 + 方平米
        ("約2.1億元", "万元", D("210000000"), True),  # traditional characters, as reposts have them
        ("268万元左右", "万元", D("2680000"), True),
        ("1.2万户", None, D("12000"), False),
    ],
)
def test_a_magnitude_in_a_cell_is_applied_whatever_the_header_says(
    text: str, header: str | None, value: Decimal, approx: bool
) -> None:
    n = values.parse_number(text, default_unit=header)
    assert n is not None and (n.value, n.approximate) == (value, approx)


@pytest.mark.parametrize("text", ["1.2公顷", "3亩", "12.3%", "3.3e2", "1200米"])
def test_a_unit_no_conversion_knows_is_refused_not_stored_as_the_headers(text: str) -> None:
    with pytest.raises(ValueError, match="单位无法换算"):
        values.parse_number(text, default_unit="平方米")


def test_a_percentage_column_takes_its_sign() -> None:
    assert values.parse_number("80%", default_unit="%").value == 80


def test_traditional_units_in_a_header() -> None:
    assert values.unit_in("建築面積（萬平方米）") == "万平方米" and values.unit_in("總投資（萬元）") == "万元"


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("未完工", "started"),
        ("尚未完成", "started"),
        ("未验收", "completed"),
        ("已完成80%", "started"),
        ("100%", "completed"),
        ("完成", "completed"),
        ("正在施工", "started"),
        ("主体完工", "started"),
        ("前期", "planned"),
        ("6月底前完工", "planned"),  # a deadline: the works are still to come
        ("2024年年底前开工", "planned"),
        ("已于6月底前完工", "completed"),
    ],
)
def test_negated_and_partial_status_words(word: str, status: str) -> None:
    assert values.parse_status(word) == status


def test_a_date_typed_as_a_number_is_year_and_month() -> None:
    assert values.parse_date(2021.3) == values.Day(date(2021, 3, 1), "month")


def test_a_number_cell_formatted_as_a_date_is_refused_not_read_as_its_year() -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="是日期格式的单元格"):
        values.parse_number(datetime(1900, 4, 9))


@given(st.integers(min_value=1901, max_value=2099), st.integers(min_value=1, max_value=12))
def test_property_a_year_and_month_typed_into_a_number_cell(year: int, month: int) -> None:
    """2021.3 is March; 2021.10 in a number cell is kept as 2021.1, read as January with the October reading
    beside it; the text '2021.10' is October, no doubt; under a year column the number is its year."""
    cell = float(f"{year}.{month:02d}")
    d = values.parse_date(cell)
    assert d is not None and d.precision == "month"
    if month == 10:
        assert d.value == date(year, 1, 1) and f"可能是{year}年10月" in d.doubt
    else:
        assert d.value == date(year, month, 1) and d.doubt == ""
    text = values.parse_date(f"{year}.{month}")
    assert text is not None and text.value == date(year, month, 1) and text.doubt == ""
    assert values.parse_year(cell) == values.Year(year)
    assert values.parse_year(f"{year}.{month:02d}") == values.Year(year)


@given(
    st.dates(min_value=date(1960, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(["开工", "已完工", "竣工", "完工"]),
    st.sampled_from(["", "已于", "于"]),
)
def test_property_a_date_inside_a_status_phrase(d: date, word: str, before: str) -> None:
    for written, precision, day in (
        (f"{d.year}年{d.month}月{d.day}日", "day", d),
        (f"{d.year}-{d.month:02d}-{d.day:02d}", "day", d),
        (f"{d.year}年{d.month}月", "month", d.replace(day=1)),
        (f"{d.year}.{d.month}", "month", d.replace(day=1)),
    ):
        found, rest = values.dates_in_text(f"{before}{written}{word}")
        assert [(x.day.value, x.day.precision, x.written) for x in found] == [(day, precision, written)]
        assert rest == before + word


@pytest.mark.parametrize(
    ("text", "day", "precision"),
    [
        ("2022年底完工", date(2022, 12, 1), "month"),
        ("2022年完工", date(2022, 1, 1), "year"),
        ("二〇二一年三月开工", date(2021, 3, 1), "month"),
        ("3月15日开工", date(2024, 3, 15), "day"),  # the sheet's year
    ],
)
def test_dates_inside_phrases_as_clerks_write_them(text: str, day: date, precision: str) -> None:
    found, _ = values.dates_in_text(text, year=2024)
    assert [(x.day.value, x.day.precision) for x in found] == [(day, precision)]


def test_a_phrase_without_a_date_or_with_a_bad_one() -> None:
    assert values.dates_in_text("已完工") == ([], "已完工")
    assert values.dates_in_text("2024年度计划")[0] == []
    with pytest.raises(ValueError, match="不是有效日期"):
        values.dates_in_text("2023年13月开工")
    with pytest.raises(ValueError, match="没有年份"):
        values.dates_in_text("3月15日开工")


@given(
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(sorted(values.MAGNITUDES)),
    st.sampled_from(["元", "平方米", "户", ""]),
    st.sampled_from(["（{}）", "({})"]),
)
def test_property_a_header_unit_with_a_magnitude_converts(x: Decimal, magnitude: str, base: str, br: str) -> None:
    """总投资（千元）, （百万元）, （万）, （千平方米）: the figure times the magnitude, not the 万元 inside 百万元."""
    unit = values.unit_in("总投资" + br.format(magnitude + base))
    assert unit is not None and values.known_unit(unit)
    assert values.parse_number(str(x), default_unit=unit).value == x * values.MAGNITUDES[magnitude]  # type: ignore[union-attr]


@given(
    st.sampled_from(["", "已", "已完工", "完工", "竣工"]),
    st.sampled_from(["未验收", "待验收", "正在验收", "验收中", "申请验收", "验收未通过"]),
)
def test_property_acceptance_not_passed_is_completed_not_accepted(before: str, pending: str) -> None:
    assert values.parse_status(before + pending) == "completed"


@given(
    st.sampled_from(["", "已", "已完工", "完工", "竣工", "已完工并"]),
    st.sampled_from(["验收", "通过验收", "已验收"]),
)
def test_property_acceptance_passed_is_accepted(before: str, passed: str) -> None:
    assert values.parse_status(before + passed) == "accepted"


@given(st.sampled_from(["基本", "部分", "大部分", "局部"]), st.sampled_from(["完工", "完成", "竣工"]))
def test_property_works_done_in_part_are_started(part: str, done: str) -> None:
    assert values.parse_status(part + done) == "started"


@given(
    st.decimals(min_value=0, max_value=10**5, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=10**5, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(["+", "＋", "/", "、"]),
)
def test_property_two_figures_in_a_cell_are_refused_never_the_first(x: Decimal, y: Decimal, sign: str) -> None:
    with pytest.raises(ValueError, match="不止一个数"):
        values.parse_number(f"{x}{sign}{y}", default_unit="万元")


@given(
    st.decimals(min_value=0, max_value=10**4, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(["-", "~", "至"]),
    st.sampled_from(["万平方米", "万元", "亿元", "万"]),
)
def test_property_a_range_keeps_the_unit_written_after_it(x: Decimal, sign: str, unit: str) -> None:
    n = values.parse_number(f"{x}{sign}{x + 1}{unit}", default_unit="平方米")
    assert n is not None and n.approximate and n.value == x * values._factor(unit)


@given(
    st.integers(min_value=1, max_value=10**5),
    st.sampled_from([("", "户以上"), ("不足", "户"), ("", "户以下"), ("少于", "户"), ("", "户左右")]),
)
def test_property_bounds_are_approximate(x: int, words: tuple[str, str]) -> None:
    n = values.parse_number(f"{words[0]}{x}{words[1]}")
    assert n is not None and n.approximate and n.value == x
