"""The pinyin sort key and initials cached per run of Chinese characters equal pypinyin over the whole name,
also where a dictionary phrase meets digits, Latin letters or punctuation (how pypinyin's strict segmenter
ends a run depends on what follows it)."""

from __future__ import annotations

import random
import unicodedata

from pypinyin import lazy_pinyin
from pypinyin.constants import PHRASES_DICT

from oldcomm_desktop.core import pinyin_search
from tests.core.importing.test_pinyin_cache import _reference


def _sort_reference(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip()
    return " ".join(p.strip() for p in lazy_pinyin(text) if p.strip()).lower()[:400]


def _names() -> list[str]:
    rng = random.Random(11)
    phrases = rng.sample(sorted(PHRASES_DICT), 400)
    parts = [*phrases, "12", "A", "b", "-", "号", "楼", "(", "Ⅱ", "①", " ", "区", "长", "重", "行", "·", "ｂ", "３"]
    names = ["".join(rng.choice(parts) for _ in range(rng.randint(1, 6))) for _ in range(1500)]
    return names + ["重庆12号", "银行3栋银行", "朝阳路A区行政中心", "  前后空格  ", "①号楼", "Ⅱ期", "〇一二", "ab-cd"]


def test_sort_key_equals_lazy_pinyin_of_the_whole_name() -> None:
    for name in _names():
        assert pinyin_search.sort_key(name) == _sort_reference(name), name
    assert pinyin_search.sort_key("") == "" and pinyin_search.sort_key(None) == ""


def test_initials_equal_pypinyin_where_phrases_meet_other_characters() -> None:
    for name in _names():
        assert pinyin_search.initials(name) == _reference(name), name


def test_index_tokens_split_runs_at_every_separator_and_script_change() -> None:
    assert pinyin_search.index_tokens("幸福里12号楼", "ＡＢ-3") == "幸福 福里 里 12 号楼 楼 ab 3"
    assert pinyin_search.index_tokens("  ", None, "") == ""
