"""Privacy: consent records and contact erasure

Revision ID: 0008_privacy
Revises: 0007_segmentation
Create Date: 2026-11-23 12:00:22.612143

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_privacy'
down_revision = '0007_segmentation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('consent_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.CheckConstraint("purpose IN ('marketing email', 'newsletter', 'sms marketing')", name='ck_consent_record_purpose'),
    sa.CheckConstraint("source IN ('web form', 'email', 'phone', 'import', 'portal', 'in person', 'other')", name='ck_consent_record_source'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name='fk_consent_record_contact_id'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['ab_user.id'], name='fk_consent_record_recorded_by_id'),
    sa.PrimaryKeyConstraint('id', name='pk_consent_record')
    )
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.create_index('ix_consent_record_contact_purpose_at', ['contact_id', 'purpose', 'at'], unique=False)

    # A nullable column: existing contacts are simply not erased.
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite's batch mode rebuilds the table and cannot carry an expression index over.
        op.create_index('uq_contact_email', 'contact', [sa.text('lower(email)')], unique=True)

    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_record_contact_purpose_at')

    op.drop_table('consent_record')
