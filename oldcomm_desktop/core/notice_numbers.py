"""Rectification notice numbers (整改通知单编号) that say who issued them: 城关整改〔2025〕001号.

A number without the unit (整改〔2025〕001号) repeats in every township of a county, so a county ledger and
a returned form could not tell them apart. The unit's short name is part of the number: by default the
township's name without its 镇/乡/街道 ending, configurable per township (设置 page, setting
`notice_short_name.<code>`).

A notice is numbered in the series of the unit that issues it, which is the database it is recorded in
(`series`): a township's notices in the township's series, the county office's — on any township's community —
in the county's own (by default the county's full name, 测试县整改〔2026〕001号, so it cannot read as a
township's short name). Each series is then given out by one database only, so the county and a township
numbering offline, one past the highest each knows, can never give one number twice. Numbers already given
are never changed; two notices sharing one (older data, or a number typed by hand) are reported by
`oldcomm check` (core/integrity.py).
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from oldcomm_desktop.core import catalogues, workspace
from oldcomm_desktop.core.errors import FieldProblem, ValidationError
from oldcomm_desktop.core.model import Division, Rectification

SUFFIXES = ("街道办事处", "办事处", "街道", "民族乡", "镇", "乡", "苏木", "区", "县", "市")
MAX_LENGTH = 8


def setting_key(township_code: str) -> str:
    return f"notice_short_name.{township_code}"


def derived_short_name(name: str | None) -> str:
    """城关镇 → 城关, 东风街道 → 东风, 红星乡 → 红星; a name that is only a suffix stays whole."""
    name = (name or "").strip()
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def series(session: Session, township_code: str | None) -> str | None:
    """The unit whose series numbers a notice recorded here on a community of `township_code`: the county
    office in a county database (it issues the notice; a township's series is given out by the township's own
    database, offline, and the two would meet on one number), else the township."""
    if workspace.mode(session) == workspace.COUNTY:
        return workspace.own_code(session) or township_code
    return township_code


def short_name(session: Session, township_code: str | None) -> str:
    """The short name numbers of this unit (a township, or the county office) start with ('' when unknown)."""
    if not township_code:
        return ""
    chosen = catalogues.get_setting(session, setting_key(township_code))
    if chosen:
        return str(chosen)
    found = session.execute(select(Division.name, Division.level).where(Division.code == township_code)).first()
    name, level = (found.name, found.level) if found is not None else (None, None)
    if level == "county":  # the county's whole name (测试县): never one of its townships' short names
        return (name or "").strip()
    return derived_short_name(name)


def set_short_name(session: Session, township_code: str, text: str) -> str:
    """Store the township's short name for notice numbers; empty goes back to the derived one."""
    text = (text or "").strip()
    if len(text) > MAX_LENGTH or re.search(r"[\s〔〕\[\]]", text):
        raise ValidationError(
            FieldProblem("notice_short_name", "通知单编号简称", f"简称最多 {MAX_LENGTH} 个字，不能有空格或〔〕")
        )
    catalogues.set_setting(session, setting_key(township_code), text or None)
    session.flush()
    return short_name(session, township_code)


def next_number(session: Session, code: str | None, year: int) -> str:
    """The year's next number of a series (`code`: its unit, see `series`): one past the highest in use with the
    same prefix, in any township (the county's notices sit on every township's communities), so a number typed
    by hand is never given twice."""
    prefix = f"{short_name(session, code)}整改〔{year}〕"
    used = session.scalars(select(Rectification.notice_no).where(Rectification.notice_no.like(f"{prefix}%")))
    tails = (no[len(prefix) :] for no in used if no is not None)
    numbers = [int(t[:-1]) for t in tails if t.endswith("号") and t[:-1].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}号"
