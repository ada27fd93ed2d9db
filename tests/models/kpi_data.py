"""Small hand-built records for the KPI tests: the stamps are set directly (the workflows
that normally stamp them are tested elsewhere), so each expected figure can be worked out."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from extensions import db
from models import Application, Invoice, JobOrder, Offer
from models.candidates import ApplicationStageChange, Placement
from models.kpis import Period
from models.recruiting import SERVICE_TYPES
from tests.factories import CandidateFactory, ClientFactory, JobOrderFactory, make_user

MARCH = Period.month(2026, 3)  # [2026-03-01, 2026-04-01)
CONTINGENCY, RETAINED = SERVICE_TYPES[1], SERVICE_TYPES[0]


def at(day: int, month: int = 3, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def job(client=None, recruiters=(), service_type=CONTINGENCY, **fields) -> JobOrder:
    fields.setdefault("status", "open")
    order = JobOrderFactory(client=client or ClientFactory(), service_type=service_type, **fields)
    order.recruiters = list(recruiters)
    db.session.commit()
    return order


def application(order: JobOrder, recruiter=None, presented_at=None, moves=(), **fields):
    """An application on ``order`` with its kept stage ``moves`` ((stage, at) pairs)."""
    fields.setdefault("stage", moves[-1][0] if moves else "sourced")
    app = Application(
        job_order=order,
        candidate=CandidateFactory(),
        client_id=order.client_id,
        recruiter_id=recruiter.id if recruiter else None,
        presented_at=presented_at,
        **fields,
    )
    db.session.add(app)
    for stage, when in moves:
        db.session.add(ApplicationStageChange(application=app, to_stage=stage, at=when))
    db.session.commit()
    return app


def placement(order: JobOrder, start: date, by=None, **fields) -> Placement:
    app = application(order, by, moves=[("placed", at(1))])
    row = Placement(
        application=app,
        job_order_id=order.id,
        client_id=order.client_id,
        start_date=start,
        salary=Decimal("100000"),
        currency="USD",
        placed_by_id=by.id if by else None,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def offer(order: JobOrder, status: str, decided_at, recruiter=None) -> Offer:
    app = application(order, recruiter, moves=[("offer", at(1))])
    row = Offer(
        number=f"O-2026-{app.id:04d}",
        application_id=app.id,
        job_order_id=order.id,
        candidate_id=app.candidate_id,
        client_id=order.client_id,
        status=status,
        decided_at=decided_at,
    )
    db.session.add(row)
    db.session.commit()
    return row


def invoice(client, total, rate="1", kind="invoice", status="issued", **fields) -> Invoice:
    """An issued invoice (or credit note) with its figures set directly."""
    row = Invoice(
        client=client,
        kind=kind,
        status=status,
        currency=fields.pop("currency", "USD"),
        exchange_rate=Decimal(rate),
        total=Decimal(total),
        subtotal=Decimal(total),
        balance=fields.pop("balance", Decimal(0) if status == "paid" else Decimal(total)),
        number=fields.pop("number", None),
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def recruiters(count=2):
    return [make_user("Recruiter") for _ in range(count)]
