"""Placeholder for the onboarding plans revision (replaced by the onboarding branch)

Revision ID: 0023_onboarding_plans
Revises: 0022_time_entries
Create Date: 2026-12-03 13:00:00.000000

"""

revision = "0023_onboarding_plans"
down_revision = "0022_time_entries"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
