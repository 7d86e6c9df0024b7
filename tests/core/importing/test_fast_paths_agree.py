"""The ledger import's shortcuts give exactly what the plain code gives.

Row classification skips normalising a row whose first cells hold none of the keywords' characters; the
full-text body takes pinyin-initial suffixes as tokens when they are plain letters and digits; a column's
distinct values are parsed once (1, 1.0 and True apart); new ids are version-7 UUIDs
(tests/core/test_time_ordered_ids.py has the rest). Each is compared with
the plain form on messy input (hypothesis), not just on the benchmark's tidy cells.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from oldcomm_desktop.core import listing_index
from oldcomm_desktop.core.importing import rows as kinds
from oldcomm_desktop.core.importing.values import normalise, strip_list_number
from oldcomm_desktop.core.model.base import new_id
from oldcomm_desktop.core.pinyin_search import index_tokens, initials


def _plain_classify(row: list[Any], mapping: dict[int, str], labels: list[str]) -> kinds.Kind:
    """rows.classify as it was before its shortcuts (every cell and the first four normalised)."""
    texts = [unicodedata.normalize("NFKC", str(c)).replace(" ", "") if c not in (None, "") else "" for c in row]
    joined = "".join(texts)
    if not joined:
        return kinds.Kind(kinds.BLANK)
    first = normalise("".join(texts[:4]))
    if first.startswith(kinds.NOTE_WORDS):
        return kinds.Kind(kinds.FOOTER)
    if "小计" in first:
        return kinds.Kind(kinds.SUBTOTAL)
    if any(w in first for w in ("合计", "总计", "总共")):
        return kinds.Kind(kinds.TOTAL)
    if any(joined.startswith(w) or first.startswith(w) for w in kinds.FOOTER_WORDS):
        return kinds.Kind(kinds.FOOTER)
    name_col = next((c for c, f in mapping.items() if f == "name"), None)
    name = normalise(texts[name_col]) if name_col is not None and name_col < len(texts) else ""
    if labels and name_col is not None and name_col < len(labels) and name == normalise(labels[name_col]):
        return kinds.Kind(kinds.HEADER)
    for t in texts:
        m = kinds.BATCH_PATTERN.search(t) if "小区" in t or "小區" in t else None
        if m and int(m.group(1)) > 1:
            return kinds.Kind(kinds.BATCH, int(m.group(1)))
    if name.startswith("其中") and strip_list_number(name) == re.sub(r"^其中[:：]?", "", name):
        return kinds.Kind(kinds.PART)
    if not name:
        figures = [
            texts[c] for c, f in mapping.items() if f not in ("seq", "name") and c < len(texts) and texts[c]
        ]
        if any(any(ch.isdigit() for ch in t) for t in figures):
            return kinds.Kind(kinds.PART if any(t.startswith("其中") for t in texts[:4]) else kinds.NAMELESS)
        return kinds.Kind(kinds.BLANK)
    return kinds.Kind(kinds.COMMUNITY)


WORDS = [
    "小计", "小計", "合计", "合計", "總計", "总共", "注:", "注：", "説明:", "说明：", "備註:", "注1", "填报人",
    "填報人", "审核人", "聯繫電話:", "制表", "製表", "其中", "其中:1.", "7个小区", "3個小區", "1个小区", "幸福里",
    "城关街道", " ", "\t", "\n", "　", "１２", "A", "",
]  # fmt: skip
cells = st.one_of(
    st.none(),
    st.integers(-5, 3000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.sampled_from(WORDS), max_size=4).map("".join),
    st.text(max_size=6),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(cells, min_size=1, max_size=7))
def test_classify_agrees_with_the_plain_code(row: list[Any]) -> None:
    mapping = {1: "township", 2: "name"}
    labels = ["序号", "乡镇（街道）", "小区名称"]
    assert kinds.classify(row, mapping, labels) == _plain_classify(row, mapping, labels)


def test_classify_still_sees_traditional_and_spaced_keywords() -> None:
    mapping, labels = {1: "name"}, ["序号", "小区名称"]
    assert kinds.classify(["", "城關街道小計"], mapping, labels).kind == kinds.SUBTOTAL
    assert kinds.classify(["總計", ""], mapping, labels).kind == kinds.TOTAL
    assert kinds.classify(["填\t報人：張三", ""], mapping, labels).kind == kinds.FOOTER
    assert kinds.classify([1, "幸福里"], mapping, labels).kind == kinds.COMMUNITY


def _plain_body(name: str | None, address: str | None, ini: str | None) -> str:
    suffixes = " ".join(w[i:] for w in (ini or "").split() for i in range(len(w)))
    return index_tokens(name, address, suffixes)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.none(), st.text(max_size=8)),
    st.one_of(st.none(), st.text(max_size=8)),
    st.one_of(st.none(), st.text(alphabet="abcxyz019 -Ä", max_size=12)),
)
def test_full_text_body_agrees_with_the_plain_code(name: str | None, address: str | None, ini: str | None) -> None:
    assert listing_index.community_body(name, address, ini) == _plain_body(name, address, ini)
    assert listing_index.community_body(name, address, initials(name)) == _plain_body(name, address, initials(name))


def test_new_ids_are_version_7_uuids() -> None:
    seen = set()
    for _ in range(5000):
        text = new_id()
        u = uuid.UUID(text)
        assert (u.version, u.variant, str(u)) == (7, uuid.RFC_4122, text)
        seen.add(text)
    assert len(seen) == 5000


def test_equal_cells_of_different_types_are_parsed_apart(county_db: Any, tmp_path: Any) -> None:
    """1 and True are equal in Python; a memo keyed on the value alone would accept the True."""
    import xlsxwriter

    from oldcomm_desktop.core.importing import ledger

    path = tmp_path / "types.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("台账")
    ws.write_row(0, 0, ["乡镇（街道）", "小区名称", "楼栋数", "户数", "开工时间", "状态"])
    ws.write_row(1, 0, ["城关街道", "幸福里", 1, 100, "2025.3", "在建"])
    ws.write_row(2, 0, ["城关街道", "和平苑", True, 100, "2025.3", "在建"])
    ws.write_row(3, 0, ["城关街道", "建设新村", 1.0, 100, "2025.3", "在建"])
    wb.close()
    with county_db.transaction("导入员") as s:
        plan = ledger.plan(s, path, ledger.Options(year=2025))
    by_name = {r.name: r for r in plan.rows}
    assert by_name["幸福里"].action == ledger.NEW
    assert by_name["建设新村"].action == ledger.NEW
    assert by_name["和平苑"].action == ledger.REJECTED and "楼栋数" in by_name["和平苑"].reason
    started = [m for m in plan.bulk_plan.rows["milestone"] if m["kind"] == "start"]
    assert {m["reached_on"] for m in started} == {date(2025, 3, 1)}
