"""Pinyin initials for search, so a clerk types `xfl` and finds 幸福里小区.

Every reading of a polyphonic character is indexed (曾家巷 as both ceng and zeng, tech-notes §10): the
stored text holds each alternative spelling of the initials, space-separated, and search is a LIKE.

pypinyin costs ~100–270 µs a name, seconds for a 50,000-row import; the readings of a word never change,
so they are cached per word of pypinyin's own segmentation (a phrase such as 重庆 keeps its phrase
reading, any other character is cached on its own). The result is the same as asking pypinyin for the
whole name (tests/core/test_pinyin_search.py checks that), at a few microseconds a name.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
import unicodedata
from typing import Any

from oldcomm_desktop.core.chinese_script import simplified

MAX_VARIANTS = 8


@functools.lru_cache(maxsize=200_000)
def _word(word: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """(best initial per character, every initial per character) of one segment, lower case."""
    from pypinyin import Style, pinyin

    keep = lambda s: list(s)  # noqa: E731 - non-Chinese characters pass through as typed
    best = tuple(r[0][:1].lower() for r in pinyin(word, style=Style.FIRST_LETTER, errors=keep))  # type: ignore[arg-type]
    readings = pinyin(word, style=Style.FIRST_LETTER, heteronym=True, errors=keep)  # type: ignore[arg-type]
    choices = tuple(tuple(sorted({o[:1].lower() for o in options if o})) or ("",) for options in readings)
    return best, choices


@functools.cache
def _hans_runs() -> Any:
    """A pattern that splits text into runs of Chinese characters and runs of anything else, exactly as
    pypinyin's simple_seg does (its RE_HANS, one character at a time)."""
    from pypinyin.constants import RE_HANS

    pattern = RE_HANS.pattern
    assert pattern.startswith("^(?:[") and pattern.endswith("])+$")
    return re.compile("(" + pattern[4:-3] + "+)")


def _runs_of(text: str) -> list[tuple[bool, str]]:
    """(is Chinese, run) pieces of `text`, in order."""
    return [(i % 2 == 1, r) for i, r in enumerate(_hans_runs().split(text)) if r]


def _other_initials(run: str) -> tuple[list[str], list[tuple[str, ...]]]:
    """(best, choices) of a run without Chinese: the segmenter yields it one character at a time."""
    best: list[str] = []
    choices: list[tuple[str, ...]] = []
    for ch in run:
        if ch.isascii() or ch.isspace():  # pypinyin passes these through one character at a time
            best.append(ch.lower())
            choices.append((ch.lower(),))
        else:
            b, c = _word(ch)
            best += b
            choices += c
    return best, choices


@functools.lru_cache(maxsize=100_000)
def _run_initials(run: str, followed: bool) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """(best, choices) of one run, as `initials` builds them word by word of pypinyin's segmentation.

    No phrase of pypinyin's dictionary holds a character outside its Chinese ranges, so segmenting a whole
    name equals segmenting each run; `followed` (a run of Chinese followed by anything) matters only to how
    its strict segmenter ends a run, so the run is cut with a stand-in for what follows.
    """
    from pypinyin.seg.mmseg import seg

    words = list(seg.cut(run + "\x00"))[:-1] if followed else list(seg.cut(run))
    best: list[str] = []
    choices: list[tuple[str, ...]] = []
    for word in words:
        if word.isascii() or word.isspace():  # pypinyin passes these through one character at a time
            best += [c.lower() for c in word]
            choices += [(c.lower(),) for c in word]
            continue
        b, c = _word(word)
        best += b
        choices += c
    return tuple(best), tuple(choices)


