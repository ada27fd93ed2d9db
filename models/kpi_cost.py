"""The cost and time KPIs: utilization, cost per hire, profitability, ROI and acquisition
cost, registered in the KPI registry from the figures of ``models.utilization`` and
``models.profitability`` (one or two grouped queries each; the formulas are theirs).

Cost of time is hours × the user's hourly cost rate (``StaffCapacity.cost_rate``, else
``DEFAULT_COST_RATE``); fees are invoice subtotals (before tax) in the base currency, credit
notes subtracting, attributed to a service type through the job order a placement or
retainer invoice bills.
"""

from __future__ import annotations

from dataclasses import replace

from .kpis import KPI, register
from .profitability import acquisition_cost, cost_per_hire, fees_billed, margin, profit, roi
from .utilization import billable_utilization, cost_of_time, hours_per_placement, utilization

RECRUITER_AND_AGENCY = ("recruiter", "agency")
MONEY_CUTS = ("client", "service_type", "agency")
EVERY_CUT = ("client", "recruiter", "service_type", "agency")

for _kpi in (
    KPI(
        "utilization",
        "Utilization",
        "percent",
        "Hours logged in the period ÷ capacity hours × 100; capacity = weekly hours × working "
        "days in the period (weekdays that are not holidays) ÷ 5. Recruiter: the time entry's.",
        "higher",
        utilization,
        RECRUITER_AND_AGENCY,
    ),
    KPI(
        "billable_utilization",
        "Billable utilization",
        "percent",
        "Billable hours logged in the period ÷ capacity hours × 100 (capacity as for "
        "utilization).",
        "higher",
        billable_utilization,
        RECRUITER_AND_AGENCY,
    ),
    KPI(
        "hours_per_placement",
        "Hours per placement",
        "ratio",
        "Hours logged in the period ÷ placements starting in the period (start date); "
        "recruiter: their own hours and the placements they made (placed by).",
        "lower",
        hours_per_placement,
        RECRUITER_AND_AGENCY,
    ),
    KPI(
        "cost_of_time",
        "Cost of time",
        "money",
        "Σ hours × the user's hourly cost rate over the time entries dated in the period, in "
        "the base currency; by service type: entries on a job order, by its service type.",
        "lower",
        cost_of_time,
        EVERY_CUT,
    ),
    KPI(
        "cost_per_hire",
        "Cost per hire",
        "money",
        "Cost of the time logged on job orders in the period ÷ placements starting in the "
        "period; recruiter: their time and the placements they made.",
        "lower",
        cost_per_hire,
        EVERY_CUT,
    ),
    KPI(
        "fees_billed",
        "Fees billed",
        "money",
        "Σ invoice subtotal × exchange rate at issue over the invoices issued in the period, "
        "minus the credit notes issued in it; by service type: placement and retainer "
        "invoices, by their job order's service type.",
        "higher",
        fees_billed,
        MONEY_CUTS,
    ),
    KPI(
        "profit",
        "Profit",
        "money",
        "Fees billed − cost of time, both over the period.",
        "higher",
        profit,
        MONEY_CUTS,
    ),
    KPI(
        "margin",
        "Margin",
        "percent",
        "(Fees billed − cost of time) ÷ fees billed × 100 over the period; none without fees.",
        "higher",
        margin,
        MONEY_CUTS,
    ),
    KPI(
        "roi",
        "Return on time (ROI)",
        "percent",
        "(Fees billed − cost of time) ÷ cost of time × 100 over the period; none without cost.",
        "higher",
        roi,
        MONEY_CUTS,
    ),
    KPI(
        "acquisition_cost",
        "Acquisition cost",
        "money",
        "For a client first invoiced in the period (its earliest issued invoice): the cost of "
        "the time logged on it before that invoice; the agency's is the average over those "
        "clients.",
        "lower",
        acquisition_cost,
        ("client", "agency"),
    ),
):
    register(replace(_kpi, resource="Utilization"))  # cost rates and margins: internal
