"""Dated arrived/paid of funding lines: a past month's return shows the money as it was then.

A new table only. Every existing line gets one row dated on the day the line was created, with its current
arrived and paid, so an old database keeps the numbers its returns showed.

Revision ID: 0012
Revises: 0011
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "funding_line_history",
        sa.Column("funding_line_id", sa.String(36), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("arrived", sa.BigInteger(), nullable=True),
        sa.Column("paid", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["funding_line_id"],
            ["funding_line.id"],
            name=op.f("fk_funding_line_history_funding_line_id_funding_line"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_line_history")),
    )
    op.create_index(
        "ix_funding_line_history_line_as_of", "funding_line_history", ["funding_line_id", "as_of"], unique=False
    )
    op.create_index(op.f("ix_funding_line_history_deleted_at"), "funding_line_history", ["deleted_at"], unique=False)
    op.create_index(
        op.f("ix_funding_line_history_township_code"), "funding_line_history", ["township_code"], unique=False
    )
    conn = op.get_bind()
    line = sa.table(
        "funding_line",
        sa.column("id"),
        sa.column("township_code"),
        sa.column("arrived"),
        sa.column("paid"),
        sa.column("created_at", sa.DateTime()),
    )
    hist = sa.table(
        "funding_line_history",
        *(sa.column(c) for c in ("id", "funding_line_id", "as_of", "arrived", "paid", "created_at", "updated_at")),
        sa.column("township_code"),
        sa.column("version"),
    )
    last = ""
    while True:  # in chunks by id: a county's lines never sit in memory at once
        chunk = conn.execute(
            sa.select(line.c.id, line.c.township_code, line.c.arrived, line.c.paid, line.c.created_at)
            .where(line.c.id > last)
            .order_by(line.c.id)
            .limit(5000)
        ).all()
        if not chunk:
            break
        conn.execute(
            hist.insert(),
            [
                {
                    "id": str(uuid.uuid4()),
                    "funding_line_id": lid,
                    "as_of": created.date(),
                    "arrived": arrived,
                    "paid": paid,
                    "created_at": created,
                    "updated_at": created,
                    "township_code": tc,
                    "version": 1,
                }
                for lid, tc, arrived, paid, created in chunk
            ],
        )
        last = chunk[-1][0]


def downgrade() -> None:
    op.drop_index(op.f("ix_funding_line_history_township_code"), table_name="funding_line_history")
    op.drop_index(op.f("ix_funding_line_history_deleted_at"), table_name="funding_line_history")
    op.drop_index("ix_funding_line_history_line_as_of", table_name="funding_line_history")
    op.drop_table("funding_line_history")
