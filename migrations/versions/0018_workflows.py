"""Automated workflows: workflows, their steps, their runs (once per step, record and
occurrence) and the messages each run queued; a project's completion time

Revision ID: 0018_workflows
Revises: 0017_surveys
Create Date: 2026-12-02 20:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0018_workflows"
down_revision = "0017_surveys"
branch_labels = None
depends_on = None

TRIGGERS = (
    "client_onboarded",
    "job_order_approved",
    "candidate_presented",
    "milestone_completed",
    "project_completed",
    "quote_not_viewed",
    "invoice_overdue",
    "contract_renewal_due",
    "low_engagement",
)
ROLES = ("primary", "all_contacts", "hiring", "billing", "signatories", "account_manager")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    op.create_table(
        "workflow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=True),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("trigger", sa.String(length=30), nullable=False),
        sa.Column("trigger_days", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused_by_id", sa.Integer(), nullable=True),
        sa.Column("resumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resumed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("trigger", TRIGGERS), name="ck_workflow_trigger"),
        sa.ForeignKeyConstraint(["paused_by_id"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["resumed_by_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_workflow_key", "workflow", [sa.text("lower(key)")], unique=True)
    op.create_table(
        "workflow_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("delay_days", sa.Integer(), nullable=False),
        sa.Column("delay_hours", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("recipient_role", sa.String(length=20), nullable=False),
        sa.CheckConstraint(_in("recipient_role", ROLES), name="ck_step_role"),
        sa.CheckConstraint("delay_days >= 0 AND delay_hours >= 0", name="ck_step_delay"),
        sa.ForeignKeyConstraint(["template_id"], ["email_template.id"]),
        sa.ForeignKeyConstraint(["workflow_id"], ["workflow.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_workflow_step_workflow_id"), "workflow_step", ["workflow_id"], unique=False
    )
    op.create_table(
        "workflow_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("record_type", sa.String(length=30), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.String(length=40), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("recipients", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('sent', 'skipped', 'failed')", name="ck_workflow_run_outcome"
        ),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.ForeignKeyConstraint(["step_id"], ["workflow_step.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workflow_id"], ["workflow.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("step_id", "record_id", "occurrence", name="uq_workflow_run_once"),
    )
    op.create_index(op.f("ix_workflow_run_client_id"), "workflow_run", ["client_id"])
    op.create_index(op.f("ix_workflow_run_outcome"), "workflow_run", ["outcome"])
    op.create_index(
        "ix_workflow_run_workflow_at", "workflow_run", ["workflow_id", "created_at"]
    )
    op.create_table(
        "workflow_run_message",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["outbox_message_id"], ["outbox_message.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["workflow_run.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "outbox_message_id"),
    )
    with op.batch_alter_table("recruitment_project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
    # Projects completed before this revision: their last change is the best time known.
    op.execute(
        "UPDATE recruitment_project SET completed_at = updated_at WHERE status = 'completed'"
    )


def downgrade():
    with op.batch_alter_table("recruitment_project", schema=None) as batch_op:
        batch_op.drop_column("completed_at")
    op.drop_table("workflow_run_message")
    op.drop_index("ix_workflow_run_workflow_at", table_name="workflow_run")
    op.drop_index(op.f("ix_workflow_run_outcome"), table_name="workflow_run")
    op.drop_index(op.f("ix_workflow_run_client_id"), table_name="workflow_run")
    op.drop_table("workflow_run")
    op.drop_index(op.f("ix_workflow_step_workflow_id"), table_name="workflow_step")
    op.drop_table("workflow_step")
    op.drop_index("uq_workflow_key", table_name="workflow")
    op.drop_table("workflow")
