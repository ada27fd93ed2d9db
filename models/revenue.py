"""Revenue by month: what was invoiced, in the base currency, from one grouped SQL query.

Formula: for each month of the invoices' ``issue_date``, the sum over issued invoices
(``kind='invoice'``, any status but draft and void: issued, partially paid, paid) of
``ROUND(total × exchange_rate, 2)`` minus the same sum over issued credit notes. The exchange
rate is the one captured at issue (``Invoice.exchange_rate``), so a month's figure never moves
with later rates. Drafts have no rate and no number; void invoices never counted.

The months are bucketed in SQL by ``month_key`` (``to_char`` on PostgreSQL, ``strftime`` on
SQLite); the months without an invoice are filled with zero here, over the few grouped rows,
so the query count and cost do not grow with the number of invoices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Numeric, case, func, select, type_coerce

from .billing import ZERO, Invoice, base_currency

COUNTED_STATUSES = ("issued", "partially_paid", "paid")
AMOUNT = Numeric(16, 2)


@dataclass(frozen=True)
class MonthRevenue:
    month: str  # "YYYY-MM"
    label: str  # "Mar 2026"
    amount: Decimal  # in the base currency


def month_key(column, session):
    """SQL: 'YYYY-MM' of a DATE column on PostgreSQL and SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def month_start(day: date, back: int = 0) -> date:
    """The first day of ``day``'s month, ``back`` months earlier."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def signed_base_amount():
    """SQL: an invoice's total in the base currency, ``ROUND(total × exchange rate at issue,
    2)``, negative for a credit note: what every revenue figure sums (the home page's chart,
    the revenue and lifetime value KPIs, the monthly report), over ``COUNTED_STATUSES``."""
    signed = case((Invoice.kind == "credit_note", -1), else_=1)
    base = func.round(
        type_coerce(Invoice.total * func.coalesce(Invoice.exchange_rate, 1), AMOUNT), 2
    )
    return signed * base


def revenue_by_month(
    session, months: int = 12, today: date | None = None, client_ids=None
) -> list[MonthRevenue]:
    """The last ``months`` calendar months up to ``today``'s (included), oldest first, each
    with its revenue in the base currency; ``client_ids`` (a list or a SELECT of ids)
    narrows it to those clients. One query."""
    today = today or date.today()
    first = month_start(today, months - 1)
    after = month_start(today, -1)
    key = month_key(Invoice.issue_date, session).label("month")
    query = (
        select(key, type_coerce(func.sum(signed_base_amount()), AMOUNT))
        .where(
            Invoice.status.in_(COUNTED_STATUSES),
            Invoice.issue_date >= first,
            Invoice.issue_date < after,
        )
        .group_by(key)
    )
    if client_ids is not None:
        query = query.where(Invoice.client_id.in_(client_ids))
    amounts = {
        month: Decimal(total or 0).quantize(Decimal("0.01"))
        for month, total in session.execute(query)
    }
    result = []
    for back in range(months - 1, -1, -1):
        start = month_start(today, back)
        month = start.strftime("%Y-%m")
        result.append(MonthRevenue(month, start.strftime("%b %Y"), amounts.get(month, ZERO)))
    return result


__all__ = [
    "MonthRevenue",
    "base_currency",
    "month_key",
    "month_start",
    "revenue_by_month",
    "signed_base_amount",
]
