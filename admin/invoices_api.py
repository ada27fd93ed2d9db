"""Invoices and credit notes in the REST API (``/api/v1/invoice/``): list (filters: client,
status, kind, number, currency, overdue), read with lines, amounts, payments and credit notes,
create a draft (with lines), change a draft (``PUT /<id>``) and its lines, and the steps as
explicit endpoints: ``POST /<id>/issue`` (through ``jobs.invoice_documents.issue_invoice``, the
one way to issue; a draft credit note is issued the same way), ``/void``, ``/credit-note``
(answers the new draft credit note), ``/dispute``, ``/resolve-dispute`` and ``/resend`` (an
issued invoice emailed again to its billing contacts). Every step is a
model verb; a refusal is JSON: 409 when the invoice's status forbids it, 422 naming the field.

JWT only: FAB's REST APIs are exempt from CSRF, so a browser session cookie never authorises
them. Rows are scoped to the clients the user may see (another client's invoice is a 404).
"""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from sqlalchemy.orm import selectinload

from extensions import db
from jobs.invoice_documents import issue_invoice, send_invoice_again
from models import BillingError, Client, Invoice, NotFoundError
from models.billing import INVOICE_KINDS, INVOICE_STATUSES

from .base import READ_WRITE
from .billing_shapes import (
    CREDIT_NOTE,
    DRAFT_FIELDS,
    FIXED,
    LINE,
    LINE_PATHS,
    CreditNoteBody,
    InvoiceLineShape,
    InvoiceShape,
)
from .rendered_api import REASON, Reason
from .roles import RESOURCE_PERMISSIONS
from .shaped_api import ShapedApi, db_id, one_of
from .visibility import acting_user, client_is_visible

# Each endpoint beyond FAB's and the Invoice permission it needs: ``issue`` numbers a draft,
# voids it, credits it (seed: Finance); a dispute stops collections, so it is Finance's too.
STEPS = {
    "add_line": "write",
    "remove_line": "write",
    "issue": "issue",
    "void": "issue",
    "credit_note": "issue",
    "dispute": "issue",
    "resolve_dispute": "issue",
    "resend": "issue",
}


def _overdue(value: str) -> bool:
    if value not in ("true", "false"):
        raise ValueError(value)
    return value == "true"


def _overdue_condition(overdue: bool):
    condition = Invoice.overdue_clause()
    return condition if overdue else db.not_(condition)


def _line(invoice: Invoice, data: dict, path: str = ""):
    """Add the line ``data`` to ``invoice``.

    :raise BillingError: naming ``<path><field>`` for a value the line refuses.
    """
    try:
        return invoice.add_line(
            data["description"],
            data["unit_price"],
            data["quantity"],
            data["kind"],
            data.get("percent"),
            data["taxable"],
        )
    except BillingError as error:
        if error.field == "status":
            raise
        field = LINE_PATHS.get(error.field, error.field)
        raise type(error)(error.message, f"{path}{field}") from None


