"""A job order's service type (what is sold), so KPIs can be reported per service type;
existing orders take it from their fee type (retained: retained executive search, else
contingency recruitment)

Revision ID: 0019_job_order_service_type
Revises: 0018_workflows
Create Date: 2026-12-03 06:40:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0019_job_order_service_type"
down_revision = "0018_workflows"
branch_labels = None
depends_on = None

SERVICE_TYPES = (
    "retained executive search",
    "contingency recruitment",
    "contract staffing",
    "volume recruitment",
    "specialised consulting",
)


def upgrade():
    with op.batch_alter_table("job_order") as batch:
        batch.add_column(sa.Column("service_type", sa.String(40), nullable=True))
    op.execute(
        "UPDATE job_order SET service_type = CASE WHEN fee_type = 'retained' "
        "THEN 'retained executive search' ELSE 'contingency recruitment' END"
    )
    allowed = ", ".join(f"'{value}'" for value in SERVICE_TYPES)
    with op.batch_alter_table("job_order") as batch:
        batch.alter_column("service_type", existing_type=sa.String(40), nullable=False)
        batch.create_index("ix_job_order_service_type", ["service_type"])
        batch.create_check_constraint(
            "ck_job_order_service_type", f"service_type IN ({allowed})"
        )


def downgrade():
    with op.batch_alter_table("job_order") as batch:
        batch.drop_constraint("ck_job_order_service_type", type_="check")
        batch.drop_index("ix_job_order_service_type")
        batch.drop_column("service_type")
