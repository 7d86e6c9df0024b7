"""Columns a clerk never types: computed from a record's own values (and, for a community, its milestones).

One function per table, called by the single edit (communities.create/update, projects.create/update,
milestones.refresh_status) and by the bulk write path (core/importing/bulk.py) over a whole batch, so the
two can never disagree. A new derived column (a pinyin sort key, say) is added here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from oldcomm_desktop.core import pinyin_search
from oldcomm_desktop.core.lifecycle import derive_status


def community_columns(values: Mapping[str, Any], milestone_kinds: Iterable[str] | None = None) -> dict[str, Any]:
    """Pinyin initials and sort key from the name; with `milestone_kinds` (its own and its project's) the status."""
    out: dict[str, Any] = dict(pinyin_search.community_columns(values.get("name"), values.get("address")))
    if milestone_kinds is not None:
        out["status"] = community_status(milestone_kinds, values.get("plan_year"))
    return out


def community_status(milestone_kinds: Iterable[str], plan_year: int | None) -> str:
    return derive_status(milestone_kinds, plan_year is not None)


def project_columns(values: Mapping[str, Any]) -> dict[str, Any]:
    return dict(pinyin_search.project_columns(values.get("name")))


def apply_to(obj: object, columns: Mapping[str, Any]) -> None:
    """Set derived columns on an ORM object, touching only those that changed (no empty UPDATE)."""
    for key, value in columns.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
