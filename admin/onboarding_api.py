"""Onboarding in the REST API: the plans of the clients the user may see
(``/api/v1/onboarding-plans/``, list and read), their step verbs
(``POST /api/v1/onboarding-plans/<id>/steps/<step id>/start|complete|skip|reopen``), and on a
client (``/api/v1/clients/<id>/...``): ``onboard`` (seed 000's "POST /clients/:clientId/
onboard"), scheduling a service review, and the feedback survey after a quarterly review.

The methods only map: the body is read by a schema (422 naming each bad field, 400 for a body
that is not a JSON object), the verbs are the models', and their errors keep their own codes
(404 for a client or a record the user may not see, 409 for a second active plan).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, ValidationError, fields
from sqlalchemy.orm import selectinload

from extensions import db
from models import (
    Client,
    NotFoundError,
    OnboardingPlan,
    OnboardingStep,
    OnboardingTemplate,
    ServiceReview,
)
from models.onboarding import PLAN_STATUSES
from models.service_reviews import REVIEW_KINDS

from .onboarding import STEP_VERBS
from .roles import RESOURCE_PERMISSIONS
from .shaped_api import (
    Choice,
    Id,
    Person,
    ShapedApi,
    UnknownRecordError,
    db_id,
    one_of,
    staff_by_ids,
)
from .visibility import acting_user, visible_to_user

EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


class StepShape(Schema):
    id = fields.Integer()
    position = fields.Integer()
    phase = fields.String()
    name = fields.String()
    owner_role = fields.String(data_key="ownerRole")
    assignee = fields.Nested(Person, allow_none=True)
    owner = fields.Nested(Person, allow_none=True)
    duration_days = fields.Integer(data_key="durationDays")
    due_date = fields.Date(data_key="dueDate")
    deliverable_list = fields.List(fields.String(), data_key="deliverables")
    checklist = fields.Raw()
    status = fields.String()
    client_visible = fields.Boolean(data_key="clientVisible")
    overdue = fields.Boolean()
    quote_id = fields.Integer(data_key="quoteId", allow_none=True)
    contract_id = fields.Integer(data_key="contractId", allow_none=True)
    notified_at = fields.DateTime(data_key="notifiedAt", allow_none=True)


class PlanShape(Schema):
    id = fields.Integer(dump_only=True)
    client_id = fields.Integer(data_key="clientId", dump_only=True)
    client_name = fields.Function(lambda plan: plan.client.name, data_key="clientName")
    template_id = fields.Integer(data_key="templateId", dump_only=True)
    name = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    start_date = fields.Date(data_key="startDate", dump_only=True)
    target_end = fields.Date(data_key="targetEnd", dump_only=True)
    progress = fields.Integer(dump_only=True)
    client_progress = fields.Integer(data_key="clientProgress", dump_only=True)
    steps = fields.List(fields.Nested(StepShape), dump_only=True)


def in_range(value) -> None:
    """A date (or a moment's day) the plans can count days from."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValidationError("Must be between 2000-01-01 and 2999-12-31.")


class AssignBody(Schema):
    assignee_id = Id(data_key="assigneeId", required=True, allow_none=True)


class OnboardBody(Schema):
    template_id = Id(data_key="templateId", allow_none=True)
    start_date = fields.Date(data_key="startDate", allow_none=True, validate=in_range)


class ReviewBody(Schema):
    kind = Choice(tuple(REVIEW_KINDS), required=True, allow_none=False)
    starts_at = fields.AwareDateTime(
        data_key="startsAt", required=True, default_timezone=UTC, validate=in_range
    )


class ReviewShape(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    meeting_id = fields.Integer(data_key="meetingId")
    starts_at = fields.Function(lambda r: r.meeting.starts_at.isoformat(), data_key="startsAt")
    agenda = fields.Function(lambda r: r.meeting.agenda, data_key="agenda")
    survey_id = fields.Integer(data_key="surveyId", allow_none=True)


ERROR_PATHS = {
    "assignee": "assigneeId",
    "template_id": "templateId",
    "start_date": "startDate",
    "starts_at": "startsAt",
    "client": "clientId",
}


class OnboardingPlanApi(ShapedApi):
    """Onboarding plans: list, read, and their steps started, completed, skipped, reopened."""

    resource_name = "onboarding-plans"
    class_permission_name = "Onboarding"
    base_permissions = RESOURCE_PERMISSIONS["Onboarding"]
    method_permission_name = {
        "get": "read",
        "get_list": "read",
        "step_action": "write",
        "assign_step": "write",
    }
    include_route_methods = {"get", "get_list", "step_action", "assign_step"}
    datamodel = SQLAInterface(OnboardingPlan)
    schema = PlanShape
    more_error_paths = ERROR_PATHS
    list_load_options = (
        selectinload(OnboardingPlan.steps).selectinload(OnboardingStep.assignee),
    )
    openapi_spec_component_schemas = (AssignBody,)
    search_columns = ["client", "status"]
    order_columns = ["created_at", "start_date", "status"]
    base_order = ("created_at", "desc")
    query_filters = {
        "client_id": (db_id, lambda value: OnboardingPlan.client_id == value),
        "status": (one_of(PLAN_STATUSES), lambda value: OnboardingPlan.status == value),
    }

    @expose("/<int:pk>/steps/<int:step_id>/<verb>", methods=["POST"])
    @protect()
    @safe
    @permission_name("step_action")
    def step_action(self, pk: int, step_id: int, verb: str):
        """Start, complete, skip or reopen one step of a plan.
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          - {in: path, name: step_id, schema: {type: integer}}
          - {in: path, name: verb, schema: {type: string, enum: [start, complete, skip, reopen]}}
          responses:
            200: {description: The plan with its progress}
            404: {$ref: '#/components/responses/404'}
            409: {description: The step's status does not allow it}
        """
        if verb not in STEP_VERBS:
            return self.response_404()
        return self.run_on(
            pk, lambda plan, data: STEP_VERBS[verb](_step(plan, step_id), acting_user())
        )

    @expose("/<int:pk>/steps/<int:step_id>/assign", methods=["POST"])
    @protect()
    @safe
    @permission_name("assign_step")
    def assign_step(self, pk: int, step_id: int):
        """Give a step to a staff user (``assigneeId``; null: the client's owner answers).
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          - {in: path, name: step_id, schema: {type: integer}}
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/AssignBody'}
          responses:
            200: {description: The plan}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """

        def assign(plan, data):
            chosen = data["assignee_id"]
            user = staff_by_ids([chosen], "assigneeId")[0] if chosen is not None else None
            _step(plan, step_id).action_assign(user, acting_user())

        return self.run_on(pk, assign, ASSIGN)


def _step(plan: OnboardingPlan, step_id: int):
    """:raise NotFoundError: unless the step is one of ``plan``'s."""
    found = next((s for s in plan.steps if s.id == step_id), None)
    if found is None:
        raise NotFoundError("No such step in this plan.", "step")
    return found


class ClientOnboardingApi(ShapedApi):
    """On a client: onboard it, schedule its service reviews, ask for feedback after a QBR."""

    resource_name = "clients"
    class_permission_name = "Onboarding"
    base_permissions = RESOURCE_PERMISSIONS["Onboarding"]
    method_permission_name = {
        "onboard": "write",
        "schedule_review": "write",
        "request_feedback": "write",
    }
    include_route_methods = {"onboard", "schedule_review", "request_feedback"}
    datamodel = SQLAInterface(Client)
    base_filters = [visible_to_user("id")]
    schema = PlanShape
    more_error_paths = ERROR_PATHS
    openapi_spec_component_schemas = (OnboardBody, ReviewBody, ReviewShape)

    @expose("/<int:pk>/onboard", methods=["POST"])
    @protect()
    @safe
    @permission_name("onboard")
    def onboard(self, pk: int):
        """Onboard a client: its plan from a template (``templateId``, the default one if not
        given) starting on ``startDate`` (today if not given).
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/OnboardBody'}
          responses:
            201: {description: The new plan}
            404: {$ref: '#/components/responses/404'}
            409: {description: The client has an onboarding plan under way already}
            422: {$ref: '#/components/responses/422'}
        """
        client = self.visible(pk)
        if client is None:
            return self.response_404()

        def start(data):
            template = None
            if data.get("template_id") is not None:
                template = db.session.get(OnboardingTemplate, data["template_id"])
                if template is None:
                    raise UnknownRecordError(
                        f"No onboarding template with id {data['template_id']}.", "templateId"
                    )
            return OnboardingPlan.start(client, template, acting_user(), data.get("start_date"))

        return self.write(ONBOARD, start, 201, body_required=False)

    @expose("/<int:pk>/service-reviews", methods=["POST"])
    @protect()
    @safe
    @permission_name("schedule_review")
    def schedule_review(self, pk: int):
        """Schedule a weekly status report, monthly or quarterly business review meeting
        (``kind``: weekly, monthly, quarterly; ``startsAt``), its agenda from the figures.
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/ReviewBody'}
          responses:
            201: {description: The review and its meeting}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        client = self.visible(pk)
        if client is None:
            return self.response_404()
        return self.write(
            REVIEW,
            lambda data: ServiceReview.schedule(
                client, data["kind"], data["starts_at"], acting_user()
            ),
            201,
            shape=REVIEW_SHAPE,
        )

    @expose("/<int:pk>/service-reviews/<int:review_id>/feedback", methods=["POST"])
    @protect()
    @safe
    @permission_name("request_feedback")
    def request_feedback(self, pk: int, review_id: int):
        """After a held quarterly business review: the feedback survey for the client's
        primary contact (once; a second call answers the same survey).
        ---
        post:
          parameters:
          - {in: path, name: pk, schema: {type: integer}}
          - {in: path, name: review_id, schema: {type: integer}}
          responses:
            200: {description: The review with its survey}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not a quarterly review, or not held yet}
        """
        client = self.visible(pk)
        review = db.session.get(ServiceReview, review_id) if client is not None else None
        if review is None or review.client_id != client.id:
            return self.response_404()
        sent = {}

        def ask(data):
            sent["new"] = review.survey_id is None
            sent["survey"] = review.action_request_feedback(acting_user())
            return review

        answer = self.write(EMPTY_BODY, ask, 200, body_required=False, shape=REVIEW_SHAPE)
        if answer.status_code == 200 and sent.get("new"):
            from jobs.surveys import send_survey_later

            send_survey_later(sent["survey"].id)
        return answer


class EmptyBody(Schema):
    """No body."""


ASSIGN = AssignBody()
ONBOARD = OnboardBody()
REVIEW = ReviewBody()
EMPTY_BODY = EmptyBody()
REVIEW_SHAPE = ReviewShape()
