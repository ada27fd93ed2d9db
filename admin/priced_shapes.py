"""The priced lines quotes and contracts share (``models.commercial.ServiceLine``) in the REST
API's shape: amounts as decimal strings, in the currency's minor unit."""

from __future__ import annotations

from marshmallow import Schema, fields

from models.commercial import SERVICE_TYPES

from .shaped_api import Choice, Money, Text


def derived_amount(attribute: str) -> fields.Function:
    """A derived amount as a decimal string, in the currency's minor unit."""
    return fields.Function(lambda obj: str(getattr(obj, attribute)), dump_only=True)


class LineShape(Schema):
    position = fields.Integer(dump_only=True)
    service_type = Choice(SERVICE_TYPES, data_key="serviceType", required=True)
    description = Text(500, required=True)
    quantity = Money(required=True)
    rate = Money(required=True)
    amount = derived_amount("amount")
