"""Traditional characters to simplified (OpenCC's t2s), for matching: a ledger reposted through a converter
writes 建設路小區 for 建设路小区, and the same community must be matched and found either way.

The stored text stays as the clerk typed it; only keys (import matching, search keys, search queries) take
the simplified form. OpenCC's pure-Python converter costs ~200 µs a text, so it only runs on text holding a
character its dictionary changes.
"""

from __future__ import annotations

import functools
import re
from typing import Any


@functools.lru_cache(maxsize=1)
def _t2s() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


@functools.lru_cache(maxsize=1)
def _character_table() -> tuple[tuple[str, str], ...]:
    """(traditional, simplified) pairs of OpenCC's TSCharacters dictionary, its first candidate first."""
    import os

    import opencc

    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
    pairs = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            key, _, values = line.rstrip("\n").partition("\t")
            pairs += [(key, v) for v in values.split(" ") if v]
    return tuple(pairs)


@functools.lru_cache(maxsize=1)
def traditional_characters() -> frozenset[str]:
    """Characters OpenCC's t2s changes (its TSCharacters dictionary): text without any is left as it is."""
    first: dict[str, str] = {}
    for trad, simp in _character_table():
        first.setdefault(trad, simp)
    return frozenset(t for t, s in first.items() if s != t)


@functools.lru_cache(maxsize=1)
def _traditional_forms() -> dict[str, str]:
    """simplified character → the traditional characters t2s turns into it (设 → 設, 发 → 發髮)."""
    forms: dict[str, str] = {}
    for trad, simp in _character_table():
        if trad != simp and trad not in forms.get(simp, ""):
            forms[simp] = forms.get(simp, "") + trad
    return forms


@functools.lru_cache(maxsize=4096)
def either_script_pattern(word: str) -> str | None:
    """A regular expression that finds `word` written in simplified or traditional characters or a mix
    (建设路 → 建[设設]路), for text no stored key simplifies: an address, an item's description, a finding.
    On PostgreSQL (no full-text index) and in the lists without one, LIKE finds only the characters as typed.
    None when no character of the word has a traditional form (LIKE alone is enough). The same regular
    expression serves Python's `re` (SQLite's REGEXP) and PostgreSQL's `~`: classes and escaped literals only.
    """
    plain = simplified(word)
    forms = _traditional_forms()
    if not any(ch in forms for ch in plain):
        return None
    return "".join(f"[{ch}{forms[ch]}]" if ch in forms else re.escape(ch) for ch in plain)


@functools.lru_cache(maxsize=50_000)
def simplified(text: str) -> str:
    """`text` with its traditional characters simplified; the same string when it holds none."""
    if traditional_characters().isdisjoint(text):
        return text
    return str(_t2s().convert(text))
