"""Funding sources can be retired (停用): a flag on funding_source, every existing source in use.

A column rather than a new table: it is one boolean read together with the source wherever money is
recorded (the funding editor, imports, sync), like item_type.active which the first schema already has; a
side table would mean an outer join on every one of those reads for a flag of a few dozen rows. The server
default makes the ALTER a plain ADD COLUMN on SQLite and PostgreSQL alike (no table rebuild) and fills
the existing rows with "in use".

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("funding_source", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("funding_source") as batch:
        batch.drop_column("active")
