"""Satisfaction surveys in the REST API (the Survey resource; JWT only: FAB's APIs are exempt
from CSRF, so a browser session cookie never authorises a write here).

``POST /api/v1/satisfaction-survey/`` takes the specification's shape (``clientId``,
``projectId``, ``type``, ``recipients: [{contactId | email, role}]``, ``sendDate``,
``expirationDate``) and drafts the survey; ``POST /<id>/send`` sends it (now, or on its send
date). ``GET`` answers a survey with its recipients, responses count and scores; ``GET
/results?client_id=&since=&until=`` the NPS, CSAT, response rate and monthly trend. Errors are
4xx JSON naming the field as sent; a client the user may not see is a 404.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, ValidationError, fields, validates_schema
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from extensions import db
from jobs.surveys import send_survey_later
from models import (
    Client,
    ClientContact,
    Contact,
    NotFoundError,
    Project,
    Survey,
    SurveyError,
    survey_results,
    visible_client_ids,
)
from models.survey_responses import DETRACTOR_MAX, PROMOTER_MIN, SATISFIED_MIN, Scores
from models.surveys import SURVEY_KINDS, SURVEY_STATUSES

from .base import READ_WRITE
from .roles import RESOURCE_PERMISSIONS
from .shaped_api import (
    EMPTY,
    BadQueryArgError,
    Choice,
    Id,
    ShapedApi,
    Text,
    db_id,
    one_of,
)
from .visibility import acting_user, client_is_visible


class RecipientShape(Schema):
    contact_id = Id(data_key="contactId")
    email = fields.Method("_email", deserialize="_load_email")
    role = Text(40)
    first_name = fields.Function(
        lambda r: r.contact.first_name, data_key="firstName", dump_only=True
    )
    last_name = fields.Function(lambda r: r.contact.last_name, data_key="lastName", dump_only=True)
    sent_at = fields.DateTime(data_key="sentAt", dump_only=True)
    skipped_reason = fields.String(data_key="skippedReason", dump_only=True)
    responded_at = fields.DateTime(data_key="respondedAt", dump_only=True)

    def _email(self, recipient):
        return recipient.contact.email

    def _load_email(self, value):
        if not isinstance(value, str) or "@" not in value or len(value) > 254:
            raise ValidationError("Not a valid email address.")
        return value.strip()

    @validates_schema
    def _one_person(self, data, **kwargs):
        if not data.get("contact_id") and not data.get("email"):
            raise ValidationError("Give the recipient's contactId or email.", "contactId")


class QuestionShape(Schema):
    key = fields.String()
    text = fields.String()
    answer_type = fields.String(data_key="answerType")
    scale_min = fields.Integer(data_key="min")
    scale_max = fields.Integer(data_key="max")
    required = fields.Boolean()
    measure = fields.String()


def survey_scores(survey: Survey) -> dict:
    """NPS and CSAT of one survey's responses."""
    responses = survey.responses
    nps = [r.nps_score for r in responses if r.nps_score is not None]
    csat = [r.csat_score for r in responses if r.csat_score is not None]
    scores = Scores(
        responses=len(responses),
        promoters=sum(1 for n in nps if n >= PROMOTER_MIN),
        passives=sum(1 for n in nps if DETRACTOR_MAX < n < PROMOTER_MIN),
        detractors=sum(1 for n in nps if n <= DETRACTOR_MAX),
        satisfied=sum(1 for n in csat if n >= SATISFIED_MIN),
        csat_answers=len(csat),
        invited=sum(1 for r in survey.recipients if r.sent_at is not None),
    )
    return scores.as_json()


class SurveyShape(Schema):
    id = fields.Integer(dump_only=True)
    client_id = Id(data_key="clientId", required=True)
    client_name = fields.Function(lambda s: s.client.name, data_key="clientName", dump_only=True)
    project_id = Id(data_key="projectId", allow_none=True)
    kind = Choice(SURVEY_KINDS, data_key="type", required=True)
    title = Text(191, allow_none=True)
    recipients = fields.List(fields.Nested(RecipientShape), required=True)
    send_at = fields.AwareDateTime(data_key="sendDate", default_timezone=UTC, allow_none=True)
    expires_at = fields.AwareDateTime(
        data_key="expirationDate", default_timezone=UTC, allow_none=True
    )
    status = fields.String(dump_only=True)
    sent_at = fields.DateTime(data_key="sentAt", dump_only=True)
    closed_at = fields.DateTime(data_key="closedAt", dump_only=True)
    questions = fields.List(fields.Nested(QuestionShape), dump_only=True)
    responses_count = fields.Function(
        lambda s: s.response_count, data_key="responsesCount", dump_only=True
    )
    scores = fields.Function(survey_scores, dump_only=True)
    created_at = fields.DateTime(data_key="createdAt", dump_only=True)


def _parse_day(value: str):
    return datetime.strptime(value, "%Y-%m-%d").date()


