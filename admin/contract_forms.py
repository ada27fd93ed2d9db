"""The contract forms of the staff admin: the contract itself (new and draft edit), and the
small forms of its page (approve, reject, sign, end). Rules are the model's; these parse."""

from __future__ import annotations

from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import (
    BS3TextAreaFieldWidget,
    BS3TextFieldWidget,
    DatePickerWidget,
    Select2Widget,
)
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.sqla.models import Role, User
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from extensions import db
from models import Client, ClientContact, Contact, ContractTemplate, visible_client_ids
from models.access import STAFF_ROLES
from models.contracts import CONTRACT_TYPES
from models.recruiting import PAYMENT_TERMS

from .fields import choice, flag
from .visibility import acting_user

# The form fields that are the contract's content (``Contract.action_update``'s keywords).
CONTENT_FIELDS = (
    "contract_type",
    "title",
    "owner",
    "start_date",
    "end_date",
    "renewal_date",
    "auto_renew",
    "renewal_term_months",
    "value",
    "currency",
    "discount_percent",
    "tax_rate",
    "payment_terms",
    "replacement_guarantee_days",
    "placements_target",
    "client_signatory",
    "terms",
)
FIELDSETS = [
    ("Contract", ["contract_type", "title", "owner"]),
    ("Term", ["start_date", "end_date", "renewal_date", "auto_renew", "renewal_term_months"]),
    ("Value", ["value", "currency", "discount_percent", "tax_rate", "payment_terms"]),
    ("Commitments", ["replacement_guarantee_days", "placements_target"]),
    ("Parties and terms", ["client_signatory", "terms"]),
]
ADD_FIELDSETS = [("Client", {"fields": ["client", "template"]})] + [
    (name, {"fields": fields}) for name, fields in FIELDSETS
]
EDIT_FIELDSETS = [(name, {"fields": fields}) for name, fields in FIELDSETS] + [
    ("This version", {"fields": ["note"]})
]


# ---------------------------------------------------------------- choices


def visible_clients() -> list[Client]:
    return db.session.scalars(
        select(Client).where(Client.id.in_(visible_client_ids(acting_user()))).order_by(Client.name)
    ).all()


def active_templates() -> list[ContractTemplate]:
    return db.session.scalars(
        select(ContractTemplate)
        .where(ContractTemplate.active.is_(True))
        .order_by(ContractTemplate.name)
    ).all()


def staff() -> list[User]:
    return db.session.scalars(
        select(User)
        .where(User.active.is_(True), User.roles.any(Role.name.in_(STAFF_ROLES)))
        .order_by(User.first_name, User.last_name)
    ).all()


def contacts_of(client_id: int | None = None) -> list[Contact]:
    """The contacts of client ``client_id``, or of every client the user may see."""
    clients = [client_id] if client_id else visible_client_ids(acting_user())
    linked = select(ClientContact.contact_id).where(ClientContact.client_id.in_(clients))
    return db.session.scalars(
        select(Contact)
        .where(Contact.id.in_(linked))
        .order_by(Contact.first_name, Contact.last_name)
    ).all()


def _person(user: User) -> str:
    return f"{user.first_name} {user.last_name}"


def _contact(contact: Contact) -> str:
    return f"{contact} ({contact.email})" if contact.email else str(contact)


def _pk(record) -> int:
    return record.id


def _select(label: str, query_func, get_label=None, description: str = "") -> QuerySelectField:
    return QuerySelectField(
        label,
        query_func=query_func,
        get_pk_func=_pk,
        get_label=get_label,
        allow_blank=True,
        blank_text="—",
        widget=Select2Widget(),
        description=description,
    )


class YesNoField(SelectField):
    """Yes, no, or blank (None): on a new contract, blank leaves the template's choice."""

    def __init__(self, label: str, **kwargs):
        super().__init__(
            label,
            choices=[SelectChoice("", "—"), SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
            coerce=lambda value: {"yes": True, "no": False, True: True, False: False}.get(value),
            widget=Select2Widget(),
            **kwargs,
        )


def _optional(field, label: str, **kwargs):
    widget = DatePickerWidget() if field is DateField else BS3TextFieldWidget()
    return field(label, validators=[Optional()], widget=widget, **kwargs)


# ---------------------------------------------------------------- the contract


class ContractFields(DynamicForm):
    """A contract's content. Every field is optional here: the model says what is missing."""

    contract_type = choice("Type", CONTRACT_TYPES)
    title = StringField("Title", widget=BS3TextFieldWidget())
    owner = _select("Owner", staff, _person, "The agency's person in charge (renewal notices).")
    start_date = _optional(DateField, "Start date")
    end_date = _optional(DateField, "End date")
    renewal_date = _optional(DateField, "Renewal date")
    auto_renew = YesNoField("Auto-renew", description="Renews itself on its renewal date.")
    renewal_term_months = _optional(IntegerField, "Renewal term (months)")
    value = _optional(DecimalField, "Value", places=2)
    currency = StringField(
        "Currency",
        widget=BS3TextFieldWidget(),
        filters=[lambda value: value.strip().upper() if value else value],
        description="ISO 4217, such as USD.",
    )
    discount_percent = _optional(DecimalField, "Discount %")
    tax_rate = _optional(DecimalField, "Tax %")
    payment_terms = choice("Payment terms", PAYMENT_TERMS)
    replacement_guarantee_days = _optional(IntegerField, "Replacement guarantee (days)")
    placements_target = _optional(IntegerField, "Placements target")
    client_signatory = _select("Client signatory", contacts_of, _contact, "One of its contacts.")
    terms = TextAreaField("Terms", widget=BS3TextAreaFieldWidget())

    def content(self, keep_blank: bool) -> dict:
        """The content fields' values; blank ones left out unless ``keep_blank`` (an edit
        clears them; a new contract takes the template's or the model's defaults)."""
        values = {name: self[name].data for name in CONTENT_FIELDS}
        if keep_blank:
            return values
        return {name: value for name, value in values.items() if value not in (None, "")}


class ContractAddForm(ContractFields):
    client = _select("Client", visible_clients)
    template = _select(
        "Template",
        active_templates,
        description="Optional: its type, terms, term and defaults fill what you leave blank.",
    )
    currency = StringField(
        "Currency",
        widget=BS3TextFieldWidget(),
        filters=[lambda value: value.strip().upper() if value else value],
        description="Blank: the template's (the client's currency), else USD.",
    )


class ContractEditForm(ContractFields):
    auto_renew = flag("Auto-renew", "Renews itself on its renewal date.")
    note = StringField(
        "Version note", widget=BS3TextFieldWidget(), description="Why it changed (optional)."
    )


# ---------------------------------------------------------------- the contract page


class ApproveForm(FlaskForm):
    comment = TextAreaField("Comment")


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason")


class SignForm(FlaskForm):
    name = StringField("Signatory's full name")
    signed_on = DateField("Signed on", validators=[Optional()])


class NoteForm(FlaskForm):
    note = StringField("Note")
