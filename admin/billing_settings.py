"""Finance settings: exchange rates to the base currency (the rate of a day is the latest
known on or before it) and the holidays no payment falls due on."""

from __future__ import annotations

from decimal import Decimal

from flask_appbuilder.models.sqla.interface import SQLAInterface
from wtforms.validators import AnyOf, NumberRange

from models import ExchangeRate, Holiday
from models.clients import CURRENCIES

from .base import READ_WRITE, RulesModelView
from .formats import day
from .roles import RESOURCE_PERMISSIONS


class ExchangeRateView(RulesModelView):
    """How many units of the base currency one unit of a currency was worth on a day."""

    datamodel = SQLAInterface(ExchangeRate)
    class_permission_name = "BillingSettings"
    base_permissions = RESOURCE_PERMISSIONS["BillingSettings"]
    method_permission_name = {**READ_WRITE, "delete": "write"}
    list_title = "Exchange rates"
    add_title = "New exchange rate"
    edit_title = "Edit exchange rate"
    show_title = "Exchange rate"
    list_columns = add_columns = edit_columns = show_columns = ["currency", "day", "rate"]
    search_columns = ["currency", "day"]
    order_columns = ["currency", "day"]
    base_order = ("day", "desc")
    label_columns = {"rate": "Rate (base currency per unit)"}
    description_columns = {
        "currency": "ISO 4217 code, such as EUR.",
        "rate": "Units of the base currency one unit is worth, e.g. 1.08 for EUR in USD.",
    }
    formatters_columns = {"day": day}
    validators_columns = {
        "currency": [AnyOf(CURRENCIES, message="Currency must be an ISO 4217 code such as EUR.")],
        "rate": [NumberRange(min=Decimal("0.00000001"), message="Rate must be more than 0.")],
    }


class HolidayView(RulesModelView):
    """Bank holidays: a due date falling on one moves to the next business day."""

    datamodel = SQLAInterface(Holiday)
    class_permission_name = "BillingSettings"
    base_permissions = RESOURCE_PERMISSIONS["BillingSettings"]
    method_permission_name = {**READ_WRITE, "delete": "write"}
    list_title = "Holidays"
    add_title = "New holiday"
    edit_title = "Edit holiday"
    show_title = "Holiday"
    list_columns = add_columns = edit_columns = show_columns = ["day", "name"]
    search_columns = ["day", "name"]
    order_columns = ["day", "name"]
    base_order = ("day", "asc")
    formatters_columns = {"day": day}
