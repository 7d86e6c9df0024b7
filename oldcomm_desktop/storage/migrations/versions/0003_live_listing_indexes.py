"""Listing indexes that lead with deleted_at, so the big lists page, sort and count from an index.

Every list and summary asks for live rows (`deleted_at IS NULL`). Without statistics SQLite takes that
condition for a selective one and reads the whole table through the single-column deleted_at index, then
sorts it for ORDER BY … LIMIT 500: 0.15 s for 200,000 communities, 5 s for 2 million renovation items
(benchmarks/bench_gui.py). An index on (deleted_at, column, id) answers the same condition *and* the order,
so a page reads 500 index entries. The (column, id) indexes of 0001 are replaced by these: every query
of the program that uses them also asks for live rows.

The communities' name-order index (their default order) also carries the other searched columns (address,
pinyin initials), so a search counts and pages its matches from the index without reading the wide rows.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OLD = {
    "community": {
        "ix_community_name_id": ["name", "id"],
        "ix_community_status_id": ["status", "id"],
        "ix_community_households_id": ["households", "id"],
        "ix_community_floor_area_id": ["floor_area", "id"],
        "ix_community_plan_year_id": ["plan_year", "id"],
    },
    "renovation_item": {"ix_renovation_item_status_id": ["status", "id"]},
}
NEW = {
    "community": {
        "ix_community_live_name": ["deleted_at", "name", "id", "address", "search_initials"],
        "ix_community_live_status": ["deleted_at", "status", "id"],
        "ix_community_live_households": ["deleted_at", "households", "id"],
        "ix_community_live_floor_area": ["deleted_at", "floor_area", "id"],
        "ix_community_live_plan_year": ["deleted_at", "plan_year", "id"],
        "ix_community_live_township": ["deleted_at", "township_code", "id"],
        "ix_community_live_investment": ["deleted_at", "total_investment", "id"],
        "ix_community_live_year_built": ["deleted_at", "year_built", "id"],
    },
    "renovation_item": {
        "ix_renovation_item_live_id": ["deleted_at", "id"],
        "ix_renovation_item_live_status": ["deleted_at", "status", "id"],
        "ix_renovation_item_live_investment": ["deleted_at", "investment", "id"],
        "ix_renovation_item_live_quantity": ["deleted_at", "planned_quantity", "id"],
    },
}


def upgrade() -> None:
    for table, indexes in OLD.items():
        for name in indexes:
            op.drop_index(name, table_name=table)
    for table, indexes in NEW.items():
        for name, columns in indexes.items():
            op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, indexes in NEW.items():
        for name in indexes:
            op.drop_index(name, table_name=table)
    for table, indexes in OLD.items():
        for name, columns in indexes.items():
            op.create_index(name, table, columns, unique=False)
