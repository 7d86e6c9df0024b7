"""Sync by file: this installation's key, its peers, the shadow of exchanged records, conflicts, import history.

New tables only; no existing table changes.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("installation_id", sa.String(36), nullable=False),
        sa.Column("private_key", sa.String(64), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("scanned_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_identity")),
    )
    op.create_table(
        "sync_peer",
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=True),
        sa.Column("installation_id", sa.String(36), nullable=True),
        sa.Column("trusted_at", sa.DateTime(), nullable=True),
        sa.Column("acked_seq", sa.Integer(), nullable=False),
        sa.Column("received_seq", sa.Integer(), nullable=False),
        sa.Column("last_package_id", sa.String(36), nullable=True),
        sa.Column("last_package_at", sa.DateTime(), nullable=True),
        sa.Column("last_import_at", sa.DateTime(), nullable=True),
        sa.Column("last_export_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_sync_peer")),
    )
    op.create_table(
        "sync_shadow",
        sa.Column("table_name", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("township_code", sa.String(12), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("clock", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("echo_of", sa.String(12), nullable=True),
        sa.Column("echo_seq", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("table_name", "record_id", name=op.f("pk_sync_shadow")),
    )
    op.create_index("ix_sync_shadow_township_seq", "sync_shadow", ["township_code", "seq"])
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("table_name", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("field", sa.String(60), nullable=False),
        sa.Column("township_code", sa.String(12), nullable=True),
        sa.Column("peer_code", sa.String(12), nullable=False),
        sa.Column("ours", sa.Text(), nullable=True),
        sa.Column("theirs", sa.Text(), nullable=True),
        sa.Column("ours_at", sa.DateTime(), nullable=True),
        sa.Column("theirs_at", sa.DateTime(), nullable=True),
        sa.Column("theirs_clock", sa.Text(), nullable=False),
        sa.Column("import_id", sa.String(36), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(50), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    op.create_index("ix_sync_conflict_record", "sync_conflict", ["record_id", "field", "status"])
    op.create_table(
        "sync_import",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("package_id", sa.String(36), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=True),
        sa.Column("sender_code", sa.String(12), nullable=False),
        sa.Column("sender_installation", sa.String(36), nullable=True),
        sa.Column("package_created_at", sa.DateTime(), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("operator", sa.String(50), nullable=True),
        sa.Column("from_seq", sa.Integer(), nullable=False),
        sa.Column("to_seq", sa.Integer(), nullable=False),
        sa.Column("received_before", sa.Integer(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("rolled_back_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_import")),
    )
    op.create_index("ix_sync_import_package_id", "sync_import", ["package_id"])
    op.create_table(
        "sync_import_row",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("import_id", sa.String(36), nullable=False),
        sa.Column("table_name", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after_version", sa.Integer(), nullable=True),
        sa.Column("shadow_before", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sync_import_row")),
    )
    op.create_index("ix_sync_import_row_import_id", "sync_import_row", ["import_id"])


def downgrade() -> None:
    for name in ("sync_import_row", "sync_import", "sync_conflict", "sync_shadow", "sync_peer", "sync_identity"):
        op.drop_table(name)
