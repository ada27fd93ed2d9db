"""The filters of the collection notice list (seed 001), shared by the admin list and the REST
API: business unit and project (the invoice's), client, status, level, and days due (at least
N days overdue today)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from models import CollectionNotice, Invoice
from models.collections import LEVELS, NOTICE_STATUSES


def days_due(value: str) -> int:
    """A query-string parser for "at least N days overdue".  :raise ValueError: otherwise."""
    days = int(value)
    if not 0 <= days <= 36500:
        raise ValueError(value)
    return days


def level(value: str) -> int:
    number = int(value)
    if number not in LEVELS:
        raise ValueError(value)
    return number


def status(value: str) -> str:
    if value not in NOTICE_STATUSES:
        raise ValueError(value)
    return value


def _invoices(*conditions):
    return CollectionNotice.invoice_id.in_(select(Invoice.id).where(*conditions))


def at_least_days_overdue(days: int, today: date | None = None):
    """Notices of invoices at least ``days`` past their due date."""
    today = today or date.today()
    return _invoices(Invoice.due_date <= today - timedelta(days=days))


CONDITIONS = {
    "business_unit": (str, lambda value: _invoices(Invoice.business_unit == value)),
    "project_id": (int, lambda value: _invoices(Invoice.project_id == value)),
    "client_id": (int, lambda value: CollectionNotice.client_id == value),
    "status": (status, lambda value: CollectionNotice.status == value),
    "level": (level, lambda value: CollectionNotice.level == value),
    "days_due": (days_due, at_least_days_overdue),
}
