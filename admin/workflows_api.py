"""Workflows in the REST API (JWT only): ``/api/v1/workflow/`` list, read, create and change
with their steps, ``POST /<id>/pause`` and ``/<id>/resume``; ``/api/v1/workflow-run/`` lists
the runs (filters ``workflow_id``, ``client_id``, ``outcome``) of the clients the user may see.

Every refusal is JSON naming the field as the body spells it (``steps.1.templateId``); an
Account Manager (or Admin) writes, a Recruiter and Finance read.
"""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, fields

from extensions import db
from models import EmailTemplate, Workflow, WorkflowRun
from models.workflow_runs import RUN_OUTCOMES
from models.workflow_triggers import RECIPIENT_ROLES, TRIGGERS

from .base import READ_WRITE
from .roles import RESOURCE_PERMISSIONS
from .shaped_api import Choice, Id, Person, ShapedApi, Text, UnknownRecordError, db_id, one_of
from .visibility import acting_user

STEP_KEYS = {
    "template": "templateId",
    "recipient_role": "recipientRole",
    "delay_days": "delayDays",
    "delay_hours": "delayHours",
}


class StepShape(Schema):
    id = fields.Integer(dump_only=True)
    position = fields.Integer(dump_only=True)
    template_id = Id(data_key="templateId", required=True)
    template_key = fields.Function(
        lambda step: step.template.key if step.template else None,
        data_key="templateKey",
        dump_only=True,
    )
    recipient_role = Choice(RECIPIENT_ROLES, data_key="recipientRole", load_default="primary")
    # Whole numbers; the model says what a negative or too long delay is.
    delay_days = fields.Integer(strict=True, data_key="delayDays", load_default=0)
    delay_hours = fields.Integer(strict=True, data_key="delayHours", load_default=0)
    delay = fields.String(attribute="delay_label", dump_only=True)


class WorkflowShape(Schema):
    """A workflow as the API shows and takes it (state changes only through pause/resume)."""

    id = fields.Integer(dump_only=True)
    key = Text(60)
    name = Text(150, required=True, allow_none=False)
    description = Text(1000)
    trigger = Choice(TRIGGERS, required=True, allow_none=False)
    trigger_days = fields.Integer(strict=True, data_key="triggerDays", allow_none=True)
    trigger_label = fields.String(data_key="triggerLabel", dump_only=True)
    state = fields.String(dump_only=True)
    activated_at = fields.DateTime(data_key="activeSince", dump_only=True)
    paused_at = fields.DateTime(data_key="pausedAt", dump_only=True)
    paused_by = fields.Nested(Person, data_key="pausedBy", dump_only=True)
    resumed_at = fields.DateTime(data_key="resumedAt", dump_only=True)
    resumed_by = fields.Nested(Person, data_key="resumedBy", dump_only=True)
    steps = fields.List(fields.Nested(StepShape), load_default=list)


