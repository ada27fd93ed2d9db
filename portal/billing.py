"""The employer's invoices: the list with totals, the invoice page, its PDF, receipts and the
statement of account.

Everything here needs the ``billing`` area and reads through the access helper; another
client's invoice or payment, and any draft (the client never sees one), answer 404. Paying
online is in ``billing_pay.py``; the provider's webhook in ``billing_webhook.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import abort, render_template, request
from flask_wtf import FlaskForm
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload
from wtforms import StringField

from admin.documents import attachment
from extensions import db
from jobs.documents import source_of
from jobs.payment_providers import configured_provider
from models import ClientDocument
from models.billing import ZERO, BillingError, Invoice
from models.payments import Payment, PaymentCheckout, statement_of_account

from . import bp
from .access import client_query, current_client, get_for_client, portal_login_required

FILTERS = {
    "open": "Open",
    "overdue": "Overdue",
    "paid": "Paid",
    "all": "All",
}
STATUS_LABELS = {
    "issued": "Open",
    "partially_paid": "Partly paid",
    "paid": "Paid",
    "void": "Void",
    "overdue": "Overdue",
}
PDF_NOT_READY = (
    "The PDF of this invoice is not ready yet. Please try again in a few minutes, "
    "or ask your account manager for a copy."
)


@dataclass
class CurrencyTotal:
    currency: str
    open: Decimal
    overdue: Decimal
    count: int


class PayForm(FlaskForm):
    amount = StringField("Amount to pay")


# ---------------------------------------------------------------- queries


def _issued():
    """The client's invoices the client may see: issued ones (never drafts, never credit notes
    on their own: those show on the invoice they credit)."""
    return client_query(Invoice).where(Invoice.kind == "invoice", Invoice.number.is_not(None))


def _filtered(status: str, today: date):
    query = _issued()
    if status == "open":
        query = query.where(Invoice.open_clause())
    elif status == "overdue":
        query = query.where(Invoice.overdue_clause(today))
    elif status == "paid":
        query = query.where(Invoice.status == "paid")
    return query


def visible_invoice(invoice_id: int) -> Invoice:
    """:raise 404: for another client's invoice, a missing one, a draft or a credit note."""
    invoice = get_for_client(Invoice, invoice_id)
    if invoice.number is None or invoice.kind != "invoice":
        abort(404)
    return invoice


def open_totals(today: date) -> list[CurrencyTotal]:
    """Open balance and overdue amount per currency: one grouped query."""
    overdue = case((Invoice.due_date < today, Invoice.balance), else_=ZERO)
    query = (
        _filtered("open", today)
        .with_only_columns(
            Invoice.currency, func.sum(Invoice.balance), func.sum(overdue), func.count()
        )
        .group_by(Invoice.currency)
        .order_by(Invoice.currency)
    )
    return [
        CurrencyTotal(currency, Decimal(total), Decimal(late), count)
        for currency, total, late, count in db.session.execute(query)
    ]


# ---------------------------------------------------------------- pages


@bp.route("/invoices")
@portal_login_required("billing")
def invoices():
    """The client's issued invoices, by status (open by default), with totals per currency;
    htmx gets the list alone."""
    status = request.args.get("status", "open")
    if status not in FILTERS:
        status = "open"
    today = date.today()
    found = db.session.scalars(
        _filtered(status, today).order_by(Invoice.issue_date.desc(), Invoice.id.desc())
    ).all()
    context = {
        "invoices": found,
        "status": status,
        "filters": FILTERS,
        "labels": STATUS_LABELS,
        "today": today,
    }
    if request.htmx:
        return render_template("portal/_invoice_list.html", **context)
    return render_template("portal/invoices.html", totals=open_totals(today), **context)


@bp.route("/invoices/<int:invoice_id>")
@portal_login_required("billing")
def invoice(invoice_id: int):
    """The invoice as a document: lines, tax, totals, payments, credit notes and balance."""
    found = visible_invoice(invoice_id)
    return render_invoice(found, PayForm(formdata=None, amount=f"{found.balance:.2f}"))


@bp.route("/invoices/<int:invoice_id>.pdf")
@portal_login_required("billing")
def invoice_pdf(invoice_id: int):
    """The invoice's PDF as rendered when it was issued.

    :raise 404: for an invoice that is not the client's (or a draft), or whose PDF is not ready.
    """
    found = visible_invoice(invoice_id)
    document = db.session.scalar(
        client_query(ClientDocument)
        .where(
            ClientDocument.source == source_of("invoice", found.id),
            ClientDocument.archived_at.is_(None),
        )
        .order_by(ClientDocument.id.desc())
        .limit(1)
    )
    if document is None or not document.path.exists():
        page = render_template(
            "portal/invoice_pdf_pending.html", invoice=found, message=PDF_NOT_READY
        )
        return page, 404
    return attachment(document)


@bp.route("/payments/<int:payment_id>/receipt")
@portal_login_required("billing")
def receipt(payment_id: int):
    """A printable receipt for one of the client's payments."""
    payment = get_for_client(Payment, payment_id)
    if payment.method == "client_credit":
        abort(404)  # moving credit is not money received
    return render_template("portal/receipt.html", payment=payment, client=current_client())


@bp.route("/statement")
@portal_login_required("billing")
def statement():
    """The statement of account for a period (the last 90 days by default) and a currency."""
    client = current_client()
    today = date.today()
    errors: dict[str, str] = {}
    values = {
        "start": request.args.get("start") or f"{today - timedelta(days=90):%Y-%m-%d}",
        "end": request.args.get("end") or f"{today:%Y-%m-%d}",
        "currency": request.args.get("currency") or client.currency or "",
    }
    dates = {}
    for name in ("start", "end"):
        try:
            dates[name] = date.fromisoformat(values[name])
        except ValueError:
            errors[name] = f"{name.capitalize()} must be a date such as {today:%Y-%m-%d}."
    currencies = _currencies()
    if values["currency"] not in currencies:
        values["currency"] = currencies[0] if currencies else values["currency"]
    result = None
    if not errors:
        try:
            result = statement_of_account(
                client, dates["start"], dates["end"], values["currency"] or None
            )
        except BillingError as error:
            errors[error.field or "start"] = error.message
    status = 422 if errors else 200
    return (
        render_template(
            "portal/statement.html",
            statement=result,
            values=values,
            errors=errors,
            currencies=currencies,
            client=client,
        ),
        status,
    )


def _currencies() -> list[str]:
    """The currencies the client was ever invoiced in, its own first."""
    found = db.session.scalars(
        _issued().with_only_columns(Invoice.currency).distinct().order_by(Invoice.currency)
    ).all()
    own = current_client().currency
    return sorted(found, key=lambda currency: (currency != own, currency))


def render_invoice(invoice: Invoice, form: PayForm, banner: str | None = None, status=200):
    """The invoice page, with the pay form (its errors beside the amount) when it is open."""
    return (
        render_template(
            "portal/invoice.html",
            invoice=invoice,
            form=form,
            banner=banner,
            labels=STATUS_LABELS,
            checkouts=checkouts_of(invoice),
            online=configured_provider() is not None,
        ),
        status,
    )


def checkouts_of(invoice: Invoice) -> list[PaymentCheckout]:
    """The invoice's online checkouts, newest first (the invoice is the client's already)."""
    return list(
        db.session.scalars(
            select(PaymentCheckout)
            .where(PaymentCheckout.invoice_id == invoice.id)
            .options(selectinload(PaymentCheckout.payment))
            .order_by(PaymentCheckout.id.desc())
        )
    )