class InvoiceApi(ShapedApi):
    """Invoices and credit notes: read, draft, change a draft, and issue, void, credit or
    dispute one through ``POST /<id>/<step>``."""

    resource_name = "invoice"
    class_permission_name = "Invoice"
    base_permissions = RESOURCE_PERMISSIONS["Invoice"]
    method_permission_name = {**READ_WRITE, **STEPS}
    include_route_methods = {"get", "get_list", "post", "put", *STEPS}
    allow_browser_login = False  # JWT only (see the module's docstring)
    datamodel = SQLAInterface(Invoice)
    schema = InvoiceShape
    update_exclude = FIXED
    list_load_options = (
        selectinload(Invoice.lines),
        selectinload(Invoice.payments),
        selectinload(Invoice.credit_notes),
        selectinload(Invoice.issued_by),
        selectinload(Invoice.created_by),
    )
    more_error_paths = {
        "dispute_reason": "reason",
        "amount": "amount",
        "reason": "reason",
        "status": "status",
        "kind": "kind",
    }
    openapi_spec_component_schemas = (Reason, CreditNoteBody, InvoiceLineShape)
    search_columns = ["client", "status", "kind", "number", "currency", "due_date"]
    order_columns = ["id", "number", "status", "issue_date", "due_date", "total", "balance"]
    base_order = ("id", "desc")
    query_filters = {
        "client_id": (db_id, lambda value: Invoice.client_id == value),
        "status": (one_of(INVOICE_STATUSES), lambda value: Invoice.status == value),
        "kind": (one_of(INVOICE_KINDS), lambda value: Invoice.kind == value),
        "number": (str, lambda value: Invoice.number == value),
        "currency": (str.upper, lambda value: Invoice.currency == value),
        "overdue": (_overdue, _overdue_condition),
    }

    def create(self, data: dict) -> Invoice:
        """A draft for a client the user may see, with the lines given.

        :raise NotFoundError: for a client the user may not see.
        """
        client_id = data.pop("client_id")
        if not client_is_visible(client_id):
            raise NotFoundError("No such client.", "client")
        lines = data.pop("lines", None) or []
        invoice = Invoice.draft_for(db.session.get(Client, client_id), acting_user(), **data)
        for index, line in enumerate(lines):
            _line(invoice, line, f"lines.{index}.")
        return invoice

    def update(self, invoice: Invoice, data: dict) -> None:
        """Change a draft's fields (an issued invoice never changes: credit it instead)."""
        fields = {name: data[name] for name in DRAFT_FIELDS if name in data}
        invoice.update_draft(acting_user(), **fields)

    # -- a draft's lines
    @expose("/<int:pk>/lines", methods=["POST"])
    @protect()
    @safe
    @permission_name("add_line")
    def add_line(self, pk: int) -> Response:
        """Add a line to a draft; its totals follow.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/InvoiceLineShape'}
          responses:
            201: {description: The invoice with its new line}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not a draft}
            422: {$ref: '#/components/responses/422'}
        """
        invoice = self.visible(pk)
        if invoice is None:
            return self.response_404()

        def add(data: dict) -> Invoice:
            _line(invoice, data)
            return invoice

        return self.write(LINE, add, 201)

    @expose("/<int:pk>/lines/<int:line_id>", methods=["DELETE"])
    @protect()
    @safe
    @permission_name("remove_line")
    def remove_line(self, pk: int, line_id: int) -> Response:
        """Remove a line from a draft.
        ---
        delete:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          - {in: path, schema: {type: integer}, name: line_id}
          responses:
            200: {description: The invoice without the line}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not a draft}
        """
        invoice = self.visible(pk)
        line = next((x for x in invoice.lines if x.id == line_id), None) if invoice else None
        if line is None:
            return self.response_404()
        return self.run_on(pk, lambda item, data: item.remove_line(line))

    # -- the steps
    @expose("/<int:pk>/issue", methods=["POST"])
    @protect()
    @safe
    @permission_name("issue")
    def issue(self, pk: int) -> Response:
        """Issue a draft invoice or credit note: its number, exchange rate and due date are
        set and it never changes again (an issued credit note lowers its invoice's balance).
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            200: {description: Issued}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not a draft}
            422: {description: No lines, a total of 0, or no exchange rate}
        """
        return self.run_on(pk, lambda invoice, data: issue_invoice(invoice, acting_user()))

    @expose("/<int:pk>/void", methods=["POST"])
    @protect()
    @safe
    @permission_name("void")
    def void(self, pk: int) -> Response:
        """Void a draft, or an issued invoice with nothing paid or credited, with the reason.
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
            200: {description: Void}
            404: {$ref: '#/components/responses/404'}
            409: {description: Paid, credited or void already}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(
            pk, lambda invoice, data: invoice.void(data["reason"], acting_user()), REASON
        )

    @expose("/<int:pk>/credit-note", methods=["POST"])
    @protect()
    @safe
    @permission_name("credit_note")
    def credit_note(self, pk: int) -> Response:
        """Draft a credit note against an issued invoice (answered: the draft credit note;
        issue it with ``POST /<its id>/issue``).
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/CreditNoteBody'}
          responses:
            201: {description: The draft credit note}
            404: {$ref: '#/components/responses/404'}
            409: {description: The invoice is not issued}
            422: {$ref: '#/components/responses/422'}
        """
        invoice = self.visible(pk)
        if invoice is None:
            return self.response_404()

        def draft(data: dict) -> Invoice:
            return invoice.draft_credit_note(
                data["reason"], acting_user(), data.get("amount"), data.get("description")
            )

        return self.write(CREDIT_NOTE, draft, 201)

    @expose("/<int:pk>/dispute", methods=["POST"])
    @protect()
    @safe
    @permission_name("dispute")
    def dispute(self, pk: int) -> Response:
        """Record the client's dispute, with the reason: collections and late charges pause.
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
            200: {description: Disputed}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not open}
            422: {$ref: '#/components/responses/422'}
        """
        return self.run_on(
            pk, lambda invoice, data: invoice.dispute(data["reason"], acting_user()), REASON
        )

    @expose("/<int:pk>/resolve-dispute", methods=["POST"])
    @protect()
    @safe
    @permission_name("resolve_dispute")
    def resolve_dispute(self, pk: int) -> Response:
        """The dispute is settled: collections resume.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            200: {description: No longer disputed}
            404: {$ref: '#/components/responses/404'}
            409: {description: Not disputed}
        """
        return self.run_on(pk, lambda invoice, data: invoice.resolve_dispute(acting_user()))

    @expose("/<int:pk>/resend", methods=["POST"])
    @protect()
    @safe
    @permission_name("resend")
    def resend(self, pk: int) -> Response:
        """Email an issued invoice's PDF to its billing contacts once more.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          responses:
            200: {description: Queued to be sent again (the answer's ``kind`` tags its mail)}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            409: {description: A draft or void invoice}
        """
        sent = {}

        def resend(invoice: Invoice, data: dict) -> None:
            sent["kind"] = send_invoice_again(invoice, acting_user())

        return self.run_on(pk, resend, answer=lambda invoice: dict(sent))
