"""Finance KPIs: revenue, lifetime value, days sales outstanding, on-time payment and the
collection level reached.

Money is in the base currency at the exchange rate each invoice captured when issued
(``Invoice.in_base_currency``, here summed in SQL); a credit note subtracts. Invoices belong
to a client: these KPIs are cut by client and for the agency.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import case, func, literal, select

from .billing import Invoice
from .collections import CollectionNotice
from .kpis import KPI, dimension, grouped, percent, register, rounded
from .pipeline_metrics import days_between
from .revenue import COUNTED_STATUSES, signed_base_amount

CLIENT_AND_AGENCY = ("client", "agency")
NOT_ISSUED = ("draft", "void")


def _revenue(session, by, ids, *where):
    """Σ ``signed_base_amount()`` (the same revenue as the home page's chart) of the issued,
    partially paid and paid invoices and credit notes matching ``where``."""
    key = dimension(by, client=Invoice.client_id)
    query = select(key, func.sum(signed_base_amount())).where(
        Invoice.status.in_(COUNTED_STATUSES), *where
    )
    return grouped(session, query, key, by, ids, value=lambda row: rounded(row[1], 2))


def revenue(session, period, by, ids):
    return _revenue(session, by, ids, period.covers_day(Invoice.issue_date))


def lifetime_value(session, period, by, ids):
    return _revenue(session, by, ids, Invoice.issue_date < period.end)


def days_sales_outstanding(session, period, by, ids):
    key = dimension(by, client=Invoice.client_id)
    query = select(key, func.avg(days_between(Invoice.issue_date, Invoice.paid_at))).where(
        Invoice.kind == "invoice",
        Invoice.status == "paid",
        Invoice.issue_date.is_not(None),
        period.covers(Invoice.paid_at),
    )
    return grouped(session, query, key, by, ids)


def on_time_payment(session, period, by, ids, today: date | None = None):
    today = today or date.today()
    key = dimension(by, client=Invoice.client_id)
    on_time = case(
        (
            Invoice.paid_at.is_not(None)
            & (days_between(Invoice.due_date, Invoice.paid_at) < literal(1)),
            1,
        ),
        else_=0,
    )
    query = select(key, func.coalesce(func.sum(on_time), 0), func.count(Invoice.id)).where(
        Invoice.kind == "invoice",
        Invoice.status.not_in(NOT_ISSUED),
        period.covers_day(Invoice.due_date),
        Invoice.due_date < today,
    )
    return grouped(session, query, key, by, ids, value=lambda row: percent(row[1], row[2]))


def collection_level(session, period, by, ids):
    key = dimension(by, client=CollectionNotice.client_id)
    query = select(key, func.max(CollectionNotice.level)).where(
        period.covers_day(CollectionNotice.created_on)
    )
    return grouped(session, query, key, by, ids, value=lambda row: rounded(row[1], 0))


for _kpi in (
    KPI(
        "revenue",
        "Revenue",
        "money",
        "Sum of the invoices issued in the period (issue date) in the base currency at the "
        "rate captured at issue, minus the credit notes issued in it; drafts and voids left out.",
        "higher",
        revenue,
        CLIENT_AND_AGENCY,
    ),
    KPI(
        "lifetime_value",
        "Lifetime value",
        "money",
        "All-time revenue up to the period's end: invoices minus credit notes issued before "
        "it, in the base currency.",
        "higher",
        lifetime_value,
        CLIENT_AND_AGENCY,
    ),
    KPI(
        "days_sales_outstanding",
        "Days sales outstanding",
        "days",
        "Average of (paid in full − issued) in days over the invoices paid in full in the "
        "period (paid_at).",
        "lower",
        days_sales_outstanding,
        CLIENT_AND_AGENCY,
    ),
    KPI(
        "on_time_payment",
        "On-time payment rate",
        "percent",
        "Invoices paid in full by the end of their due date ÷ invoices falling due in the "
        "period (due date in it, before today) × 100.",
        "higher",
        on_time_payment,
        CLIENT_AND_AGENCY,
    ),
    KPI(
        "collection_level",
        "Collection level reached",
        "score",
        "The highest collection notice level (1 first notice … 4 legal escalation) among the "
        "notices opened in the period (created on); none: no notice.",
        "lower",
        collection_level,
        CLIENT_AND_AGENCY,
    ),
):
    register(replace(_kpi, resource="Invoice"))  # amounts billed and paid: finance readers
