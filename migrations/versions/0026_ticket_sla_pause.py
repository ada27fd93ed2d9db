"""The service desk's clock stops while a ticket waits on the client

Revision ID: 0026_ticket_sla_pause
Revises: 0025_mail_intake
Create Date: 2026-12-04 18:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026_ticket_sla_pause'
down_revision = '0025_mail_intake'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('paused_seconds', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('paused_seconds')
        batch_op.drop_column('paused_at')
