"""The pipeline board of a job order: a column per stage, a card per application.

Moves are htmx POSTs (drag and drop, or the card's own "Move to" form for keyboards) that call
``Application.action_move`` and answer with the board fragment (``admin/_pipeline_board.html``),
the model's refusal shown on the card with a 422. Moving to Placed opens the placement form
(``Application.action_place``). Without JavaScript the same forms post and come back to the
page. A job order of a client the user may not see answers 404, like one that does not exist.
The board costs the same handful of queries whatever the number of applications.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, permission_name
from sqlalchemy import func, select

from extensions import db
from models import (
    Application,
    Candidate,
    DomainError,
    Evaluation,
    Interview,
    JobOrder,
    Offer,
    PipelineError,
    utcnow,
    visible_client_ids,
)
from models.candidates import EXITS, PIPELINE, STAGE_LABELS, STAGES
from models.offers import OPEN_STATUSES
from models.pipeline_metrics import average_time_to_fill, stage_conversion, time_to_fill

from .base import id_fits
from .interviews import interview_page, schedule_interview
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user


@dataclass
class Card:
    """What one card of the board shows about one application."""

    application: Application
    days_in_stage: int
    pending_evaluations: int
    next_interview: datetime | None


@dataclass
class BoardState:
    """What a re-rendered board keeps open or says: a refusal on a card, an open placement
    form with the user's values, a notice."""

    error_on: int | None = None
    error: str | None = None
    error_field: str | None = None
    placing: int | None = None
    values: dict = field(default_factory=dict)
    notice: str | None = None


class PipelineBoardView(BaseView):
    """``/pipeline/<job id>``: the board; its POST routes move, place, add and interview."""

    route_base = "/pipeline"
    default_view = "board"
    class_permission_name = "Pipeline"
    base_permissions = RESOURCE_PERMISSIONS["Pipeline"]
    method_permission_name = {
        "board": "read",
        "application": "read",
        "move": "write",
        "place": "write",
        "add": "write",
        "schedule": "write",
    }

    # ------------------------------------------------------------ access

    @staticmethod
    def _job_or_404(job_id: int) -> JobOrder:
        """:raise 404: for a job order that does not exist or whose client is not yours."""
        job = db.session.scalar(
            select(JobOrder).where(
                JobOrder.id == job_id,
                JobOrder.client_id.in_(visible_client_ids(acting_user())),
            )
        )
        if job is None:
            abort(404)
        return job

    @staticmethod
    def _application_or_404(job: JobOrder, application_id: int) -> Application:
        """:raise 404: for an application that is not in ``job``'s pipeline."""
        application = db.session.scalar(
            select(Application).where(
                Application.id == application_id, Application.job_order_id == job.id
            )
        )
        if application is None:
            abort(404)
        return application

    # ------------------------------------------------------------ pages

    @expose("/<int:job_id>")
    @has_access
    def board(self, job_id):
        """The pipeline board of a job order, with its time-to-fill and stage conversion."""
        job = self._job_or_404(job_id)
        return self.render_template("admin/pipeline_board.html", title=str(job), **_board(job))

    @expose("/<int:job_id>/move/<int:application_id>", methods=["POST"])
    @has_access
    @permission_name("write")
    def move(self, job_id, application_id):
        """Move a candidate to the posted stage; Placed opens the placement form instead."""
        job = self._job_or_404(job_id)
        application = self._application_or_404(job, application_id)
        stage = request.form.get("stage", "")
        if stage == "placed" and application.stage not in ("placed", *EXITS):
            return self._answer(job, BoardState(placing=application.id))
        try:
            application.action_move(stage, acting_user())
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            return self._refused(job, application_id, error)
        label = STAGE_LABELS[stage]
        return self._answer(job, BoardState(notice=f"{application.candidate} moved to {label}."))

    @expose("/<int:job_id>/place/<int:application_id>", methods=["POST"])
    @has_access
    @permission_name("write")
    def place(self, job_id, application_id):
        """Record the placement (start date, salary, optional fee due) and move to Placed."""
        job = self._job_or_404(job_id)
        application = self._application_or_404(job, application_id)
        values = {
            name: request.form.get(name, "").strip() for name in ("start_date", "salary", "fee_due")
        }
        try:
            start_date = _date(values["start_date"], "start_date", "Start date")
            salary = _amount(values["salary"], "salary", "Salary")
            fee_due = (
                _amount(values["fee_due"], "fee_due", "Fee due") if values["fee_due"] else None
            )
            application.action_place(start_date, salary, acting_user(), fee_due=fee_due)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            return self._refused(job, application_id, error, placing=application_id, values=values)
        return self._answer(job, BoardState(notice=f"{application.candidate} placed."))

    @expose("/<int:job_id>/add", methods=["POST"])
    @has_access
    @permission_name("write")
    def add(self, job_id):
        """Add an existing candidate, or one created here from a name, email and title."""
        job = self._job_or_404(job_id)
        form = request.form
        values = {
            name: form.get(name, "").strip()
            for name in ("candidate_id", "first_name", "last_name", "email", "current_title")
        }
        try:
            candidate = _chosen_or_new_candidate(values)
            Application.action_add(job, candidate, by=acting_user())
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            state = BoardState(error=error.message, error_field=error.field, values=values)
            return self._answer(job, state, 422)
        return self._answer(job, BoardState(notice=f"{candidate} added to the pipeline."))

    @expose("/<int:job_id>/application/<int:application_id>", methods=["GET"])
    @has_access
    def application(self, job_id, application_id):
        """One application: its moves, its interviews and the form to schedule one."""
        job = self._job_or_404(job_id)
        return interview_page(self, job, self._application_or_404(job, application_id))

    @expose("/<int:job_id>/application/<int:application_id>/interview", methods=["POST"])
    @has_access
    @permission_name("write")
    def schedule(self, job_id, application_id):
        """Schedule an interview for the application; a refusal re-renders its form."""
        job = self._job_or_404(job_id)
        return schedule_interview(self, job, self._application_or_404(job, application_id))

    # ------------------------------------------------------------ answers

    def _refused(self, job, application_id, error: DomainError, **state):
        state = BoardState(
            error_on=application_id, error=error.message, error_field=error.field, **state
        )
        return self._answer(job, state, 422)

    def _answer(self, job: JobOrder, state: BoardState, status: int = 200):
        """htmx: the board fragment. Otherwise a success goes back to the page (303) and a
        refusal or an open form renders the whole page."""
        if request.htmx:
            return render_template("admin/_pipeline_board.html", **_board(job, state)), status
        if status == 200 and state.placing is None:
            flash(state.notice, "success")
            return redirect(url_for(".board", job_id=job.id), 303)
        page = self.render_template(
            "admin/pipeline_board.html", title=str(job), **_board(job, state)
        )
        return page, status


