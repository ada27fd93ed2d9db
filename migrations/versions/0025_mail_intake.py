"""The service desk's email intake: inbound mail, kept (a ticket, a comment, or triage)

Revision ID: 0025_mail_intake
Revises: 0024_tickets
Create Date: 2026-12-04 18:11:21.792652

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_mail_intake'
down_revision = '0024_tickets'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('inbound_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('in_reply_to', sa.String(length=255), nullable=True),
    sa.Column('from_address', sa.String(length=254), nullable=False),
    sa.Column('from_name', sa.String(length=200), nullable=True),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('ticket', 'comment', 'triage', 'dismissed')", name='ck_inbound_mail_status'),
    sa.ForeignKeyConstraint(['comment_id'], ['ticket_comment.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['handled_by_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id')
    )
    with op.batch_alter_table('inbound_mail', schema=None) as batch_op:
        batch_op.create_index('ix_inbound_mail_status_received', ['status', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_mail_ticket_id'), ['ticket_id'], unique=False)



def downgrade():
    with op.batch_alter_table('inbound_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_mail_ticket_id'))
        batch_op.drop_index('ix_inbound_mail_status_received')

    op.drop_table('inbound_mail')
