"""The demo agency made N times bigger, for the dashboards' query-count tests and
bench/dashboards.py: every demo client gets N−1 copies, and every client (copies and the
originals, so the portal's demo company grows too) N−1 more sets of two job orders (one open,
one filled), three applications (sourced, submitted, placed) and two issued invoices (this
month and two months ago). Rows are added directly (no mail, no PDFs): fast, and enough for
every figure on the admin home and the portal dashboard to have N times the rows to group.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models import Application, Candidate, Client, Invoice, JobOrder, utcnow
from models.audit import audit_paused
from models.candidates import ApplicationStageChange
from models.revenue import month_start

RATES = {"PHP": Decimal("0.0175"), "EUR": Decimal("1.08"), "GBP": Decimal("1.27")}


def _grow(client: Client, tag: str) -> None:
    now = utcnow()
    today = date.today()
    jobs = [
        JobOrder(client=client, title=f"Scaled opening {tag}", status="open",
                 service_type="contingency recruitment", opened_at=now - timedelta(days=40)),
        JobOrder(client=client, title=f"Scaled fill {tag}", status="filled",
                 service_type="contingency recruitment", opened_at=now - timedelta(days=70),
                 filled_at=now - timedelta(days=10)),
    ]
    db.session.add_all(jobs)
    db.session.flush()
    for index, stage in enumerate(("sourced", "submitted", "placed")):
        candidate = Candidate(first_name=f"Scaled{index}", last_name=tag,
                              email=f"scaled-{tag}-{index}@people.example")
        application = Application(job_order=jobs[index % 2], candidate=candidate,
                                  client_id=client.id, stage=stage, stage_changed_at=now)
        application.stage_changes.append(
            ApplicationStageChange(from_stage=None, to_stage=stage, at=now - timedelta(days=5))
        )
        db.session.add(application)
    rate = RATES.get(client.currency or "USD", Decimal("1"))
    for back, amount in ((0, Decimal("1000.00")), (2, Decimal("2500.00"))):
        issued = month_start(today, back)
        db.session.add(
            Invoice(client=client, kind="invoice", status="issued", number=f"SC-{tag}-{back}",
                    currency=client.currency or "USD", exchange_rate=rate, issue_date=issued,
                    due_date=issued + timedelta(days=30), subtotal=amount, total=amount,
                    balance=amount, issued_at=now)
        )


def scale_demo(times: int = 10) -> dict[str, int]:
    """Make the loaded demo ``times`` as big (see the module); returns what was added."""
    originals = db.session.scalars(
        select(Client).where(Client.archived.is_(False), ~Client.name.like("% (copy %)"))
    ).all()
    added = {"clients": 0, "sets": 0}
    with audit_paused(db.session):
        for client in originals:
            for k in range(1, times):
                copy = Client(
                    name=f"{client.name} (copy {k})",
                    short_name=f"{(client.short_name or 'C')[:12]}{k}",
                    status=client.status, location=client.location, currency=client.currency,
                    industry_id=client.industry_id, owner_id=client.owner_id,
                    engagement_manager_id=client.engagement_manager_id,
                    payment_term_label=client.payment_term_label,
                    payment_term_days=client.payment_term_days,
                )
                db.session.add(copy)
                db.session.flush()
                added["clients"] += 1
                _grow(copy, f"{copy.id}-{k}")
                _grow(client, f"{client.id}-{k}")
                added["sets"] += 2
            db.session.flush()
        db.session.commit()
    return added
