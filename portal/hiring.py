"""The employer's hiring pages: job orders, their request form, shortlists and evaluations.

Everything here needs the ``hiring`` area and reads through the access helper; another
client's job order, and a candidate the agency has not presented, answer 404. Evaluating a
candidate is an htmx POST answered with that candidate's card, and the job's evaluation
summary swapped out of band; without JavaScript the same form posts and comes back to the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from extensions import db
from models import (
    Application,
    ClientContact,
    Contact,
    DomainError,
    Evaluation,
    EvaluationError,
    JobOrder,
    JobOrderError,
)
from models.candidates import EXITS
from models.evaluations import DECISIONS, SCORE_MAX, SCORE_MIN
from models.recruiting import DEFAULT_CRITERIA, LIVE_STATUSES

from . import bp
from .access import (
    client_query,
    current_client,
    current_link,
    get_for_client,
    portal_login_required,
)
from .hiring_data import (
    CLIENT_STATUS_LABELS,
    JobTarget,
    evaluation_summary,
    presented_application,
    presented_counts,
    shortlist,
)
from .hiring_forms import JobOrderRequestForm

ENDED_STATUSES = ("rejected", "filled", "cancelled", "closed")


@bp.app_template_filter("client_status")
def client_status(status: str) -> str:
    """A job order status as the client reads it."""
    return CLIENT_STATUS_LABELS.get(status, status)


# ---------------------------------------------------------------- job orders


@bp.route("/jobs")
@portal_login_required("hiring")
def jobs():
    """The client's job orders: running searches first, then the ones that ended."""
    orders = db.session.scalars(client_query(JobOrder).order_by(JobOrder.id.desc())).all()
    presented = presented_counts()
    rows = [JobTarget(order, presented.get(order.id, 0)) for order in orders]
    return render_template(
        "portal/jobs.html",
        current=[row for row in rows if row.job.status not in ENDED_STATUSES],
        ended=[row for row in rows if row.job.status in ENDED_STATUSES],
    )


