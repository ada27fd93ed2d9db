"""Job orders in the REST API, in the specification's shape ("Creating a Comprehensive Job
Order": ``jobDetails``, ``commercialTerms``, ``priorities``), with their status workflow and
the evaluation summary of their presented candidates.

Every status change is a model verb behind ``PATCH /<id>/status``; approving or rejecting
also needs the JobOrder resource's ``approve`` permission. Amounts are decimal strings.
"""

from __future__ import annotations

from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_appbuilder.security.sqla.models import User
from marshmallow import Schema, fields
from sqlalchemy.orm import selectinload

from extensions import db
from models import Client, Contact, JobOrder, JobOrderError, Project
from models.evaluations import evaluation_summary
from models.recruiting import (
    CULTURAL_FIT,
    FEE_TYPES,
    GUARANTEE_REMEDIES,
    LEVELS,
    PAYMENT_TERMS,
    QUALITY_LEVELS,
    SERVICE_TYPES,
    STAKEHOLDER_ROLES,
    STATUSES,
    URGENCIES,
    WORK_TYPES,
)

from .base import READ_WRITE
from .roles import RESOURCE_PERMISSIONS
from .shaped_api import (
    Choice,
    ContactRef,
    Count,
    Days,
    Id,
    Lines,
    Money,
    Person,
    Section,
    ShapedApi,
    Text,
    db_id,
    one_of,
    staff_by_ids,
)
from .visibility import acting_user

# ---------------------------------------------------------------- the shape


class JobDetails(Schema):
    title = Text(191, required=True)
    department = Text(120)
    level = Choice(LEVELS)
    description = Text(20000)
    requirements = Lines()
    location = Text(191)
    work_type = Choice(WORK_TYPES, data_key="workType")
    openings = Count(1, 1000, allow_none=False)
    salary_min = Money(data_key="salaryMin")
    salary_max = Money(data_key="salaryMax")
    currency = fields.String()


class CommercialTerms(Schema):
    fee = Money()
    fee_type = Choice(FEE_TYPES, data_key="feeType", allow_none=False)
    service_type = Choice(SERVICE_TYPES, data_key="serviceType", allow_none=False)
    timeline_days = Days(data_key="timeline")
    replacement_guarantee_days = Count(0, 3650, data_key="replacementGuarantee")
    guarantee_remedy = Choice(GUARANTEE_REMEDIES, data_key="guaranteeRemedy")
    payment_terms = Choice(PAYMENT_TERMS, data_key="paymentTerms")
    retainer_stages = Count(1, 6, data_key="retainerStages")
    estimated_fee = Money(data_key="estimatedFee", dump_only=True)


class Priorities(Schema):
    urgency = Choice(URGENCIES, allow_none=False)
    quality_level = Choice(QUALITY_LEVELS, data_key="qualityLevel")
    cultural_fit = Choice(CULTURAL_FIT, data_key="culturalFit")


class Stakeholder(Schema):
    contact_id = Id(data_key="contactId", required=True)
    role = Choice(STAKEHOLDER_ROLES, required=True)
    contact = fields.Nested(ContactRef, dump_only=True)


class Approval(Schema):
    level = fields.Integer()
    approver = fields.Nested(Person)
    at = fields.DateTime()
    comment = fields.String()


class StatusMove(Schema):
    from_status = fields.String(data_key="from")
    to_status = fields.String(data_key="to")
    at = fields.DateTime()
    by = fields.Nested(Person, allow_none=True)
    note = fields.String()


class JobOrderShape(Schema):
    """A job order as the specification writes it, plus its people and workflow."""

    id = fields.Integer(dump_only=True)
    reference = fields.String(dump_only=True)
    client_id = Id(data_key="clientId", required=True)
    client_name = fields.Function(
        lambda job: job.client.name, data_key="clientName", dump_only=True
    )
    project_id = Id(data_key="projectId", allow_none=True)
    job_details = Section(JobDetails, data_key="jobDetails", required=True)
    commercial_terms = Section(CommercialTerms, data_key="commercialTerms")
    priorities = Section(Priorities)
    stakeholders = fields.List(fields.Nested(Stakeholder))
    success_criteria = Lines(data_key="successCriteria")
    evaluation_criteria = Lines(data_key="evaluationCriteria")
    submit = fields.Boolean(load_only=True)
    # the workflow (changed through PATCH /<id>/status only)
    status = fields.String(dump_only=True)
    allowed_next = fields.List(fields.String(), data_key="allowedNext", dump_only=True)
    recruiters = fields.List(fields.Nested(Person), dump_only=True)
    approvals_needed = fields.Integer(data_key="approvalsNeeded", dump_only=True)
    approvals = fields.List(fields.Nested(Approval), dump_only=True)
    status_changes = fields.List(
        fields.Nested(StatusMove), data_key="statusHistory", dump_only=True
    )
    requested_by = fields.Nested(ContactRef, data_key="requestedBy", dump_only=True)
    created_by = fields.Nested(Person, data_key="createdBy", dump_only=True)
    submitted_at = fields.DateTime(data_key="submittedAt", dump_only=True)
    approved_at = fields.DateTime(data_key="approvedAt", dump_only=True)
    opened_at = fields.DateTime(data_key="openedAt", dump_only=True)
    filled_at = fields.DateTime(data_key="filledAt", dump_only=True)
    closed_at = fields.DateTime(data_key="closedAt", dump_only=True)
    target_fill_date = fields.Date(data_key="targetFillDate", dump_only=True)
    days_open = fields.Integer(data_key="daysOpen", dump_only=True)
    created_at = fields.DateTime(data_key="createdAt", dump_only=True)
    updated_at = fields.DateTime(data_key="updatedAt", dump_only=True)


