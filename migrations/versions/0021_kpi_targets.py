"""KPI targets agreed with each client (one per client and KPI), shown on the portal
dashboard and the monthly client report

Revision ID: 0021_kpi_targets
Revises: 0020_health_snapshots
Create Date: 2026-12-03 06:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021_kpi_targets"
down_revision = "0020_health_snapshots"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kpi_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("kpi", sa.String(length=40), nullable=False),
        sa.Column("target", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.ForeignKeyConstraint(["set_by_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id", "kpi", name="uq_kpi_target_client_kpi"),
    )
    with op.batch_alter_table("kpi_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kpi_target_client_id"), ["client_id"], unique=False)


def downgrade():
    with op.batch_alter_table("kpi_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kpi_target_client_id"))
    op.drop_table("kpi_target")