@bp.route("/jobs/new", methods=["GET", "POST"])
@portal_login_required("hiring")
def new_job():
    """Ask the agency to fill a position: the job order arrives submitted for approval."""
    people = _people()
    form = JobOrderRequestForm()
    form.set_people(people.values())
    if request.method == "GET":
        form.currency.data = current_client().currency or "USD"
        form.stakeholders[0].form.contact.data = current_link().contact_id
    else:
        # The rules run even when a field did not parse, so every message shows at once.
        job = _request_job_order(form, people, submit=form.validate())
        if job is not None:
            flash(f"Job order {job.reference} {job.title} was sent for approval.", "success")
            return redirect(url_for("portal.job", job_id=job.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "portal/job_new.html", form=form, default_criteria=DEFAULT_CRITERIA
    ), status


def _people() -> dict[int, Contact]:
    """The client's own contacts, by contact id: the only people a request may name."""
    links = db.session.scalars(client_query(ClientContact)).all()
    people = {link.contact_id: link.contact for link in links}
    return dict(sorted(people.items(), key=lambda item: item[1].full_name.lower()))


def _request_job_order(
    form: JobOrderRequestForm, people: dict[int, Contact], submit: bool
) -> JobOrder | None:
    """Check the job order's rules and, if the form parsed (``submit``) and every rule holds,
    create it and submit it for approval. A broken rule puts its message on the form."""
    link, user = current_link(), current_user._get_current_object()
    job = JobOrder(
        client=link.client,
        client_id=link.client_id,
        requested_by=link.contact,
        created_by=user,
        **form.job_fields(),
    )
    errors: list[DomainError] = list(job.violations())
    with db.session.no_autoflush:
        for contact_id, role in form.chosen_stakeholders():
            if contact_id not in people:
                continue  # not one of the client's people: the form said so already
            try:
                job.add_stakeholder(people[contact_id], role)
            except JobOrderError as error:
                errors.append(error)
    if submit and not errors:
        db.session.add(job)
        try:
            job.action_submit(by=user)
            db.session.commit()
            return job
        except DomainError as error:
            db.session.rollback()
            errors.append(error)
    for error in errors:
        form.add_model_error(error)
    return None


@bp.route("/jobs/<int:job_id>")
@portal_login_required("hiring")
def job(job_id: int):
    """One job order: its details, timeline, shortlist and evaluations."""
    return _job_page(get_for_client(JobOrder, job_id))


@bp.route("/jobs/<int:job_id>/evaluations")
@portal_login_required("hiring")
def job_evaluations(job_id: int):
    """The evaluation summary of one job order: averages, decisions and who made them."""
    job = get_for_client(JobOrder, job_id)
    applications = shortlist(job)
    return render_template(
        "portal/job_evaluations.html",
        job=job,
        summary=evaluation_summary(job.criteria, applications),
    )


def _job_page(job: JobOrder, card: CandidateCard | None = None, status: int = 200):
    applications = shortlist(job)
    cards = [
        card if card is not None and card.application.id == a.id else _card(a) for a in applications
    ]
    return render_template(
        "portal/job.html",
        job=job,
        target=JobTarget(job, len(applications)),
        is_live=job.status in LIVE_STATUSES,
        cards=cards,
        summary=evaluation_summary(job.criteria, applications),
    ), status


# ---------------------------------------------------------------- evaluations


@dataclass
class CandidateCard:
    """One presented candidate on the shortlist, with the signed-in contact's evaluation form."""

    application: Application
    mine: Evaluation | None
    values: dict = field(default_factory=dict)
    error: str | None = None
    error_field: str | None = None
    notice: str | None = None

    @property
    def criteria(self) -> list[str]:
        return self.application.job_order.criteria

    @property
    def interviews(self):
        return [i for i in self.application.interviews if i.outcome == "scheduled"]

    @property
    def others(self) -> list[Evaluation]:
        return [e for e in self.application.evaluations if e is not self.mine]

    @property
    def closed(self) -> bool:
        """Rejected or withdrawn after being presented: shown, no longer evaluated."""
        return self.application.stage in EXITS

    @property
    def locked(self) -> bool:
        return self.mine is not None and self.mine.confirmed_at is not None


def _card(application: Application, **state) -> CandidateCard:
    """The card of ``application``, with the signed-in contact's evaluation (if any) in the
    form unless ``values`` (as posted) are given."""
    me = current_link().contact_id
    mine = next((e for e in application.evaluations if e.contact_id == me), None)
    values = state.pop("values", None)
    if values is None:
        values = (
            {
                "scores": dict(mine.scores or {}),
                "decision": mine.decision,
                "comments": mine.comments,
            }
            if mine
            else {"scores": {}, "decision": None, "comments": None}
        )
    return CandidateCard(application, mine, values, **state)


@bp.route("/shortlist/<int:application_id>/evaluation", methods=["POST"])
@portal_login_required("hiring")
def evaluate(application_id: int):
    """Save (or revise) the signed-in contact's evaluation of a presented candidate."""
    application = presented_application(application_id)
    criteria = application.job_order.criteria
    scores = {c: _score(request.form.get(f"score-{i}")) for i, c in enumerate(criteria)}
    values = {
        "scores": {c: s for c, s in scores.items() if s is not None},
        "decision": request.form.get("decision") or None,
        "comments": request.form.get("comments", ""),
    }
    try:
        Evaluation.action_submit(
            application,
            current_link().contact,
            values["decision"] or "",
            values["scores"],
            values["comments"],
        )
    except EvaluationError as error:
        db.session.rollback()
        application = presented_application(application_id)
        card = _card(application, values=values, error=error.message, error_field=error.field)
        return _card_response(card, 422)
    db.session.commit()
    name = application.candidate.full_name
    db.session.expire_all()
    card = _card(
        presented_application(application_id), notice=f"Your evaluation of {name} is saved."
    )
    return _card_response(card, 200)


def _score(raw: str | None):
    """A posted score: a whole number, or the text as typed for the rule to refuse."""
    raw = (raw or "").strip()
    if not raw:
        return None
    digits = raw.removeprefix("-")
    return int(raw) if digits.isdecimal() and digits.isascii() else raw


def _card_response(card: CandidateCard, status: int):
    """htmx: the candidate's card, and the job's summary out of band; else the whole page."""
    job = card.application.job_order
    if not request.htmx:
        if status == 200:
            flash(card.notice, "success")
            anchor = f"candidate-{card.application.id}"
            return redirect(url_for("portal.job", job_id=job.id, _anchor=anchor), 303)
        return _job_page(job, card, status)
    applications = shortlist(job)
    return render_template(
        "portal/_candidate_card.html",
        card=card,
        job=job,
        summary=evaluation_summary(job.criteria, applications),
        oob=True,
    ), status


# Offered to the templates so that the score scale and decisions come from the model.
@bp.context_processor
def evaluation_scale() -> dict:
    return {"score_range": range(SCORE_MIN, SCORE_MAX + 1), "decisions": DECISIONS}
