"""With the clock moved forward, the escalation job walks a breached ticket up the three
levels of seed 003 once each (account manager when the 4-hour response target passes,
operations manager 24 h later, managing director 12 h after that); running it again at any
moment changes nothing more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from extensions import db
from jobs.tickets import comment, escalate_tickets, raise_ticket
from models import Activity, EscalationLevel, Ticket, TicketEvent
from models.access import ROLE_ACCOUNT_MANAGER, ROLE_ADMIN
from tests.factories import ClientContactFactory, make_user

RAISED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def desk(ctx):
    manager = make_user(ROLE_ACCOUNT_MANAGER)
    operations = make_user(ROLE_ADMIN, first_name="Olga", last_name="Ops")
    director = make_user(ROLE_ADMIN, first_name="Dario", last_name="Director")
    db.session.add_all(
        [
            EscalationLevel(
                level=2, title="Operations Manager", response_hours=12, user=operations
            ),
            EscalationLevel(level=3, title="Managing Director", response_hours=4, user=director),
        ]
    )
    link = ClientContactFactory()
    link.client.owner = manager
    db.session.commit()
    with time_machine.travel(RAISED, tick=False):
        ticket = raise_ticket(link.client, "Portal down", contact=link.contact, priority="critical")
    return ticket, manager, operations, director


def _run_twice(at):
    with time_machine.travel(at, tick=False):
        first = escalate_tickets()
        second = escalate_tickets()
    assert second == 0
    return first


def _escalations(ticket):
    escalated = TicketEvent.kind == "escalated"
    return db.session.scalars(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, escalated)
        .order_by(TicketEvent.id)
    ).all()


def test_a_breached_ticket_climbs_the_three_levels_once_each(desk):
    ticket, manager, operations, director = desk
    assert _run_twice(RAISED + timedelta(hours=4)) == 0  # at the deadline: not late yet
    assert _run_twice(RAISED + timedelta(hours=4, minutes=1)) == 1
    assert ticket.escalation_level == 1
    assert _run_twice(RAISED + timedelta(hours=27)) == 0  # level 1 has 24 hours
    assert _run_twice(RAISED + timedelta(hours=28, minutes=1)) == 1
    assert _run_twice(RAISED + timedelta(hours=40, minutes=2)) == 1  # level 2 has 12 hours
    assert ticket.escalation_level == 3
    assert _run_twice(RAISED + timedelta(days=30)) == 0  # nothing above level 3
    assert [(e.level, e.recipient) for e in _escalations(ticket)] == [
        (1, manager),
        (2, operations),
        (3, director),
    ]
    timeline = db.session.scalar(
        select(func.count(Activity.id)).where(
            Activity.kind == "ticket", Activity.summary.contains("escalated to level")
        )
    )
    assert timeline == 3


def test_an_answer_after_an_escalation_stops_the_climb(desk):
    ticket, manager, *_ = desk
    assert _run_twice(RAISED + timedelta(hours=5)) == 1
    with time_machine.travel(RAISED + timedelta(hours=6), tick=False):
        comment(ticket, "We are on it.", user=manager)
    # answered, but the 24-hour resolution target passes: level 1 answered, so no climb
    assert _run_twice(RAISED + timedelta(hours=40)) == 0
    assert ticket.escalation_level == 1


def test_a_ticket_waiting_on_the_client_does_not_escalate(desk):
    ticket, manager, *_ = desk
    ticket.action_set_status("waiting_on_client", manager)
    ticket.first_response_at = None
    db.session.commit()
    assert _run_twice(RAISED + timedelta(hours=10)) == 0
    assert db.session.get(Ticket, ticket.id).escalation_level == 0
