"""The daily client health snapshots (``flask clientdesk health-snapshots``, and RQ's
scheduler through ``jobs/schedule.py``).

``take_snapshots(day)`` scores every client not archived as of ``day`` (today by default) with
``models.health.health_scores`` and stores one ``HealthSnapshot`` per client and day with one
``INSERT … ON CONFLICT DO UPDATE``: running it twice on a day, a retry, or two schedulers keep
one row per client and day (the last run's figures).
"""

from __future__ import annotations

from datetime import date

from extensions import db
from models.health import health_scores
from models.health_snapshots import upsert_snapshots

from . import enqueue, job


@job
def take_snapshots(day: str | date | None = None) -> int:
    """Snapshot every client's health on ``day`` (a date or ISO string; today by default).
    Returns the number of clients snapshotted."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    day = day or date.today()
    scores = health_scores(db.session, None, day)
    written = upsert_snapshots(db.session, day, [h.snapshot_row() for h in scores.values()])
    db.session.commit()
    return written


def enqueue_snapshots(day: date | None = None):
    """Run ``take_snapshots`` on the RQ queue (inline without ``REDIS_URL``)."""
    return enqueue(take_snapshots, day.isoformat() if day else None)
