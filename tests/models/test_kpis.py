"""The KPI machinery (periods, dimensions, the registry) and the recruiting KPIs, each on a
small hand-built data set whose expected value is worked out in the comments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from extensions import db
from models.candidates import Interview
from models.evaluations import Evaluation
from models.kpis import DIMENSIONS, KPIS, KpiError, Period, compute
from tests.factories import ClientContactFactory, ClientFactory
from tests.models.kpi_data import (
    CONTINGENCY,
    MARCH,
    RETAINED,
    application,
    at,
    job,
    offer,
    placement,
    recruiters,
)

pytestmark = pytest.mark.usefixtures("ctx")


def one(key, by="client", ids=None, period=MARCH):
    return compute([key], period, by, ids)[key]


# ---------------------------------------------------------------- periods and registry


def test_a_period_is_half_open_and_knows_the_one_before():
    march = Period.month(2026, 3)
    assert (march.start, march.end, march.days) == (date(2026, 3, 1), date(2026, 4, 1), 31)
    assert march.previous() == Period(date(2026, 1, 29), date(2026, 3, 1))  # 31 days before
    assert Period.month(2024, 2).days == 29
    week = Period.last_days(7, today=date(2026, 3, 10))
    assert (week.start, week.last) == (date(2026, 3, 4), date(2026, 3, 10))


def test_parse_takes_the_typed_days_inclusive_and_defaults_to_ninety_days():
    assert Period.parse("2026-03-01", "2026-03-31") == MARCH
    assert Period.parse(None, None).days == 90
    assert Period.parse("2026-03-01", "").last == date(2026, 5, 29)  # 90 days from the start


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [("03/01/2026", None, "start"), (None, "soon", "end"), ("2026-03-10", "2026-03-01", "end")],
)
def test_parse_refuses_bad_input_naming_the_field(start, end, field):
    with pytest.raises(KpiError) as caught:
        Period.parse(start, end)
    assert caught.value.field == field
    assert field.capitalize() in caught.value.message


def test_there_are_at_least_twenty_kpis_each_with_its_formula():
    assert len(KPIS) >= 20
    for kpi in KPIS.values():
        assert kpi.formula and kpi.label and kpi.unit and kpi.better in ("higher", "lower")


def test_an_unknown_dimension_or_kpi_is_refused():
    with pytest.raises(KpiError) as caught:
        compute(None, MARCH, by="planet")
    assert caught.value.field == "by"
    with pytest.raises(KpiError) as caught:
        compute(["nope"], MARCH)
    assert caught.value.field == "kpi"


def test_a_requested_group_with_no_data_is_none_not_zero_but_counts_are_zero():
    client = ClientFactory()
    values = compute(["time_to_fill", "placements"], MARCH, "client", [client.id])
    assert values == {"time_to_fill": {client.id: None}, "placements": {client.id: Decimal(0)}}


# ---------------------------------------------------------------- time


def test_time_to_fill_by_every_dimension_counts_orders_filled_in_the_period():
    r1, r2 = recruiters()
    a, b = ClientFactory(), ClientFactory()
    # a: opened Mar 1, filled Mar 11 → 10 days (r1); opened Feb 20, filled Mar 2 → 10 days
    #    (r1 and r2, retained). b: opened Mar 5, filled Mar 25 → 20 days (r2).
    job(a, [r1], opened_at=at(1), filled_at=at(11), status="filled")
    job(a, [r1, r2], RETAINED, opened_at=at(20, 2), filled_at=at(2), status="filled")
    job(b, [r2], opened_at=at(5), filled_at=at(25), status="filled")
    # Filled on Apr 1 (the first day after the period): out. Still open: out.
    job(b, [r1], opened_at=at(1), filled_at=at(1, 4, 0), status="filled")
    job(b, [r1], opened_at=at(1))
    assert one("time_to_fill") == {a.id: Decimal("10.0"), b.id: Decimal("20.0")}
    # r1: 10 and 10 → 10.0; r2: 10 and 20 → 15.0
    assert one("time_to_fill", "recruiter") == {r1.id: Decimal("10.0"), r2.id: Decimal("15.0")}
    # contingency: 10 and 20 → 15.0; retained: 10
    assert one("time_to_fill", "service_type") == {
        CONTINGENCY: Decimal("15.0"),
        RETAINED: Decimal("10.0"),
    }
    # agency: (10 + 10 + 20) / 3 = 13.3
    assert one("time_to_fill", "agency") == {"all": Decimal("13.3")}
    assert one("time_to_fill", "client", [b.id]) == {b.id: Decimal("20.0")}


def test_time_to_submit_runs_from_opening_to_the_first_candidate_presented():
    client = ClientFactory()
    # Opened Mar 1; presented Mar 4 and Mar 9: the first one counts → 3 days.
    first = job(client, opened_at=at(1))
    application(first, presented_at=at(4))
    application(first, presented_at=at(9))
    # Opened Mar 10, first presented Mar 17 → 7 days. Average (3 + 7) / 2 = 5.0.
    second = job(client, opened_at=at(10))
    application(second, presented_at=at(17))
    # Opened Feb 1, first presented Feb 20: its first submittal is before the period.
    earlier = job(client, opened_at=at(1, 2))
    application(earlier, presented_at=at(20, 2))
    application(earlier, presented_at=at(5))
    assert one("time_to_submit") == {client.id: Decimal("5.0")}


# ---------------------------------------------------------------- the funnel


def test_submittals_and_submittal_to_interview():
    (r1,) = recruiters(1)
    order = job(opened_at=at(1))
    # Four presented in March by r1: two reached the interview (one went on to the offer).
    application(order, r1, at(2), [("submitted", at(2)), ("client_interview", at(5))])
    application(
        order, r1, at(2), [("submitted", at(2)), ("client_interview", at(6)), ("offer", at(9))]
    )
    application(order, r1, at(3), [("submitted", at(3)), ("rejected", at(4))])
    application(order, r1, at(4), [("submitted", at(4))])
    # Presented in February: out of both.
    application(order, r1, at(4, 2), [("submitted", at(4, 2)), ("client_interview", at(2))])
    assert one("submittals", "recruiter") == {r1.id: Decimal(4)}
    # 2 of 4 → 50.0 %
    assert one("submittal_to_interview", "recruiter") == {r1.id: Decimal("50.0")}


def test_interview_to_offer_counts_candidates_first_interviewed_in_the_period():
    order = job(opened_at=at(1))
    # Three first reached the interview in March; one of them reached the offer → 33.3 %.
    application(order, None, at(2), [("submitted", at(2)), ("client_interview", at(5))])
    application(order, None, at(2), [("client_interview", at(6)), ("offer", at(20))])
    application(order, None, at(2), [("client_interview", at(7)), ("rejected", at(8))])
    # Interviewed in February, offer in March: its interview is not in the period.
    application(order, None, at(1, 2), [("client_interview", at(3, 2)), ("offer", at(3))])
    assert one("interview_to_offer", "service_type") == {CONTINGENCY: Decimal("33.3")}


def test_interviews_held_counts_completed_interviews_in_the_period():
    order = job(opened_at=at(1))
    app = application(order, None, at(2), [("client_interview", at(3))])
    for day, outcome in ((4, "completed"), (5, "completed"), (6, "cancelled")):
        db.session.add(
            Interview(
                application_id=app.id,
                client_id=order.client_id,
                scheduled_at=at(day),
                outcome=outcome,
            )
        )
    db.session.add(
        Interview(
            application_id=app.id,
            client_id=order.client_id,
            scheduled_at=at(1, 4, 0),
            outcome="completed",
        )
    )
    db.session.commit()
    assert one("interviews", "agency") == {"all": Decimal(2)}  # Mar 4 and 5


def test_offer_acceptance_over_the_offers_decided_in_the_period():
    order = job(opened_at=at(1))
    # Decided in March: 3 accepted, 1 declined, 1 expired (withdrawn left out) → 3/5 = 60.0 %
    for status in ("accepted", "accepted", "accepted", "declined", "expired", "withdrawn"):
        offer(order, status, at(10))
    offer(order, "accepted", at(10, 2))  # decided in February: out
    offer(order, "extended", None)  # not decided: out
    assert one("offer_acceptance") == {order.client_id: Decimal("60.0")}


# ---------------------------------------------------------------- filling


def test_fill_rate_caps_each_order_at_its_openings():
    client = ClientFactory()
    # Opened in March: 3 openings with 1 placement, 1 opening with 2 placements (counts as 1)
    # → (1 + 1) / (3 + 1) = 50.0 %. Opened in February with 1 placement: out.
    three = job(client, openings=3, opened_at=at(2))
    single = job(client, openings=1, opened_at=at(3))
    february = job(client, openings=1, opened_at=at(3, 2))
    placement(three, date(2026, 4, 1))
    placement(single, date(2026, 4, 1))
    placement(single, date(2026, 4, 2))
    placement(february, date(2026, 3, 1))
    assert one("fill_rate") == {client.id: Decimal("50.0")}


def test_placements_and_fall_offs_by_the_recruiter_who_placed():
    r1, r2 = recruiters()
    order = job(opened_at=at(1))
    # r1 placed two starting in March (Mar 1 and Mar 31), r2 one (Mar 15); Apr 1 is out.
    placement(order, date(2026, 3, 1), r1)
    placement(order, date(2026, 3, 31), r1)
    placement(order, date(2026, 4, 1), r1)
    # r2's left Mar 20 within its guarantee (to Jun 15): a fall-off in March.
    placement(
        order, date(2026, 3, 15), r2, left_on=date(2026, 3, 20), guarantee_until=date(2026, 6, 15)
    )
    # r1's left in March after its guarantee ended: not a fall-off.
    placement(
        order, date(2025, 1, 5), r1, left_on=date(2026, 3, 2), guarantee_until=date(2025, 4, 5)
    )
    assert one("placements", "recruiter") == {r1.id: Decimal(2), r2.id: Decimal(1)}
    assert one("fall_offs", "recruiter", [r1.id, r2.id]) == {r1.id: Decimal(0), r2.id: Decimal(1)}


def test_open_job_orders_at_the_end_of_the_period():
    client = ClientFactory()
    job(client, opened_at=at(1))  # open: counts
    job(client, opened_at=at(1), filled_at=at(2, 4), status="filled")  # filled after: counts
    job(client, opened_at=at(1), filled_at=at(20), status="filled")  # filled in March: out
    job(client, opened_at=at(2, 4))  # opened after the end: out
    job(client, opened_at=at(1), status="cancelled")  # cancelled: out
    job(client, status="draft")  # never opened: out
    assert one("open_job_orders") == {client.id: Decimal(2)}


# ---------------------------------------------------------------- the client's word


def test_quality_rating_averages_every_score_given_in_the_period():
    order = job(opened_at=at(1))
    app = application(order, None, at(2), [("submitted", at(2))])
    other = application(order, None, at(2), [("submitted", at(2))])
    contacts = [ClientContactFactory(client=order.client).contact for _ in range(3)]
    # March: scores 4, 5, 3 and 4, 4 → 20 / 5 = 4.00. February's 1 is out.
    for target, contact, scores, when in (
        (app, contacts[0], {"Skills": 4, "Experience": 5, "Communication": 3}, at(3)),
        (other, contacts[1], {"Skills": 4, "Experience": 4}, at(4)),
        (other, contacts[2], {"Skills": 1}, at(4, 2)),
    ):
        db.session.add(
            Evaluation(
                application_id=target.id,
                client_id=order.client_id,
                contact_id=contact.id,
                scores=scores,
                decision="advance",
                created_at=when,
            )
        )
    db.session.commit()
    assert one("quality_rating") == {order.client_id: Decimal("4.00")}


def test_feedback_turnaround_in_days_over_candidates_first_reviewed_in_the_period():
    order = job(opened_at=at(1))
    # Presented Mar 2 12:00, reviewed Mar 3 12:00 → 24 h; presented Mar 2, reviewed Mar 5
    # → 72 h. Average 48 h = 2.0 days. Reviewed Apr 2: out.
    application(order, None, at(2), first_review_at=at(3))
    application(order, None, at(2), first_review_at=at(5))
    application(order, None, at(30), first_review_at=at(2, 4))
    assert one("feedback_turnaround") == {order.client_id: Decimal("2.0")}


# ---------------------------------------------------------------- one query per KPI


def _build(scale: int):
    rs = recruiters(2)
    for n in range(scale):
        client = ClientFactory()
        order = job(client, rs, opened_at=at(1), filled_at=at(5 + n % 5), status="filled")
        application(order, rs[n % 2], at(2), [("submitted", at(2)), ("client_interview", at(3))])
        placement(order, date(2026, 3, 10), rs[0])
        offer(order, "accepted", at(4))


@pytest.mark.parametrize("by", DIMENSIONS)
def test_compute_issues_the_same_number_of_queries_at_one_and_ten_times_the_data(by):
    from sqlalchemy import event

    def queries():
        statements = []

        def count(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            compute(None, MARCH, by)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    _build(1)
    once = queries()
    _build(9)
    assert queries() == once
    # one grouped query per KPI, two for those that set fees or placements against the cost
    # of time (profit, margin, ROI, cost per hire)
    assert once <= 2 * len(KPIS)


def test_previous_period_gives_last_months_figure():
    order = job(opened_at=at(1, 2), filled_at=at(11, 2), status="filled")
    assert one("time_to_fill", period=MARCH) == {}
    assert one("time_to_fill", period=MARCH.previous()) == {order.client_id: Decimal("10.0")}
    assert MARCH.previous().start == MARCH.start - timedelta(days=31)
