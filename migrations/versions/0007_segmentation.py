"""Client segmentation (revenue potential, country, region), merges and saved filters

Revision ID: 0007_segmentation
Revises: 0006_contact_prefs
Create Date: 2026-11-23 12:01:06.650104

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_segmentation'
down_revision = '0006_contact_prefs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('saved_filter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('view_name', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('query_string', sa.String(length=2000), nullable=False),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], name='fk_saved_filter_user_id'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'view_name', 'name', name='uq_saved_filter_user_view_name')
    )
    with op.batch_alter_table('saved_filter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_filter_user_id'), ['user_id'], unique=False)

    # Plain ADD COLUMNs and an index: SQLite keeps the table (no batch rebuild), so the
    # expression indexes on the client's names stay as they are.
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revenue_potential', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('country', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('region', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_client_country'), ['country'], unique=False)


def downgrade():
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_country'))
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('region')
        batch_op.drop_column('country')
        batch_op.drop_column('revenue_potential')
    if op.get_bind().dialect.name == "sqlite":
        # SQLite rebuilt the table and cannot reflect expression indexes: put them back.
        for column in ("name", "short_name"):
            op.create_index(
                f"uq_client_{column}_live",
                "client",
                [sa.text(f"lower({column})")],
                unique=True,
                sqlite_where=sa.text("archived = 0"),
            )

    with op.batch_alter_table('saved_filter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_filter_user_id'))

    op.drop_table('saved_filter')
