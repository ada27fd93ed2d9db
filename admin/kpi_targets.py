"""Reports › KPI targets: the targets agreed with each client (one per client and KPI), for
the clients the user may see. The rules (a known KPI key, a target in its range, one target
per client and KPI) are ``KpiTarget.violations()``: a broken one is shown beside its field
and the form keeps the user's values."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_login import current_user

from models import TARGET_KPIS, KpiTarget

from .base import READ_WRITE, RulesModelView
from .fields import choice
from .roles import RESOURCE_PERMISSIONS
from .visibility import visible_to_user

KPI_LABELS = {key: kpi.label for key, kpi in TARGET_KPIS.items()}


class KpiTargetView(RulesModelView):
    datamodel = SQLAInterface(KpiTarget)
    class_permission_name = "KpiTarget"
    base_permissions = RESOURCE_PERMISSIONS["KpiTarget"]
    method_permission_name = {**READ_WRITE, "delete": "write"}
    base_filters = [visible_to_user()]
    add_form_query_rel_fields = {"client": [visible_to_user("id")]}
    edit_form_query_rel_fields = {"client": [visible_to_user("id")]}
    search_form_query_rel_fields = {"client": [visible_to_user("id")]}
    list_title = "KPI targets"
    add_title = "New KPI target"
    edit_title = "Edit KPI target"
    show_title = "KPI target"
    list_columns = ["client", "kpi_label", "target", "note", "updated_at"]
    add_columns = edit_columns = ["client", "kpi", "target", "note"]
    show_columns = ["client", "kpi_label", "target", "note", "created_at", "updated_at"]
    search_columns = ["client", "kpi"]
    order_columns = ["target", "updated_at"]
    label_columns = {"kpi": "KPI", "kpi_label": "KPI", "updated_at": "Set on"}
    description_columns = {
        "target": "Days for time to fill/submit, 0–100 for a rate, −100–100 for NPS, a count "
        "for placements.",
        "note": "What was agreed, e.g. in the quarterly business review.",
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "kpi": choice("KPI", list(TARGET_KPIS), blank=None, labels=KPI_LABELS)
    }

    def pre_add(self, item):
        item.set_by_id = current_user.id

    def pre_update(self, item):
        item.set_by_id = current_user.id
