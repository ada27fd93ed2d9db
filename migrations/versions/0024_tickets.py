"""Service desk tickets: SLA policies, escalation levels, tickets, their comments, events and
attachments

Revision ID: 0024_tickets
Revises: 0023_onboarding_plans
Create Date: 2026-12-03 13:29:34.425628

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_tickets'
down_revision = '0023_onboarding_plans'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sla_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('response_hours', sa.Integer(), nullable=False),
    sa.Column('resolution_hours', sa.Integer(), nullable=False),
    sa.Column('business_hours', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.CheckConstraint("priority IN ('critical', 'high', 'medium', 'low')", name='ck_sla_policy_priority'),
    sa.CheckConstraint('resolution_hours >= response_hours', name='ck_sla_policy_resolution'),
    sa.CheckConstraint('response_hours > 0', name='ck_sla_policy_response'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('priority')
    )
    op.create_table('escalation_level',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('response_hours', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('level BETWEEN 1 AND 3', name='ck_escalation_level_level'),
    sa.CheckConstraint('response_hours > 0', name='ck_escalation_level_hours'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('level')
    )
    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('logged_by_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('crisis', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('business_hours', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('response_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolution_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_staff_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reopened_count', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=True),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("category IN ('recruitment', 'candidates', 'billing', 'contract', 'portal access', 'technical', 'general')", name='ck_ticket_category'),
    sa.CheckConstraint("channel IN ('portal', 'email', 'phone', 'whatsapp', 'staff')", name='ck_ticket_channel'),
    sa.CheckConstraint("priority IN ('critical', 'high', 'medium', 'low')", name='ck_ticket_priority'),
    sa.CheckConstraint("status IN ('new', 'acknowledged', 'in_progress', 'waiting_on_client', 'resolved', 'closed')", name='ck_ticket_status'),
    sa.CheckConstraint('escalation_level BETWEEN 0 AND 3', name='ck_ticket_escalation_level'),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name='ck_ticket_rating'),
    sa.ForeignKeyConstraint(['assignee_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ),
    sa.ForeignKeyConstraint(['logged_by_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_ticket_client_status', ['client_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index('ix_ticket_status_due', ['status', 'response_due_at'], unique=False)

    op.create_table('ticket_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('author_user_id', sa.Integer(), nullable=True),
    sa.Column('author_contact_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('internal', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_contact_id'], ['contact.id'], ),
    sa.ForeignKeyConstraint(['author_user_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id')
    )
    with op.batch_alter_table('ticket_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_comment_author_contact_id'), ['author_contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_comment_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ),
    sa.ForeignKeyConstraint(['recipient_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_event_ticket_kind', ['ticket_id', 'kind'], unique=False)

    op.create_table('ticket_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['ticket_comment.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['client_document.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_attachment_comment_id'), ['comment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_attachment_ticket_id'), ['ticket_id'], unique=False)



def downgrade():
    with op.batch_alter_table('ticket_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_attachment_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_attachment_comment_id'))

    op.drop_table('ticket_attachment')
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_event_ticket_kind')

    op.drop_table('ticket_event')
    with op.batch_alter_table('ticket_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_comment_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_comment_author_contact_id'))

    op.drop_table('ticket_comment')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_status_due')
        batch_op.drop_index(batch_op.f('ix_ticket_contact_id'))
        batch_op.drop_index('ix_ticket_client_status')
        batch_op.drop_index(batch_op.f('ix_ticket_assignee_id'))

    op.drop_table('ticket')
    op.drop_table('escalation_level')
    op.drop_table('sla_policy')
