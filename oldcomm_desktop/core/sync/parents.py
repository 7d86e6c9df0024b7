"""Which records sit under which parent, for holding a record that arrives under a parent deleted here
(deleted_parents) and for noticing a parent restored by any route (restored.py). No imports: opening a database
loads this module."""

from __future__ import annotations

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
PARENT_TABLES = frozenset(p for pairs in PARENTS.values() for _c, p in pairs)
# the same as (child, its parent column, parent), the shape of KEPT_WITH_PARENT below
ALL_PAIRS: tuple[tuple[str, str, str], ...] = tuple(
    (child, col, parent) for child, pairs in PARENTS.items() for col, parent in pairs
)

# Records that stay live beside a deleted parent here (deleting a line leaves its dated rows as they are): held
# only when their parent is itself held (not written), never for a parent that is here, deleted.
LIVE_BESIDE_DELETED_PARENT = frozenset({"funding_line_history"})

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
