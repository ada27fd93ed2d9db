"""A contract's JSON in the REST API (camelCase, amounts as decimal strings), the bodies its
endpoints read, and its versions with their differences as JSON."""

from __future__ import annotations

from marshmallow import Schema, fields

from models.contracts import CONTRACT_TYPES, ContractVersion
from models.recruiting import PAYMENT_TERMS

from .priced_shapes import LineShape, derived_amount
from .shaped_api import Choice, ContactRef, Count, Id, Money, Person, Text


class ContractLineShape(LineShape):
    """A priced line, as on a quote, with its id (to remove it)."""

    id = fields.Integer(dump_only=True)


class ApprovalShape(Schema):
    level = fields.Integer()
    version = fields.Integer()
    approver = fields.Nested(Person)
    at = fields.DateTime()
    comment = fields.String()


class PerformanceShape(Schema):
    """``Contract.performance()``: placements against the target, fees against the value."""

    placements = fields.Integer()
    placements_target = fields.Integer(data_key="placementsTarget")
    placements_percent = fields.Integer(data_key="placementsPercent")
    fees = Money()
    value = Money()
    fees_percent = fields.Integer(data_key="feesPercent")
    currency = fields.String()
    other_currencies = fields.List(fields.String(), data_key="otherCurrencies")


class QuoteRef(Schema):
    id = fields.Integer()
    number = fields.String()
    version = fields.Integer()
    status = fields.String()


PERFORMANCE = PerformanceShape()


class ContractShape(Schema):
    """A contract: its content (changed on a draft only, each change a new version), its lines
    and totals, the approval workflow, the quote it came from and how it performs."""

    id = fields.Integer(dump_only=True)
    number = fields.String(dump_only=True)
    client_id = Id(data_key="clientId", required=True)
    client_name = fields.Function(lambda c: c.client.name, data_key="clientName", dump_only=True)
    template_id = Id(data_key="templateId", allow_none=True)
    # -- the content: what a version keeps
    title = Text(191)
    contract_type = Choice(CONTRACT_TYPES, data_key="contractType", allow_none=False)
    currency = fields.String()
    value = Money(allow_none=False)
    discount_percent = Money(data_key="discountPercent", allow_none=False)
    tax_rate = Money(data_key="taxRate", allow_none=False)
    start_date = fields.Date(data_key="startDate")
    end_date = fields.Date(data_key="endDate", allow_none=True)
    renewal_date = fields.Date(data_key="renewalDate", allow_none=True)
    auto_renew = fields.Boolean(data_key="autoRenew")
    renewal_term_months = Count(1, 120, data_key="renewalTermMonths", allow_none=False)
    payment_terms = Choice(PAYMENT_TERMS, data_key="paymentTerms")
    replacement_guarantee_days = Count(0, 3650, data_key="replacementGuaranteeDays")
    placements_target = Count(0, 10_000, data_key="placementsTarget")
    terms = Text(20000)
    client_signatory_id = Id(data_key="clientSignatoryId", allow_none=True)
    client_signatory = fields.Nested(
        ContactRef, data_key="clientSignatory", dump_only=True, allow_none=True
    )
    lines = fields.List(fields.Nested(ContractLineShape))
    subtotal = derived_amount("subtotal")
    discount = derived_amount("discount")
    tax = derived_amount("tax")
    total = derived_amount("total")
    # -- the workflow (changed through its endpoints only)
    status = fields.String(dump_only=True)
    status_label = fields.String(data_key="statusLabel", dump_only=True)
    version = fields.Integer(dump_only=True)
    approvals_needed = fields.Integer(data_key="approvalsNeeded", dump_only=True)
    next_approval_level = fields.Integer(data_key="nextApprovalLevel", dump_only=True)
    approvals = fields.List(fields.Nested(ApprovalShape), dump_only=True)
    quote = fields.Nested(QuoteRef, dump_only=True, allow_none=True)
    owner = fields.Nested(Person, dump_only=True, allow_none=True)
    created_by = fields.Nested(Person, data_key="createdBy", dump_only=True, allow_none=True)
    sent_at = fields.DateTime(data_key="sentAt", dump_only=True)
    signed_at = fields.DateTime(data_key="signedAt", dump_only=True)
    signed_name = fields.String(data_key="signedName", dump_only=True)
    ended_at = fields.DateTime(data_key="endedAt", dump_only=True)
    end_reason = fields.String(data_key="endReason", dump_only=True)
    created_at = fields.DateTime(data_key="createdAt", dump_only=True)
    updated_at = fields.DateTime(data_key="updatedAt", dump_only=True)
    performance = fields.Function(
        lambda c: PERFORMANCE.dump(c.performance()), dump_only=True
    )  # a query per contract: left out of lists


# What ``PATCH /<id>`` may not change: the client, the template and (through their own
# endpoints) the lines.
FIXED = ("client_id", "template_id", "lines")


class ContractChange(ContractShape):
    """The body of ``PATCH /<id>``: any content field, and a note for the version."""

    note = Text(500, load_only=True)


class Conversion(Schema):
    """The body of ``POST /api/v1/quote/<id>/convert`` (every field optional)."""

    title = Text(191)
    contract_type = Choice(CONTRACT_TYPES, data_key="contractType", allow_none=False)
    start_date = fields.Date(data_key="startDate", allow_none=False)


class Signature(Schema):
    """The body of ``POST /<id>/sign``: the signatory's typed full name, and the day they
    signed (today by default)."""

    name = Text(191, required=True, allow_none=False)
    signed_on = fields.Date(data_key="signedOn", allow_none=False)


CHANGE = ContractChange(partial=True, exclude=FIXED)
CONVERSION, SIGNATURE, LINE = Conversion(), Signature(), ContractLineShape()


# ---------------------------------------------------------------- versions


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def version_json(version: ContractVersion) -> dict:
    """One version: who saved it, when and why, its whole content, and what changed from the
    version before (for version 1: every line added)."""
    content, diff = version.content, version.diff()
    by = version.created_by
    return {
        "number": version.number,
        "note": version.note,
        "by": Person().dump(by) if by is not None else None,
        "at": version.created_at.isoformat(),
        "content": {
            "fields": {camel(key): value for key, value in content["fields"].items()},
            "lines": [
                {camel(key): value for key, value in line.items()} for line in content["lines"]
            ],
        },
        "changes": {
            "fields": [
                {"field": label, "before": before, "after": after}
                for label, before, after in diff.fields
            ],
            "lines": diff.lines,
            "terms": diff.terms,
        },
    }
