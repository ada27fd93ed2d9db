"""The demo agency's client health history: snapshots as of a few past days (30, 14, 7 and 1
days ago), each scored on what existed on that day, so the Health tab has a history line and
"what moved since" its last snapshot.

Called by ``load_demo()`` (admin/demo.py) inside its transaction; safe to run again: a day
that has snapshots already is left as it is.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from extensions import db
from models.health import health_scores
from models.health_snapshots import HealthSnapshot, upsert_snapshots

DAYS_AGO = (30, 14, 7, 1)


def load_health(count) -> None:
    today = date.today()
    days = [today - timedelta(days=n) for n in DAYS_AGO]
    taken = set(
        db.session.scalars(
            select(HealthSnapshot.taken_on).where(HealthSnapshot.taken_on.in_(days)).distinct()
        )
    )
    db.session.flush()  # the scores read what the demo just added
    for day in days:
        if day in taken:
            continue
        scores = health_scores(db.session, None, day)
        rows = [health.snapshot_row() for health in scores.values()]
        count("health snapshots", upsert_snapshots(db.session, day, rows))
