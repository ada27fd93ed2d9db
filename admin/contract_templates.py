"""Contract templates in the staff admin: the starting points of new contracts (type, terms,
term and defaults, per service and tier). Their rules are ``ContractTemplate.violations``;
a template in use is retired (``active`` off), never deleted."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from wtforms import BooleanField

from models import ContractTemplate
from models.contracts import CONTRACT_TYPES
from models.recruiting import PAYMENT_TERMS

from .base import READ_WRITE, RulesModelView
from .fields import choice, flag
from .roles import RESOURCE_PERMISSIONS


class ContractTemplateView(RulesModelView):
    """Templates for new contracts."""

    datamodel = SQLAInterface(ContractTemplate)
    class_permission_name = "Contract"
    base_permissions = RESOURCE_PERMISSIONS["Contract"]
    method_permission_name = READ_WRITE
    exclude_route_methods = {"delete"}  # contracts keep a link to the template they came from

    list_title = "Contract templates"
    add_title = "New contract template"
    edit_title = "Edit contract template"
    show_title = "Contract template"
    list_columns = ["name", "contract_type", "tier", "term_months", "auto_renew", "active"]
    search_columns = ["name", "contract_type", "tier", "active"]
    order_columns = ["name", "contract_type", "tier"]
    base_order = ("name", "asc")
    add_columns = edit_columns = show_columns = [
        "name",
        "contract_type",
        "tier",
        "term_months",
        "auto_renew",
        "payment_terms",
        "replacement_guarantee_days",
        "terms",
        "active",
    ]
    label_columns = {
        "contract_type": "Type",
        "term_months": "Term (months)",
        "auto_renew": "Auto-renew",
        "replacement_guarantee_days": "Replacement guarantee (days)",
    }
    description_columns = {
        "tier": "The client tier it is written for (standard, enterprise...).",
        "terms": "{client} and {agency} become the client's and the agency's names.",
        "active": "Offered on new contracts.",
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "contract_type": choice("Type", CONTRACT_TYPES, blank=None),
        "payment_terms": choice("Payment terms", PAYMENT_TERMS),
        "auto_renew": flag("Auto-renew", "Contracts from it renew themselves."),
        "active": BooleanField("Active", description="Offered on new contracts.", default=True),
    }
