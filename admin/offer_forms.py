"""The forms of the offer pages: the terms of a new offer or a counter-offer, and one small form
per action. They only carry the user's values; every rule is ``models.offers``'s, and a refusal
lands on the field it names (``field_error``). The app's CSRF protection checks every POST, so
the forms on the offer page carry a prefix (their fields never clash) and no token of their own.
"""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from models import OfferError
from models.clients import CURRENCIES
from models.offers import PROPOSERS

PROPOSER_LABELS = {"agency": "The agency", "client": "The client", "candidate": "The candidate"}
TERM_FIELDS = ("base_salary", "bonus", "equity", "currency", "benefits", "start_date", "terms")


class _PageForm(FlaskForm):
    class Meta:
        csrf = False  # the app's CSRFProtect checks the page's token on every POST


class TermsForm(_PageForm):
    """An offer's package, as typed: the model parses and checks it."""

    base_salary = StringField("Base salary (per year)")
    bonus = StringField("Bonus")
    equity = StringField("Equity", description='For example "0.25% over 4 years".')
    currency = SelectField("Currency")
    benefits = TextAreaField("Benefits")
    start_date = StringField("Start date")
    terms = TextAreaField("Terms")
    note = TextAreaField("Note", description="Why these terms: kept with the round.")

    def __init__(self, *args, blank_currency: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        codes = sorted(CURRENCIES)
        self.currency.choices = ([SelectChoice("", blank_currency)] if blank_currency else []) + [
            SelectChoice(code, code) for code in codes
        ]
        self.currency.validate_choice = False  # the model names a bad code

    def terms_data(self) -> dict:
        return {name: self[name].data for name in TERM_FIELDS}


class NewOfferForm(TermsForm):
    """A new offer: the application (candidate on a job order) and its first terms."""

    application = SelectField("Candidate and job order", coerce=str, validate_choice=False)


class ProposeForm(TermsForm):
    """A counter-offer: who proposed it and the terms (the current ones, changed)."""

    proposed_by = SelectField(
        "Proposed by",
        choices=[SelectChoice(value, PROPOSER_LABELS[value]) for value in PROPOSERS],
        validate_choice=False,  # the model names the allowed values
    )


class ApproveForm(_PageForm):
    comment = TextAreaField("Comment")


class ExtendForm(_PageForm):
    expires_on = StringField("Expires on", description="Empty: the usual validity.")


class AcceptForm(_PageForm):
    note = TextAreaField("Note")


class ReasonForm(_PageForm):
    reason = TextAreaField("Reason")


# The forms of the offer page by the action they post, each under its own prefix.
ACTION_FORMS = {
    "propose": ProposeForm,
    "approve": ApproveForm,
    "extend": ExtendForm,
    "accept": AcceptForm,
    "decline": ReasonForm,
    "withdraw": ReasonForm,
}


def action_forms(posted: str | None = None, form: FlaskForm | None = None, **defaults) -> dict:
    """Every action form of the page, empty or with ``defaults[action]``; ``posted``'s is
    ``form`` (the user's values and errors)."""
    forms = {}
    for action, form_class in ACTION_FORMS.items():
        if action == posted and form is not None:
            forms[action] = form
        else:
            forms[action] = form_class(
                formdata=None, prefix=action, data=defaults.get(action) or {}
            )
    return forms


def optional_date(raw: str | None, field: str, label: str) -> date | None:
    """``raw`` as a date (None when blank).

    :raise OfferError: naming ``field`` unless it is a date as YYYY-MM-DD.
    """
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise OfferError(f"{label} must be a date as YYYY-MM-DD.", field) from None