class SurveyApi(ShapedApi):
    """Satisfaction surveys: list, read, create (a draft with its recipients), send, and the
    results (NPS, CSAT, trend) of the clients the user may see."""

    resource_name = "satisfaction-survey"
    class_permission_name = "Survey"
    base_permissions = RESOURCE_PERMISSIONS["Survey"]
    method_permission_name = {**READ_WRITE, "send": "send", "results": "read"}
    include_route_methods = {"get", "get_list", "post", "send", "results"}
    allow_browser_login = False  # JWT only (see the module's docstring)
    datamodel = SQLAInterface(Survey)
    schema = SurveyShape
    list_exclude = ("questions",)
    list_load_options = (selectinload(Survey.recipients), selectinload(Survey.responses))
    more_error_paths = {"project": "projectId", "recipients": "recipients", "status": "status"}
    search_columns = ["client", "status", "kind"]
    order_columns = ["id", "send_at", "expires_at", "status"]
    base_order = ("id", "desc")
    query_filters = {
        "client_id": (db_id, lambda value: Survey.client_id == value),
        "status": (one_of(SURVEY_STATUSES), lambda value: Survey.status == value),
        "type": (one_of(SURVEY_KINDS), lambda value: Survey.kind == value),
    }

    def create(self, data: dict) -> Survey:
        if not client_is_visible(data["client_id"]):
            raise NotFoundError("No such client.", "client")
        client = db.session.get(Client, data["client_id"])
        project = None
        if data.get("project_id"):
            project = db.session.get(Project, data["project_id"])
            if project is None or project.client_id != client.id:
                raise SurveyError("The project must be one of the client's.", "project")
        contacts, roles = [], {}
        for index, person in enumerate(data["recipients"]):
            contact = _recipient(client, person, index)
            contacts.append(contact)
            if person.get("role"):
                roles[contact.id] = person["role"]
        return Survey.create_for(
            client,
            data["kind"],
            contacts,
            project=project,
            by=acting_user(),
            send_at=data.get("send_at"),
            expires_at=data.get("expires_at"),
            title=data.get("title"),
            roles=roles,
        )

    @expose("/<int:pk>/send", methods=["POST"])
    @protect()
    @safe
    @permission_name("send")
    def send(self, pk: int):
        """Send a draft survey: the invitations go now, or on its send date.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            200: {description: Sent or scheduled}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not a draft, no recipient, or expired}
        """
        return self.run_on(
            pk, lambda survey, data: survey.action_send(acting_user()), EMPTY, answer=_mail_now
        )

    @expose("/results", methods=["GET"])
    @protect()
    @safe
    @permission_name("results")
    def results(self):
        """NPS, CSAT and response rate for a period, overall, per client and per month.
        ---
        get:
          parameters:
          - {in: query, schema: {type: integer}, name: client_id}
          - {in: query, schema: {type: string, format: date}, name: since}
          - {in: query, schema: {type: string, format: date}, name: until}
          responses:
            200: {description: The figures}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
        """
        try:
            client_id = _arg("client_id", db_id)
            since = _arg("since", _parse_day)
            until = _arg("until", _parse_day)
        except BadQueryArgError as error:
            return self.response(400, message={error.field: [error.message]})
        ids = visible_client_ids(acting_user())
        if client_id is not None:
            if not client_is_visible(client_id):
                return self.response_404()
            ids = [client_id]
        results = survey_results(ids, since, until)
        return self.response(
            200,
            result={
                "since": since.isoformat() if since else None,
                "until": until.isoformat() if until else None,
                "overall": results.overall.as_json(),
                "clients": [
                    {"clientId": s.key, "clientName": s.label, **s.as_json()}
                    for s in results.clients
                ],
                "trend": [{"month": s.label, **s.as_json()} for s in results.months],
            },
        )


def _arg(name: str, parse):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse(raw)
    except (TypeError, ValueError):
        raise BadQueryArgError(f"'{raw}' is not a value {name} can take.", name) from None


def _recipient(client: Client, person: dict, index: int) -> Contact:
    """The client's contact a recipient names (by id or email).

    :raise SurveyError: naming ``recipients.<n>.contactId`` / ``.email`` for anyone else.
    """
    linked = select(ClientContact.contact_id).where(ClientContact.client_id == client.id)
    if person.get("contact_id"):
        contact = db.session.scalar(
            select(Contact).where(Contact.id == person["contact_id"], Contact.id.in_(linked))
        )
        field = f"recipients.{index}.contactId"
    else:
        contact = db.session.scalar(
            select(Contact).where(
                func.lower(Contact.email) == person["email"].lower(), Contact.id.in_(linked)
            )
        )
        field = f"recipients.{index}.email"
    if contact is None:
        raise SurveyError(f"No contact of {client.name} is this recipient.", field)
    return contact


def _mail_now(survey: Survey) -> dict:
    """After the send's commit: mail the invitations of a survey sent now."""
    if survey.status != "sent":
        return {"invitations": 0, "skipped": []}
    run = send_survey_later(survey.id)
    if not hasattr(run, "messages"):  # queued on RQ
        return {"queued": True}
    return {
        "invitations": len(run.messages),
        "skipped": [
            {"contactId": contact.id, "reason": reason} for _, contact, reason in run.skipped
        ],
    }
