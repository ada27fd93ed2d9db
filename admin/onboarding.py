"""The client page's Onboarding tab (the plan, its progress and its steps, the onboard button,
the step verbs; the ongoing service reviews) and the onboarding templates' admin (CRUD).

Rules are the models' (models/onboarding.py, models/service_reviews.py); these routes parse,
find the record among the clients the user may see (404 otherwise), call a verb and commit.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import abort, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from sqlalchemy import select
from wtforms import BooleanField

from extensions import db
from models import (
    Client,
    OnboardingPlan,
    OnboardingStep,
    OnboardingTemplate,
    OnboardingTemplateStep,
    ServiceReview,
    visible_client_ids,
)
from models.onboarding import STATUS_LABELS
from models.onboarding_templates import OWNER_ROLES
from models.service_reviews import REVIEW_KINDS

from .base import READ_WRITE, RulesModelView, run_verb
from .fields import choice, flag
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user

STEP_VERBS = {
    "start": OnboardingStep.action_start,
    "complete": OnboardingStep.action_complete,
    "skip": OnboardingStep.action_skip,
    "reopen": OnboardingStep.action_reopen,
}
VERB_DONE = {"start": "started", "complete": "completed", "skip": "skipped", "reopen": "reopened"}
STATUS_BADGES = {
    "pending": "default",
    "in_progress": "info",
    "done": "success",
    "skipped": "warning",
    "active": "info",
    "completed": "success",
    "cancelled": "default",
}


def onboarding_tab(sm, client) -> dict:
    """The Onboarding tab's context, for users who may read onboarding (none for others)."""
    if not sm.has_access("can_read", "Onboarding"):
        return {}
    reviews = db.session.scalars(
        select(ServiceReview)
        .where(ServiceReview.client_id == client.id)
        .order_by(ServiceReview.id.desc())
        .limit(12)
    ).all()
    templates = db.session.scalars(
        select(OnboardingTemplate)
        .where(OnboardingTemplate.active.is_(True))
        .order_by(OnboardingTemplate.is_default.desc(), OnboardingTemplate.name)
    ).all()
    return {
        "onboarding": {
            "plan": OnboardingPlan.latest_for(db.session, client.id),
            "may_write": sm.has_access("can_write", "Onboarding"),
            "templates": templates,
            "badges": STATUS_BADGES,
            "labels": STATUS_LABELS,
            "reviews": reviews,
            "review_kinds": REVIEW_KINDS,
            "today": date.today(),
            "staff": _staff(),
        }
    }


def _staff():
    from .client_page import staff_users  # the client page imports this module

    return staff_users()


def visible_client(client_id: int) -> Client:
    """:raise 404: for a client that does not exist or that the user may not see."""
    client = db.session.scalar(
        select(Client).where(
            Client.id == client_id, Client.id.in_(visible_client_ids(acting_user()))
        )
    )
    if client is None:
        abort(404)
    return client


def visible_step(step_id: int) -> OnboardingStep:
    """:raise 404: for a step of a client the user may not see (or none)."""
    step = db.session.scalar(
        select(OnboardingStep)
        .join(OnboardingPlan, OnboardingPlan.id == OnboardingStep.plan_id)
        .where(
            OnboardingStep.id == step_id,
            OnboardingPlan.client_id.in_(visible_client_ids(acting_user())),
        )
    )
    if step is None:
        abort(404)
    return step


def _back(client_id: int):
    return redirect(url_for("ClientView.show", pk=client_id, _anchor="Onboarding"))


def _run(client_id: int, call, done: str):
    """Call a verb (``run_verb``: commit, say what happened), then back to the tab."""
    run_verb(call, done)
    return _back(client_id)


