"""Email templates, and on each outgoing message: its template, open and click tracking, the
contact's response and the time of the next delivery attempt

Revision ID: 0015_mail_templates
Revises: 0014_placement_billing
Create Date: 2026-12-02 19:40:00.000000

"""

from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = "0015_mail_templates"
down_revision = "0014_placement_billing"
branch_labels = None
depends_on = None

CATEGORIES = (
    "onboarding",
    "candidates",
    "project_updates",
    "contracts_offers",
    "follow_ups",
    "collections",
    "surveys",
)


def upgrade():
    op.create_table(
        "email_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IN (" + ", ".join(f"'{c}'" for c in CATEGORIES) + ")",
            name="ck_email_template_category",
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_email_template_key", "email_template", [sa.text("lower(key)")], unique=True
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("template_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("tracking_token", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("open_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("clicked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("click_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_outbox_message_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_message_template_id"), ["template_id"], unique=False
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_outbox_message_tracking_token"), ["tracking_token"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_template_id_email_template"),
            "email_template",
            ["template_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_message_template_id_email_template"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_outbox_message_tracking_token"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_outbox_message_template_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_next_attempt_at"))
        batch_op.drop_column("responded_at")
        batch_op.drop_column("click_count")
        batch_op.drop_column("clicked_at")
        batch_op.drop_column("open_count")
        batch_op.drop_column("opened_at")
        batch_op.drop_column("tracking_token")
        batch_op.drop_column("template_id")
        batch_op.drop_column("next_attempt_at")
    op.drop_index("uq_email_template_key", table_name="email_template")
    op.drop_table("email_template")
