"""Response deadlines at their boundaries, for each priority, in calendar and in business hours
(09:00–17:00, Monday to Friday, no holidays, in the desk's time zone)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from extensions import db
from models import Ticket
from models.billing_terms import Holiday
from models.sla import SlaPolicy, add_hours
from tests.factories import ClientContactFactory

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
FRIDAY_15 = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
ONE_SECOND = timedelta(seconds=1)


@pytest.fixture
def contact(ctx):
    link = ClientContactFactory()
    db.session.commit()
    return link


def _raise(link, priority, at):
    ticket = Ticket.action_raise(
        link.client, "Help", contact=link.contact, priority=priority, at=at
    )
    db.session.commit()
    return ticket


@pytest.mark.parametrize(
    "priority, hours", [("critical", 4), ("high", 24), ("medium", 48), ("low", 72)]
)
def test_in_calendar_hours_the_response_is_due_exactly_n_hours_after_raising(
    contact, priority, hours
):
    ticket = _raise(contact, priority, TUESDAY_10)
    due = TUESDAY_10 + timedelta(hours=hours)
    assert ticket.response_due_at == due
    assert not ticket.response_breached(due)  # at the deadline: still in time
    assert ticket.response_breached(due + ONE_SECOND)  # one second later: breached
    ticket.first_response_at = due
    assert not ticket.response_breached(due + timedelta(days=9))


# Raised Friday 15:00 in business hours (8 working hours a day): critical 4 h → 2 h on Friday
# and 2 h on Monday = Monday 11:00; high 24 h = 2 + 8 + 8 + 6 → Wednesday 15:00; medium 48 h =
# 2 + 8×5 + 6 → the next Monday 15:00; low 72 h = 2 + 8×8 + 6 → the next Thursday 15:00.
@pytest.mark.parametrize(
    "priority, due",
    [
        ("critical", datetime(2026, 12, 7, 11, 0, tzinfo=UTC)),
        ("high", datetime(2026, 12, 9, 15, 0, tzinfo=UTC)),
        ("medium", datetime(2026, 12, 14, 15, 0, tzinfo=UTC)),
        ("low", datetime(2026, 12, 17, 15, 0, tzinfo=UTC)),
    ],
)
def test_in_business_hours_the_clock_stops_at_night_and_over_the_weekend(contact, priority, due):
    hours = {"critical": 4, "high": 24, "medium": 48, "low": 72}[priority]
    policy = SlaPolicy(
        priority=priority, response_hours=hours, resolution_hours=200, business_hours=True
    )
    db.session.add(policy)
    db.session.commit()
    ticket = _raise(contact, priority, FRIDAY_15)
    assert ticket.business_hours and ticket.response_due_at == due
    assert not ticket.response_breached(due)
    assert ticket.response_breached(due + ONE_SECOND)


def test_a_holiday_is_skipped_like_a_weekend(ctx):
    holidays = {date(2026, 12, 7)}  # Monday
    assert add_hours(FRIDAY_15, 4, True, holidays=holidays) == datetime(
        2026, 12, 8, 11, 0, tzinfo=UTC
    )


def test_a_holiday_row_of_the_calendar_counts(ctx):
    db.session.add(Holiday(day=date(2026, 12, 7), name="Feast day"))
    db.session.commit()
    assert add_hours(FRIDAY_15, 4, True) == datetime(2026, 12, 8, 11, 0, tzinfo=UTC)


def test_before_opening_the_clock_starts_at_opening_and_after_closing_the_next_morning(ctx):
    early = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
    late = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    assert add_hours(early, 4, True, holidays=set()) == datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    assert add_hours(late, 4, True, holidays=set()) == datetime(2026, 12, 2, 13, 0, tzinfo=UTC)


def test_a_deadline_landing_on_closing_time_stays_there(ctx):
    assert add_hours(datetime(2026, 12, 4, 13, 0, tzinfo=UTC), 4, True, holidays=set()) == (
        datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    )


def test_business_hours_are_counted_in_the_desks_time_zone(ctx):
    manila = ZoneInfo("Asia/Manila")  # UTC+8: 09:00 there is 01:00 UTC
    start = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 in Manila, before opening
    assert add_hours(start, 2, True, holidays=set(), zone=manila) == datetime(
        2026, 12, 1, 3, 0, tzinfo=UTC
    )


def test_a_policy_row_is_validated_naming_the_field(ctx):
    policy = SlaPolicy(priority="high", response_hours=24, resolution_hours=8)
    assert [e.field for e in policy.violations()] == ["resolution_hours"]
    policy = SlaPolicy(priority="urgent", response_hours=0, resolution_hours=8)
    assert {e.field for e in policy.violations()} == {"priority", "response_hours"}
