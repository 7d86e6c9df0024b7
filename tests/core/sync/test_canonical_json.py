"""A shadow's state text is the same whether orjson or json wrote it: shadows stored by an earlier release are
compared with texts written now (tables.dumps), and one character's difference would send every record again."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oldcomm_desktop.core.sync import tables

orjson = pytest.importorskip("orjson")


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def test_every_code_point_is_written_as_json_writes_it() -> None:
    for start in range(0, 0x110000, 4096):
        text = "".join(chr(c) for c in range(start, min(start + 4096, 0x110000)) if not 0xD800 <= c <= 0xDFFF)
        value = {"name": text, "键" + text[:50]: 1}
        assert tables.dumps(value) == _json(value)


@pytest.mark.parametrize(
    "value",
    [
        {"n": 2**63 - 1, "m": -(2**63), "u": 2**64 - 1},
        {"big": 10**20},  # beyond 64 bits: orjson refuses, json writes it
        {"bad": "\ud800"},  # a lone surrogate: orjson refuses, json writes it
        {"f": 1e16, "g": 0.1},  # floats: json's own spelling (1e+16), not orjson's
        {"nested": {"b": 1, "a": [1, 2.5, None]}},  # deeper than one level: json
        {"*": {"341122001000": 3, "341122000000": 1}, "name": {"341122001000": 2}},  # clocks
        {"list": [3, "a", None, True], "dict": {"z": "中", "a": None}, "empty": {}, "none": []},
        {"floats": [1.5], "in": {"f": 1e16}},
        {2: "a", 1: "b"},  # non-text keys (json turns them into text)
        {"yes": True, "no": False, "none": None, "z": "", "A": "é", "_": "中"},
    ],
)
def test_values_orjson_leaves_to_json_or_writes_the_same(value: dict) -> None:
    assert tables.dumps(value) == _json(value)


_scalars = st.one_of(st.text(), st.integers(min_value=-(2**70), max_value=2**70), st.booleans(), st.none())
_values = st.one_of(
    _scalars,
    st.dictionaries(st.text(), _scalars, max_size=4),
    st.lists(_scalars, max_size=4),
    st.floats(allow_nan=False),
    st.dictionaries(st.text(), st.dictionaries(st.text(), _scalars, max_size=2), max_size=2),
)


@given(st.dictionaries(st.text(), _values, max_size=12))
@settings(max_examples=400, deadline=None)
def test_a_state_of_text_integers_yes_no_and_empty_reads_the_same(value: dict) -> None:
    assert tables.dumps(value) == _json(value)
