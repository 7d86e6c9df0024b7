"""The briefing rounds the way speeches do — down, with 余 — and its numbers trace back to the rows."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from oldcomm_desktop.core.returns import briefing
from oldcomm_desktop.core.returns.briefing import (
    area_phrase,
    area_value,
    households_phrase,
    households_value,
    money_phrase,
    money_value,
)


@pytest.mark.parametrize(
    ("n", "text"), [(15862, "15800余户"), (15800, "15800户"), (99, "99户"), (960, "960户"), (967, "960余户")]
)
def test_households_examples(n: int, text: str) -> None:
    assert households_phrase(n) == text


@pytest.mark.parametrize(
    ("m2", "text"),
    [
        ("1352345", "135万平方米"),
        ("1350000", "135万平方米"),
        ("82345", "8.23万平方米"),
        ("8500.7", "8500平方米"),
        ("145000", "14.5万平方米"),
    ],
)
def test_area_examples(m2: str, text: str) -> None:
    assert area_phrase(Decimal(m2)) == text


@pytest.mark.parametrize(
    ("yuan", "text"),
    [
        ("870123456.78", "8.7亿元"),
        ("879999999.99", "8.7亿元"),
        ("31000000", "3100万元"),
        ("6800", "6800元"),
        ("12345678901.23", "123亿元"),
    ],
)
def test_money_examples(yuan: str, text: str) -> None:
    assert money_phrase(Decimal(yuan)) == text


SCALE = {
    "万平方米": Decimal(10000),
    "平方米": Decimal(1),
    "亿元": Decimal(10**8),
    "万元": Decimal(10000),
    "元": Decimal(1),
}


def _unit_of_last_digit(value: Decimal) -> Decimal:
    return Decimal(1).scaleb(value.as_tuple().exponent)


@given(st.integers(min_value=0, max_value=10**8))
def test_households_never_up_and_less_than_one_spoken_unit_down(n: int) -> None:
    spoken = households_value(n)
    unit = 1 if n < 100 else (10 if n < 1000 else 100)
    assert spoken <= n < spoken + unit
    assert ("余" in households_phrase(n)) == (spoken != n)


@given(st.decimals(min_value=0, max_value=10**10, places=2))
def test_area_never_up_and_less_than_one_spoken_unit_down(m2: Decimal) -> None:
    value, unit = area_value(m2)
    true = m2 / SCALE[unit]
    assert value <= true < value + _unit_of_last_digit(value)


@given(st.decimals(min_value=0, max_value=10**12, places=2))
def test_money_never_up_and_less_than_one_spoken_unit_down(yuan: Decimal) -> None:
    value, unit = money_value(yuan)
    true = yuan / SCALE[unit]
    assert value <= true < value + _unit_of_last_digit(value)
    assert re.fullmatch(r"\d+(\.\d)?(亿元|万元|元)", money_phrase(yuan))


def test_briefing_of_the_ledger_and_its_sources(ledger, tmp_path: Path) -> None:
    db, _ = ledger
    with db.transaction() as s:
        b = briefing.build(s, day=date(2026, 11, 30))
        june = briefing.build(s, day=date(2026, 6, 1))
    # one community finished (幸福里小区: 120 households, 10,000.55 m²); invested 900,000 + 123,456.78
    assert b.headline == (
        "截至2026年11月30日，全县已累计完成老旧小区改造1个，涉及居民120户，改造建筑面积1万平方米，投入改造资金102万元。"
    )
    assert "完成老旧小区改造0个" in june.headline and "投入改造资金80万元" in june.headline
    assert b.plan_sentence == "2026年计划改造老旧小区3个，已开工2个（含已完工）。"
    total = b.township_rows[-1].values
    assert total["township"] == "合计" and total["finished"] == 1 and total["households"] == 120
    files = briefing.write(b, tmp_path / "汇报.docx")
    txt = briefing.write(b, tmp_path / "汇报.txt")[0].read_text("utf-8")
    assert b.headline in txt
    from docx import Document

    doc = Document(str(files[0]))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert b.headline in text and "附表：数字来源" in text
    assert doc.tables[0].rows[-1].cells[0].text == "合计"
    wb = load_workbook(files[1])
    rows = list(wb["小区明细"].values)
    counted = [r for r in rows[1:] if r[rows[0].index("计入完成改造")] == "是"]
    assert [r[1] for r in counted] == ["幸福里小区"]
    assert list(wb["汇报数字"].values)[2][2] == "120户"
