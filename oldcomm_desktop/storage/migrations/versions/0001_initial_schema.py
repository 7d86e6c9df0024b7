"""Initial schema: the first released version of the database.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 20:45:12.534633
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("owner_table", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("caption", sa.String(length=200), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index("ix_attachment_owner", ["owner_table", "owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_township_code"), ["township_code"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("operator", sa.String(length=50), nullable=True),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_record", ["record_id", "seq"], unique=False)

    op.create_table(
        "category",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category")),
        sa.UniqueConstraint("code", name=op.f("uq_category_code")),
    )
    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_category_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_category_township_code"), ["township_code"], unique=False)

    op.create_table(
        "checklist_template",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("inspection_kind", sa.String(length=16), nullable=False),
        sa.Column("grade_bands", sa.JSON(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_template")),
        sa.UniqueConstraint("code", name=op.f("uq_checklist_template_code")),
    )
    with op.batch_alter_table("checklist_template", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklist_template_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_checklist_template_township_code"), ["township_code"], unique=False)

    op.create_table(
        "division",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("parent_code", sa.String(length=12), nullable=True),
        sa.Column("urban_rural_class", sa.String(length=3), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_division")),
        sa.UniqueConstraint("code", name=op.f("uq_division_code")),
    )
    with op.batch_alter_table("division", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_division_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_division_parent_code"), ["parent_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_division_township_code"), ["township_code"], unique=False)

    op.create_table(
        "effect_indicator",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_effect_indicator")),
        sa.UniqueConstraint("code", name=op.f("uq_effect_indicator_code")),
    )
    with op.batch_alter_table("effect_indicator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_effect_indicator_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_effect_indicator_township_code"), ["township_code"], unique=False)

    op.create_table(
        "funding_source",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("parent_id", sa.String(length=36), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("needs_note", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["funding_source.id"], name=op.f("fk_funding_source_parent_id_funding_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_source")),
        sa.UniqueConstraint("code", name=op.f("uq_funding_source_code")),
    )
    with op.batch_alter_table("funding_source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funding_source_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_funding_source_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_funding_source_township_code"), ["township_code"], unique=False)

    op.create_table(
        "operator",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator")),
    )
    with op.batch_alter_table("operator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_operator_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_operator_township_code"), ["township_code"], unique=False)

    op.create_table(
        "project",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=True),
        sa.Column("plan_year", sa.Integer(), nullable=True),
        sa.Column("batch", sa.String(length=30), nullable=True),
        sa.Column("start_kind", sa.String(length=16), nullable=True),
        sa.Column("builder", sa.String(length=200), nullable=True),
        sa.Column("contractor", sa.String(length=200), nullable=True),
        sa.Column("supervisor", sa.String(length=200), nullable=True),
        sa.Column("designer", sa.String(length=200), nullable=True),
        sa.Column("contract_sum", sa.BigInteger(), nullable=True),
        sa.Column("total_investment", sa.BigInteger(), nullable=True),
        sa.Column("money_split", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index("ix_project_name_id", ["name", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_plan_year"), ["plan_year"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_township_code"), ["township_code"], unique=False)

    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "checklist_template_item",
        sa.Column("template_id", sa.String(length=36), nullable=False),
        sa.Column("area", sa.String(length=50), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["checklist_template.id"],
            name=op.f("fk_checklist_template_item_template_id_checklist_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_template_item")),
    )
    with op.batch_alter_table("checklist_template_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checklist_template_item_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_checklist_template_item_template_id"), ["template_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_checklist_template_item_township_code"), ["township_code"], unique=False)

    op.create_table(
        "community",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("project_id", sa.String(length=36), nullable=True),
        sa.Column("village_code", sa.String(length=12), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("year_built", sa.Integer(), nullable=True),
        sa.Column("buildings", sa.Integer(), nullable=True),
        sa.Column("households", sa.Integer(), nullable=True),
        sa.Column("floor_area", sa.BigInteger(), nullable=True),
        sa.Column("plan_year", sa.Integer(), nullable=True),
        sa.Column("batch", sa.String(length=30), nullable=True),
        sa.Column("start_kind", sa.String(length=16), nullable=True),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("planned_completion", sa.Date(), nullable=True),
        sa.Column("total_investment", sa.BigInteger(), nullable=True),
        sa.Column("progress_percent", sa.Integer(), nullable=True),
        sa.Column("management_mode", sa.String(length=16), nullable=True),
        sa.Column("owners_committee", sa.String(length=16), nullable=True),
        sa.Column("owners_committee_date", sa.Date(), nullable=True),
        sa.Column("maintenance_fund_collected", sa.BigInteger(), nullable=True),
        sa.Column("maintenance_fund_topped_up", sa.BigInteger(), nullable=True),
        sa.Column("property_fee", sa.BigInteger(), nullable=True),
        sa.Column("consent_date", sa.Date(), nullable=True),
        sa.Column("consent_owners_total", sa.Integer(), nullable=True),
        sa.Column("consent_owners_participating", sa.Integer(), nullable=True),
        sa.Column("consent_owners_for", sa.Integer(), nullable=True),
        sa.Column("consent_owners_against", sa.Integer(), nullable=True),
        sa.Column("consent_area_total", sa.BigInteger(), nullable=True),
        sa.Column("consent_area_participating", sa.BigInteger(), nullable=True),
        sa.Column("consent_area_for", sa.BigInteger(), nullable=True),
        sa.Column("consent_area_against", sa.BigInteger(), nullable=True),
        sa.Column("satisfaction_percent", sa.BigInteger(), nullable=True),
        sa.Column("in_statistics", sa.Boolean(), nullable=False),
        sa.Column("statistics_code", sa.String(length=50), nullable=True),
        sa.Column("livelihood_project", sa.Boolean(), nullable=False),
        sa.Column("contact_person", sa.String(length=50), nullable=True),
        sa.Column("contact_phone", sa.String(length=50), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_community_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community")),
    )
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_community_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index("ix_community_floor_area_id", ["floor_area", "id"], unique=False)
        batch_op.create_index("ix_community_households_id", ["households", "id"], unique=False)
        batch_op.create_index("ix_community_name_id", ["name", "id"], unique=False)
        batch_op.create_index("ix_community_plan_year_id", ["plan_year", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_community_project_id"), ["project_id"], unique=False)
        batch_op.create_index("ix_community_status_id", ["status", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_community_township_code"), ["township_code"], unique=False)

    op.create_table(
        "item_type",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("category_id", sa.String(length=36), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("central_eligible", sa.Boolean(), nullable=False),
        sa.Column("indicator_id", sa.String(length=36), nullable=True),
        sa.Column("indicator_factor", sa.String(length=20), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"], name=op.f("fk_item_type_category_id_category")),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["effect_indicator.id"], name=op.f("fk_item_type_indicator_id_effect_indicator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_type")),
        sa.UniqueConstraint("code", name=op.f("uq_item_type_code")),
    )
    with op.batch_alter_table("item_type", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_type_category_id"), ["category_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_item_type_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_item_type_township_code"), ["township_code"], unique=False)

    op.create_table(
        "funding_line",
        sa.Column("community_id", sa.String(length=36), nullable=True),
        sa.Column("project_id", sa.String(length=36), nullable=True),
        sa.Column("source_id", sa.String(length=36), nullable=False),
        sa.Column("approved", sa.BigInteger(), nullable=True),
        sa.Column("annual_plan", sa.BigInteger(), nullable=True),
        sa.Column("arrived", sa.BigInteger(), nullable=True),
        sa.Column("paid", sa.BigInteger(), nullable=True),
        sa.Column("source_note", sa.String(length=200), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["community.id"], name=op.f("fk_funding_line_community_id_community")
        ),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_funding_line_project_id_project")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["funding_source.id"], name=op.f("fk_funding_line_source_id_funding_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_line")),
    )
    with op.batch_alter_table("funding_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funding_line_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_funding_line_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_funding_line_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_funding_line_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_funding_line_township_code"), ["township_code"], unique=False)

    op.create_table(
        "inspection",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("community_id", sa.String(length=36), nullable=True),
        sa.Column("project_id", sa.String(length=36), nullable=True),
        sa.Column("template_id", sa.String(length=36), nullable=True),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("inspectors", sa.String(length=200), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("total_score", sa.BigInteger(), nullable=True),
        sa.Column("grade", sa.String(length=16), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"], name=op.f("fk_inspection_community_id_community")),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_inspection_project_id_project")),
        sa.ForeignKeyConstraint(
            ["template_id"], ["checklist_template.id"], name=op.f("fk_inspection_template_id_checklist_template")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
    )
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_inspected_on"), ["inspected_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_township_code"), ["township_code"], unique=False)

    op.create_table(
        "investment_entry",
        sa.Column("community_id", sa.String(length=36), nullable=True),
        sa.Column("project_id", sa.String(length=36), nullable=True),
        sa.Column("source_id", sa.String(length=36), nullable=True),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["community.id"], name=op.f("fk_investment_entry_community_id_community")
        ),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_investment_entry_project_id_project")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["funding_source.id"], name=op.f("fk_investment_entry_source_id_funding_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investment_entry")),
    )
    with op.batch_alter_table("investment_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_investment_entry_community_id"), ["community_id"], unique=False)
        batch_op.create_index("ix_investment_entry_date", ["entry_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_investment_entry_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_investment_entry_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_investment_entry_township_code"), ["township_code"], unique=False)

    op.create_table(
        "milestone",
        sa.Column("community_id", sa.String(length=36), nullable=True),
        sa.Column("project_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("reached_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("document_no", sa.String(length=100), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"], name=op.f("fk_milestone_community_id_community")),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_milestone_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone")),
    )
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_milestone_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_milestone_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index("ix_milestone_kind_date", ["kind", "reached_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_milestone_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_milestone_township_code"), ["township_code"], unique=False)

    op.create_table(
        "renovation_item",
        sa.Column("community_id", sa.String(length=36), nullable=False),
        sa.Column("item_type_id", sa.String(length=36), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=True),
        sa.Column("planned_quantity", sa.BigInteger(), nullable=True),
        sa.Column("completed_quantity", sa.BigInteger(), nullable=True),
        sa.Column("investment", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["community.id"], name=op.f("fk_renovation_item_community_id_community")
        ),
        sa.ForeignKeyConstraint(
            ["item_type_id"], ["item_type.id"], name=op.f("fk_renovation_item_item_type_id_item_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_renovation_item")),
    )
    with op.batch_alter_table("renovation_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_renovation_item_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_renovation_item_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_renovation_item_item_type_id"), ["item_type_id"], unique=False)
        batch_op.create_index("ix_renovation_item_status_id", ["status", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_renovation_item_township_code"), ["township_code"], unique=False)

    op.create_table(
        "inspection_result",
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("template_item_id", sa.String(length=36), nullable=True),
        sa.Column("area", sa.String(length=50), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=True),
        sa.Column("score", sa.BigInteger(), nullable=True),
        sa.Column("max_score", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inspection_id"], ["inspection.id"], name=op.f("fk_inspection_result_inspection_id_inspection")
        ),
        sa.ForeignKeyConstraint(
            ["template_item_id"],
            ["checklist_template_item.id"],
            name=op.f("fk_inspection_result_template_item_id_checklist_template_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_result")),
    )
    with op.batch_alter_table("inspection_result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_result_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_result_inspection_id"), ["inspection_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_result_township_code"), ["township_code"], unique=False)

    op.create_table(
        "rectification",
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("notice_no", sa.String(length=60), nullable=True),
        sa.Column("addressed_to", sa.String(length=200), nullable=True),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("requirement", sa.Text(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("current_deadline", sa.Date(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_on", sa.Date(), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inspection_id"], ["inspection.id"], name=op.f("fk_rectification_inspection_id_inspection")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification")),
    )
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rectification_closed"), ["closed"], unique=False)
        batch_op.create_index(batch_op.f("ix_rectification_current_deadline"), ["current_deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_rectification_deadline"), ["deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_rectification_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_rectification_inspection_id"), ["inspection_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rectification_township_code"), ["township_code"], unique=False)

    op.create_table(
        "reinspection",
        sa.Column("rectification_id", sa.String(length=36), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("inspector", sa.String(length=100), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("new_deadline", sa.Date(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("township_code", sa.String(length=12), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["rectification_id"], ["rectification.id"], name=op.f("fk_reinspection_rectification_id_rectification")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reinspection")),
    )
    with op.batch_alter_table("reinspection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reinspection_deleted_at"), ["deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_reinspection_rectification_id"), ["rectification_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reinspection_township_code"), ["township_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reinspection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reinspection_township_code"))
        batch_op.drop_index(batch_op.f("ix_reinspection_rectification_id"))
        batch_op.drop_index(batch_op.f("ix_reinspection_deleted_at"))

    op.drop_table("reinspection")
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_township_code"))
        batch_op.drop_index(batch_op.f("ix_rectification_inspection_id"))
        batch_op.drop_index(batch_op.f("ix_rectification_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_rectification_deadline"))
        batch_op.drop_index(batch_op.f("ix_rectification_current_deadline"))
        batch_op.drop_index(batch_op.f("ix_rectification_closed"))

    op.drop_table("rectification")
    with op.batch_alter_table("inspection_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_result_township_code"))
        batch_op.drop_index(batch_op.f("ix_inspection_result_inspection_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_result_deleted_at"))

    op.drop_table("inspection_result")
    with op.batch_alter_table("renovation_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_renovation_item_township_code"))
        batch_op.drop_index("ix_renovation_item_status_id")
        batch_op.drop_index(batch_op.f("ix_renovation_item_item_type_id"))
        batch_op.drop_index(batch_op.f("ix_renovation_item_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_renovation_item_community_id"))

    op.drop_table("renovation_item")
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_township_code"))
        batch_op.drop_index(batch_op.f("ix_milestone_project_id"))
        batch_op.drop_index("ix_milestone_kind_date")
        batch_op.drop_index(batch_op.f("ix_milestone_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_milestone_community_id"))

    op.drop_table("milestone")
    with op.batch_alter_table("investment_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_investment_entry_township_code"))
        batch_op.drop_index(batch_op.f("ix_investment_entry_project_id"))
        batch_op.drop_index(batch_op.f("ix_investment_entry_deleted_at"))
        batch_op.drop_index("ix_investment_entry_date")
        batch_op.drop_index(batch_op.f("ix_investment_entry_community_id"))

    op.drop_table("investment_entry")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_township_code"))
        batch_op.drop_index(batch_op.f("ix_inspection_project_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_kind"))
        batch_op.drop_index(batch_op.f("ix_inspection_inspected_on"))
        batch_op.drop_index(batch_op.f("ix_inspection_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_inspection_community_id"))

    op.drop_table("inspection")
    with op.batch_alter_table("funding_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_line_township_code"))
        batch_op.drop_index(batch_op.f("ix_funding_line_source_id"))
        batch_op.drop_index(batch_op.f("ix_funding_line_project_id"))
        batch_op.drop_index(batch_op.f("ix_funding_line_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_funding_line_community_id"))

    op.drop_table("funding_line")
    with op.batch_alter_table("item_type", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_type_township_code"))
        batch_op.drop_index(batch_op.f("ix_item_type_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_item_type_category_id"))

    op.drop_table("item_type")
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_township_code"))
        batch_op.drop_index("ix_community_status_id")
        batch_op.drop_index(batch_op.f("ix_community_project_id"))
        batch_op.drop_index("ix_community_plan_year_id")
        batch_op.drop_index("ix_community_name_id")
        batch_op.drop_index("ix_community_households_id")
        batch_op.drop_index("ix_community_floor_area_id")
        batch_op.drop_index(batch_op.f("ix_community_deleted_at"))

    op.drop_table("community")
    with op.batch_alter_table("checklist_template_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_template_item_township_code"))
        batch_op.drop_index(batch_op.f("ix_checklist_template_item_template_id"))
        batch_op.drop_index(batch_op.f("ix_checklist_template_item_deleted_at"))

    op.drop_table("checklist_template_item")
    op.drop_table("setting")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_township_code"))
        batch_op.drop_index(batch_op.f("ix_project_plan_year"))
        batch_op.drop_index("ix_project_name_id")
        batch_op.drop_index(batch_op.f("ix_project_deleted_at"))

    op.drop_table("project")
    with op.batch_alter_table("operator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operator_township_code"))
        batch_op.drop_index(batch_op.f("ix_operator_deleted_at"))

    op.drop_table("operator")
    with op.batch_alter_table("funding_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_source_township_code"))
        batch_op.drop_index(batch_op.f("ix_funding_source_parent_id"))
        batch_op.drop_index(batch_op.f("ix_funding_source_deleted_at"))

    op.drop_table("funding_source")
    with op.batch_alter_table("effect_indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_effect_indicator_township_code"))
        batch_op.drop_index(batch_op.f("ix_effect_indicator_deleted_at"))

    op.drop_table("effect_indicator")
    with op.batch_alter_table("division", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_division_township_code"))
        batch_op.drop_index(batch_op.f("ix_division_parent_code"))
        batch_op.drop_index(batch_op.f("ix_division_deleted_at"))

    op.drop_table("division")
    with op.batch_alter_table("checklist_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_template_township_code"))
        batch_op.drop_index(batch_op.f("ix_checklist_template_deleted_at"))

    op.drop_table("checklist_template")
    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_category_township_code"))
        batch_op.drop_index(batch_op.f("ix_category_deleted_at"))

    op.drop_table("category")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_record")

    op.drop_table("audit_log")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_township_code"))
        batch_op.drop_index(batch_op.f("ix_attachment_sha256"))
        batch_op.drop_index("ix_attachment_owner")
        batch_op.drop_index(batch_op.f("ix_attachment_deleted_at"))

    op.drop_table("attachment")
