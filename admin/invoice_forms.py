"""The invoice forms of the staff admin: an invoice's header (new draft and draft edit), and
the small forms of its page (a line, a payment, client credit, a credit note, a reason).

They only parse: an unreadable number or date is named here, every rule is the model's
(``models.billing``, ``models.payments``) and comes back beside its field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_appbuilder.fields import QuerySelectField
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, DateField, Field, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional
from wtforms.widgets import TextInput

from extensions import db
from models import Project, visible_client_ids
from models.billing import LINE_KIND_LABELS, LINE_KINDS

from .contract_forms import contacts_of, visible_clients
from .visibility import acting_user

# What staff record by hand (a card comes from the payment provider; credit has its own form).
STAFF_METHODS = ("bank_transfer", "cheque", "cash")
METHOD_CHOICES = [
    SelectChoice("bank_transfer", "Bank transfer"),
    SelectChoice("cheque", "Cheque"),
    SelectChoice("cash", "Cash"),
]


class NumberField(Field):
    """A decimal typed by the user. Blank is None (the model says whether that is allowed);
    text that is no number is refused with the field's name, and shown again as typed."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, example: str = "1250.00", below=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.example = example
        self.below = below  # what the column can hold, when the model sets no bound

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        text = valuelist[0].strip().replace(",", "")
        try:
            self.data = Decimal(text)
        except InvalidOperation:
            raise ValueError(
                f"{self.label.text} must be a number such as {self.example}."
            ) from None
        if self.below is not None and self.data.is_finite() and abs(self.data) >= self.below:
            raise ValueError(f"{self.label.text} must be less than {self.below:,}.")


class DayField(DateField):
    """A date as YYYY-MM-DD, refused with the field's name when it is not one."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(
                f"{self.label.text} must be a date such as {date.today():%Y-%m-%d}."
            ) from None


def visible_projects() -> list[Project]:
    return db.session.scalars(
        select(Project)
        .where(Project.client_id.in_(visible_client_ids(acting_user())))
        .order_by(Project.id.desc())
    ).all()


def _pk(record) -> int:
    return record.id


def _select(label: str, query_func) -> QuerySelectField:
    return QuerySelectField(
        label, query_func=query_func, get_pk_func=_pk, allow_blank=True, blank_text="—"
    )


def business_units() -> list[tuple[str, str]]:
    units = current_app.config.get("BUSINESS_UNITS", ())
    return [SelectChoice("", "—")] + [SelectChoice(unit, unit) for unit in units]


# ---------------------------------------------------------------- the invoice


class InvoiceHeaderForm(FlaskForm):
    """A draft's header. Blank currency and tax rate take ``Invoice.draft_for``'s defaults
    (the client's currency; VAT for a Local client, zero-rated for a Foreign one)."""

    contact = _select("Addressed to", contacts_of)
    project = _select("Project", visible_projects)
    business_unit = SelectField("Business unit", choices=[], validators=[Optional()])
    currency = StringField(
        "Currency",
        filters=[lambda value: value.strip().upper() if value else value],
        description="ISO 4217 such as USD; blank: the client's currency.",
    )
    tax_rate = NumberField("Tax %", example="12", description="Blank: the client's default.")
    tax_note = StringField("Tax note", description="Printed under the tax line (zero-rating).")
    exchange_rate = NumberField(
        "Exchange rate",
        example="0.0175",
        below=Decimal(10**10),  # NUMERIC(18, 8)
        description="Units of the base currency per unit; blank: the day's rate at issue.",
    )
    notes = TextAreaField("Notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.business_unit.choices = business_units()

    def header(self, keep_blank: bool) -> dict:
        """The header's values; blank ones left out on a new draft (its defaults apply)."""
        values = {
            "contact": self.contact.data,
            "project": self.project.data,
            "business_unit": self.business_unit.data or None,
            "currency": self.currency.data or None,
            "tax_rate": self.tax_rate.data,
            "tax_note": (self.tax_note.data or "").strip() or None,
            "exchange_rate": self.exchange_rate.data,
            "notes": (self.notes.data or "").strip() or None,
        }
        if keep_blank:
            return values
        return {name: value for name, value in values.items() if value is not None}


class NewInvoiceForm(InvoiceHeaderForm):
    client = _select("Client", visible_clients)

    def __iter__(self):
        yield self.client
        for field in super().__iter__():
            if field.name != "client":
                yield field


# ---------------------------------------------------------------- the invoice page


class LineForm(FlaskForm):
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(kind, LINE_KIND_LABELS[kind]) for kind in LINE_KINDS],
        default="other",
    )
    description = StringField("Description")
    quantity = NumberField("Quantity", example="1", default=Decimal(1))
    unit_price = NumberField("Unit price", description="For a percentage fee: the salary.")
    percent = NumberField("Percent", example="20", description="Only for a percentage fee.")
    taxable = BooleanField("Taxable", default=True)


class PaymentForm(FlaskForm):
    amount = NumberField("Amount")
    method = SelectField("Method", choices=METHOD_CHOICES, default="bank_transfer")
    received_on = DayField("Received on", validators=[Optional()], default=date.today)
    reference = StringField("Reference", description="The bank's or the cheque's reference.")


class CreditForm(FlaskForm):
    amount = NumberField("Amount of credit to apply")


class CreditNoteForm(FlaskForm):
    reason = StringField("Reason")
    amount = NumberField("Amount (before tax)", description="Blank: the whole invoice.")


class ReasonForm(FlaskForm):
    reason = StringField("Reason")


def page_forms(**given) -> dict[str, FlaskForm]:
    """Every form of the invoice page, blank, except those ``given`` (kept with their errors)."""
    blank = {
        "line_form": lambda: LineForm(formdata=None, prefix="line"),
        "payment_form": lambda: PaymentForm(formdata=None, prefix="payment"),
        "credit_form": lambda: CreditForm(formdata=None, prefix="credit"),
        "credit_note_form": lambda: CreditNoteForm(formdata=None, prefix="note"),
        "void_form": lambda: ReasonForm(formdata=None, prefix="void"),
        "dispute_form": lambda: ReasonForm(formdata=None, prefix="dispute"),
    }
    return {name: given.get(name) or make() for name, make in blank.items()}
