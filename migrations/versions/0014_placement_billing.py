"""Placement-driven billing: a milestone's billing amount, a placement's departure (date,
reason, what the guarantee did about it) and a job order's guarantee remedy

Revision ID: 0014_placement_billing
Revises: 0013_billing
Create Date: 2026-11-23 19:25:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014_placement_billing"
down_revision = "0013_billing"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("project_milestone", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("billing_amount", sa.Numeric(precision=14, scale=2), nullable=True)
        )
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("exit_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("guarantee_outcome", sa.String(length=20), nullable=True))
    with op.batch_alter_table("job_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guarantee_remedy", sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table("job_order", schema=None) as batch_op:
        batch_op.drop_column("guarantee_remedy")
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.drop_column("guarantee_outcome")
        batch_op.drop_column("exit_reason")
        batch_op.drop_column("left_on")
    with op.batch_alter_table("project_milestone", schema=None) as batch_op:
        batch_op.drop_column("billing_amount")
