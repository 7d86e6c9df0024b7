"""Traditional characters to simplified (OpenCC's t2s), for matching: a ledger reposted through a converter
writes 建設路小區 for 建设路小区, and the same community must be matched and found either way.

The stored text stays as the clerk typed it; only keys (import matching, search keys, search queries) take
the simplified form. OpenCC's pure-Python converter costs ~200 µs a text, so it only runs on text holding a
character its dictionary changes.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.lru_cache(maxsize=1)
def _t2s() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


@functools.lru_cache(maxsize=1)
def traditional_characters() -> frozenset[str]:
    """Characters OpenCC's t2s changes (its TSCharacters dictionary): text without any is left as it is."""
    import os

    import opencc

    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
    found = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            key, _, values = line.rstrip("\n").partition("\t")
            if values.split(" ")[0] != key:
                found.add(key)
    return frozenset(found)


@functools.lru_cache(maxsize=50_000)
def simplified(text: str) -> str:
    """`text` with its traditional characters simplified; the same string when it holds none."""
    if traditional_characters().isdisjoint(text):
        return text
    return str(_t2s().convert(text))
