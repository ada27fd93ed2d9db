"""Payments on the staff side: the list of money received, and recording it from the invoice
page (a bank transfer, a cheque or cash; or the client's credit applied). Both go through
``Invoice.register_payment``; a refusal re-renders the invoice page with the user's values and
the message beside its field. Statements of account and payment history are
``statements``'s routes, under the same Payment resource."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_appbuilder import ModelView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extensions import db
from models import DomainError, Invoice, Payment, visible_client_ids
from models.payments import METHOD_LABELS, PAYMENT_METHODS

from .base import READ_WRITE, field_error, id_fits
from .fields import choice
from .formats import day
from .invoice_forms import CreditForm, PaymentForm
from .invoices import invoice_page, money
from .projects import EagerInterface
from .roles import RESOURCE_PERMISSIONS
from .statements import StatementRoutes
from .visibility import acting_user, visible_to_user


def _person(user) -> str:
    if user is None:
        return "—"
    return f"{user.first_name or ''} {user.last_name or ''}".strip() or user.username


class PaymentView(StatementRoutes, ModelView):
    """Payments received from the clients the user works on, newest first. Read-only: a
    payment is recorded against its invoice, and corrected by a credit note."""

    datamodel = EagerInterface(
        Payment,
        (
            selectinload(Payment.client),
            selectinload(Payment.invoice),
            selectinload(Payment.recorded_by),
        ),
    )
    class_permission_name = "Payment"
    base_permissions = RESOURCE_PERMISSIONS["Payment"]
    method_permission_name = {
        **READ_WRITE,
        "register": "write",
        "apply_credit": "write",
        **StatementRoutes.permissions,
    }
    include_route_methods = {
        "list",
        "register",
        "apply_credit",
        *StatementRoutes.permissions,
    }
    base_filters = [visible_to_user()]
    search_form_query_rel_fields = {"client": [visible_to_user("id")]}

    list_title = "Payments"
    list_columns = [
        "received_on",
        "client",
        "invoice",
        "method_label",
        "currency",
        "amount",
        "applied_amount",
        "to_credit",
        "reference",
        "recorded_by",
    ]
    search_columns = ["client", "method", "currency", "received_on", "reference"]
    order_columns = ["received_on", "amount"]
    base_order = ("received_on", "desc")
    label_columns = {
        "received_on": "Date",
        "method_label": "Method",
        "applied_amount": "Applied",
        "to_credit": "To credit",
        "recorded_by": "Recorded by",
    }
    formatters_columns = {
        "received_on": day,
        "amount": money,
        "applied_amount": money,
        "to_credit": money,
        "recorded_by": _person,
        "reference": lambda value: value or "",
    }
    search_form_extra_fields = {
        "method": choice("Method", PAYMENT_METHODS, labels=METHOD_LABELS),
    }

    def _invoice_or_404(self, invoice_id) -> Invoice:
        """:raise 404: for an invoice that does not exist or whose client is not yours."""
        invoice = id_fits(invoice_id) and db.session.scalar(
            select(Invoice).where(
                Invoice.id == invoice_id,
                Invoice.client_id.in_(visible_client_ids(acting_user())),
            )
        )
        if not invoice:
            abort(404)
        return invoice

    def _receive(self, invoice_id, form, form_name: str, receive, done):
        invoice = self._invoice_or_404(invoice_id)
        if form.validate():
            try:
                with db.session.no_autoflush:
                    payment = receive(invoice, form)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                field_error(form, error)
            else:
                flash(done(invoice, payment), "success")
                return redirect(url_for("InvoiceView.show", pk=invoice.id))
        return invoice_page(self, self._invoice_or_404(invoice_id), 422, **{form_name: form})

    @expose("/register/<int:invoice_id>", methods=["POST"])
    @has_access
    def register(self, invoice_id):
        """Record a bank transfer, cheque or cash received against an issued invoice; what is
        beyond its balance is kept as client credit."""
        return self._receive(
            invoice_id,
            PaymentForm(prefix="payment"),
            "payment_form",
            lambda invoice, form: invoice.register_payment(
                form.amount.data,
                form.method.data,
                received_on=form.received_on.data,
                reference=form.reference.data,
                by=acting_user(),
            ),
            _received,
        )

    @expose("/apply_credit/<int:invoice_id>", methods=["POST"])
    @has_access
    def apply_credit(self, invoice_id):
        """Apply the client's credit in the invoice's currency to its balance."""
        return self._receive(
            invoice_id,
            CreditForm(prefix="credit"),
            "credit_form",
            lambda invoice, form: invoice.register_payment(
                form.amount.data, "client_credit", by=acting_user()
            ),
            lambda invoice, payment: (
                f"{payment.currency} {money(payment.amount)} of client credit applied to "
                f"{invoice}: it is {invoice.status.replace('_', ' ')}."
            ),
        )


def _received(invoice: Invoice, payment: Payment) -> str:
    said = (
        f"Payment of {payment.currency} {money(payment.amount)} recorded on {invoice}: "
        f"it is {invoice.status.replace('_', ' ')}"
    )
    if payment.to_credit > 0:
        said += f"; {payment.currency} {money(payment.to_credit)} kept as client credit"
    return said + "."
