"""What clients and services earn against what the time on them costs, in SQL: fees billed,
profit, margin, return on the time (ROI), cost per hire and acquisition cost.

KPI-shaped like ``utilization.py``: ``fn(session, period, by, ids=None) -> {key: Decimal |
None}``, a half-open period of dates, ``by`` in "client", "recruiter", "service_type",
"agency" (those that make sense; ValueError for the others). Amounts are in the base currency.

**Fees billed** in a period: the subtotal (before tax) of the invoices issued in it (issued,
partially paid or paid; drafts and voids never count), converted at the exchange rate
captured at issue and rounded to the cent, minus the credit notes issued in it, converted
the same way. **By service type** a fee is attributed through what proposed it
(``placement_billing``): an invoice from "placement:<id>" to that placement's job order, from
"retainer:<job id>:<stage>" to that job order; a credit note to the job order of the invoice it
credits (a guarantee credit note credits the placement's invoice). Invoices proposed by
nothing (drafted by hand, milestones) count for their client but for no service type.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Integer, case, func, literal, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import FunctionElement

from .billing import Invoice
from .candidates import Placement
from .recruiting import JobOrder
from .time_entries import StaffCapacity, TimeEntry
from .utilization import (
    AGENCY,
    CENT,
    MONEY,
    check_by,
    cost_query,
    entry_cost,
    in_period,
    percent,
    placements_query,
)

BILLED_STATUSES = ("issued", "partially_paid", "paid")


class source_number(FunctionElement):
    """SQL: the number after the first colon of an invoice source ("placement:12" → 12,
    "retainer:7:2" → 7)."""

    type = Integer()
    inherit_cache = True
    name = "source_number"


@compiles(source_number)
def _source_number_postgresql(element, compiler, **kw):
    (source,) = list(element.clauses)
    return f"CAST(NULLIF(split_part({compiler.process(source, **kw)}, ':', 2), '') AS INTEGER)"


@compiles(source_number, "sqlite")
def _source_number_sqlite(element, compiler, **kw):
    (source,) = list(element.clauses)
    text = compiler.process(source, **kw)
    return f"CAST(substr({text}, instr({text}, ':') + 1) AS INTEGER)"


def _billed_amount():
    """SQL: an invoice's subtotal in the base currency, negative for a credit note."""
    base = func.round(
        type_coerce(Invoice.subtotal * func.coalesce(Invoice.exchange_rate, 1), MONEY), 2
    )
    return case((Invoice.kind == "credit_note", -base), else_=base)


def fees_query(period, by, ids=None):
    """The grouped query ``(key, fees)`` of the invoices and credit notes issued in ``period``."""
    origin = aliased(Invoice)
    source = func.coalesce(origin.source, Invoice.source)
    query = (
        select(func.sum(_billed_amount()).label("fees"))
        .select_from(Invoice)
        .where(Invoice.status.in_(BILLED_STATUSES), in_period(Invoice.issue_date, period))
    )
    if by == "service_type":
        placement_id = case(
            (source.like("placement:%"), source_number(source)),
            (source.like("guarantee:%"), source_number(source)),
        )
        retainer_job = case((source.like("retainer:%"), source_number(source)))
        key = JobOrder.service_type
        query = (
            query.outerjoin(origin, origin.id == Invoice.credited_invoice_id)
            .outerjoin(Placement, Placement.id == placement_id)
            .join(JobOrder, JobOrder.id == func.coalesce(Placement.job_order_id, retainer_job))
        )
    else:
        key = Invoice.client_id if by == "client" else literal(AGENCY)
    query = query.add_columns(key.label("key")).group_by(key)
    if ids is not None and by != "agency":
        query = query.where(key.in_(list(ids)))
    return query


def fees_billed(session, period, by, ids=None) -> dict:
    """Fees billed in the base currency, by client, service type or agency.

    Formula: ``SUM(subtotal × exchange rate at issue)`` over the invoices issued in the period
    minus the same over the credit notes issued in it (see the module for the attribution to
    service types).
    """
    check_by(by, ("client", "service_type", "agency"))
    return {
        key: Decimal(fees).quantize(CENT)
        for fees, key in session.execute(fees_query(period, by, ids))
    }


def _fees_and_costs(session, period, by, ids) -> dict[object, tuple[Decimal, Decimal]]:
    check_by(by, ("client", "service_type", "agency"))
    from .utilization import cost_of_time

    fees = fees_billed(session, period, by, ids)
    costs = cost_of_time(session, period, by, ids)
    zero = Decimal("0.00")
    return {key: (fees.get(key, zero), costs.get(key, zero)) for key in {*fees, *costs}}


