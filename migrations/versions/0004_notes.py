"""Notes, parent client, churned status

Revision ID: 0004_notes
Revises: 0003_activity
Create Date: 2026-11-23 12:00:04.637494

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_notes'
down_revision = '0003_activity'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('lead', 'prospect', 'active', 'inactive')"
NEW_STATUSES = "status IN ('lead', 'prospect', 'active', 'inactive', 'churned')"
# SQLite rebuilds the client table for the check and the foreign key, and batch mode cannot
# carry expression indexes across the rebuild: they are dropped first and made again after.
LIVE_NAME_INDEXES = {"uq_client_name_live": "name", "uq_client_short_name_live": "short_name"}


def _drop_live_name_indexes():
    for index in LIVE_NAME_INDEXES:
        op.drop_index(index, table_name="client")


def _create_live_name_indexes():
    for index, column in LIVE_NAME_INDEXES.items():
        op.create_index(
            index,
            "client",
            [sa.func.lower(sa.text(column))],
            unique=True,
            sqlite_where=sa.text("archived = 0"),
            postgresql_where=sa.text("NOT archived"),
        )


def upgrade():
    op.create_table('note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('pinned', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['ab_user.id'], name='fk_note_author_id'),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], name='fk_note_client_id'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_client_id'), ['client_id'], unique=False)

    _drop_live_name_indexes()
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_client_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key('fk_client_parent_id', 'client', ['parent_id'], ['id'])
        batch_op.drop_constraint('ck_client_status', type_='check')
        batch_op.create_check_constraint('ck_client_status', NEW_STATUSES)
    _create_live_name_indexes()


def downgrade():
    # Churned clients go back to inactive, the nearest status the old rule allows.
    op.execute("UPDATE client SET status = 'inactive' WHERE status = 'churned'")
    _drop_live_name_indexes()
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_constraint('ck_client_status', type_='check')
        batch_op.create_check_constraint('ck_client_status', OLD_STATUSES)
        batch_op.drop_constraint('fk_client_parent_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_client_parent_id'))
        batch_op.drop_column('parent_id')
    _create_live_name_indexes()

    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_client_id'))

    op.drop_table('note')
