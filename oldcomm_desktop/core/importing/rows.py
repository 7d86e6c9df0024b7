"""What each row below the header is: a community, a subtotal, a total, a batch, a 其中 part, a footer.

Subtotals (…小计, 全县小计:, 片区小计) and totals (合计, 总计) may stand first, in the middle or last: they
are never imported or counted, only used to reconcile. A row that stands for a batch of communities
("第二批次 | 某社区连片改造项目 | 7个小区") is flagged, not imported as one community. A "其中…" row is a part
of the row above it and is not added. Footer lines (填报人, 审核人, 联系电话) end nothing but are skipped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from oldcomm_desktop.core.chinese_script import traditional_characters
from oldcomm_desktop.core.importing.values import normalise, strip_list_number

COMMUNITY, SUBTOTAL, TOTAL, BATCH, PART, FOOTER, BLANK, HEADER, NAMELESS, HEADING = (
    "community",
    "subtotal",
    "total",
    "batch",
    "part",
    "footer",
    "blank",
    "header",
    "nameless",
    "heading",
)
KIND_LABELS = {
    COMMUNITY: "小区",
    SUBTOTAL: "小计行（不导入，用于核对）",
    TOTAL: "合计行（不导入，用于核对）",
    BATCH: "代表一批小区的行（不能作为一个小区导入）",
    PART: "“其中”分项（不计入合计）",
    FOOTER: "表尾（填报人等）",
    BLANK: "空行",
    HEADER: "重复的表头",
    NAMELESS: "有数字但没有小区名称的行",
    HEADING: (
        "分组标题行（如“一、新开工项目”，不是小区，不导入；其下各行空着的乡镇（街道）、状态、新开工/续建按标题填写）"
    ),
}
NOTE_WORDS = ("注:", "说明:", "备注:", "注1", "注2")
FOOTER_WORDS = (
    "填报人",
    "审核人",
    "填报单位",
    "填表人",
    "联系电话:",
    "填报日期",
    "制表",
    "填表说明",
    "填报说明",
    "附注",
)
BATCH_PATTERN = re.compile(r"(\d+)\s*个小区")


@dataclass(frozen=True)
class Kind:
    kind: str
    batch_size: int | None = None  # for a batch row: how many communities it stands for


_CHEAP: dict[str, str] = {}  # text cell -> its cheap form (a ledger repeats townships, statuses, years)


def _cheap(text: str) -> str:
    found = _CHEAP.get(text)
    if found is None:
        if len(_CHEAP) > 200_000:
            _CHEAP.clear()
        found = _CHEAP[text] = unicodedata.normalize("NFKC", text).replace(" ", "")
    return found


def _cell_text(c: Any) -> str:
    """A cell as the cheap checks read it: NFKC, spaces removed ('' for an empty cell)."""
    kind = type(c)
    if kind is str:
        return _cheap(c)
    if kind is int or kind is float:  # str() of a number is ASCII without spaces: NFKC leaves it as it is
        return str(c)
    return "" if c is None else _cheap(str(c))


TOTAL_WORDS = ("合计", "总计", "总共", "共计", "总数")
_WORDS = (*NOTE_WORDS, "小计", *TOTAL_WORDS, *FOOTER_WORDS)
# the Chinese characters of those words: a row whose first cells hold none of them (nor a traditional
# character OpenCC could turn into one) is none of these rows, without normalising its text
_WORD_CHARS = frozenset(ch for w in _WORDS for ch in w if not ch.isascii())


def classify(row: list[Any], mapping: dict[int, str], labels: list[str]) -> Kind:
    # NFKC only for the cheap checks; the full normalisation (OpenCC) for the few cells that decide
    texts = list(map(_cell_text, row))
    joined = "".join(texts)
    if not joined:
        return Kind(BLANK)
    head = "".join(texts[:4])
    if not (_WORD_CHARS.isdisjoint(head) and traditional_characters().isdisjoint(head)):
        first = normalise(head)
        if first.startswith(NOTE_WORDS):  # "注：建筑面积按精确值合计为…" under a return: a note, not a total
            return Kind(FOOTER)
        if any(w in first for w in ("小计",)):
            return Kind(SUBTOTAL)
        if any(w in first for w in TOTAL_WORDS):
            return Kind(TOTAL)
    else:
        first = head  # holds none of the words' characters: normalising could not make one appear
    if joined.startswith(FOOTER_WORDS) or first.startswith(FOOTER_WORDS):
        return Kind(FOOTER)
    name_col = next((c for c, f in mapping.items() if f == "name"), None)
    name = normalise(texts[name_col]) if name_col is not None and name_col < len(texts) else ""
    if labels and name_col is not None and name_col < len(labels) and name == normalise(labels[name_col]):
        return Kind(HEADER)
    if "小" in joined:  # (a cell holding 小区 or 小區 holds 小)
        for t in texts:
            m = BATCH_PATTERN.search(t) if "小区" in t or "小區" in t else None
            if m and int(m.group(1)) > 1:
                return Kind(BATCH, int(m.group(1)))
    if name.startswith("其中") and strip_list_number(name) == re.sub(r"^其中[:：]?", "", name):
        return Kind(PART)  # "其中：简易修缮…" (a part); "其中:1.城东区" is a name with a list number
    if not name:
        # figures without a name (a name cell left empty, a community's second line): not passed over as an
        # empty row, or its figures would be lost without a word; a heading row (一、城关街道) holds no digit
        if any(
            f not in ("seq", "name") and c < len(texts) and any(ch.isdigit() for ch in texts[c])
            for c, f in mapping.items()
        ):
            if any(t.startswith("其中") for t in texts[:4]):
                return Kind(PART)
            return Kind(NAMELESS)
        return Kind(BLANK)
    return Kind(COMMUNITY)
