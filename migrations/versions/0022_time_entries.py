"""Time entries (hours staff log per client, project and job order) and staff capacity
(weekly hours and hourly cost rate), for utilization, productivity and profitability

Revision ID: 0022_time_entries
Revises: 0021_kpi_targets
Create Date: 2026-12-03 07:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022_time_entries"
down_revision = "0021_kpi_targets"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "time_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("job_order_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(5, 2), nullable=False),
        sa.Column("billable", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("hours > 0 AND hours <= 24", name="ck_time_entry_hours"),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["recruitment_project.id"]),
        sa.ForeignKeyConstraint(["job_order_id"], ["job_order.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_time_entry_user_id", "time_entry", ["user_id"])
    op.create_index("ix_time_entry_client_id", "time_entry", ["client_id"])
    op.create_index("ix_time_entry_job_order_id", "time_entry", ["job_order_id"])
    op.create_index("ix_time_entry_day", "time_entry", ["day"])
    op.create_table(
        "staff_capacity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("weekly_hours", sa.Numeric(5, 2), nullable=False),
        sa.Column("cost_rate", sa.Numeric(12, 2), nullable=False),
        sa.CheckConstraint(
            "weekly_hours >= 0 AND weekly_hours <= 168", name="ck_staff_capacity_hours"
        ),
        sa.CheckConstraint("cost_rate >= 0", name="ck_staff_capacity_rate"),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )


def downgrade():
    op.drop_table("staff_capacity")
    op.drop_index("ix_time_entry_day", table_name="time_entry")
    op.drop_index("ix_time_entry_job_order_id", table_name="time_entry")
    op.drop_index("ix_time_entry_client_id", table_name="time_entry")
    op.drop_index("ix_time_entry_user_id", table_name="time_entry")
    op.drop_table("time_entry")
