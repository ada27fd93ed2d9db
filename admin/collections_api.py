"""Collection notices in the REST API (``/api/v1/collection-notice/``): list with the seed's
filters, read, and the steps as explicit endpoints: escalate, respond, pause, resume, close,
note, bill (late charges). Every step is a model verb; a refusal is JSON (409 for the notice's
status, 422 naming the field). Finance reads and acts; an Account Manager reads."""

from __future__ import annotations

from datetime import UTC

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, fields

from jobs.collections import send_notice
from models import CollectionNotice
from models.late_charges import bill_late_charges

from .base import READ_WRITE
from .collections_query import CONDITIONS
from .rendered_api import REASON
from .roles import RESOURCE_PERMISSIONS
from .shaped_api import EMPTY, Money, ShapedApi, Text, db_id
from .visibility import acting_user

ACTIONS = {
    "escalate": "write",
    "respond": "write",
    "pause": "write",
    "resume": "write",
    "close": "write",
    "note": "write",
    "bill": "write",
}


class InvoiceSummary(Schema):
    id = fields.Integer()
    number = fields.String()
    currency = fields.String()
    total = Money(dump_only=True)
    balance = Money(dump_only=True)
    issue_date = fields.Date(data_key="issueDate")
    due_date = fields.Date(data_key="dueDate")
    business_unit = fields.String(data_key="businessUnit")
    project_id = fields.Integer(data_key="projectId")
    disputed_at = fields.DateTime(data_key="disputedAt")
    dispute_reason = fields.String(data_key="disputeReason")


class NoticeShape(Schema):
    """A notice as the API shows it (all read-only: it changes through its steps)."""

    id = fields.Integer(dump_only=True)
    client_id = fields.Integer(data_key="clientId", dump_only=True)
    client_name = fields.Function(lambda n: n.client.name, data_key="clientName")
    level = fields.Integer(dump_only=True)
    level_label = fields.String(data_key="levelLabel", dump_only=True)
    status = fields.String(dump_only=True)
    created_on = fields.Date(data_key="createdOn", dump_only=True)
    days_overdue = fields.Function(lambda n: n.days_overdue_on(), data_key="daysOverdue")
    sent_at = fields.DateTime(data_key="sentAt", dump_only=True)
    response_at = fields.DateTime(data_key="responseAt", dump_only=True)
    response_note = fields.String(data_key="responseNote", dump_only=True)
    notes = fields.String(dump_only=True)
    late_charge = Money(data_key="lateCharge", dump_only=True)
    late_charge_invoice_id = fields.Integer(data_key="lateChargeInvoiceId", dump_only=True)
    closed_at = fields.DateTime(data_key="closedAt", dump_only=True)
    closed_reason = fields.String(data_key="closedReason", dump_only=True)
    invoice = fields.Nested(InvoiceSummary, dump_only=True)


class Response_(Schema):
    """What the client answered, and when (now when not given)."""

    note = Text(2000, required=True, allow_none=False)
    at = fields.AwareDateTime(default_timezone=UTC, allow_none=True)


class NoteBody(Schema):
    note = Text(2000, required=True, allow_none=False)


RESPONSE, NOTE = Response_(), NoteBody()


