"""Which records sit under which parent: for the recycle bin's check that nothing is written under a deleted
record (records.py), for sync holding a record that arrives under a parent deleted here (sync/deleted_parents.py)
and noticing a parent restored by any route (sync/restored.py). Outside sync, since the core's own writes ask it;
nothing of the program imported: opening a database loads this module."""

from __future__ import annotations

from typing import Any

# child table -> its parent columns and tables (the bulk path's parent rule, core/importing/bulk_tables.py)
PARENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "community": (("project_id", "project"),),
    "renovation_item": (("community_id", "community"),),
    "milestone": (("community_id", "community"), ("project_id", "project")),
    "funding_line": (("community_id", "community"), ("project_id", "project")),
    "investment_entry": (("community_id", "community"), ("project_id", "project")),
    "inspection": (("community_id", "community"), ("project_id", "project")),
    "inspection_result": (("inspection_id", "inspection"),),
    "rectification": (("inspection_id", "inspection"),),
    "reinspection": (("rectification_id", "rectification"),),
    # a line's dated arrived/paid rows travel with it (written by sync/writes.py, not the bulk path): held with it
    "funding_line_history": (("funding_line_id", "funding_line"),),
    # a schedule or a resident's request under a community deleted here (the bulk path refuses both)
    "inspection_schedule": (("community_id", "community"),),
    "resident_request": (("community_id", "community"),),
    # a responsible party under a project deleted here (the bulk path refuses it)
    "responsible_party": (("project_id", "project"),),
}

# A record whose parent is named by two columns, the parent's table in one and its id in the other: a photo or a
# scanned file sits under whatever it documents (core/attachments.py: any record; `attachments.add` refuses one
# under a record in the recycle bin). child table -> (its table column, its id column).
OWNED: dict[str, tuple[str, str]] = {"attachment": ("owner_table", "owner_id")}
# the tables such an owner may be in that sync holds records under: every township record that has or is a parent
# (a county order's files are the county's alone: nobody deletes the order under them elsewhere)
OWNER_TABLES = frozenset(PARENTS) | frozenset(p for pairs in PARENTS.values() for _c, p in pairs)
# the tables of fixed parents (PARENTS), and of any parent: a fixed one or an owner
PARENT_TABLES = frozenset(p for pairs in PARENTS.values() for _c, p in pairs)
ANY_PARENT_TABLES = PARENT_TABLES | OWNER_TABLES


def of(name: str, values: Any) -> tuple[tuple[str, str], ...]:
    """The (parent column, parent table) pairs of one record of `name`, from its values (a package's line, or a
    stored row's mapping): PARENTS for a fixed parent, else its owner named in its own columns (a photo's)."""
    spec = OWNED.get(name)
    if spec is None:
        return PARENTS.get(name, ())
    table = values.get(spec[0])
    return ((spec[1], table),) if table in OWNER_TABLES else ()


# the same as (child, its parent column, parent), the shape of KEPT_WITH_PARENT below
ALL_PAIRS: tuple[tuple[str, str, str], ...] = tuple(
    (child, col, parent) for child, pairs in PARENTS.items() for col, parent in pairs
)

# Records that stay live beside a deleted parent here (deleting a line leaves its dated rows as they are): held
# only when their parent is itself held (not written), never for a parent that is here, deleted.
LIVE_BESIDE_DELETED_PARENT = frozenset({"funding_line_history"})

# Records that stay live beside their deleted owner (deleting an item leaves its photos as they are) but that no
# edit adds under a deleted one (`attachments.add` refuses it): held when one *becomes* live under an owner deleted
# here (new here, or brought back) or under one held, never for one already live here beside it, nor for one whose
# owner's deletion arrives with it (the sender deleted the owner after adding the photo: its own, coherent state).
NEW_UNDER_DELETED_PARENT = frozenset(OWNED)

# (child, its parent column, parent): the pairs a deletion takes together — deleting a community takes its items,
# milestones, money and inspections with it, an inspection its rectifications, and a project with live communities
# is not deleted. A project's own milestones, a community's schedules and residents' requests may outlive it.
KEPT_WITH_PARENT: tuple[tuple[str, str, str], ...] = (
    ("community", "project_id", "project"),
    ("renovation_item", "community_id", "community"),
    ("milestone", "community_id", "community"),
    ("funding_line", "community_id", "community"),
    ("investment_entry", "community_id", "community"),
    ("inspection", "community_id", "community"),
    ("rectification", "inspection_id", "inspection"),
)
