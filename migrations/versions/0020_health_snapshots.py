"""Client health snapshots: the daily job's score, factors and flags per client and day

Revision ID: 0020_health_snapshots
Revises: 0019_job_order_service_type
Create Date: 2026-12-03 07:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0020_health_snapshots"
down_revision = "0019_job_order_service_type"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "health_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id", "taken_on", name="uq_health_snapshot_day"),
    )
    with op.batch_alter_table("health_snapshot") as batch:
        batch.create_index("ix_health_snapshot_client_id", ["client_id"], unique=False)
        batch.create_index("ix_health_snapshot_taken_on", ["taken_on"], unique=False)


def downgrade():
    with op.batch_alter_table("health_snapshot") as batch:
        batch.drop_index("ix_health_snapshot_taken_on")
        batch.drop_index("ix_health_snapshot_client_id")
    op.drop_table("health_snapshot")
