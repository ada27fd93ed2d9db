"""Quotes in the REST API: list, read (lines and totals as decimal strings), create with
lines, and the workflow as explicit endpoints (``POST /<id>/send``, ``/revise``, ``/accept``,
``/decline``, ``/convert``), never a free status edit. Every step is a model verb; a refusal
is JSON: 409 when the quote's status forbids it (accepting an expired or declined quote,
converting one that is not accepted or was converted already), 422 naming the field
otherwise."""

from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, ValidationError, fields
from sqlalchemy.orm import selectinload

from extensions import db
from jobs.contract_documents import convert_quote
from jobs.quote_documents import send_quote
from models import Client, DomainError, Quote, QuoteError
from models.commercial import QUOTE_STATUSES
from models.recruiting import PAYMENT_TERMS

from .base import READ_WRITE
from .contract_shapes import CONVERSION, ContractShape, Conversion
from .priced_shapes import LineShape, derived_amount
from .roles import RESOURCE_PERMISSIONS
from .shaped_api import (
    EMPTY,
    Choice,
    Count,
    Id,
    Money,
    Person,
    ShapedApi,
    Text,
    db_id,
    flatten,
    one_of,
)
from .visibility import acting_user


class QuoteShape(Schema):
    id = fields.Integer(dump_only=True)
    number = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)
    reference = fields.String(dump_only=True)
    previous_id = fields.Integer(data_key="previousId", dump_only=True)
    client_id = Id(data_key="clientId", required=True)
    client_name = fields.Function(lambda q: q.client.name, data_key="clientName", dump_only=True)
    title = Text(191, required=True)
    currency = fields.String(load_default="USD")
    discount_percent = Money(data_key="discountPercent", allow_none=False)
    tax_rate = Money(data_key="taxRate", allow_none=False)
    payment_terms = Choice(PAYMENT_TERMS, data_key="paymentTerms")
    replacement_guarantee_days = Count(0, 3650, data_key="replacementGuaranteeDays")
    start_within_days = Count(0, 3650, data_key="startWithinDays")
    valid_until = fields.Date(data_key="validUntil", required=True)
    terms = Text(20000)
    lines = fields.List(fields.Nested(LineShape))
    subtotal = derived_amount("subtotal")
    discount = derived_amount("discount")
    tax = derived_amount("tax")
    total = derived_amount("total")
    status = fields.String(dump_only=True)
    created_by = fields.Nested(Person, data_key="createdBy", dump_only=True)
    sent_at = fields.DateTime(data_key="sentAt", dump_only=True)
    viewed_at = fields.DateTime(data_key="viewedAt", dump_only=True)
    accepted_at = fields.DateTime(data_key="acceptedAt", dump_only=True)
    accepted_name = fields.String(data_key="acceptedName", dump_only=True)
    accepted_ip = fields.String(data_key="acceptedIp", dump_only=True)
    declined_at = fields.DateTime(data_key="declinedAt", dump_only=True)
    decline_reason = fields.String(data_key="declineReason", dump_only=True)
    contract_id = fields.Function(
        lambda q: q.contract.id if q.contract is not None else None,
        data_key="contractId",
        dump_only=True,
    )
    created_at = fields.DateTime(data_key="createdAt", dump_only=True)
    updated_at = fields.DateTime(data_key="updatedAt", dump_only=True)


class Acceptance(Schema):
    """The body of ``POST /<id>/accept``: the full name the client signed with."""

    name = Text(191, required=True, allow_none=False)


class Refusal(Schema):
    """The body of ``POST /<id>/decline``."""

    reason = Text(1000, required=True, allow_none=False)


ACCEPTANCE, REFUSAL = Acceptance(), Refusal()


def _with_lines(quote: Quote, lines: list[dict]) -> Quote:
    """:raise QuoteError: naming ``lines.<n>.<field>`` for the first line breaking a rule."""
    for index, line in enumerate(lines):
        try:
            quote.add_line(
                line["service_type"], line["description"], line["quantity"], line["rate"]
            )
        except QuoteError as error:
            field = {"service_type": "serviceType"}.get(error.field, error.field)
            raise QuoteError(error.message, f"lines.{index}.{field}") from None
    return quote


