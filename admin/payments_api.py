"""Payments and the aging report in the REST API (the Payment resource; JWT only).

``/api/v1/payment/``: list (filters: client, invoice, method), read, and ``POST`` records a
payment against an invoice through ``Invoice.register_payment`` (an overpayment is kept as
client credit; the answer carries the invoice's new status and balance).
``GET /api/v1/payment/history/<client id>``: the client's payments, newest first, and its
client credit per currency. ``GET /api/v1/aging/?as_of=YYYY-MM-DD&client_id=``: the aging
report (``models.aging``) over the clients the user may see.
"""

from __future__ import annotations

from datetime import date

from flask import Response, request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from sqlalchemy.orm import selectinload

from extensions import db
from models import Client, Invoice, NotFoundError, visible_client_ids
from models.aging import aging_report
from models.payments import PAYMENT_METHODS, ClientCredit, Payment, payment_history

from .base import READ_WRITE, id_fits
from .billing_shapes import PaymentShape, aging_json
from .roles import RESOURCE_PERMISSIONS
from .shaped_api import ShapedApi, db_id, one_of
from .visibility import acting_user, client_is_visible


class PaymentApi(ShapedApi):
    """Payments received: read, record one against an invoice, a client's history."""

    resource_name = "payment"
    class_permission_name = "Payment"
    base_permissions = RESOURCE_PERMISSIONS["Payment"]
    method_permission_name = {**READ_WRITE, "history": "read"}
    include_route_methods = {"get", "get_list", "post", "history"}
    allow_browser_login = False  # JWT only: FAB's APIs are exempt from CSRF
    datamodel = SQLAInterface(Payment)
    schema = PaymentShape
    list_load_options = (selectinload(Payment.invoice), selectinload(Payment.recorded_by))
    more_error_paths = {"invoice": "invoiceId", "kind": "invoiceId", "status": "invoiceId"}
    search_columns = ["client", "method", "received_on", "reference"]
    order_columns = ["id", "received_on", "amount", "recorded_at"]
    base_order = ("id", "desc")
    query_filters = {
        "client_id": (db_id, lambda value: Payment.client_id == value),
        "invoice_id": (db_id, lambda value: Payment.invoice_id == value),
        "method": (one_of(PAYMENT_METHODS), lambda value: Payment.method == value),
    }

    def create(self, data: dict) -> Payment:
        """Record the payment against an invoice of a client the user may see.

        :raise NotFoundError: for an invoice that does not exist or is another's.
        """
        invoice = db.session.get(Invoice, data["invoice_id"])
        if invoice is None or not client_is_visible(invoice.client_id):
            raise NotFoundError("No such invoice.", "invoice")
        return invoice.register_payment(
            data["amount"],
            data["method"],
            received_on=data.get("received_on"),
            reference=data.get("reference"),
            by=acting_user(),
            currency=data.get("currency"),
        )

    def post_headless(self) -> Response:
        def invoice_now(payment: Payment) -> dict:
            invoice = payment.invoice
            return {
                "invoice": {
                    "id": invoice.id,
                    "number": invoice.number,
                    "status": invoice.status,
                    "balance": str(invoice.balance),
                }
            }

        return self.write(self.add_model_schema, self.create, 201, answer=invoice_now)

    @expose("/history/<int:client_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("history")
    def history(self, client_id: int) -> Response:
        """A client's payment history, newest first, and its client credit per currency.
        ---
        get:
          parameters:
          - {in: path, schema: {type: integer}, name: client_id}
          responses:
            200: {description: The payments and the credit balances}
            404: {$ref: '#/components/responses/404'}
        """
        if not id_fits(client_id) or not client_is_visible(client_id):
            return self.response_404()
        client = db.session.get(Client, client_id)
        payments = payment_history(client)
        credit = {
            currency: str(amount) for currency, amount in ClientCredit.balances(client).items()
        }
        return self.response(
            200,
            clientId=client.id,
            clientName=client.name,
            count=len(payments),
            result=self.list_model_schema.dump(payments, many=True),
            credit=credit,
        )


class AgingApi(BaseApi):
    """``GET /api/v1/aging/``: receivables by days overdue, as of a date (today by default),
    for one client or every client the user may see."""

    resource_name = "aging"
    class_permission_name = "Payment"
    base_permissions = RESOURCE_PERMISSIONS["Payment"]
    method_permission_name = {"report": "read"}
    allow_browser_login = False

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("report")
    def report(self) -> Response:
        """The aging report: a row per client and currency with the amounts per bucket
        (current, 1–30, 31–60, 61–90, over 90 days overdue), the totals per currency and in
        the base currency.
        ---
        get:
          parameters:
          - {in: query, schema: {type: string, format: date}, name: as_of}
          - {in: query, schema: {type: integer}, name: client_id}
          responses:
            200: {description: The report}
            400: {description: A query argument that is not a date or an id}
            404: {$ref: '#/components/responses/404'}
        """
        try:
            raw = request.args.get("as_of") or None
            as_of = date.fromisoformat(raw) if raw else date.today()
        except ValueError:
            return self.response(400, message={"as_of": [f"'{raw}' is not a date (YYYY-MM-DD)."]})
        client_id = request.args.get("client_id") or None
        if client_id is not None:
            try:
                client_id = db_id(client_id)
            except ValueError:
                return self.response(
                    400, message={"client_id": [f"'{client_id}' is not a client id."]}
                )
            if not client_is_visible(client_id):
                return self.response_404()
        report = aging_report(as_of, client_id, visible_client_ids(acting_user()))
        return self.response(200, result=aging_json(report))
