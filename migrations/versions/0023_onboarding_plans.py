"""Onboarding templates and their steps, clients' onboarding plans and their steps, and the
ongoing service reviews (weekly, monthly, quarterly meetings)

Revision ID: 0023_onboarding_plans
Revises: 0022_time_entries
Create Date: 2026-12-03 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023_onboarding_plans"
down_revision = "0022_time_entries"
branch_labels = None
depends_on = None

ROLES = (
    "'Sales Representative', 'Account Manager', 'Implementation Manager', "
    "'Implementation Team', 'Training Coordinator'"
)


def upgrade():
    op.create_table(
        "onboarding_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(191), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_default", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_onboarding_template_name"),
    )
    op.create_table(
        "onboarding_template_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(80), nullable=True),
        sa.Column("name", sa.String(191), nullable=False),
        sa.Column("owner_role", sa.String(40), nullable=False),
        sa.Column("duration_days", sa.Integer(), nullable=False),
        sa.Column("deliverables", sa.Text(), nullable=True),
        sa.Column("checklist", sa.Text(), nullable=True),
        sa.Column("client_visible", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("links_commercial", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint(f"owner_role IN ({ROLES})", name="ck_onb_tstep_role"),
        sa.CheckConstraint("duration_days BETWEEN 0 AND 365", name="ck_onb_tstep_days"),
        sa.ForeignKeyConstraint(["template_id"], ["onboarding_template.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_onboarding_template_step_template_id", "onboarding_template_step", ["template_id"]
    )
    op.create_table(
        "onboarding_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(191), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'completed', 'cancelled')", name="ck_onboarding_plan_status"
        ),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.ForeignKeyConstraint(["template_id"], ["onboarding_template.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["started_by_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_onboarding_plan_client_id", "onboarding_plan", ["client_id"])
    op.create_index(
        "uq_onboarding_plan_active_client",
        "onboarding_plan",
        ["client_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "onboarding_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(80), nullable=True),
        sa.Column("name", sa.String(191), nullable=False),
        sa.Column("owner_role", sa.String(40), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("duration_days", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("deliverables", sa.Text(), nullable=True),
        sa.Column("checklist", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("client_visible", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=True),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'in_progress', 'done', 'skipped')",
            name="ck_onboarding_step_status",
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["onboarding_plan.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["assignee_id"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["quote_id"], ["quote.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_onboarding_step_plan_id", "onboarding_step", ["plan_id"])
    op.create_index("ix_onboarding_step_due", "onboarding_step", ["status", "due_date"])
    op.create_table(
        "service_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('weekly', 'monthly', 'quarterly')", name="ck_service_review_kind"
        ),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["survey_id"], ["survey.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", name="uq_service_review_meeting"),
    )
    op.create_index("ix_service_review_client_id", "service_review", ["client_id"])


def downgrade():
    op.drop_index("ix_service_review_client_id", table_name="service_review")
    op.drop_table("service_review")
    op.drop_index("ix_onboarding_step_due", table_name="onboarding_step")
    op.drop_index("ix_onboarding_step_plan_id", table_name="onboarding_step")
    op.drop_table("onboarding_step")
    op.drop_index("uq_onboarding_plan_active_client", table_name="onboarding_plan")
    op.drop_index("ix_onboarding_plan_client_id", table_name="onboarding_plan")
    op.drop_table("onboarding_plan")
    op.drop_index("ix_onboarding_template_step_template_id", table_name="onboarding_template_step")
    op.drop_table("onboarding_template_step")
    op.drop_table("onboarding_template")
