"""The five responsible parties of each project (质量终身责任制).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "responsible_party",
        sa.Column("project_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("leader", sa.String(length=50), nullable=False),
        sa.Column("licence_no", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_responsible_party_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responsible_party")),
    )
    with op.batch_alter_table("responsible_party", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_responsible_party_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_responsible_party_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_responsible_party_township_code"), ["township_code"], unique=False)
        batch_op.create_index("ix_responsible_party_project_role", ["project_id", "role"], unique=False)


def downgrade() -> None:
    op.drop_table("responsible_party")
