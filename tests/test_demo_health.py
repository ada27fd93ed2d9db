"""The demo's client health history: snapshots of a few past days for every client, so the
Health tab shows movers; loading twice adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from admin.demo import load_demo
from admin.demo_health import DAYS_AGO
from extensions import db
from models import Client
from models.health import explain
from models.health_snapshots import HealthSnapshot


@pytest.fixture
def demo(ctx):
    return load_demo()


def test_the_demo_has_past_snapshots_with_movers_and_loads_them_once(demo):
    days = db.session.scalars(select(HealthSnapshot.taken_on).distinct()).all()
    assert sorted(days) == sorted(date.today() - timedelta(days=n) for n in DAYS_AGO)
    rows = db.session.scalar(select(func.count(HealthSnapshot.id)))
    live = db.session.scalar(select(func.count(Client.id)).where(Client.archived.is_(False)))
    assert rows == live * len(DAYS_AGO)
    client_ids = db.session.scalars(select(Client.id).where(Client.archived.is_(False))).all()
    moved = [cid for cid in client_ids[:10] if explain(db.session, cid).top_mover is not None]
    assert moved, "some demo client's score moved since its last snapshot"
    db.session.remove()
    load_demo()
    assert db.session.scalar(select(func.count(HealthSnapshot.id))) == rows
