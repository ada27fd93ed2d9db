"""Recruiting › Feedback turnaround and Recruiting › Evaluations.

The turnaround page lists the clients the user may see, slowest reviewers first (figures from
``models.feedback``). The evaluations list shows what the clients' people decided; "Confirm
decision" is ``Evaluation.action_confirm`` (advance moves the candidate on, reject rejects),
refused with the model's message when it cannot be done.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import Markup, escape
from sqlalchemy.orm import joinedload

from extensions import db
from models import Application, DomainError, Evaluation, visible_client_ids
from models.feedback import turnaround_by_client

from .base import READ_WRITE, RulesModelView, selected_visible
from .formats import when
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, visible_to_user


class FeedbackTurnaroundView(BaseView):
    """How long each visible client takes to review presented candidates, slowest first."""

    route_base = "/feedback-turnaround"
    default_view = "index"
    class_permission_name = "Pipeline"
    base_permissions = RESOURCE_PERMISSIONS["Pipeline"]
    method_permission_name = {"index": "read"}

    @expose("/")
    @has_access
    def index(self):
        """The clients' review figures; ``?since=YYYY-MM-DD`` counts candidates presented since."""
        raw = (request.args.get("since") or "").strip()
        since = None
        if raw:
            try:
                since = datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC)
            except ValueError:
                flash("Since must be a date as YYYY-MM-DD; showing every candidate.", "danger")
                raw = ""
        rows = turnaround_by_client(client_ids=visible_client_ids(acting_user()), since=since)
        return self.render_template("admin/feedback_turnaround.html", rows=rows, since=raw)


# ---------------------------------------------------------------- evaluations


class EagerInterface(SQLAInterface):
    """Loads what the list shows with the rows (application, candidate, job order, client), so
    a page of evaluations is one query, not one more per row."""

    def apply_all(self, query, *args, **kwargs):
        return (
            super()
            .apply_all(query, *args, **kwargs)
            .options(joinedload(Evaluation.application).joinedload(Application.job_order))
        )


def _scores(scores) -> Markup:
    if not scores:
        return Markup("—")
    rows = "".join(
        f"<tr><th>{escape(criterion)}</th><td>{escape(score)} / 5</td></tr>"
        for criterion, score in scores.items()
    )
    return Markup(f'<table class="table table-condensed">{rows}</table>')


def _text(value) -> Markup:
    return Markup("<br>").join(escape(value or "—").splitlines()) if value else Markup("—")


class EvaluationView(RulesModelView):
    """The client's evaluations of presented candidates; staff confirm the decisions."""

    datamodel = EagerInterface(Evaluation)
    class_permission_name = "Pipeline"
    base_permissions = RESOURCE_PERMISSIONS["Pipeline"]
    method_permission_name = {**READ_WRITE, "confirm": "write"}
    base_filters = [visible_to_user()]
    # The client's people write evaluations (in the portal); staff read and confirm them.
    exclude_route_methods = {"add", "edit", "delete"}
    base_order = ("created_at", "desc")

    list_title = "Client evaluations"
    show_title = "Evaluation"
    list_columns = [
        "application.candidate",
        "application.job_order",
        "application.job_order.client",
        "contact",
        "decision",
        "average",
        "created_at",
        "confirmed_at",
    ]
    show_columns = [
        *list_columns[:5],
        "scores",
        "average",
        "comments",
        "created_at",
        "updated_at",
        "confirmed_at",
        "confirmed_by",
    ]
    order_columns = ["decision", "created_at", "confirmed_at"]
    search_columns = ["decision", "comments"]
    label_columns = {
        "application.candidate": "Candidate",
        "application.job_order": "Job order",
        "application.job_order.client": "Client",
        "contact": "Evaluated by",
        "average": "Average score",
        "created_at": "Created",
        "updated_at": "Last changed",
        "confirmed_at": "Confirmed",
        "confirmed_by": "Confirmed by",
    }
    formatters_columns = {
        "created_at": when,
        "updated_at": when,
        "confirmed_at": when,
        "scores": _scores,
        "comments": _text,
    }

    @action(
        "confirm",
        "Confirm decision",
        "Act on the selected decisions? Advance moves the candidate on, reject rejects them.",
        "fa-check",
    )
    def confirm(self, items):
        """Confirm each selected decision; a refusal is flashed with the model's message.

        :raise 404: for one evaluation (the show page's button) that is missing or not yours.
        """
        if not isinstance(items, list):
            items = [items] if items is not None else []
            if not selected_visible(items, self):
                abort(404)
        for evaluation in selected_visible([item for item in items if item is not None], self):
            application = evaluation.application
            who = f"{application.candidate} ({evaluation.contact}'s {evaluation.decision})"
            try:
                evaluation.action_confirm(acting_user())
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                flash(f"{who}: {error.message}", "danger")
            else:
                flash(f"{who} confirmed: now {application.stage_label}.", "success")
        return redirect(request.referrer or self.get_redirect())
