"""The demo's service desk: five tickets of Bayanihan Foods, one at each point of their life
(one already escalated), and a mail from an unknown sender in triage; loading twice adds
nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from admin.demo import load_demo
from extensions import db
from models import InboundMail, Ticket


@pytest.fixture
def demo(ctx):
    return load_demo()


def test_the_demo_has_tickets_at_each_step_once(demo):
    statuses = sorted(db.session.scalars(select(Ticket.status)))
    assert statuses == ["closed", "in_progress", "new", "new", "resolved"]
    escalated = db.session.scalar(select(Ticket).where(Ticket.escalation_level == 1))
    assert escalated is not None and escalated.priority == "critical"
    rated = db.session.scalar(select(Ticket).where(Ticket.status == "closed"))
    assert rated.rating == 5
    db.session.remove()
    load_demo()
    assert db.session.scalar(select(func.count(Ticket.id))) == 5
    assert db.session.scalar(select(func.count(InboundMail.id))) == 1


def test_the_demo_has_a_mail_waiting_in_triage(demo):
    [mail] = db.session.scalars(select(InboundMail)).all()
    assert (mail.status, mail.reason) == ("triage", "unknown sender")
    assert mail.from_address == "lea.villanueva@pacificharvest.example"
