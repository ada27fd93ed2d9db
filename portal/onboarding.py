"""The client's onboarding in the portal: the plan's progress over the steps the agency shows
the client (``client_visible``), each with its status and target date.

``/portal/onboarding`` shows the client's current plan, ``/portal/onboarding/<id>`` one plan;
both read through the access helper, so another client's plan answers 404. Every signed-in
contact of the client may see it (no area right: it is the company's own onboarding).
"""

from __future__ import annotations

from flask import render_template
from sqlalchemy import case

from extensions import db
from models import OnboardingPlan

from . import bp
from .access import client_query, get_for_client, portal_login_required


def my_onboarding() -> OnboardingPlan | None:
    """The logged-in client's active plan, else its latest one (cancelled ones left out)."""
    return db.session.scalar(
        client_query(OnboardingPlan)
        .where(OnboardingPlan.status != "cancelled")
        .order_by(case((OnboardingPlan.status == "active", 0), else_=1), OnboardingPlan.id.desc())
        .limit(1)
    )


@bp.route("/onboarding")
@portal_login_required()
def onboarding():
    """The company's onboarding: progress and the client-visible steps."""
    return render_template("portal/onboarding.html", plan=my_onboarding())


@bp.route("/onboarding/<int:plan_id>")
@portal_login_required()
def onboarding_plan(plan_id: int):
    """One of the company's onboarding plans (404 for another client's)."""
    plan = get_for_client(OnboardingPlan, plan_id)
    if plan.status == "cancelled":
        return render_template("portal/onboarding.html", plan=None)
    return render_template("portal/onboarding.html", plan=plan)
