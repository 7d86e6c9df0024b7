"""Returns sent upward: submissions, review rounds, the archive of sent files and notes on figures.

Revision ID: 0008
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def _record() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
    ]


def _indexes(table: str) -> None:
    with op.batch_alter_table(table) as batch_op:
        batch_op.create_index(f"ix_{table}_deleted_at", ["deleted_at"], unique=False)
        batch_op.create_index(f"ix_{table}_township_code", ["township_code"], unique=False)


def upgrade() -> None:
    op.create_table(
        "return_submission",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_by", sa.String(length=50), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=50), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=True),
        *_record(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_submission")),
    )
    _indexes("return_submission")
    with op.batch_alter_table("return_submission") as batch_op:
        batch_op.create_index("ix_return_submission_key", ["kind", "period", "township_code"], unique=False)

    op.create_table(
        "return_archive",
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("snapshot", sa.LargeBinary(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("operator", sa.String(length=50), nullable=True),
        sa.Column("archived_at", sa.DateTime(), nullable=False),
        *_record(),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["return_submission.id"], name=op.f("fk_return_archive_submission_id_return_submission")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_archive")),
    )
    _indexes("return_archive")
    with op.batch_alter_table("return_archive") as batch_op:
        batch_op.create_index("ix_return_archive_submission_id", ["submission_id"], unique=False)

    op.create_table(
        "return_round",
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("operator", sa.String(length=50), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("archive_id", sa.String(length=36), nullable=True),
        *_record(),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["return_submission.id"], name=op.f("fk_return_round_submission_id_return_submission")
        ),
        sa.ForeignKeyConstraint(
            ["archive_id"], ["return_archive.id"], name=op.f("fk_return_round_archive_id_return_archive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_round")),
    )
    _indexes("return_round")
    with op.batch_alter_table("return_round") as batch_op:
        batch_op.create_index("ix_return_round_submission_id", ["submission_id"], unique=False)

    op.create_table(
        "return_note",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("rule_code", sa.String(length=40), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("follow_up", sa.Boolean(), nullable=False),
        *_record(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_note")),
    )
    _indexes("return_note")
    with op.batch_alter_table("return_note") as batch_op:
        batch_op.create_index("ix_return_note_key", ["kind", "period", "record_id"], unique=False)


def downgrade() -> None:
    for table in ("return_note", "return_round", "return_archive", "return_submission"):
        op.drop_table(table)
