"""Stored landmarks of the items list, so a jump to the middle of two million items is a seek, not an OFFSET.

`item_landmark` (core/model/landmarks.py) and, on SQLite, the triggers on `renovation_item` that keep each
landmark's count of items before it exact (core/stored_landmarks.py); filled here when the ledger is big.

A later migration that rebuilds `renovation_item` (alembic's batch mode on SQLite copies the table) drops these
triggers with the old table: it must call `stored_landmarks.create_triggers` again (until then the lists
simply do not use the landmarks: `stored_landmarks.nearest` checks the triggers are there).

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_landmark",
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("community_sort", sa.String(length=400), nullable=True),
        sa.Column("community_id", sa.String(length=36), nullable=False),
        sa.Column("before", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_item_landmark")),
    )
    op.create_index("ix_item_landmark_key", "item_landmark", ["community_sort", "community_id", "item_id"])
    from oldcomm_desktop.core import stored_landmarks

    conn = op.get_bind()
    stored_landmarks.create_triggers(conn)
    stored_landmarks.refresh(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        from oldcomm_desktop.core.stored_landmarks import TRIGGER_NAMES

        for name in TRIGGER_NAMES:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_item_landmark_key", table_name="item_landmark")
    op.drop_table("item_landmark")