# ---------------------------------------------------------------- the board's data

# The stages whose cards offer "Make offer" (the new-offer form lists the same applications).
OFFER_STAGES = ("submitted", "client_interview", "offer")


def _board(job: JobOrder, state: BoardState | None = None) -> dict:
    """Everything the board template reads, in a fixed number of queries."""
    session = db.session
    applications = session.scalars(
        select(Application)
        .where(Application.job_order_id == job.id)
        .order_by(Application.stage_changed_at, Application.id)
    ).all()
    pending = dict(
        session.execute(
            select(Evaluation.application_id, func.count(Evaluation.id))
            .join(Application, Application.id == Evaluation.application_id)
            .where(Application.job_order_id == job.id, Evaluation.confirmed_at.is_(None))
            .group_by(Evaluation.application_id)
        ).all()
    )
    now = utcnow()
    upcoming = dict(
        session.execute(
            select(Interview.application_id, func.min(Interview.scheduled_at))
            .join(Application, Application.id == Interview.application_id)
            .where(
                Application.job_order_id == job.id,
                Interview.outcome == "scheduled",
                Interview.scheduled_at >= now,
            )
            .group_by(Interview.application_id)
        ).all()
    )
    columns: dict[str, list[Card]] = {stage: [] for stage in STAGES}
    for application in applications:
        columns[application.stage].append(
            Card(
                application,
                (now - application.stage_changed_at).days,
                pending.get(application.id, 0),
                upcoming.get(application.id),
            )
        )
    # The open offer of each application, for the card's link to it ("Make offer" otherwise).
    offers = {
        offer.application_id: offer
        for offer in session.scalars(
            select(Offer).where(Offer.job_order_id == job.id, Offer.status.in_(OPEN_STATUSES))
        )
    }
    in_pipeline = select(Application.candidate_id).where(Application.job_order_id == job.id)
    candidates = session.execute(
        select(Candidate.id, Candidate.first_name, Candidate.last_name, Candidate.current_title)
        .where(Candidate.id.not_in(in_pipeline))
        .order_by(Candidate.last_name, Candidate.first_name)
    ).all()
    return {
        "job": job,
        "columns": columns,
        "pipeline": PIPELINE,
        "exits": EXITS,
        "stages": STAGES,
        "labels": STAGE_LABELS,
        "state": state or BoardState(),
        "fill": time_to_fill(session, [job.id]).get(job.id),
        "client_average": average_time_to_fill(session, [job.client_id]).get(job.client_id),
        "funnel": stage_conversion(session, job.id),
        "candidates": candidates,
        "may_write": current_app.appbuilder.sm.has_access("can_write", "Pipeline"),
        "offers": offers,
        "offer_stages": OFFER_STAGES,
        "may_offer": current_app.appbuilder.sm.has_access("can_write", "Offer"),
    }


# ---------------------------------------------------------------- parsing


def _date(raw: str, name: str, label: str) -> date:
    """:raise PipelineError: naming ``name`` unless ``raw`` is a date as YYYY-MM-DD."""
    if not raw:
        raise PipelineError(f"{label} is required.", name)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise PipelineError(f"{label} must be a date as YYYY-MM-DD.", name) from None


def _amount(raw: str, name: str, label: str) -> Decimal:
    """:raise PipelineError: naming ``name`` unless ``raw`` is an amount such as 85000.00."""
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise PipelineError(f"{label} must be an amount such as 85000.00.", name)
    return value


def _chosen_or_new_candidate(values: dict) -> Candidate:
    """The candidate picked from the list, or a new one from the quick form.

    :raise PipelineError: for an unknown pick, or a new candidate breaking a rule.
    """
    if values["candidate_id"]:
        candidate = (
            db.session.get(Candidate, int(values["candidate_id"]))
            if values["candidate_id"].isdecimal() and id_fits(values["candidate_id"])
            else None
        )
        if candidate is None:
            raise PipelineError("Choose a candidate from the list.", "candidate_id")
        return candidate
    if not any(values[name] for name in ("first_name", "last_name", "email", "current_title")):
        raise PipelineError(
            "Choose a candidate from the list, or give a new one's name.", "candidate_id"
        )
    candidate = Candidate(
        first_name=values["first_name"],
        last_name=values["last_name"],
        email=values["email"] or None,
        current_title=values["current_title"] or None,
    )
    candidate.validate()
    db.session.add(candidate)
    return candidate
