"""Pinyin initials cached per word give exactly what pypinyin gives for the whole name."""

from __future__ import annotations

import itertools
import random

from pypinyin import Style, pinyin

from oldcomm_desktop.core import pinyin_search
from oldcomm_desktop.core.demo import NAMES


def _reference(text: str) -> str:
    """The uncached computation over the whole name (what pinyin_search did before the cache)."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text)
    keep = lambda s: list(s)  # noqa: E731
    best = "".join(r[0][:1] for r in pinyin(text, style=Style.FIRST_LETTER, errors=keep)).lower()
    readings = pinyin(text, style=Style.FIRST_LETTER, heteronym=True, errors=keep)
    choices = [sorted({o[:1].lower() for o in options if o}) or [""] for options in readings]
    variants = [best, *("".join(c) for c in itertools.islice(itertools.product(*choices), 8))]
    return " ".join(dict.fromkeys(variants))


def test_cached_initials_equal_pypinyin_on_real_and_random_names() -> None:
    rng = random.Random(3)
    chars = [chr(c) for c in range(0x4E00, 0x9FA5)]
    names = [n + s for n in NAMES for s in ("", "小区", "2期", " A区")]
    names += ["重庆路长安银行宿舍", "曾家巷", "ABC 幸福里", "老舊小區", "１２３幸福", "行长家属院", "乐山大佛"]
    names += ["".join(rng.choice(chars) for _ in range(rng.randint(1, 10))) for _ in range(500)]
    for name in names:
        assert pinyin_search.initials(name) == _reference(name), name
    assert pinyin_search.initials("") == "" and pinyin_search.initials(None) == ""
