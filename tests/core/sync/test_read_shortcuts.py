"""The reading and checking shortcuts of a big package give exactly what the plain code gives.

A records member is read by orjson with the state's and the clocks' text cut from each line's bytes
(`package._fast_record_lines`); any line not plainly in the exporter's layout sends the whole member back to the
line-by-line reader, so the rows, the texts and the messages are the plain reader's. A row's value check asks each
column about an empty value once (`RowCodec.empty_checks`): the answers must be the ones the column's own check
gives, and a record breaking a rule is still refused with nothing changed. The merge looks each catalogue key
up once: an unknown one after known ones is still refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from oldcomm_desktop.core.sync import importer, package, tables
from oldcomm_desktop.core.sync.package import PackageError

from .conftest import COUNTY, T1, assert_refused, edit_record, rewrite

pytest.importorskip("orjson")


def _plain(raw: bytes) -> tuple[list[dict[str, Any]], dict[str, tuple[str, str]]]:
    texts: dict[str, tuple[str, str]] = {}
    saved = package._orjson
    package._orjson = None
    try:
        rows = package._parse_lines("records/community.jsonl", raw, texts)
    finally:
        package._orjson = saved
    return rows, texts


def _line(rid: str, v: dict[str, Any], c: Any = None, t: Any = "2026-05-01T08:00:00") -> str:
    c = {"*": {"341122001000": 1}} if c is None else c
    return json.dumps({"id": rid, "t": t, "v": v, "c": c}, ensure_ascii=False, separators=(",", ":"))


def test_the_fast_reader_gives_the_plain_readers_rows_and_texts() -> None:
    lines = [
        _line("a", {"name": "幸福里", "notes": 'say "c": yes,"c":{}', "nested": {"v": 1, "c": 2}}),
        _line("b", {"name": "和平路\\\\", "households": 12}, c={"*": {"341122001000": 2}, "name": {"341122000000": 1}}),
        _line("c", {"name": "x"}, t=None),
        "",
        _line("d", {"name": "尾行"}) + "  ",
    ]
    raw = ("\n".join(lines) + "\n").encode()
    fast = package._fast_record_lines(raw)
    assert fast is not None
    rows, texts = fast
    assert all(type(v) is bytes for v, _c in texts.values())  # stored as they are (test_shadow_bytes.py)
    assert (rows, {k: (v.decode(), c) for k, (v, c) in texts.items()}) == _plain(raw)  # type: ignore[union-attr]
    for row in rows:  # the cut texts are the values' own
        assert json.loads(texts[row["id"]][0]) == row["v"] and json.loads(texts[row["id"]][1]) == row["c"]


@pytest.mark.parametrize(
    "line",
    [
        _line("a", {"name": "x"}, c={"*": {"341122001000": 1}, "c": {"341122001000": 1}}),  # a clock named "c"
        _line("a", {"name": "x"}, t={"v": 1}),  # a time that is no text
        '{"id":"a","t":null,"v": {"name":"x"},"c":{"*":{"341122001000":1}}}',  # another layout
        '{"t":null,"id":"a","v":{"name":"x"},"c":{"*":{"341122001000":1}}}',
        '{"id":"a","t":null,"v":{"n":NaN},"c":{"*":{"341122001000":1}}}',  # json reads it, orjson does not
        _line("a", {"name": "x\u2028y"}),  # a break str.splitlines knows
        _line("a", {"name": "“x\u2029y”"}),  # another, beside other characters of the same first byte (E2)
        _line("a", {"name": "x\x85y"}),  # one of two bytes (C2 85)
        "\u3000",  # a blank line of a non-ASCII space
        # the line's own key repeated (JSON lets the last stand): the cut text would not be the value
        '{"id":"a","t":null,"v":{"name":"x"},"v":{"name":"y"},"c":{"*":{"341122001000":1}}}',
        '{"id":"a","t":null,"v":{"name":"x"},"c":{"*":{"341122001000":1}},"c":{"*":{"341122001000":2}}}',
    ],
)
def test_anything_unusual_is_read_by_the_plain_reader(line: str) -> None:
    raw = (_line("z", {"name": "前"}) + "\n" + line + "\n").encode()
    assert package._fast_record_lines(raw) is None
    texts: dict[str, tuple[str, str]] = {}
    try:
        expected: Any = _plain(raw)
    except PackageError as exc:
        expected = str(exc)
    try:
        got: Any = (package._parse_lines("records/community.jsonl", raw, texts), texts)
    except PackageError as exc:
        got = str(exc)
    assert got == expected


@pytest.mark.parametrize("text", ["", "前后“引号”…—", "\u00a0\u00b7", "\u2027\u202a\u2030"])
@pytest.mark.parametrize("brk", package._OTHER_BREAKS)
def test_a_break_is_found_wherever_it_stands(text: str, brk: bytes) -> None:
    """The search for the longer breaks starts from their first byte: near misses (other characters of the
    same first byte) are no break, each break is found at the start, the middle and the end."""
    assert not package._other_break(text.encode())
    for raw in (brk + text.encode(), text.encode() + brk + text.encode(), text.encode() + brk):
        assert package._other_break(raw)


def test_a_duplicate_id_keeps_the_plain_message() -> None:
    raw = (_line("a", {"name": "x"}) + "\n" + _line("a", {"name": "y"}) + "\n").encode()
    assert package._fast_record_lines(raw) is None
    with pytest.raises(PackageError, match="第 2 行：记录 a 重复出现"):
        package._parse_lines("records/community.jsonl", raw, {})


@pytest.mark.parametrize("name", ["community", "renovation_item", "funding_line", "attachment", "return_submission"])
def test_empty_values_are_judged_as_each_column_judges_them(name: str) -> None:
    codec = tables.RowCodec(name, importer._NO_KEYS)
    for column, check, if_empty in codec.empty_checks:
        assert if_empty == check(None), column
    for column, _check, if_empty in codec.empty_checks:
        values = {c: None for c in codec.names}  # every column present and empty
        found = codec.problems(values)
        first = next(((c, e) for c, _k, e in codec.empty_checks if e), None)
        assert found == first
        if if_empty and column not in codec.defaulted:
            assert codec.problems({k: v for k, v in values.items() if k != column}) is not None


def test_a_required_value_sent_empty_is_still_refused(world, tmp_path: Path) -> None:
    t1 = world[T1]
    t1.new_community("幸福里1号小区", households=100)
    t1.new_community("幸福里2号小区", households=100)
    pkg = t1.export().path

    def emptied(m: dict) -> None:
        edit_record(m, "community", lambda last: last["v"].update(status=None), index=-1)  # not nullable

    bad = rewrite(pkg, tmp_path / "bad.ocpkg", t1, members=emptied)
    assert_refused(world[COUNTY], bad, "状态")


def test_an_unknown_catalogue_key_after_known_ones_is_refused(world, tmp_path: Path) -> None:
    """The merge looks each catalogue key up once (a package's items name a few types thousands of times): a key
    this database lacks, after items whose key it knows, still refuses the package and changes nothing."""
    from sqlalchemy import select

    from oldcomm_desktop.core import items
    from oldcomm_desktop.core.model import ItemType

    t1 = world[T1]
    cid = t1.new_community("幸福里1号小区", households=100)
    with t1.db.transaction("录入员") as s:
        kind = s.scalars(select(ItemType.id).order_by(ItemType.code)).first()
        for _ in range(3):
            items.create(s, cid, {"item_type_id": kind, "planned_quantity": "10"}, confirm=True)
    pkg = t1.export().path

    def unknown_type(m: dict) -> None:
        kinds = {json.loads(line)["v"]["item_type_id"] for line in m["records/renovation_item.jsonl"].splitlines()}
        assert len(kinds) == 1
        edit_record(m, "renovation_item", lambda last: last["v"].update(item_type_id="no_such_type"), index=-1)

    bad = rewrite(pkg, tmp_path / "bad.ocpkg", t1, members=unknown_type)
    county = world[COUNTY]
    assert_refused(county, bad, "引用的目录项“no_such_type”在本数据库中不存在")
    assert county.import_(pkg).tables["renovation_item"].added == 3