class WorkflowApi(ShapedApi):
    """Workflows with their steps; ``POST /<id>/pause`` and ``/<id>/resume``."""

    resource_name = "workflow"
    allow_browser_login = False  # JWT only: FAB's APIs are exempt from CSRF
    class_permission_name = "Workflow"
    base_permissions = RESOURCE_PERMISSIONS["Workflow"]
    method_permission_name = {**READ_WRITE, "pause": "write", "resume": "write"}
    include_route_methods = {"get", "get_list", "post", "put", "pause", "resume"}
    base_filters = []  # workflows belong to the agency, not to one client
    datamodel = SQLAInterface(Workflow)
    schema = WorkflowShape
    more_error_paths = {"trigger_days": "triggerDays", "active": "state"}
    search_columns = ["name", "trigger", "active"]
    order_columns = ["id", "name", "trigger"]
    base_order = ("id", "asc")

    def create(self, data: dict) -> Workflow:
        workflow = Workflow(
            key=data.get("key") or None,
            name=data["name"],
            description=data.get("description"),
            trigger=data["trigger"],
            trigger_days=data.get("trigger_days"),
        )
        workflow.set_steps(_steps(data.get("steps") or []))
        db.session.add(workflow)
        return workflow

    def update(self, item: Workflow, data: dict) -> None:
        for name in ("key", "name", "description", "trigger", "trigger_days"):
            if name in data:
                setattr(item, name, data[name] if name != "key" else (data[name] or None))
        if "steps" in data:
            item.set_steps(_steps(data["steps"]))

    def domain_error(self, error):
        """A step's field is named as the body names it: ``steps.0.templateId``."""
        if error.field and error.field.startswith("steps."):
            parts = error.field.split(".")
            if len(parts) == 3:
                field = f"steps.{parts[1]}.{STEP_KEYS.get(parts[2], parts[2])}"
                return self.response(error.status_code, message={field: [error.message]})
        return super().domain_error(error)

    @expose("/<int:pk>/pause", methods=["POST"])
    @protect()
    @safe
    @permission_name("pause")
    def pause(self, pk: int) -> Response:
        """Stop sending (steps due meanwhile are skipped once resumed).
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            200: {description: Paused}
            404: {$ref: '#/components/responses/404'}
            422: {description: Paused already}
        """
        return self.run_on(pk, lambda w, data: w.action_pause(acting_user()))

    @expose("/<int:pk>/resume", methods=["POST"])
    @protect()
    @safe
    @permission_name("resume")
    def resume(self, pk: int) -> Response:
        """Send again (the first resume switches a new workflow on).
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            200: {description: Active}
            404: {$ref: '#/components/responses/404'}
            422: {description: Active already, no step, or an inactive template}
        """
        return self.run_on(pk, lambda w, data: w.action_resume(acting_user()))


def _steps(steps: list[dict]) -> list[dict]:
    """The body's steps with their templates looked up.

    :raise UnknownRecordError: naming the step whose template id does not exist.
    """
    out = []
    for index, step in enumerate(steps):
        template = db.session.get(EmailTemplate, step["template_id"])
        if template is None:
            raise UnknownRecordError(
                f"No template with id {step['template_id']}.", f"steps.{index}.template"
            )
        out.append({**step, "template": template})
    return out


class RunShape(Schema):
    id = fields.Integer(dump_only=True)
    workflow_id = fields.Integer(data_key="workflowId")
    workflow_name = fields.Function(lambda r: r.workflow.name, data_key="workflowName")
    step = fields.Function(lambda r: r.step.position)
    client_id = fields.Integer(data_key="clientId")
    client_name = fields.Function(
        lambda r: r.client.name if r.client else None, data_key="clientName"
    )
    record_type = fields.String(data_key="recordType")
    record_id = fields.Integer(data_key="recordId")
    occurrence = fields.String()
    fired_at = fields.DateTime(data_key="firedAt")
    due_at = fields.DateTime(data_key="dueAt")
    created_at = fields.DateTime(data_key="ranAt")
    outcome = fields.String()
    reason = fields.String()
    recipients = fields.String()
    message_ids = fields.Function(lambda r: [m.id for m in r.messages], data_key="messageIds")


class WorkflowRunApi(ShapedApi):
    """The runs of workflows (read only), for the clients the user may see."""

    resource_name = "workflow-run"
    allow_browser_login = False
    class_permission_name = "Workflow"
    base_permissions = RESOURCE_PERMISSIONS["Workflow"]
    method_permission_name = READ_WRITE
    include_route_methods = {"get", "get_list"}
    datamodel = SQLAInterface(WorkflowRun)
    schema = RunShape
    search_columns = ["workflow", "client", "outcome"]
    order_columns = ["id", "created_at", "outcome"]
    base_order = ("id", "desc")
    query_filters = {
        "workflow_id": (db_id, lambda value: WorkflowRun.workflow_id == value),
        "client_id": (db_id, lambda value: WorkflowRun.client_id == value),
        "outcome": (one_of(RUN_OUTCOMES), lambda value: WorkflowRun.outcome == value),
    }
