"""The demo agency's onboarding (issue 9): the default template (seed 003's workflow), a plan
well under way for Bayanihan Foods (the portal client: its Onboarding page and dashboard card
show it) and one just started for Merlion Freight, and Bayanihan's next monthly business
review.

Called by ``load_demo()`` (admin/demo.py) inside its transaction; safe to run again: a client
that has a plan (or a review) already is left as it is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from extensions import db
from models import Client, OnboardingPlan, ServiceReview
from models.onboarding_templates import seed_default_template

# (client short name, days since the start, steps completed, the next one started)
PLANS = (("BAYANIHAN", 20, 3, True), ("MERLION", 3, 1, False))


def load_onboarding(staff, count) -> None:
    manager = staff.get("Account Manager")
    template = seed_default_template(db.session)
    clients = {c.short_name: c for c in db.session.scalars(select(Client))}
    for short_name, days_ago, done, started in PLANS:
        client = clients.get(short_name)
        if client is None or db.session.scalar(
            select(OnboardingPlan.id).where(OnboardingPlan.client_id == client.id).limit(1)
        ):
            continue
        plan = OnboardingPlan.start(
            client, template, manager, date.today() - timedelta(days=days_ago)
        )
        for step in plan.steps[:done]:
            step.action_complete(manager)
        if started:
            plan.steps[done].action_start(manager)
        count("onboarding plans")
    bayanihan = clients.get("BAYANIHAN")
    if bayanihan is not None and not db.session.scalar(
        select(ServiceReview.id).where(ServiceReview.client_id == bayanihan.id).limit(1)
    ):
        starts = datetime.combine(date.today() + timedelta(days=7), time(2, 0), tzinfo=UTC)
        ServiceReview.schedule(bayanihan, "monthly", starts, manager)
        count("service reviews")
