"""The service desk's clock stops while a ticket waits on the client: the resolution deadline
moves out by the wait, in the ticket's own kind of hours (calendar or business), whether the
client answers, staff move it on, or it is resolved meanwhile."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from extensions import db
from jobs.tickets import escalate_tickets
from models import Ticket, TicketComment
from models.billing_terms import Holiday
from models.sla import SlaPolicy, add_hours, hours_between
from tests.models.test_tickets import desk  # noqa: F401 (a fixture: client, contact, manager)

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
FRIDAY_15 = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
NINE_TO_FIVE = {"zone": UTC, "window": (9, 17), "holidays": set()}


def _raised(people, priority="high", at=TUESDAY_10) -> Ticket:
    client, contact, _manager = people
    ticket = Ticket.action_raise(client, "Help", contact=contact, priority=priority, at=at)
    db.session.commit()
    return ticket


def _at(moment, step, *args):
    with time_machine.travel(moment, tick=False):
        step(*args)
        db.session.commit()


# ---------------------------------------------------------------- measuring a wait


def test_calendar_hours_between_two_moments_are_the_plain_difference():
    assert hours_between(TUESDAY_10, TUESDAY_10 + timedelta(hours=30), False) == 30
    assert hours_between(TUESDAY_10, TUESDAY_10 - timedelta(hours=1), False) == 0


def test_business_hours_between_skip_nights_weekends_and_holidays():
    monday_11 = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
    assert hours_between(FRIDAY_15, monday_11, True, **NINE_TO_FIVE) == 4  # 15-17, then 9-11
    holiday = {**NINE_TO_FIVE, "holidays": {date(2026, 12, 7)}}
    assert hours_between(FRIDAY_15, monday_11, True, **holiday) == 2
    saturday = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    assert hours_between(saturday, saturday + timedelta(hours=20), True, **NINE_TO_FIVE) == 0


@pytest.mark.parametrize("hours", [1, 2, 8, 9, 23, 40, 100])
def test_business_hours_between_undo_adding_them(hours):
    due = add_hours(FRIDAY_15, hours, True, **NINE_TO_FIVE)
    assert hours_between(FRIDAY_15, due, True, **NINE_TO_FIVE) == hours


# ---------------------------------------------------------------- the ticket's deadline


def test_a_wait_on_the_client_moves_the_resolution_deadline_out_by_the_wait(desk):  # noqa: F811
    _client, contact, manager = desk
    ticket = _raised(desk)
    due = ticket.resolution_due_at
    _at(TUESDAY_10 + timedelta(hours=5), ticket.action_set_status, "waiting_on_client", manager)
    assert ticket.paused_at == TUESDAY_10 + timedelta(hours=5)
    assert ticket.resolution_due_at == due  # not yet: the wait is still running

    answer = TUESDAY_10 + timedelta(hours=35)
    TicketComment.action_add(ticket, "Here is the file.", contact=contact, at=answer)
    db.session.commit()

    assert ticket.status == "in_progress" and ticket.paused_at is None
    assert ticket.resolution_due_at == due + timedelta(hours=30)
    assert ticket.paused_seconds == 30 * 3600


def test_in_business_hours_only_the_working_hours_of_the_wait_count(desk, app, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "SERVICE_DESK_HOURS", (9, 17))
    monkeypatch.setitem(app.config, "SERVICE_DESK_TIMEZONE", "UTC")
    db.session.add(
        SlaPolicy(priority="high", response_hours=8, resolution_hours=16, business_hours=True)
    )
    _client, contact, manager = desk
    ticket = _raised(desk, at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC))  # Thursday 09:00
    assert ticket.resolution_due_at == datetime(2026, 12, 4, 17, 0, tzinfo=UTC)  # Friday 17:00
    _at(FRIDAY_15, ticket.action_set_status, "waiting_on_client", manager)
    monday_11 = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
    _at(monday_11, ticket.action_set_status, "in_progress", manager)  # 4 working hours

    assert ticket.resolution_due_at == datetime(2026, 12, 7, 13, 0, tzinfo=UTC)  # 17:00 + 4 h


def test_a_holiday_during_the_wait_does_not_count(desk, app, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "SERVICE_DESK_HOURS", (9, 17))
    db.session.add(Holiday(day=date(2026, 12, 7), name="Desk closed"))
    db.session.add(
        SlaPolicy(priority="high", response_hours=8, resolution_hours=16, business_hours=True)
    )
    _client, _contact, manager = desk
    ticket = _raised(desk, at=datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    _at(FRIDAY_15, ticket.action_set_status, "waiting_on_client", manager)
    _at(datetime(2026, 12, 8, 11, 0, tzinfo=UTC), ticket.action_set_status, "in_progress", manager)

    assert ticket.paused_seconds == 4 * 3600  # Friday 15-17 and Tuesday 9-11; Monday closed


def test_resolving_a_ticket_that_waits_ends_the_wait(desk):  # noqa: F811
    _client, _contact, manager = desk
    ticket = _raised(desk)
    due = ticket.resolution_due_at
    _at(TUESDAY_10 + timedelta(hours=1), ticket.action_set_status, "waiting_on_client", manager)
    _at(TUESDAY_10 + timedelta(hours=11), ticket.action_resolve, "Done without them.", manager)

    assert ticket.paused_at is None and ticket.resolution_due_at == due + timedelta(hours=10)


def test_a_deadline_missed_before_the_wait_stays_missed(desk):  # noqa: F811
    _client, _contact, manager = desk
    ticket = _raised(desk, priority="critical")  # resolve within 24 h
    due = ticket.resolution_due_at
    _at(due + timedelta(hours=2), ticket.action_set_status, "waiting_on_client", manager)
    _at(due + timedelta(hours=20), ticket.action_set_status, "in_progress", manager)

    assert ticket.resolution_due_at == due and ticket.paused_seconds == 0


def test_a_new_priority_keeps_the_waits_already_counted(desk):  # noqa: F811
    _client, contact, manager = desk
    ticket = _raised(desk, priority="medium")
    _at(TUESDAY_10 + timedelta(hours=1), ticket.action_set_status, "waiting_on_client", manager)
    answer = TUESDAY_10 + timedelta(hours=7)
    TicketComment.action_add(ticket, "Answered.", contact=contact, at=answer)
    _at(TUESDAY_10 + timedelta(hours=8), ticket.action_change_priority, "high", manager)

    assert ticket.resolution_due_at == TUESDAY_10 + timedelta(hours=72 + 6)


def test_a_ticket_whose_deadline_moved_out_is_not_escalated_before_it(desk):  # noqa: F811
    _client, contact, manager = desk
    ticket = _raised(desk, priority="critical")  # respond in 4 h, resolve in 24 h
    _at(TUESDAY_10 + timedelta(hours=1), ticket.action_set_status, "waiting_on_client", manager)
    TicketComment.action_add(
        ticket, "Sorry, on leave.", contact=contact, at=TUESDAY_10 + timedelta(hours=21)
    )
    db.session.commit()

    with time_machine.travel(TUESDAY_10 + timedelta(hours=30), tick=False):
        assert escalate_tickets() == 0  # due at 44 h now, not 24 h
    with time_machine.travel(TUESDAY_10 + timedelta(hours=45), tick=False):
        assert escalate_tickets() == 1


def test_while_it_waits_a_ticket_past_its_old_deadline_is_pending_not_breached(desk):  # noqa: F811
    from admin.ticket_forms import breached_condition
    from admin.tickets_api import breached
    from models.kpis import Period
    from models.service_reports import breaches, resolution_compliance

    _client, _contact, manager = desk
    ticket = _raised(desk, priority="critical")  # resolve within 24 h
    _at(TUESDAY_10 + timedelta(hours=2), ticket.action_set_status, "waiting_on_client", manager)
    later = TUESDAY_10 + timedelta(hours=30)  # past the 24 h, the client still silent
    december = Period.month(2026, 12)

    assert not ticket.resolution_breached(later)
    [row] = resolution_compliance(db.session, december, now=later)
    assert (row.met, row.missed, row.pending) == (0, 0, 1)
    assert breaches(db.session, december, now=later) == []
    assert db.session.scalar(select(Ticket.id).where(breached(later))) is None
    assert db.session.scalar(select(Ticket.id).where(breached_condition(later))) is None