SECTIONS = ("job_details", "commercial_terms", "priorities")


class StatusChange(Schema):
    """The body of ``PATCH /<id>/status``."""

    status = Choice(STATUSES, required=True)
    note = Text(500)
    reason = Text(500)
    recruiter_ids = fields.List(Id(), data_key="recruiterIds")


# ---------------------------------------------------------------- writing a job order


def apply_job_order(job: JobOrder, data: dict) -> None:
    """Copy the loaded shape onto ``job``: its sections' columns, project and stakeholders.

    :raise JobOrderError: for a project or a stakeholder that is not the client's.
    """
    for section in SECTIONS:
        for attribute, value in data.get(section, {}).items():
            setattr(job, attribute, value)
    for attribute in ("client_id", "success_criteria", "evaluation_criteria"):
        if attribute in data:
            setattr(job, attribute, data[attribute])
    if "project_id" in data:
        job.project = _project_of(job.client_id, data["project_id"])
    if "stakeholders" in data:
        _set_stakeholders(job, data["stakeholders"])


def _project_of(client_id: int, project_id: int | None) -> Project | None:
    if project_id is None:
        return None
    project = db.session.get(Project, project_id)
    if project is None or project.client_id != client_id:
        raise JobOrderError("No such project of this client.", "projectId")
    return project


def _set_stakeholders(job: JobOrder, wanted: list[dict]) -> None:
    """Make the stakeholders exactly ``wanted``: roles updated, the missing added, the others
    removed (a contact is on a job order once)."""
    kept = {s.contact_id: s for s in job.stakeholders if s.contact_id is not None}
    seen = set()
    for index, entry in enumerate(wanted):
        contact_id, path = entry["contact_id"], f"stakeholders.{index}"
        if contact_id in seen:
            raise JobOrderError("This contact is listed twice.", f"{path}.contactId")
        seen.add(contact_id)
        if contact_id in kept:
            kept[contact_id].role = entry["role"]
            continue
        contact = db.session.get(Contact, contact_id)
        if contact is None:
            raise JobOrderError("No such contact.", f"{path}.contactId")
        try:
            job.add_stakeholder(contact, entry["role"])
        except JobOrderError as error:
            field = "role" if error.field == "role" else "contactId"
            raise JobOrderError(error.message, f"{path}.{field}") from None
    for contact_id, stakeholder in kept.items():
        if contact_id not in seen:
            job.stakeholders.remove(stakeholder)


def change_status(job: JobOrder, data: dict, by: User) -> None:
    """Move ``job`` to ``data["status"]`` through its model verb.

    :raise JobOrderTransitionError: (409) when the workflow does not allow it.
    """
    status, text = data["status"], data.get("reason") or data.get("note")
    if status == "approved":
        recruiters = staff_by_ids(data.get("recruiter_ids") or [], "recruiterIds")
        job.action_approve(by, recruiters, comment=text)
    elif status == "rejected":
        job.action_reject(by, text or "")
    elif status == "submitted":
        job.action_submit(by)
    elif status == "open" and job.status == "on_hold":
        job.action_resume(by)
    elif status == "open":
        job.action_open(by)
    elif status == "on_hold":
        job.action_hold(by, text)
    elif status == "filled":
        job.action_fill(by)
    elif status == "cancelled":
        job.action_cancel(by, text)
    elif status == "closed":
        job.action_close(by)
    else:  # draft
        job.action_redraft(by)


# ---------------------------------------------------------------- the API