def profit(session, period, by, ids=None) -> dict:
    """Profit, by client, service type or agency.

    Formula: ``fees billed − cost of time`` in the period (``fees_billed``,
    ``utilization.cost_of_time``): two grouped queries.
    """
    return {
        key: fee - cost for key, (fee, cost) in _fees_and_costs(session, period, by, ids).items()
    }


def margin(session, period, by, ids=None) -> dict:
    """Margin %, by client, service type or agency.

    Formula: ``(fees − cost of time) / fees × 100``, one decimal; None without fees.
    """
    pairs = _fees_and_costs(session, period, by, ids)
    return {key: percent(fee - cost, fee) for key, (fee, cost) in pairs.items()}


def roi(session, period, by, ids=None) -> dict:
    """Return on the time spent (ROI) %, by client, service type or agency.

    Formula: ``(fees − cost of time) / cost of time × 100``, one decimal; None without cost.
    """
    pairs = _fees_and_costs(session, period, by, ids)
    return {key: percent(fee - cost, cost) for key, (fee, cost) in pairs.items()}


def cost_per_hire(session, period, by, ids=None) -> dict:
    """Cost per hire in the base currency, by client, recruiter, service type or agency.

    Formula: ``cost of the time logged on job orders in the period / placements starting in
    the period`` (per client: its job orders' time and placements; per recruiter: their time
    on job orders and the placements they made; per service type: through the job order).
    None for a group with time but no placement. Two grouped queries.
    """
    check_by(by, ("client", "recruiter", "service_type", "agency"))
    costs = dict(session.execute(cost_query(period, by, ids, on_job_orders=True)).all())
    hires = dict(session.execute(placements_query(period, by, ids)).all())
    return {
        key: (Decimal(costs.get(key) or 0) / hires[key]).quantize(CENT) if hires.get(key) else None
        for key in {*costs, *hires}
    }


def acquisition_cost(session, period, by, ids=None) -> dict:
    """Acquisition cost in the base currency, by client or agency.

    Formula: for each client whose first issued invoice (the earliest ``issue_date`` of an
    invoice, not a credit note, issued, partially paid or paid) falls in the period, ``SUM(hours
    × cost rate)`` of the time logged on it before that date (whenever it was logged); the
    agency's is the average over those clients. Clients not billed yet, or first billed
    outside the period, are left out. One statement.
    """
    check_by(by, ("client", "agency"))
    first = (
        select(Invoice.client_id.label("client_id"), func.min(Invoice.issue_date).label("first"))
        .where(Invoice.kind == "invoice", Invoice.status.in_(BILLED_STATUSES))
        .group_by(Invoice.client_id)
        .subquery()
    )
    spent = (
        select(
            first.c.client_id.label("client_id"),
            func.coalesce(func.sum(entry_cost()), 0).label("cost"),
        )
        .select_from(first)
        .outerjoin(
            TimeEntry, (TimeEntry.client_id == first.c.client_id) & (TimeEntry.day < first.c.first)
        )
        .outerjoin(StaffCapacity, StaffCapacity.user_id == TimeEntry.user_id)
        .where(in_period(first.c.first, period))
        .group_by(first.c.client_id)
    )
    if ids is not None and by == "client":
        spent = spent.where(first.c.client_id.in_(list(ids)))
    if by == "client":
        return {cid: Decimal(cost).quantize(CENT) for cid, cost in session.execute(spent)}
    inner = spent.subquery()
    average = session.scalar(select(func.avg(inner.c.cost)))
    return {AGENCY: Decimal(average).quantize(CENT) if average is not None else None}


@dataclass(frozen=True)
class ProfitRow:
    key: object  # a client id or a service type
    fees: Decimal
    cost: Decimal
    margin: Decimal | None
    roi: Decimal | None
    cost_per_hire: Decimal | None

    @property
    def profit(self) -> Decimal:
        return self.fees - self.cost


def profitability(session, period, by, ids=None) -> list[ProfitRow]:
    """One row per client (or service type) with fees or cost in the period: fees, cost of
    time, profit, margin %, ROI % and cost per hire (the functions above; a few grouped
    queries in all). ``ids``: these clients (or service types) only."""
    pairs = _fees_and_costs(session, period, by, ids)
    hires = cost_per_hire(session, period, by, ids)
    return [
        ProfitRow(
            key, fee, cost, percent(fee - cost, fee), percent(fee - cost, cost), hires.get(key)
        )
        for key, (fee, cost) in sorted(pairs.items(), key=lambda item: str(item[0]))
    ]