class OnboardingView(BaseView):
    """The Onboarding tab's routes (Onboarding resource: write)."""

    route_base = "/onboarding"
    class_permission_name = "Onboarding"
    base_permissions = RESOURCE_PERMISSIONS["Onboarding"]
    method_permission_name = {
        "onboard": "write",
        "step": "write",
        "assign": "write",
        "tick": "write",
        "cancel": "write",
        "schedule_review": "write",
        "feedback": "write",
    }

    @expose("/client/<int:client_id>/onboard", methods=["POST"])
    @has_access
    @permission_name("write")
    def onboard(self, client_id: int):
        """Start the client's onboarding plan from the chosen (or default) template."""
        client = visible_client(client_id)
        template = None
        if request.form.get("template_id"):
            template = db.session.get(OnboardingTemplate, request.form.get("template_id", type=int))
            if template is None:
                abort(404)
        start = _date(request.form.get("start_date"))
        return _run(
            client_id,
            lambda: OnboardingPlan.start(client, template, acting_user(), start),
            f"Onboarding of {client.name} started.",
        )

    @expose("/step/<int:step_id>/<verb>", methods=["POST"])
    @has_access
    @permission_name("write")
    def step(self, step_id: int, verb: str):
        """Start, complete, skip or reopen one step."""
        if verb not in STEP_VERBS:
            abort(404)
        step = visible_step(step_id)
        return _run(
            step.plan.client_id,
            lambda: STEP_VERBS[verb](step, acting_user()),
            f"Step '{step.name}' {VERB_DONE[verb]}.",
        )

    @expose("/step/<int:step_id>/assign", methods=["POST"])
    @has_access
    @permission_name("write")
    def assign(self, step_id: int):
        """Give a step to a staff user (none: the client's owner answers for it)."""
        step = visible_step(step_id)
        chosen = request.form.get("assignee_id", type=int) or None
        user = next((u for u in _staff() if u.id == chosen), None)
        if chosen and user is None:
            abort(404)
        return _run(
            step.plan.client_id,
            lambda: step.action_assign(user, acting_user()),
            f"Step '{step.name}' assigned.",
        )

    @expose("/step/<int:step_id>/tick/<int:index>", methods=["POST"])
    @has_access
    @permission_name("write")
    def tick(self, step_id: int, index: int):
        """Tick or untick one item of a step's checklist."""
        step = visible_step(step_id)
        done = request.form.get("done") == "1"
        return _run(
            step.plan.client_id,
            lambda: step.action_tick(index, done, acting_user()),
            "Checklist updated.",
        )

    @expose("/plan/<int:plan_id>/cancel", methods=["POST"])
    @has_access
    @permission_name("write")
    def cancel(self, plan_id: int):
        """Cancel an active plan (the client may then be onboarded again)."""
        plan = db.session.get(OnboardingPlan, plan_id) or abort(404)
        visible_client(plan.client_id)
        return _run(
            plan.client_id, lambda: plan.action_cancel(acting_user()), "Onboarding cancelled."
        )

    @expose("/client/<int:client_id>/review", methods=["POST"])
    @has_access
    @permission_name("write")
    def schedule_review(self, client_id: int):
        """Schedule a weekly, monthly or quarterly review meeting with its agenda."""
        client = visible_client(client_id)
        kind = request.form.get("kind", "")
        starts_at = _datetime(request.form.get("starts_at"))
        return _run(
            client_id,
            lambda: ServiceReview.schedule(client, kind, starts_at, acting_user()),
            f"{REVIEW_KINDS.get(kind, ('Review',))[0]} scheduled.",
        )

    @expose("/review/<int:review_id>/feedback", methods=["POST"])
    @has_access
    @permission_name("write")
    def feedback(self, review_id: int):
        """Send the primary contact the feedback survey after a held quarterly review."""
        review = db.session.get(ServiceReview, review_id) or abort(404)
        visible_client(review.client_id)
        sent = {}

        def request_feedback():
            sent["new"] = review.survey_id is None
            sent["survey"] = review.action_request_feedback(acting_user())

        answer = _run(review.client_id, request_feedback, "Feedback survey sent.")
        if sent.get("new") and review.survey_id is not None:  # mailed after the commit
            from jobs.surveys import send_survey_later

            send_survey_later(sent["survey"].id)
        return answer


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _datetime(raw: str | None) -> datetime | None:
    try:
        value = datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value and value.tzinfo is None else value


# ---------------------------------------------------------------- templates (CRUD)

STEP_COLUMNS = [
    "position",
    "phase",
    "name",
    "owner_role",
    "duration_days",
    "deliverables",
    "checklist",
    "client_visible",
    "links_commercial",
]
STEP_LABELS = {
    "duration_days": "Target duration (days)",
    "deliverables": "Deliverables (one per line)",
    "checklist": "Checklist (one item per line)",
    "client_visible": "Shown in the portal",
    "links_commercial": "Linked to the quote and contract",
}


STEP_FIELDS = {
    "owner_role": choice("Owner role", OWNER_ROLES, blank=None),
    "client_visible": BooleanField(STEP_LABELS["client_visible"], default=True),
    "links_commercial": flag(STEP_LABELS["links_commercial"], "Its plan step shows them."),
}
TEMPLATE_FIELDS = {
    "is_default": flag("Default", "Used when no template is chosen."),
    "active": BooleanField("Active", description="Offered on the onboard button.", default=True),
}


class OnboardingTemplateStepView(RulesModelView):
    """The steps of an onboarding template (its related tab)."""

    datamodel = SQLAInterface(OnboardingTemplateStep)
    class_permission_name = "Onboarding"
    base_permissions = RESOURCE_PERMISSIONS["Onboarding"]
    method_permission_name = {**READ_WRITE, "delete": "write"}
    list_title = "Steps"
    list_columns = ["position", "phase", "name", "owner_role", "duration_days", "client_visible"]
    add_columns = ["template", *STEP_COLUMNS]
    edit_columns = STEP_COLUMNS
    show_columns = ["template", *STEP_COLUMNS]
    label_columns = STEP_LABELS
    add_form_extra_fields = edit_form_extra_fields = STEP_FIELDS
    base_order = ("position", "asc")
    search_columns = ["template", "name", "owner_role"]


class OnboardingTemplateView(RulesModelView):
    """Onboarding templates: the steps a new plan is made of (editable; plans keep a copy)."""

    datamodel = SQLAInterface(OnboardingTemplate)
    class_permission_name = "Onboarding"
    base_permissions = RESOURCE_PERMISSIONS["Onboarding"]
    method_permission_name = {**READ_WRITE, "delete": "write"}
    related_views = [OnboardingTemplateStepView]
    list_title = "Onboarding templates"
    list_columns = ["name", "is_default", "active", "total_days"]
    add_columns = edit_columns = ["name", "description", "is_default", "active"]
    show_columns = ["name", "description", "is_default", "active", "total_days"]
    label_columns = {"is_default": "Default", "total_days": "Total days"}
    add_form_extra_fields = edit_form_extra_fields = TEMPLATE_FIELDS
    search_columns = ["name", "active"]
