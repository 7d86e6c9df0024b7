"""Supervision: inspection schedules, county orders and their answers, township assessment, residents' requests.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 15:26:08.669808
"""

from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_manual_score",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("points", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_manual_score")),
    )
    with op.batch_alter_table("assessment_manual_score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_manual_score_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_manual_score_township_code"), ["township_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_manual_score_year"), ["year"], unique=False)

    op.create_table(
        "assessment_result",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.Column("scheme", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_result")),
    )
    with op.batch_alter_table("assessment_result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_result_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_result_township_code"), ["township_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_result_year"), ["year"], unique=False)

    op.create_table(
        "assessment_scheme",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("grade_bands", sa.JSON(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_scheme")),
    )
    with op.batch_alter_table("assessment_scheme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_scheme_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_scheme_effective_from"), ["effective_from"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_scheme_township_code"), ["township_code"], unique=False)

    op.create_table(
        "supervision_order",
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("order_type", sa.String(length=16), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("requirement", sa.Text(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=True),
        sa.Column("contact", sa.String(length=100), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_order")),
    )
    with op.batch_alter_table("supervision_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_order_deadline"), ["deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervision_order_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervision_order_number"), ["number"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervision_order_township_code"), ["township_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervision_order_year"), ["year"], unique=False)

    op.create_table(
        "order_target",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=36), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("first_answered_on", sa.Date(), nullable=True),
        sa.Column("answered_at_county", sa.Boolean(), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("confirmed_on", sa.Date(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["supervision_order.id"], name=op.f("fk_order_target_order_id_supervision_order")
        ),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_order_target_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_target")),
    )
    with op.batch_alter_table("order_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_target_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_target_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_target_project_id"), ["project_id"], unique=False)
        batch_op.create_index("ix_order_target_state_deadline", ["state", "deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_target_township_code"), ["township_code"], unique=False)

    op.create_table(
        "inspection_schedule",
        sa.Column("community_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("template_id", sa.String(length=36), nullable=True),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("inspector", sa.String(length=100), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["community.id"], name=op.f("fk_inspection_schedule_community_id_community")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["checklist_template.id"],
            name=op.f("fk_inspection_schedule_template_id_checklist_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_schedule")),
    )
    with op.batch_alter_table("inspection_schedule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_schedule_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_schedule_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_schedule_township_code"), ["township_code"], unique=False)

    op.create_table(
        "order_event",
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("state_after", sa.String(length=16), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["target_id"], ["order_target.id"], name=op.f("fk_order_event_target_id_order_target")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_event")),
    )
    with op.batch_alter_table("order_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_event_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_event_target_id"), ["target_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_event_township_code"), ["township_code"], unique=False)

    op.create_table(
        "resident_request",
        sa.Column("community_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("raised_by", sa.String(length=100), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("reply_deadline", sa.Date(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_on", sa.Date(), nullable=True),
        sa.Column("satisfaction", sa.String(length=16), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["community.id"], name=op.f("fk_resident_request_community_id_community")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_request")),
    )
    with op.batch_alter_table("resident_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resident_request_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_resident_request_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_resident_request_reply_deadline"), ["reply_deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_resident_request_township_code"), ["township_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("resident_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resident_request_township_code"))
        batch_op.drop_index(batch_op.f("ix_resident_request_reply_deadline"))
        batch_op.drop_index(batch_op.f("ix_resident_request_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_resident_request_community_id"))

    op.drop_table("resident_request")
    with op.batch_alter_table("order_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_event_township_code"))
        batch_op.drop_index(batch_op.f("ix_order_event_target_id"))
        batch_op.drop_index(batch_op.f("ix_order_event_deleted_at"))

    op.drop_table("order_event")
    with op.batch_alter_table("inspection_schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_schedule_township_code"))
        batch_op.drop_index(batch_op.f("ix_inspection_schedule_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_inspection_schedule_community_id"))

    op.drop_table("inspection_schedule")
    with op.batch_alter_table("order_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_target_township_code"))
        batch_op.drop_index("ix_order_target_state_deadline")
        batch_op.drop_index(batch_op.f("ix_order_target_project_id"))
        batch_op.drop_index(batch_op.f("ix_order_target_order_id"))
        batch_op.drop_index(batch_op.f("ix_order_target_deleted_at"))

    op.drop_table("order_target")
    with op.batch_alter_table("supervision_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_order_year"))
        batch_op.drop_index(batch_op.f("ix_supervision_order_township_code"))
        batch_op.drop_index(batch_op.f("ix_supervision_order_number"))
        batch_op.drop_index(batch_op.f("ix_supervision_order_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_supervision_order_deadline"))

    op.drop_table("supervision_order")
    with op.batch_alter_table("assessment_scheme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_scheme_township_code"))
        batch_op.drop_index(batch_op.f("ix_assessment_scheme_effective_from"))
        batch_op.drop_index(batch_op.f("ix_assessment_scheme_deleted_at"))

    op.drop_table("assessment_scheme")
    with op.batch_alter_table("assessment_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_result_year"))
        batch_op.drop_index(batch_op.f("ix_assessment_result_township_code"))
        batch_op.drop_index(batch_op.f("ix_assessment_result_deleted_at"))

    op.drop_table("assessment_result")
    with op.batch_alter_table("assessment_manual_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_manual_score_year"))
        batch_op.drop_index(batch_op.f("ix_assessment_manual_score_township_code"))
        batch_op.drop_index(batch_op.f("ix_assessment_manual_score_deleted_at"))

    op.drop_table("assessment_manual_score")
