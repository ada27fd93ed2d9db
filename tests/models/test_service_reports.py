"""Service reports on hand-built tickets at a fixed ``now`` (31 March 2026, noon UTC), the
expected figures worked out in the comments: compliance by client and priority (open and late
is missed, not yet due is pending), first-time resolution, average times and CSAT, open
tickets by age bucket (a bucket holds its lower bound), the breaches with how late; the
service KPIs agree with the report, and late ticket responses count in the health score's
service level. Default targets, calendar hours: response critical 4 h, high 24 h, medium
48 h, low 72 h; resolution 24 h, 72 h, 120 h, 240 h."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from extensions import db
from models import Ticket
from models.health_factors import service_level_figures
from models.kpis import Period, compute
from models.service_reports import (
    breaches,
    by_priority,
    client_service,
    open_by_age,
    resolution_compliance,
    response_compliance,
    service_report,
)
from tests.factories import ClientFactory, make_user

pytestmark = pytest.mark.usefixtures("ctx")

NOW = datetime(2026, 3, 31, 12, tzinfo=UTC)
MARCH = Period.month(2026, 3)
D = Decimal


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def raised(client, priority, created, *, answered=None, resolved=None, closed=None,
           reopened=0, rating=None, level=0, subject="Help"):  # fmt: skip
    """A ticket raised at ``created`` (its deadlines from the policy), with its steps stamped."""
    staff = make_user("Admin")
    ticket = Ticket.action_raise(client, subject, priority=priority, channel="phone", by=staff,
                                 at=created)  # fmt: skip
    ticket.first_response_at = answered
    ticket.resolved_at = resolved
    ticket.closed_at = closed
    ticket.reopened_count = reopened
    ticket.escalation_level = level
    if rating is not None:
        ticket.rating, ticket.rated_at = rating, closed
    ticket.status = (
        "closed" if closed else "resolved" if resolved else "acknowledged" if answered else "new"
    )
    db.session.commit()
    return ticket


@pytest.fixture
def march():
    """Acme's and Bravo's tickets of March (the letters are used in the comments below)."""
    acme, bravo = ClientFactory(name="Acme"), ClientFactory(name="Bravo")
    t = {"acme": acme.id, "bravo": bravo.id}
    # A1 critical, raised 10 Mar 08:00: response due 12:00, answered 11:00 (met, 3 h);
    # resolution due 11 Mar 08:00, resolved 10 Mar 20:00 (met, 12 h); closed, rated 5.
    t["A1"] = raised(acme, "critical", at(3, 10, 8), answered=at(3, 10, 11),
                     resolved=at(3, 10, 20), closed=at(3, 11), rating=5).id  # fmt: skip
    # A2 critical, raised 11 Mar 08:00: response due 12:00, answered 13:00 (missed by 1 h, 5 h);
    # resolution due 12 Mar 08:00, resolved 13 Mar 08:00 (missed by 24 h, 48 h); reopened
    # once, closed 14 Mar, rated 2.
    t["A2"] = raised(acme, "critical", at(3, 11, 8), answered=at(3, 11, 13),
                     resolved=at(3, 13, 8), closed=at(3, 14), reopened=1, rating=2).id  # fmt: skip
    # A3 critical, raised 31 Mar 10:00: response due 14:00, after now: pending; resolution due
    # 1 Apr: not in March.
    t["A3"] = raised(acme, "critical", at(3, 31, 10)).id
    # A4 high, raised 20 Mar: response due 21 Mar 00:00, never answered: missed, 10.5 days =
    # 252 h late at now; resolution due 23 Mar: missed, 8.5 days = 204 h late; level 2.
    t["A4"] = raised(acme, "high", at(3, 20), level=2).id
    # A5 high, raised 27 Feb 12:00: its response (due 28 Feb, answered 28 Feb 08:00) is not in
    # March; its resolution (due 2 Mar 12:00, resolved 1 Mar 12:00, 48 h) is, met; closed 2 Mar,
    # never reopened, not rated.
    t["A5"] = raised(acme, "high", at(2, 27, 12), answered=at(2, 28, 8),
                     resolved=at(3, 1, 12), closed=at(3, 2)).id  # fmt: skip
    # A6 medium, raised 1 Mar: response due 3 Mar, answered 2 Mar (met, 24 h); resolution due
    # 6 Mar, resolved 4 Mar (met, 72 h); awaiting the client's approval (not closed).
    t["A6"] = raised(acme, "medium", at(3, 1), answered=at(3, 2), resolved=at(3, 4)).id
    # B1 low, raised 5 Mar: response due 8 Mar, answered 6 Mar (met, 24 h); resolution due
    # 15 Mar, resolved 7 Mar (met, 48 h); closed 8 Mar, rated 4.
    t["B1"] = raised(bravo, "low", at(3, 5), answered=at(3, 6), resolved=at(3, 7),
                     closed=at(3, 8), rating=4).id  # fmt: skip
    return t


def rows(found):
    return [(r.client, r.priority, r.met, r.missed, r.pending, r.rate) for r in found]


def test_response_compliance_by_client_and_priority(march):
    found = response_compliance(db.session, MARCH, now=NOW)
    assert rows(found) == [
        # Acme critical: A1 met, A2 missed, A3 pending → 1 / (1 + 1) = 50.0 %
        ("Acme", "critical", 1, 1, 1, D("50.0")),
        # Acme high: A4 unanswered past its deadline → missed, 0 / 1 (A5 was due in February)
        ("Acme", "high", 0, 1, 0, D("0.0")),
        ("Acme", "medium", 1, 0, 0, D("100.0")),  # A6
        ("Bravo", "low", 1, 0, 0, D("100.0")),  # B1
    ]
    # All clients by priority: the same sums (one client per priority here).
    assert [(r.priority, r.met, r.missed, r.rate) for r in by_priority(found)] == [
        ("critical", 1, 1, D("50.0")),
        ("high", 0, 1, D("0.0")),
        ("medium", 1, 0, D("100.0")),
        ("low", 1, 0, D("100.0")),
    ]


def test_a_pending_ticket_becomes_missed_once_its_deadline_passes(march):
    later = at(3, 31, 15)  # A3's response was due at 14:00
    (critical, *_) = response_compliance(db.session, MARCH, now=later)
    # A1 met; A2 and A3 missed → 1 / 3 = 33.3 %
    assert (critical.met, critical.missed, critical.pending, critical.rate) == (1, 2, 0, D("33.3"))


def test_resolution_compliance(march):
    assert rows(resolution_compliance(db.session, MARCH, now=NOW)) == [
        ("Acme", "critical", 1, 1, 0, D("50.0")),  # A1 met, A2 missed (A3 due in April)
        ("Acme", "high", 1, 1, 0, D("50.0")),  # A5 met, A4 unresolved past 23 Mar: missed
        ("Acme", "medium", 1, 0, 0, D("100.0")),  # A6
        ("Bravo", "low", 1, 0, 0, D("100.0")),  # B1
    ]


def test_first_time_resolution_average_times_and_csat_by_client(march):
    acme, bravo = client_service(db.session, MARCH)
    # Acme closed A1, A2 and A5 in March; A2 was reopened → 2 / 3 = 66.7 %.
    assert (acme.client, acme.closed, acme.closed_first_time) == ("Acme", 3, 2)
    assert acme.first_time_rate == D("66.7")
    # First answered in March: A1 3 h, A2 5 h, A6 24 h → 32 / 3 = 10.7 h (A5's was in Feb).
    assert acme.average_response_hours == D("10.7")
    # Resolved in March: A1 12 h, A2 48 h, A5 48 h, A6 72 h → 180 / 4 = 45.0 h.
    assert acme.average_resolution_hours == D("45.0")
    # Rated: A1 5, A2 2 → 3.50 over 2 ratings.
    assert (acme.csat_average, acme.csat_count) == (D("3.50"), 2)
    assert (bravo.first_time_rate, bravo.average_response_hours) == (D("100.0"), D("24.0"))
    assert (bravo.average_resolution_hours, bravo.csat_average, bravo.csat_count) == (
        D("48.0"), D("4.00"), 1
    )  # fmt: skip


def test_the_breaches_with_how_late_and_the_escalation_level(march):
    found = breaches(db.session, MARCH, now=NOW)
    # A4 is the worse (252 h against A2's 24 h); A1, A3, A5, A6 and B1 missed nothing.
    assert [b.reference for b in found] == [f"T-{march['A4']:05d}", f"T-{march['A2']:05d}"]
    a4, a2 = found
    assert (a4.response_late_hours, a4.resolution_late_hours, a4.escalation_level) == (
        D("252.0"), D("204.0"), 2
    )  # fmt: skip
    assert (a2.response_late_hours, a2.resolution_late_hours) == (D("1.0"), D("24.0"))


def test_open_tickets_by_age_bucket_and_priority():
    client = ClientFactory()
    raised(client, "critical", NOW - timedelta(hours=23))  # 0–1 d
    raised(client, "medium", NOW - timedelta(days=1))  # exactly 1 day: 1–3 d
    raised(client, "medium", NOW - timedelta(days=2, hours=23))  # 1–3 d
    raised(client, "high", NOW - timedelta(days=3))  # 3–7 d
    raised(client, "high", NOW - timedelta(days=29))  # 7–30 d
    raised(client, "low", NOW - timedelta(days=30))  # 30+ d
    raised(client, "low", NOW - timedelta(days=90))  # 30+ d
    # Not open: resolved (awaiting approval) and closed tickets are left out.
    raised(client, "low", NOW - timedelta(days=40), answered=NOW, resolved=NOW)
    raised(client, "low", NOW - timedelta(days=40), answered=NOW, resolved=NOW, closed=NOW)
    assert open_by_age(db.session, now=NOW) == {
        "critical": [1, 0, 0, 0, 0],
        "high": [0, 0, 1, 1, 0],
        "medium": [0, 2, 0, 0, 0],
        "low": [0, 0, 0, 0, 2],
    }


def test_every_figure_is_limited_to_the_clients_given(march):
    report = service_report(db.session, MARCH, [march["bravo"]], now=NOW)
    assert {r.client for r in report.response + report.resolution + report.clients} == {"Bravo"}
    assert report.breaches == []
    assert sum(map(sum, report.open_by_age.values())) == 0  # A3 and A4 are Acme's


def test_the_report_costs_five_queries_whatever_the_number_of_tickets(march):
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        service_report(db.session, MARCH, now=NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 5  # one per figure


def test_the_service_kpis_agree_with_the_report(march):
    values = compute(
        ["ticket_response_compliance", "first_time_resolution_rate", "ticket_csat"],
        MARCH,
        "client",
        [march["acme"], march["bravo"]],
    )
    # The KPIs count as of the real clock, past A3's deadline (31 Mar 14:00): Acme met A1 and
    # A6, missed A2, A3 and A4 → 2 / 5 = 40.0 %; Bravo 100.
    assert values["ticket_response_compliance"] == {march["acme"]: D("40.0"),
                                                    march["bravo"]: D("100.0")}  # fmt: skip
    assert values["first_time_resolution_rate"] == {march["acme"]: D("66.7"),
                                                    march["bravo"]: D("100.0")}  # fmt: skip
    assert values["ticket_csat"] == {march["acme"]: D("3.50"), march["bravo"]: D("4.00")}
    agency = compute(["ticket_csat"], MARCH, "agency")["ticket_csat"]
    assert agency == {"all": D("3.67")}  # (5 + 2 + 4) / 3


def test_late_ticket_responses_count_in_the_health_service_level():
    client = ClientFactory()
    today = date.today()
    noon = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
    # Answered within 4 h (on time), answered after 4 h (late), never answered (late, due
    # yesterday), due tomorrow (not counted yet): 3 commitments, 2 breaches.
    raised(
        client, "critical", noon - timedelta(days=3), answered=noon - timedelta(days=3, hours=-1)
    )
    raised(client, "critical", noon - timedelta(days=2), answered=noon - timedelta(days=1))
    raised(client, "high", noon - timedelta(days=2))
    raised(client, "low", noon)
    figure = service_level_figures(db.session, [client.id], today)[client.id]
    assert (figure.detail["tickets"], figure.detail["late_ticket_responses"]) == (3, 2)
    # 100 × (3 − 2) / 3 = 33.3
    assert (figure.value, figure.score) == (D(2), D("33.3"))