class QuoteApi(ShapedApi):
    """Quotes: list, read, create (a numbered draft with its lines); the workflow through
    ``POST /<id>/send``, ``/revise``, ``/accept``, ``/decline`` and ``/convert`` (which also
    needs the Contract resource's ``write``)."""

    resource_name = "quote"
    class_permission_name = "Quote"
    base_permissions = RESOURCE_PERMISSIONS["Quote"]
    method_permission_name = {
        **READ_WRITE,
        "send": "send",
        "revise": "write",
        "accept": "write",
        "decline": "write",
        "convert": "write",
    }
    include_route_methods = {
        "get",
        "get_list",
        "post",
        "send",
        "revise",
        "accept",
        "decline",
        "convert",
    }
    datamodel = SQLAInterface(Quote)
    schema = QuoteShape
    # ``Quote.contract`` is the contract's backref: it exists once the mappers are configured
    # (SQLAInterface, above, configures them).
    list_load_options = (
        selectinload(Quote.lines),
        selectinload(Quote.created_by),
        selectinload(Quote.contract),
    )
    more_error_paths = {
        "name": "name",
        "reason": "reason",
        # converting: the quote's own state, and the contract's fields the body may give
        "quote": "status",
        "contract_type": "contractType",
        "start_date": "startDate",
    }
    openapi_spec_component_schemas = (Acceptance, Refusal, Conversion)
    search_columns = ["client", "status", "number", "title", "valid_until"]
    order_columns = ["id", "number", "version", "status", "valid_until", "sent_at"]
    base_order = ("id", "desc")
    query_filters = {
        "client_id": (db_id, lambda value: Quote.client_id == value),
        "status": (one_of(QUOTE_STATUSES), lambda value: Quote.status == value),
        "number": (str, lambda value: Quote.number == value),
    }

    def create(self, data: dict) -> Quote:
        probe = Quote(client_id=data["client_id"])
        self._check_client(probe)  # a client the user may not see: 404
        client = db.session.get(Client, data["client_id"])
        lines = data.pop("lines", None) or []
        fields_ = {k: v for k, v in data.items() if k != "client_id"}
        quote = Quote.action_create(client, acting_user(), **fields_)
        return _with_lines(quote, lines)

    # -- the workflow
    @expose("/<int:pk>/send", methods=["POST"])
    @protect()
    @safe
    @permission_name("send")
    def send(self, pk: int):
        """Send a draft quote to the client.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            200: {description: Sent}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not a draft}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(pk, lambda quote, data: send_quote(quote, acting_user()))

    @expose("/<int:pk>/revise", methods=["POST"])
    @protect()
    @safe
    @permission_name("revise")
    def revise(self, pk: int):
        """Draft the next version of a sent, viewed, declined or expired quote (answered:
        the new version; this one is kept unchanged).
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            201: {description: The new draft version}
            404: {$ref: '#/components/responses/404'}
            409: {description: A draft or an accepted quote is not revised}
        """
        quote = self.visible(pk)
        if quote is None:
            return self.response_404()
        return self.write(
            EMPTY,
            lambda data: quote.action_revise(acting_user()),
            201,
            body_required=False,
        )

    @expose("/<int:pk>/accept", methods=["POST"])
    @protect()
    @safe
    @permission_name("accept")
    def accept(self, pk: int):
        """Record the client's acceptance received by other means, with their full name
        (the request's IP address is kept as the acceptance record's).
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Acceptance'}
          responses:
            200: {description: Accepted}
            404: {$ref: '#/components/responses/404'}
            409: {description: The quote is expired, declined, accepted or not sent}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(
            pk,
            lambda quote, data: quote.action_accept(data["name"], request.remote_addr),
            ACCEPTANCE,
        )

    @expose("/<int:pk>/decline", methods=["POST"])
    @protect()
    @safe
    @permission_name("decline")
    def decline(self, pk: int):
        """Record the client's refusal with its reason.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Refusal'}
          responses:
            200: {description: Declined}
            404: {$ref: '#/components/responses/404'}
            409: {description: The quote is expired, declined, accepted or not sent}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(pk, lambda quote, data: quote.action_decline(data["reason"]), REFUSAL)

    @expose("/<int:pk>/convert", methods=["POST"])
    @protect()
    @safe
    @permission_name("convert")
    def convert(self, pk: int) -> Response:
        """Convert an accepted quote into a draft contract: its lines, totals and terms carried
        over, the link kept both ways (answered: the contract, at version 1). Needs the
        Contract resource's ``write`` as well.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Conversion'}
          responses:
            201: {description: The contract}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            409: {description: The quote is not accepted, or was converted already}
            422: {$ref: '#/components/responses/422'}
        """
        if not self.appbuilder.sm.has_access("can_write", "Contract"):
            return self.response_403()
        quote = self.visible(pk)
        if quote is None:
            return self.response_404()
        body = self.body(required=False)
        if isinstance(body, Response):
            return body
        try:
            data = CONVERSION.load(body)
        except ValidationError as error:
            return self.response_422(message=flatten(error.messages))
        try:
            contract = convert_quote(quote, acting_user(), **data)  # commits, queues the PDF
        except DomainError as error:
            db.session.rollback()
            return self.domain_error(error)
        return self.response(201, id=contract.id, result=CONTRACT.dump(contract))


CONTRACT = ContractShape()
