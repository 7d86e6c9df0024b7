"""Pinyin initials for search, so a clerk types `xfl` and finds 幸福里小区.

Every reading of a polyphonic character is indexed (曾家巷 as both ceng and zeng, tech-notes §10): the
stored text holds each alternative spelling of the initials, space-separated, and search is a LIKE.
"""

from __future__ import annotations

import itertools
import unicodedata

MAX_VARIANTS = 8


def initials(text: str | None) -> str:
    """Space-separated initials variants of `text`, lower case, the phrase-dictionary reading first."""
    if not text:
        return ""
    from pypinyin import Style, pinyin

    text = unicodedata.normalize("NFKC", text)
    keep = lambda s: list(s)  # noqa: E731 - non-Chinese characters pass through as typed
    best = "".join(r[0][:1] for r in pinyin(text, style=Style.FIRST_LETTER, errors=keep)).lower()
    readings = pinyin(text, style=Style.FIRST_LETTER, heteronym=True, errors=keep)
    choices = [sorted({o[:1].lower() for o in options if o}) or [""] for options in readings]
    variants = [best]
    variants += ["".join(c) for c in itertools.islice(itertools.product(*choices), MAX_VARIANTS)]
    return " ".join(dict.fromkeys(variants))


def search_text(*parts: str | None) -> str:
    return " ".join(initials(p) for p in parts if p)
