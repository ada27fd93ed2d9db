"""Service desk settings (Admin only): the SLA policy of each priority and the escalation levels.

A priority without a policy keeps seed 003's default targets (``models/sla.py``); a level without
a row keeps its default title and response time, and notifies the client's account manager
(level 1) or the first admin (levels 2 and 3). The rules are the models' ``violations()``,
shown beside the field they name.
"""

from __future__ import annotations

from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import select
from wtforms import BooleanField, SelectField, ValidationError
from wtforms.fields.choices import SelectChoice

from extensions import db
from models import EscalationLevel, SlaPolicy
from models.sla import PRIORITIES, PRIORITY_LABELS

from .base import READ_WRITE, RulesModelView
from .roles import RESOURCE_PERMISSIONS
from .visibility import staff_users


def one_row_per(model, column: str, message: str):
    """A form validator: no other row of ``model`` holds this ``column`` value (the edited
    row itself excepted), named beside the field instead of an integrity error after the fact."""

    def check(form, field):
        query = select(model.id).where(getattr(model, column) == field.data)
        pk = getattr(form, "_id", None)
        if pk is not None:
            query = query.where(model.id != int(pk))
        with db.session.no_autoflush:
            taken = db.session.execute(query.limit(1)).first() is not None
        if taken:
            raise ValidationError(message.format(field.data))

    return check


class _SettingsView(RulesModelView):
    class_permission_name = "ServiceDeskSettings"
    base_permissions = RESOURCE_PERMISSIONS["ServiceDeskSettings"]
    method_permission_name = {**READ_WRITE, "delete": "write"}


class SlaPolicyView(_SettingsView):
    """How long each priority may wait for its first response and its resolution."""

    datamodel = SQLAInterface(SlaPolicy)
    list_title = "SLA policies"
    add_title = "New SLA policy"
    edit_title = "Edit SLA policy"
    show_title = "SLA policy"
    list_columns = add_columns = edit_columns = show_columns = [
        "priority",
        "response_hours",
        "resolution_hours",
        "business_hours",
    ]
    search_columns = ["priority", "business_hours"]
    order_columns = ["priority", "response_hours"]
    base_order = ("response_hours", "asc")
    label_columns = {"business_hours": "Business hours"}
    description_columns = {
        "priority": "One policy per priority; a priority without one keeps seed 003's default.",
        "response_hours": "Hours until the first response is due (a whole number above 0).",
        "resolution_hours": "Hours until the resolution is due; no fewer than the response hours.",
        "business_hours": "Count only working hours (SERVICE_DESK_HOURS, weekdays, not holidays).",
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "priority": SelectField(
            "Priority",
            choices=[SelectChoice(p, PRIORITY_LABELS[p]) for p in PRIORITIES],
            validators=[
                one_row_per(
                    SlaPolicy, "priority", "Priority {} has a policy already: edit that one."
                )
            ],
            widget=Select2Widget(),
        ),
        # FAB makes a NOT NULL boolean "required", which refuses an unticked box.
        "business_hours": BooleanField("Business hours"),
    }


class EscalationLevelView(_SettingsView):
    """Who answers a breached ticket at each level, and how long they have."""

    datamodel = SQLAInterface(EscalationLevel)
    list_title = "Escalation levels"
    add_title = "New escalation level"
    edit_title = "Edit escalation level"
    show_title = "Escalation level"
    list_columns = add_columns = edit_columns = show_columns = [
        "level",
        "title",
        "response_hours",
        "user",
    ]
    search_columns = ["level", "title"]
    order_columns = ["level"]
    base_order = ("level", "asc")
    label_columns = {"user": "Person notified"}
    description_columns = {
        "level": "1, 2 or 3.",
        "response_hours": "Hours this level has to answer before the next one is told.",
        "user": "Blank: the client's account manager (level 1) or the first admin (2 and 3).",
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = {"user": [staff_users()]}
    validators_columns = {
        "level": [one_row_per(EscalationLevel, "level", "Level {} is set already: edit that one.")]
    }
