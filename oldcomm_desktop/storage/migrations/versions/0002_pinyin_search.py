"""Pinyin initials on projects and communities, so search finds 幸福里小区 by typing xfl.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from oldcomm_desktop.core.pinyin_search import search_text

    for table in ("project", "community"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("search_initials", sa.String(length=400), nullable=True))
        conn = op.get_bind()
        t = sa.table(
            table, sa.column("id", sa.String), sa.column("name", sa.String), sa.column("search_initials", sa.String)
        )
        rows = conn.execute(sa.select(t.c.id, t.c.name)).all()
        for row_id, name in rows:
            conn.execute(t.update().where(t.c.id == row_id).values(search_initials=search_text(name)))


def downgrade() -> None:
    for table in ("project", "community"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("search_initials")
