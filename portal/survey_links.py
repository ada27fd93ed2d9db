"""Survey links from the invitation mails, and the signed-in contact's surveys.

``/portal/survey/<token>`` needs no sign-in: the token (only its hash is stored) names the
recipient. A GET shows the questions (mail scanners fetch links: nothing is recorded); the POST
(with its CSRF token) records the one response. An unknown link answers 404, an expired or
closed survey 410 and a second answer 409, each a page saying so in the portal's layout. A form
error re-renders the answers given with the message beside its question (422).

``/portal/surveys`` lists the signed-in contact's own surveys for their current client, read
through the access helper; ``/portal/surveys/<id>`` answers one with the same form and the same
one-response rule. A survey that is not theirs, or another client's, answers 404.
"""

from __future__ import annotations

from flask import abort, make_response, render_template, request

from extensions import db
from models import Survey, SurveyError, SurveyRecipient, record_response
from models.survey_responses import answer_errors
from models.surveys import SurveyAnsweredError, SurveyExpiredError

from . import bp
from .access import client_query, current_link, portal_login_required

REFUSAL_TITLES = {
    SurveyAnsweredError: "You have answered this survey already",
    SurveyExpiredError: "This survey is closed",
}


def _title(error: SurveyError) -> str:
    for kind, title in REFUSAL_TITLES.items():
        if isinstance(error, kind):
            return title
    return "This survey link cannot be used"


def _form_values() -> dict:
    return {key: value for key, value in request.form.items() if key != "csrf_token"}


def _answer(recipient: SurveyRecipient, template: str, channel: str):
    """The GET form, or the POST's outcome: (body, status)."""
    survey = recipient.survey
    page = {"survey": survey, "recipient": recipient}
    refusal = recipient.answerable()
    if refusal is not None:
        return _refused(template, refusal, **page)
    if request.method == "GET":
        return _render(template, 200, step="form", values={}, errors={}, **page)
    values = _form_values()
    errors = {e.field: e.message for e in answer_errors(survey.questions, values)}
    if errors:
        return _render(template, 422, step="form", values=values, errors=errors, **page)
    try:
        record_response(recipient, values, channel)
        db.session.commit()
    except SurveyError as error:
        db.session.rollback()
        if error.field in {q.key for q in survey.questions}:
            values_errors = {error.field: error.message}
            return _render(template, 422, step="form", values=values, errors=values_errors, **page)
        return _refused(template, error, **page)
    return _render(template, 200, step="done", **page)


def _refused(template: str, error: SurveyError, **page):
    page.setdefault("survey", None)
    page.setdefault("recipient", None)
    return _render(
        template,
        error.status_code,
        step="refused",
        error=error,
        code=error.status_code,
        refusal_title=_title(error),
        **page,
    )


def _render(template: str, status: int, **context):
    return render_template(template, **context), status


def _page(body: str, status: int = 200):
    """Kept out of caches, and without the token in any Referer it causes."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/survey/<token>", methods=["GET", "POST"])
def survey_link(token: str):
    """A recipient's survey from their invitation link: the form (GET), the answer (POST)."""
    try:
        recipient = SurveyRecipient.by_token(token)
    except SurveyError as error:
        return _page(*_refused("portal/survey_link.html", error))
    return _page(*_answer(recipient, "portal/survey_link.html", "link"))


# ---------------------------------------------------------------- signed in


def _my_recipients():
    """The signed-in contact's invitations for their current client (sent surveys only)."""
    link = current_link()
    return (
        client_query(SurveyRecipient)
        .join(SurveyRecipient.survey)
        .where(
            SurveyRecipient.contact_id == link.contact_id,
            Survey.status.in_(("sent", "closed")),
        )
    )


def my_open_surveys() -> list[SurveyRecipient]:
    """The signed-in contact's surveys awaiting their answer (the dashboard's card)."""
    rows = db.session.scalars(
        _my_recipients().where(SurveyRecipient.responded_at.is_(None)).order_by(Survey.expires_at)
    ).all()
    return [r for r in rows if r.survey.is_open()]


@bp.route("/surveys")
@portal_login_required()
def surveys():
    """The signed-in contact's surveys, newest first."""
    rows = db.session.scalars(_my_recipients().order_by(Survey.id.desc())).all()
    return render_template("portal/surveys.html", rows=rows)


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
@portal_login_required()
def survey(survey_id: int):
    """Answer one of the signed-in contact's surveys.

    :raise 404: for a survey not sent to them at their current client (another client's too).
    """
    recipient = (
        db.session.scalar(_my_recipients().where(SurveyRecipient.survey_id == survey_id))
        if survey_id
        else None
    )
    if recipient is None:
        abort(404)
    return _page(*_answer(recipient, "portal/survey.html", "portal"))
