"""The pipeline in the REST API: applications (a candidate in a job order's pipeline, moved
from stage to stage, placed) and the client's evaluations of presented candidates, which
staff may record on behalf of a client contact and confirm.

Both follow the client's visibility (another client's application or evaluation is a 404)
and the Pipeline resource's permissions. A move the pipeline refuses is a 409 with the
model's message naming both stages.
"""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extensions import db
from models import (
    Application,
    Candidate,
    Contact,
    Evaluation,
    JobOrder,
    NotFoundError,
    PipelineError,
)
from models.candidates import PIPELINE, STAGES, StageMoveError
from models.evaluations import DECISIONS, SCORE_MAX, SCORE_MIN

from .base import READ_WRITE
from .roles import RESOURCE_PERMISSIONS
from .shaped_api import Choice, Id, Money, Person, ShapedApi, Text, db_id, one_of
from .visibility import acting_user, client_is_visible

# ---------------------------------------------------------------- applications


class CandidateShape(Schema):
    """A candidate: given whole to add a new one with their application."""

    id = fields.Integer(dump_only=True)
    first_name = Text(100, data_key="firstName", required=True)
    last_name = Text(100, data_key="lastName", required=True)
    email = Text(254)
    phone = Text(40)
    current_title = Text(191, data_key="currentTitle")
    current_company = Text(191, data_key="currentCompany")
    location = Text(191)
    linkedin_url = Text(300, data_key="linkedinUrl")


class StageMove(Schema):
    from_stage = fields.String(data_key="from")
    to_stage = fields.String(data_key="to")
    at = fields.DateTime()
    by = fields.Nested(Person, allow_none=True)
    note = fields.String()


class PlacementShape(Schema):
    id = fields.Integer()
    start_date = fields.Date(data_key="startDate")
    salary = fields.Decimal(as_string=True)
    currency = fields.String()
    fee_due = fields.Decimal(as_string=True, data_key="feeDue")
    guarantee_until = fields.Date(data_key="guaranteeUntil")
    left_on = fields.Date(data_key="leftOn")
    exit_reason = fields.String(data_key="exitReason")
    guarantee_outcome = fields.String(data_key="guaranteeOutcome")


class ApplicationShape(Schema):
    id = fields.Integer(dump_only=True)
    job_order_id = Id(data_key="jobOrderId", required=True)
    job_order = fields.Function(
        lambda a: {
            "id": a.job_order.id,
            "reference": a.job_order.reference,
            "title": a.job_order.title,
            "status": a.job_order.status,
        },
        data_key="jobOrder",
        dump_only=True,
    )
    client_id = fields.Integer(data_key="clientId", dump_only=True)
    candidate_id = Id(data_key="candidateId")
    candidate = fields.Nested(CandidateShape)
    stage = Choice([s for s in PIPELINE if s != "placed"], allow_none=False)
    stage_label = fields.String(data_key="stageLabel", dump_only=True)
    stage_changed_at = fields.DateTime(data_key="stageChangedAt", dump_only=True)
    source = Text(60)
    pitch = Text(20000)
    recruiter = fields.Nested(Person, dump_only=True, allow_none=True)
    presented_at = fields.DateTime(data_key="presentedAt", dump_only=True)
    first_review_at = fields.DateTime(data_key="firstReviewAt", dump_only=True)
    stage_changes = fields.List(fields.Nested(StageMove), data_key="stageHistory", dump_only=True)
    placement = fields.Nested(PlacementShape, dump_only=True, allow_none=True)
    created_at = fields.DateTime(data_key="createdAt", dump_only=True)

    @validates_schema
    def _one_candidate(self, data, partial=False, **kwargs):
        if partial:
            return
        if ("candidate_id" in data) == ("candidate" in data):
            raise ValidationError(
                "Give either the id of a known candidate or a new candidate.", "candidateId"
            )


class MoveBody(Schema):
    stage = Choice(STAGES, required=True)
    note = Text(500)


class PlaceBody(Schema):
    start_date = fields.Date(data_key="startDate", required=True)
    salary = Money(required=True)
    fee_due = Money(data_key="feeDue")
    currency = fields.String()


class DepartureBody(Schema):
    left_on = fields.Date(data_key="leftOn", required=True)
    reason = Text(500, required=True)


