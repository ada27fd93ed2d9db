"""Conversations: threads between the agency and a client (about the client, a job order, an
invoice or a quote) and their messages, with a read marker and unread count per side

Revision ID: 0016_conversations
Revises: 0015_mail_templates
Create Date: 2026-12-02 19:05:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016_conversations"
down_revision = "0015_mail_templates"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("context_type", sa.String(length=20), nullable=False),
        sa.Column("context_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("started_by_user_id", sa.Integer(), nullable=True),
        sa.Column("started_by_contact_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("client_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("staff_unread", sa.Integer(), nullable=False),
        sa.Column("client_unread", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "context_type IN ('client', 'job_order', 'invoice', 'quote')",
            name="ck_conversation_context_type",
        ),
        sa.CheckConstraint(
            "(context_type = 'client') = (context_id IS NULL)",
            name="ck_conversation_context_id",
        ),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"]),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"]),
        sa.ForeignKeyConstraint(["started_by_contact_id"], ["contact.id"]),
        sa.ForeignKeyConstraint(["started_by_user_id"], ["ab_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conversation_client_last", ["client_id", "last_message_at"], unique=False
        )
        batch_op.create_index(
            "ix_conversation_context", ["context_type", "context_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_conversation_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_conversation_started_by_contact_id"),
            ["started_by_contact_id"],
            unique=False,
        )

    op.create_table(
        "conversation_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("author_contact_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("side IN ('staff', 'client')", name="ck_conversation_message_side"),
        sa.CheckConstraint(
            "(author_user_id IS NULL) <> (author_contact_id IS NULL)",
            name="ck_conversation_message_author",
        ),
        sa.ForeignKeyConstraint(["author_contact_id"], ["contact.id"]),
        sa.ForeignKeyConstraint(["author_user_id"], ["ab_user.id"]),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("conversation_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversation_message_conversation_id"),
            ["conversation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_conversation_message_author_contact_id"),
            ["author_contact_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("conversation_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_message_author_contact_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_message_conversation_id"))
    op.drop_table("conversation_message")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_started_by_contact_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_contact_id"))
        batch_op.drop_index("ix_conversation_context")
        batch_op.drop_index("ix_conversation_client_last")
    op.drop_table("conversation")
