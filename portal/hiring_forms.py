"""Portal hiring forms: the job order request.

The form only parses what the employer typed; the rules (a title is required, salary max at
least salary min, a currency code, a stakeholder who is a contact of the client...) are the job
order's, and their messages land on the field they name (``DomainError.field``).
The client never sets the commercial terms: the agency does.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from models.clients import CURRENCIES
from models.recruiting import LEVELS, STAKEHOLDER_ROLES, URGENCIES, WORK_TYPES

STAKEHOLDER_ROWS = 3


def _choices(values, blank: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice(value, value.replace("_", " ").capitalize()) for value in values]
    return [SelectChoice("", blank), *choices] if blank else choices


def _none_if_blank(value):
    return value or None


def _contact_id(value):
    return int(value) if value not in (None, "", "None") else None


class StakeholderEntry(Form):
    """One of the client's people and their part in the hiring decision."""

    contact = SelectField("Person", coerce=_contact_id, validate_choice=True)
    role = SelectField("Role", choices=_choices(STAKEHOLDER_ROLES), default="hiring manager")


class JobOrderRequestForm(FlaskForm):
    # The job
    title = StringField("Job title", validators=[Length(max=191)])
    department = StringField("Department", validators=[Length(max=120)])
    level = SelectField("Level", choices=_choices(LEVELS, "Choose a level"))
    location = StringField("Location", validators=[Length(max=191)])
    work_type = SelectField("Work type", choices=_choices(WORK_TYPES, "Choose a work type"))
    openings = IntegerField("Openings", default=1, validators=[Optional()])
    description = TextAreaField("Description")
    requirements = TextAreaField("Requirements")
    # Pay
    salary_min = DecimalField("Salary from", places=2, validators=[Optional()])
    salary_max = DecimalField("Salary to", places=2, validators=[Optional()])
    currency = SelectField("Currency", choices=[SelectChoice(c, c) for c in sorted(CURRENCIES)])
    # Priorities and success
    urgency = SelectField("Urgency", choices=_choices(URGENCIES), default="medium")
    timeline_days = IntegerField(
        "Timeline (days to fill)", validators=[Optional(), NumberRange(min=0, max=3650)]
    )
    success_criteria = TextAreaField("Success criteria")
    evaluation_criteria = TextAreaField("Evaluation criteria")
    # People
    stakeholders = FieldList(FormField(StakeholderEntry), min_entries=STAKEHOLDER_ROWS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Messages about the people as a whole (the same person twice, not a contact...).
        self.stakeholder_errors: list[str] = []

    def set_people(self, contacts) -> None:
        """Offer the client's own contacts (and only them) in every stakeholder row."""
        choices = [
            SelectChoice(None, "Nobody"),
            *(SelectChoice(c.id, c.full_name) for c in contacts),
        ]
        for entry in self.stakeholders:
            entry.form.contact.choices = choices

    def job_fields(self) -> dict:
        """The job order's columns as typed (blank text is no value)."""
        text = (
            "title",
            "department",
            "level",
            "location",
            "work_type",
            "description",
            "requirements",
            "success_criteria",
            "evaluation_criteria",
        )
        values = {name: _none_if_blank((self[name].data or "").strip()) for name in text}
        values["title"] = values["title"] or ""
        values.update(
            openings=self.openings.data,
            salary_min=self.salary_min.data,
            salary_max=self.salary_max.data,
            currency=self.currency.data,
            urgency=self.urgency.data,
            timeline_days=self.timeline_days.data,
        )
        return values

    def chosen_stakeholders(self) -> list[tuple[int, str]]:
        """(contact id, role) of every row with a person chosen."""
        return [
            (entry.form.contact.data, entry.form.role.data)
            for entry in self.stakeholders
            if entry.form.contact.data is not None
        ]

    def add_model_error(self, error) -> None:
        """Show a rule's message beside the field it names (or above the form)."""
        if error.field in ("contact", "role", "stakeholders"):
            self.stakeholder_errors.append(error.message)
        elif error.field in self._fields:
            if not self[error.field].errors:  # a value that did not parse says so already
                self[error.field].errors = [error.message]
        else:
            self.form_errors.append(error.message)
