"""Generated documents: quote and offer types, the source record and its fingerprint

Revision ID: 0010_document_kinds
Revises: 0009_recruiting
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_document_kinds'
down_revision = '0009_recruiting'
branch_labels = None
depends_on = None

OLD_TYPES = "type IN ('contract', 'agreement', 'report', 'other')"
NEW_TYPES = "type IN ('contract', 'agreement', 'report', 'quote', 'offer', 'other')"


def upgrade():
    with op.batch_alter_table('client_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('source_fingerprint', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_client_document_source'), ['source'], unique=False)
        batch_op.drop_constraint('ck_client_document_type', type_='check')
        batch_op.create_check_constraint('ck_client_document_type', NEW_TYPES)


def downgrade():
    # Quotes and offers become "other": the old constraint knows no such types.
    op.execute("UPDATE client_document SET type = 'other' WHERE type IN ('quote', 'offer')")
    with op.batch_alter_table('client_document', schema=None) as batch_op:
        batch_op.drop_constraint('ck_client_document_type', type_='check')
        batch_op.create_check_constraint('ck_client_document_type', OLD_TYPES)
        batch_op.drop_index(batch_op.f('ix_client_document_source'))
        batch_op.drop_column('source_fingerprint')
        batch_op.drop_column('source')