@functools.lru_cache(maxsize=100_000)
def initials(text: str | None) -> str:
    """Space-separated initials variants of `text`, lower case, the phrase-dictionary reading first."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    best: list[str] = []
    choices: list[tuple[str, ...]] = []
    runs = _runs_of(text)
    for i, (hans, run) in enumerate(runs):
        b, c = _run_initials(run, i < len(runs) - 1) if hans else _other_initials(run)
        best += b
        choices += c
    variants = ["".join(best)]
    variants += ["".join(c) for c in itertools.islice(itertools.product(*choices), MAX_VARIANTS)]
    return " ".join(dict.fromkeys(variants))


def search_text(*parts: str | None) -> str:
    """The stored search key: the initials of each part, and a part written in traditional characters in its
    simplified form too, so 建设路 finds 建設路小區 (a traditional query looks for its simplified form
    as well: `search_forms`)."""
    return " ".join(initials(p) + (" " + s if (s := simplified(p)) != p else "") for p in parts if p)


def search_forms(word: str) -> tuple[str, ...]:
    """What a search word looks for: itself, and its simplified form when it holds a traditional character —
    建設路 finds 建设路小区 (whose key is simplified) and still finds text stored in traditional characters
    that no key simplifies (an address, an item's description, a key written before)."""
    plain = simplified(word)
    return (word,) if plain == word else (word, plain)


def sort_key(text: str | None) -> str:
    """The order a WPS or Excel user expects for Chinese names: by pinyin, syllables split by spaces.

    SQLite and PostgreSQL compare Chinese by code point (东风, 丝绸厂, 中心街…); stored beside the name, this
    key sorts 丝绸厂 (si) after 东风 (dong) and before 中心街 (zhong) in SQL, from an index. The space sorts
    before every letter, so 李 (li) comes before 梁 (liang). Digits and Latin letters pass through as typed.

    pypinyin converts word by word of its own segmentation, so each word's reading is cached: the same key
    as `lazy_pinyin` of the whole name, without ~100 µs a name in a bulk import.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).strip()
    syllables: list[str] = []
    for hans, run in _runs_of(text):  # pypinyin converts run by run (simple_seg); each run's reading is cached
        if hans:
            syllables += _run_syllables(run)
        elif run.strip():  # pypinyin returns a run without Chinese as it is
            syllables.append(run.strip())
    return " ".join(syllables).lower()[:400]


@functools.lru_cache(maxsize=200_000)
def _run_syllables(word: str) -> tuple[str, ...]:
    """lazy_pinyin of one run, stripped, blanks dropped."""
    from pypinyin import lazy_pinyin

    return tuple(p.strip() for p in lazy_pinyin(word) if p.strip())


def community_columns(name: str | None, address: str | None = None) -> dict[str, str]:
    """Every stored column derived from a community's own fields, for the ORM hook and the bulk write path.

    One function per table, so a bulk import computes exactly what a save through the services does.
    """
    return {"search_initials": search_text(name), "name_sort": sort_key(name)}


def project_columns(name: str | None) -> dict[str, str]:
    """Every stored column derived from a project's own fields (see `community_columns`)."""
    return {"search_initials": search_text(name), "name_sort": sort_key(name)}


# character → True (an ASCII letter or digit), False (any other letter or number: Chinese), None (separator)
_KIND: dict[str, bool | None] = {}


def _kind(ch: str) -> bool | None:
    if ch.isascii() and ch.isalnum():
        return True
    if unicodedata.category(ch)[0] in "LN":
        return False
    return None


# Text of ASCII and common Chinese characters only (most names and addresses): the runs are what the
# per-character loop below finds (every ASCII character but letters and digits separates; each of these
# Chinese characters is a letter), found by one regex in C.
_SIMPLE = re.compile("[\x00-\x7f\u4e00-\u9fa5]*")
_SIMPLE_RUNS = re.compile("([a-z0-9]+)|([\u4e00-\u9fa5]+)")


def _runs(text: str) -> list[tuple[bool, str]]:
    """(is_ascii, run) pieces of letters and digits; everything else separates."""
    text = unicodedata.normalize("NFKC", text).lower()
    if _SIMPLE.fullmatch(text):
        return [(True, a) if a else (False, h) for a, h in _SIMPLE_RUNS.findall(text)]
    kinds = _KIND
    for ch in set(text).difference(kinds):  # each character classified once per process
        kinds[ch] = _kind(ch)
    return [(kind, "".join(group)) for kind, group in itertools.groupby(text, kinds.__getitem__) if kind is not None]


def index_tokens(*parts: str | None) -> str:
    """Text for the full-text index: Chinese as overlapping pairs of characters (and each run's last character
    alone), Latin and digit runs whole. A search word then becomes a phrase of the same pairs, so 幸福 or
    福里 finds 幸福里小区 from the index instead of reading every row (no tokenizer in SQLite splits Chinese).
    """
    tokens: list[str] = []
    forms = (form for p in parts if p for form in dict.fromkeys((p, simplified(p))))  # 建設 found by 建设 too
    for part in forms:
        for is_ascii, run in _runs(part):
            if is_ascii:
                tokens.append(run)
            else:
                tokens += map(operator.add, run[:-1], run[1:])  # the overlapping pairs
                tokens.append(run[-1])
    return " ".join(tokens)


def match_phrase(word: str) -> str | None:
    """An FTS5 query for one search word (a phrase of `index_tokens` pairs, prefix-matched at its end); None
    when the word holds no letter or digit."""
    tokens: list[str] = []
    for is_ascii, run in _runs(word):
        if is_ascii or len(run) == 1:
            tokens.append(run)
        else:
            tokens += [run[i : i + 2] for i in range(len(run) - 1)]
    if not tokens:
        return None
    return '"' + " ".join(tokens).replace('"', '""') + '"*'