class CollectionNoticeApi(ShapedApi):
    """Collection notices: list, read, and their steps through ``POST /<id>/<step>``."""

    resource_name = "collection-notice"
    allow_browser_login = False  # JWT only: FAB's APIs are exempt from CSRF
    class_permission_name = "CollectionNotice"
    base_permissions = RESOURCE_PERMISSIONS["CollectionNotice"]
    method_permission_name = {**READ_WRITE, **ACTIONS}
    include_route_methods = {"get", "get_list", *ACTIONS}
    datamodel = SQLAInterface(CollectionNotice)
    schema = NoticeShape
    more_error_paths = {
        "response_note": "note",
        "response_at": "at",
        "dispute_reason": "reason",
        "late_charge": "lateCharge",
    }
    openapi_spec_component_schemas = (Response_, NoteBody)
    search_columns = ["client", "status", "level"]
    order_columns = ["id", "level", "status", "created_on", "days_overdue", "sent_at"]
    base_order = ("id", "desc")
    query_filters = {
        name: (db_id if parse is int else parse, condition)
        for name, (parse, condition) in CONDITIONS.items()
    }

    @expose("/<int:pk>/escalate", methods=["POST"])
    @protect()
    @safe
    @permission_name("escalate")
    def escalate(self, pk: int) -> Response:
        """Open the next level now (this notice closes as superseded) and email it.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            201: {description: The new notice}
            404: {$ref: '#/components/responses/404'}
            409: {description: Closed, paused (disputed), or the last level}
        """
        notice = self.visible(pk)
        if notice is None:
            return self.response_404()
        response = self.write(
            EMPTY, lambda data: notice.escalate(acting_user()), 201, body_required=False
        )
        if response.status_code == 201:
            send_notice(response.get_json()["id"])
        return response

    @expose("/<int:pk>/respond", methods=["POST"])
    @protect()
    @safe
    @permission_name("respond")
    def respond(self, pk: int) -> Response:
        """Record what the client answered (``note``; ``at``, now by default).
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Response_'}
          responses:
            200: {description: Responded}
            404: {$ref: '#/components/responses/404'}
            409: {description: Closed}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(
            pk,
            lambda n, data: n.record_response(data["note"], data.get("at"), acting_user()),
            RESPONSE,
        )

    @expose("/<int:pk>/pause", methods=["POST"])
    @protect()
    @safe
    @permission_name("pause")
    def pause(self, pk: int) -> Response:
        """The client disputes the invoice (``reason``): its notices pause.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Reason'}
          responses:
            200: {description: Paused}
            404: {$ref: '#/components/responses/404'}
            409: {description: Closed, or the invoice is not open}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(pk, lambda n, data: n.pause(data["reason"], acting_user()), REASON)

    @expose("/<int:pk>/resume", methods=["POST"])
    @protect()
    @safe
    @permission_name("resume")
    def resume(self, pk: int) -> Response:
        """The dispute is resolved: the invoice's notices go on.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            200: {description: Resumed}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not paused, or closed}
        """
        return self.run_on(pk, lambda n, data: n.resume(acting_user()))

    @expose("/<int:pk>/close", methods=["POST"])
    @protect()
    @safe
    @permission_name("close")
    def close(self, pk: int) -> Response:
        """Stop collecting with this notice (``reason``).
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Reason'}
          responses:
            200: {description: Closed}
            404: {$ref: '#/components/responses/404'}
            409: {description: Closed already}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(pk, lambda n, data: n.close(data["reason"], acting_user()), REASON)

    @expose("/<int:pk>/note", methods=["POST"])
    @protect()
    @safe
    @permission_name("note")
    def note(self, pk: int) -> Response:
        """Add a dated, signed note (``note``).
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/NoteBody'}
          responses:
            200: {description: Noted}
            404: {$ref: '#/components/responses/404'}
            409: {description: Closed}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(pk, lambda n, data: n.add_note(data["note"], acting_user()), NOTE)

    @expose("/<int:pk>/bill", methods=["POST"])
    @protect()
    @safe
    @permission_name("bill")
    def bill(self, pk: int) -> Response:
        """Draft an invoice of the late charges of this notice's invoice not billed yet
        (``lateChargeInvoiceId`` in the answer).
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            200: {description: Billed}
            404: {$ref: '#/components/responses/404'}
            422: {description: Nothing left to bill}
        """
        return self.run_on(
            pk,
            lambda n, data: bill_late_charges(n.invoice, acting_user()),
            answer=lambda n: {"lateChargeInvoiceId": n.late_charge_invoice_id},
        )
