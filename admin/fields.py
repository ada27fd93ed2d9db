"""Form fields the admin views share."""

from __future__ import annotations

from flask_appbuilder.fieldwidgets import Select2Widget
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice


class ChoiceField(SelectField):
    """A select whose blank choice stores NULL; whether blank is allowed is the model's rule."""

    def pre_validate(self, form):
        if self.data not in (None, ""):
            super().pre_validate(form)


def choice(
    label: str, values, blank: str | None = "—", default=None, labels: dict | None = None
) -> ChoiceField:
    """A select over one of the model's vocabularies (``labels``: what to show for a value)."""
    choices = [SelectChoice("", blank)] if blank is not None else []
    choices += [SelectChoice(value, (labels or {}).get(value, value)) for value in values]
    return ChoiceField(
        label,
        choices=choices,
        default=default,
        widget=Select2Widget(),
        filters=[lambda value: value or None],
    )


def flag(label: str, description: str = "") -> BooleanField:
    """A checkbox for a NOT NULL boolean: FAB's own would require it to be ticked."""
    return BooleanField(label, description=description, default=False)
