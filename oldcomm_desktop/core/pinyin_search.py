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
import unicodedata

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


def _segments(text: str) -> list[str]:
    from pypinyin.seg.mmseg import seg

    return list(seg.cut(text))


@functools.lru_cache(maxsize=100_000)
def initials(text: str | None) -> str:
    """Space-separated initials variants of `text`, lower case, the phrase-dictionary reading first."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    best: list[str] = []
    choices: list[tuple[str, ...]] = []
    for word in _segments(text):
        if word.isascii() or word.isspace():  # pypinyin passes these through one character at a time
            best += [c.lower() for c in word]
            choices += [(c.lower(),) for c in word]
            continue
        b, c = _word(word)
        best += b
        choices += c
    variants = ["".join(best)]
    variants += ["".join(c) for c in itertools.islice(itertools.product(*choices), MAX_VARIANTS)]
    return " ".join(dict.fromkeys(variants))


def search_text(*parts: str | None) -> str:
    return " ".join(initials(p) for p in parts if p)
