"""Invoices, credit notes, payments and the aging report in the REST API's shape: camelCase,
amounts as decimal strings (never floats), and the bodies of the invoice endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from models.aging import BUCKET_KEYS, BUCKET_LABELS, AgingReport
from models.billing import LINE_KINDS
from models.payments import PAYMENT_METHODS

from .priced_shapes import derived_amount
from .shaped_api import Choice, Id, Money, Person, Text


def _amount(value) -> str | None:
    return None if value is None else str(value)


def derived(attribute: str, key: str) -> fields.Function:
    """A derived amount as a decimal string, named ``key`` in the JSON."""
    return fields.Function(lambda obj: str(getattr(obj, attribute)), data_key=key, dump_only=True)


class InvoiceLineShape(Schema):
    """A line: ``quantity × unitPrice``, or ``percent`` % of it for a percentage fee."""

    id = fields.Integer(dump_only=True)
    position = fields.Integer(dump_only=True)
    kind = Choice(LINE_KINDS, load_default="other", allow_none=False)
    description = Text(500, required=True, allow_none=False)
    quantity = Money(load_default=1, allow_none=False)
    unit_price = Money(data_key="unitPrice", required=True)
    percent = Money()
    taxable = fields.Boolean(load_default=True)
    amount = derived_amount("amount")


class InvoiceRef(Schema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    total = derived_amount("total")


class PaymentRef(Schema):
    id = fields.Integer()
    amount = derived_amount("amount")
    applied_amount = derived("applied_amount", "appliedAmount")
    method = fields.String()
    reference = fields.String()
    received_on = fields.Date(data_key="receivedOn")


class InvoiceShape(Schema):
    """An invoice or credit note: what a draft may change, its lines, its amounts (the
    balance nets payments and credit notes), and its state (changed by its endpoints only)."""

    id = fields.Integer(dump_only=True)
    number = fields.String(dump_only=True)
    kind = fields.String(dump_only=True)
    client_id = Id(data_key="clientId", required=True)
    client_name = fields.Function(lambda i: i.client.name, data_key="clientName", dump_only=True)
    # -- what a draft may change
    currency = fields.String(validate=validate.Length(equal=3))
    tax_rate = Money(data_key="taxRate", allow_none=False)
    tax_note = Text(200, data_key="taxNote")
    exchange_rate = fields.Decimal(
        data_key="exchangeRate", as_string=True, allow_none=True, places=8
    )
    business_unit = Text(60, data_key="businessUnit")
    notes = Text(10000)
    lines = fields.List(fields.Nested(InvoiceLineShape))
    # -- amounts
    subtotal = derived_amount("subtotal")
    tax_amount = derived("tax_amount", "taxAmount")
    total = derived_amount("total")
    amount_paid = derived("amount_paid", "amountPaid")
    amount_credited = derived("amount_credited", "amountCredited")
    balance = derived_amount("balance")
    in_base_currency = fields.Function(
        lambda i: _amount(i.in_base_currency), data_key="inBaseCurrency", dump_only=True
    )
    # -- state
    status = fields.String(dump_only=True)
    display_status = fields.Function(
        lambda i: i.display_status(), data_key="displayStatus", dump_only=True
    )
    days_overdue = fields.Function(
        lambda i: i.days_overdue(), data_key="daysOverdue", dump_only=True
    )
    issue_date = fields.Date(data_key="issueDate", dump_only=True)
    due_date = fields.Date(data_key="dueDate", dump_only=True)
    credited_invoice_id = fields.Integer(data_key="creditedInvoiceId", dump_only=True)
    credit_notes = fields.List(fields.Nested(InvoiceRef), data_key="creditNotes", dump_only=True)
    payments = fields.List(fields.Nested(PaymentRef), dump_only=True)
    reason = fields.String(dump_only=True)
    disputed_at = fields.DateTime(data_key="disputedAt", dump_only=True)
    dispute_reason = fields.String(data_key="disputeReason", dump_only=True)
    issued_at = fields.DateTime(data_key="issuedAt", dump_only=True)
    issued_by = fields.Nested(Person, data_key="issuedBy", dump_only=True, allow_none=True)
    paid_at = fields.DateTime(data_key="paidAt", dump_only=True)
    voided_at = fields.DateTime(data_key="voidedAt", dump_only=True)
    created_by = fields.Nested(Person, data_key="createdBy", dump_only=True, allow_none=True)
    created_at = fields.DateTime(data_key="createdAt", dump_only=True)


# What ``PUT /<id>`` may not change: the client, and the lines (their own endpoints).
FIXED = ("client_id", "lines")
DRAFT_FIELDS = ("currency", "tax_rate", "tax_note", "exchange_rate", "business_unit", "notes")


class CreditNoteBody(Schema):
    """``POST /<id>/credit-note``: the reason, and an amount before tax (none: the whole
    invoice's lines)."""

    reason = Text(500, required=True, allow_none=False)
    amount = Money()
    description = Text(500)


class PaymentShape(Schema):
    """A payment recorded against an invoice; what is beyond its balance went to client
    credit (``toCredit``)."""

    id = fields.Integer(dump_only=True)
    invoice_id = Id(data_key="invoiceId", required=True)
    invoice_number = fields.Function(
        lambda p: p.invoice.number if p.invoice else None, data_key="invoiceNumber", dump_only=True
    )
    client_id = fields.Integer(data_key="clientId", dump_only=True)
    client_name = fields.Function(lambda p: p.client.name, data_key="clientName", dump_only=True)
    amount = Money(required=True, allow_none=False)
    applied_amount = derived("applied_amount", "appliedAmount")
    to_credit = derived("to_credit", "toCredit")
    currency = fields.String(validate=validate.Length(equal=3))
    method = Choice(PAYMENT_METHODS, required=True, allow_none=False)
    reference = Text(100)
    received_on = fields.Date(data_key="receivedOn", allow_none=False)
    provider = fields.String(dump_only=True)
    recorded_at = fields.DateTime(data_key="recordedAt", dump_only=True)
    recorded_by = fields.Nested(Person, data_key="recordedBy", dump_only=True, allow_none=True)


LINE, CREDIT_NOTE = InvoiceLineShape(), CreditNoteBody()
LINE_PATHS = {"unit_price": "unitPrice"}


# ---------------------------------------------------------------- the aging report


def _buckets(amounts: dict) -> dict:
    result = {key: str(amounts[key]) for key in BUCKET_KEYS}
    result["total"] = str(sum(amounts.values()))
    return result


def aging_json(report: AgingReport) -> dict:
    """The report: a row per client and currency, the totals per currency and in the base
    currency (each invoice converted at its captured rate, then added up)."""
    base_by_client = report.base_by_client()
    return {
        "asOf": report.as_of.isoformat(),
        "baseCurrency": report.base_currency,
        "buckets": [{"key": key, "label": BUCKET_LABELS[key]} for key in BUCKET_KEYS],
        "rows": [
            {
                "clientId": row.client_id,
                "clientName": row.client_name,
                "currency": row.currency,
                "invoices": row.invoices,
                "amounts": _buckets(row.buckets),
                "baseAmounts": _buckets(row.base),
            }
            for row in report.rows
        ],
        "clients": [
            {
                "clientId": client_id,
                "clientName": name,
                "baseAmounts": _buckets(base_by_client[client_id]),
            }
            for client_id, name in report.client_names().items()
        ],
        "totals": {
            "byCurrency": {
                currency: _buckets(amounts) for currency, amounts in report.by_currency().items()
            },
            "base": _buckets(report.base_totals()),
        },
    }