class ApplicationApi(ShapedApi):
    """Applications: list, read, add a candidate to a job order, move, place."""

    resource_name = "application"
    class_permission_name = "Pipeline"
    base_permissions = RESOURCE_PERMISSIONS["Pipeline"]
    method_permission_name = {
        **READ_WRITE,
        "move": "write",
        "place": "write",
        "departure": "write",
    }
    include_route_methods = ShapedApi.include_route_methods | {"move", "place", "departure"}
    datamodel = SQLAInterface(Application)
    schema = ApplicationShape
    list_exclude = ("stage_changes", "placement")
    list_load_options = (selectinload(Application.recruiter),)
    update_exclude = ("job_order_id", "candidate_id", "candidate", "stage")
    more_error_paths = {
        "job_order": "jobOrderId",
        "candidate": "candidateId",
        "left_on": "leftOn",
        "exit_reason": "reason",
        "placement": "placement",
    }
    openapi_spec_component_schemas = (MoveBody, PlaceBody, DepartureBody)
    search_columns = ["client", "job_order", "stage"]
    order_columns = ["created_at", "stage_changed_at", "stage"]
    base_order = ("created_at", "desc")
    query_filters = {
        "job_order_id": (db_id, lambda value: Application.job_order_id == value),
        "client_id": (db_id, lambda value: Application.client_id == value),
        "candidate_id": (db_id, lambda value: Application.candidate_id == value),
        "stage": (one_of(STAGES), lambda value: Application.stage == value),
    }

    def create(self, data: dict) -> Application:
        job = db.session.get(JobOrder, data["job_order_id"])
        if job is None or not client_is_visible(job.client_id):
            raise NotFoundError("No such job order.", "jobOrderId")
        candidate = _candidate(data)
        application = Application.action_add(
            job, candidate, acting_user(), data.get("stage", "sourced"), data.get("source")
        )
        application.pitch = data.get("pitch")
        return application

    def update(self, application: Application, data: dict) -> None:
        for column in ("source", "pitch"):
            if column in data:
                setattr(application, column, data[column])

    @expose("/<int:pk>/move", methods=["POST"])
    @protect()
    @safe
    @permission_name("move")
    def move(self, pk: int) -> Response:
        """Move an application to another stage (placed needs /place).
        ---
        post:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/MoveBody'}
          responses:
            200: {description: Moved}
            404: {$ref: '#/components/responses/404'}
            409: {description: The pipeline does not allow this move}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(
            pk,
            lambda item, data: item.action_move(data["stage"], acting_user(), data.get("note")),
            MOVE,
        )

    @expose("/<int:pk>/place", methods=["POST"])
    @protect()
    @safe
    @permission_name("place")
    def place(self, pk: int) -> Response:
        """Record the placement (start date, salary, fee due) and move to placed.
        ---
        post:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/PlaceBody'}
          responses:
            200: {description: Placed}
            404: {$ref: '#/components/responses/404'}
            409: {description: The application cannot be placed}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(
            pk,
            lambda item, data: item.action_place(
                data["start_date"],
                data["salary"],
                acting_user(),
                fee_due=data.get("fee_due"),
                currency=data.get("currency"),
            ),
            PLACE,
        )

    @expose("/<int:pk>/departure", methods=["POST"])
    @protect()
    @safe
    @permission_name("departure")
    def departure(self, pk: int) -> Response:
        """The placed candidate left the client (``leftOn``, ``reason``): within the replacement
        guarantee the job order's remedy follows (``Placement.record_departure``); the answer's
        ``creditNoteId`` is the draft credit note it proposed, if any.
        ---
        post:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/DepartureBody'}
          responses:
            200: {description: Recorded; the placement shows the guarantee's outcome}
            404: {$ref: '#/components/responses/404'}
            409: {description: The application is not placed}
            422: {$ref: '#/components/responses/422'}
        """

        def record(item: Application, data: dict) -> None:
            if item.placement is None:
                raise StageMoveError(
                    f"{item.candidate} is not placed: no departure to record.", "placement"
                )
            item.placement.record_departure(data["left_on"], data["reason"], acting_user())

        def answer(item: Application) -> dict:
            from models.placement_billing import proposed

            note = proposed(f"guarantee:{item.placement.id}", "credit_note")
            return {"creditNoteId": note.id if note else None}

        return self.run_on(pk, record, DEPARTURE, answer=answer)


MOVE, PLACE, DEPARTURE = MoveBody(), PlaceBody(), DepartureBody()


def _candidate(data: dict) -> Candidate:
    """The known candidate ``candidateId``, or a new one from ``candidate``.

    :raise PipelineError: for an unknown id or a new candidate breaking a rule.
    """
    if "candidate_id" in data:
        candidate = db.session.get(Candidate, data["candidate_id"])
        if candidate is None:
            raise PipelineError("No such candidate.", "candidateId")
        return candidate
    candidate = Candidate(**data["candidate"])
    errors = candidate.violations()
    if errors:
        raise PipelineError(errors[0].message, f"candidate.{_camel(errors[0].field)}")
    db.session.add(candidate)
    return candidate


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