class JobOrderApi(ShapedApi):
    """Job orders: list, read, create, change; their status through PATCH /<id>/status."""

    resource_name = "job-order"
    class_permission_name = "JobOrder"
    base_permissions = RESOURCE_PERMISSIONS["JobOrder"]
    method_permission_name = {**READ_WRITE, "status": "write", "evaluation_summary": "read"}
    include_route_methods = ShapedApi.include_route_methods | {"status", "evaluation_summary"}
    datamodel = SQLAInterface(JobOrder)
    schema = JobOrderShape
    list_exclude = ("approvals", "status_changes")
    update_exclude = ("client_id", "submit")
    more_error_paths = {"recruiters": "recruiterIds", "project": "projectId"}
    list_load_options = (
        selectinload(JobOrder.recruiters),
        selectinload(JobOrder.stakeholders),
        selectinload(JobOrder.requested_by),
        selectinload(JobOrder.created_by),
    )
    openapi_spec_component_schemas = (StatusChange,)
    search_columns = ["client", "status", "urgency", "title"]
    order_columns = ["created_at", "title", "status", "urgency"]
    base_order = ("created_at", "desc")
    query_filters = {
        "client_id": (db_id, lambda value: JobOrder.client_id == value),
        "project_id": (db_id, lambda value: JobOrder.project_id == value),
        "status": (one_of(STATUSES), lambda value: JobOrder.status == value),
        "urgency": (one_of(URGENCIES), lambda value: JobOrder.urgency == value),
        "recruiter": (db_id, lambda value: JobOrder.recruiters.any(User.id == value)),
    }

    def create(self, data: dict) -> JobOrder:
        by = acting_user()
        job = JobOrder(client_id=data["client_id"], created_by=by)
        self._check_client(job)  # a client the user may not see: 404
        job.client = db.session.get(Client, job.client_id)
        apply_job_order(job, data)
        job.validate()
        db.session.add(job)
        if data.get("submit"):
            job.action_submit(by)
        return job

    def update(self, job: JobOrder, data: dict) -> None:
        apply_job_order(job, data)
        job.validate()

    @expose("/<int:pk>/status", methods=["PATCH"])
    @protect()
    @safe
    @permission_name("status")
    def status(self, pk: int):
        """Move a job order through its workflow (approving and rejecting need ``approve``).
        ---
        patch:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/StatusChange'}
          responses:
            200: {description: "Moved; ``approved`` says whether the approval is complete"}
            400: {$ref: '#/components/responses/400'}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            409: {description: The workflow does not allow this move}
            422: {$ref: '#/components/responses/422'}
        """
        if self.visible(pk) is None:
            return self.response_404()
        body = self.body()
        if not isinstance(body, dict):
            return body  # 400
        wanted = body.get("status")
        if wanted in ("approved", "rejected") and not self.appbuilder.sm.has_access(
            "can_approve", self.class_permission_name
        ):
            return self.response_403()
        return self.run_on(
            pk,
            lambda item, data: change_status(item, data, acting_user()),
            STATUS_CHANGE,
            answer=lambda item: (
                {"approved": item.status == "approved"} if wanted == "approved" else {}
            ),
        )

    @expose("/<int:pk>/evaluation-summary", methods=["GET"])
    @protect()
    @safe
    @permission_name("evaluation_summary")
    def evaluation_summary(self, pk: int):
        """The client's evaluations of each presented candidate: averages and decisions.
        ---
        get:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          responses:
            200: {description: "Per candidate: averages per criterion, overall, decisions"}
            404: {$ref: '#/components/responses/404'}
        """
        job = self.visible(pk)
        if job is None:
            return self.response_404()
        return self.response(200, id=pk, result=summary_json(job))


STATUS_CHANGE = StatusChange()


def _decimal(value) -> str | None:
    return None if value is None else str(value)


def summary_json(job: JobOrder) -> dict:
    """``evaluation_summary`` in the API's shape (averages as decimal strings)."""
    rows = evaluation_summary(db.session, job)
    return {
        "jobOrder": {"id": job.id, "reference": job.reference, "title": job.title},
        "criteria": job.criteria,
        "candidates": [
            {
                "applicationId": row.application.id,
                "candidate": {
                    "id": row.application.candidate.id,
                    "firstName": row.application.candidate.first_name,
                    "lastName": row.application.candidate.last_name,
                },
                "stage": row.application.stage,
                "presentedAt": _iso(row.application.presented_at),
                "averages": {k: _decimal(v) for k, v in row.averages.items()},
                "overall": _decimal(row.overall),
                "decisions": [
                    {
                        "evaluationId": e.id,
                        "decision": e.decision,
                        "by": {"contactId": e.contact.id, "name": e.contact.full_name},
                        "at": _iso(e.updated_at),
                        "confirmed": e.confirmed_at is not None,
                        "confirmedAt": _iso(e.confirmed_at),
                    }
                    for e in row.evaluations
                ],
                "decisionCounts": row.decision_counts,
            }
            for row in rows
        ],
    }


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()