# ---------------------------------------------------------------- evaluations


def Score() -> fields.Integer:  # noqa: N802 (reads like a field class)
    """A whole score from 1 to 5 (booleans and strings refused)."""
    return fields.Integer(strict=True, validate=validate.Range(SCORE_MIN, SCORE_MAX))


class EvaluationShape(Schema):
    id = fields.Integer(dump_only=True)
    application_id = Id(data_key="applicationId", required=True)
    client_id = fields.Integer(data_key="clientId", dump_only=True)
    job_order = fields.Function(
        lambda e: {
            "id": e.application.job_order.id,
            "reference": e.application.job_order.reference,
            "title": e.application.job_order.title,
        },
        data_key="jobOrder",
        dump_only=True,
    )
    candidate = fields.Function(
        lambda e: {"id": e.application.candidate.id, "name": e.application.candidate.full_name},
        dump_only=True,
    )
    contact_id = Id(data_key="contactId", required=True)
    contact = fields.Function(
        lambda e: {"id": e.contact.id, "name": e.contact.full_name}, dump_only=True
    )
    decision = Choice(DECISIONS, required=True)
    scores = fields.Dict(keys=fields.String(validate=validate.Length(1, 120)), values=Score())
    average = fields.Decimal(as_string=True, dump_only=True)
    comments = Text(5000)
    created_at = fields.DateTime(data_key="createdAt", dump_only=True)
    updated_at = fields.DateTime(data_key="updatedAt", dump_only=True)
    confirmed_at = fields.DateTime(data_key="confirmedAt", dump_only=True)
    confirmed_by = fields.Nested(Person, data_key="confirmedBy", dump_only=True, allow_none=True)


class EvaluationApi(ShapedApi):
    """The client's evaluations: list, read, record one for a client contact, confirm."""

    resource_name = "evaluation"
    class_permission_name = "Pipeline"
    base_permissions = RESOURCE_PERMISSIONS["Pipeline"]
    method_permission_name = {**READ_WRITE, "confirm": "write"}
    include_route_methods = {"get", "get_list", "post", "confirm"}
    datamodel = SQLAInterface(Evaluation)
    schema = EvaluationShape
    more_error_paths = {"application": "applicationId", "contact": "contactId"}
    list_load_options = (
        selectinload(Evaluation.application),
        selectinload(Evaluation.confirmed_by),
    )
    search_columns = ["application", "decision"]
    order_columns = ["created_at", "updated_at", "decision"]
    base_order = ("created_at", "desc")
    query_filters = {
        "application_id": (db_id, lambda value: Evaluation.application_id == value),
        "job_order_id": (
            db_id,
            lambda value: Evaluation.application.has(Application.job_order_id == value),
        ),
        "client_id": (db_id, lambda value: Evaluation.client_id == value),
        "decision": (one_of(DECISIONS), lambda value: Evaluation.decision == value),
    }

    def post_headless(self) -> Response:
        """201 for a new evaluation, 200 when the contact revises theirs."""
        revised = []

        def submit(data):
            revised.append(_exists(data["application_id"], data["contact_id"]))
            return self.create(data)

        response = self.write(self.add_model_schema, submit, 201)
        if revised and revised[0] and response.status_code == 201:
            response.status_code = 200
        return response

    def create(self, data: dict) -> Evaluation:
        application = db.session.get(Application, data["application_id"])
        if application is None or not client_is_visible(application.client_id):
            raise NotFoundError("No such application.", "applicationId")
        contact = db.session.get(Contact, data["contact_id"])
        if contact is None:
            raise NotFoundError("No such contact.", "contactId")
        return Evaluation.action_submit(
            application, contact, data["decision"], data.get("scores"), data.get("comments")
        )

    @expose("/<int:pk>/confirm", methods=["POST"])
    @protect()
    @safe
    @permission_name("confirm")
    def confirm(self, pk: int) -> Response:
        """Act on the decision: advance moves the candidate on, reject rejects, hold keeps.
        ---
        post:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          responses:
            200: {description: Confirmed}
            404: {$ref: '#/components/responses/404'}
            409: {description: The application cannot move}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(pk, lambda item, data: item.action_confirm(acting_user()))


def _exists(application_id: int, contact_id: int) -> bool:
    query = select(Evaluation.id).where(
        Evaluation.application_id == application_id, Evaluation.contact_id == contact_id
    )
    return db.session.execute(query).first() is not None
