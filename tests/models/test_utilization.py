"""Utilization, productivity, cost of time, cost per hire, profitability, ROI, acquisition
cost and the capacity ahead, each on a small hand-built data set worked out in comments."""

from __future__ import annotations

from collections import namedtuple
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event

from extensions import db
from models import Holiday, Placement, StaffCapacity, TimeEntry, TimeEntryError
from models.capacity import capacity_plan
from models.profitability import (
    acquisition_cost,
    cost_per_hire,
    fees_billed,
    margin,
    profit,
    roi,
)
from models.utilization import (
    billable_utilization,
    cost_of_time,
    hours_per_placement,
    recruiter_productivity,
    usage,
    utilization,
)
from tests.factories import (
    ClientFactory,
    JobOrderFactory,
    ProjectFactory,
    add_candidate,
    draft_invoice,
    known_rates,
    make_user,
    open_job_order,
)

pytestmark = pytest.mark.usefixtures("ctx")

Period = namedtuple("Period", "start end")
# Two weeks, Monday 2 to Sunday 15 November 2026: 10 weekdays, less the holiday on Wednesday
# 11 November: 9 working days.
NOV = Period(date(2026, 11, 2), date(2026, 11, 16))
D = Decimal


def _entry(user, day, hours, client=None, job=None, billable=True):
    entry = TimeEntry.log(user, day, hours, client=client, job_order=job, billable=billable)
    db.session.commit()
    return entry


def agency():
    """The data set of every figure below.

    - Holiday on Wed 11 Nov: 9 working days in NOV.
    - Recruiter A: 40 h a week at 50/h (capacity in NOV: 40 × 9 / 5 = 72 h).
      Recruiter B: 20 h a week at 30/h (capacity: 20 × 9 / 5 = 36 h).
    - Client X: job order J1 (contingency recruitment, fixed fee 25,000 USD), recruiter A.
      Client Y: job order J2 (contract staffing), recruiter B.
    - A logs 8 h billable on J1 on 2 Nov, 6 h non-billable on X (no job order) on 3 Nov, and
      5 h on 20 Nov (after NOV). B logs 9 h billable on J2 on 5 Nov.
    - A places a candidate on J1 starting 10 Nov; the proposed invoice (25,000 USD before
      tax) is issued on 12 Nov, and a credit note of 5,000 on it on 13 Nov.
    - Y gets a hand-made invoice of 20,000 PHP (× 0.0175 = 350.00 USD) issued on 6 Nov.
    - One application of J1 was first presented on 4 Nov by A; one of J2 on 20 Nov.
    """
    known_rates()
    db.session.add(Holiday(day=date(2026, 11, 11), name="Bonifacio Day (test)"))
    a = make_user("Recruiter", first_name="Ana", last_name="A")
    b = make_user("Recruiter", first_name="Ben", last_name="B")
    db.session.add_all(
        [
            StaffCapacity(user=a, weekly_hours=D(40), cost_rate=D(50)),
            StaffCapacity(user=b, weekly_hours=D(20), cost_rate=D(30)),
        ]
    )
    x, y = ClientFactory(name="Xeno"), ClientFactory(name="Yara")
    j1 = open_job_order(client=x, recruiter=a)
    j2 = open_job_order(client=y, recruiter=b, service_type="contract staffing")
    _entry(a, date(2026, 11, 2), "8", job=j1)
    _entry(a, date(2026, 11, 3), "6", client=x, billable=False)
    _entry(a, date(2026, 11, 20), "5", client=x)
    _entry(b, date(2026, 11, 5), "9", job=j2)
    shown = add_candidate(j1, "submitted", by=a)
    shown.presented_at = datetime(2026, 11, 4, 10, tzinfo=UTC)
    later = add_candidate(j2, "submitted", by=b)
    later.presented_at = datetime(2026, 11, 20, 10, tzinfo=UTC)
    db.session.commit()
    placed = add_candidate(j1, "offer", by=a)
    placed.action_place(date(2026, 11, 10), D("100000"), by=a)
    db.session.commit()
    fee = db.session.query(Placement).one()
    from models.placement_billing import proposed

    invoice = proposed(f"placement:{fee.id}")
    invoice.issue(a, today=date(2026, 11, 12))
    db.session.commit()
    note = invoice.draft_credit_note("Agreed discount", a, amount=D("5000"))
    db.session.commit()
    note.issue(a, today=date(2026, 11, 13))
    y_invoice = draft_invoice(y)
    y_invoice.issue(a, today=date(2026, 11, 6))
    db.session.commit()
    return a, b, x, y


# ---------------------------------------------------------------- time entries


def test_a_job_order_implies_its_client_and_a_mismatch_names_the_field():
    recruiter = make_user("Recruiter")
    job = JobOrderFactory(project=None)
    entry = _entry(recruiter, date(2026, 11, 2), "1.5", job=job)
    assert entry.client_id == job.client_id
    with pytest.raises(TimeEntryError) as refused:
        TimeEntry.log(recruiter, date(2026, 11, 2), "1", client=ClientFactory(), job_order=job)
    assert refused.value.field == "job_order"
    db.session.rollback()
    other_project = ProjectFactory()
    with pytest.raises(TimeEntryError) as refused:
        TimeEntry.log(recruiter, date(2026, 11, 2), "1", client=job.client, project=other_project)
    assert refused.value.field == "project"


@pytest.mark.parametrize("hours", ["0", "-1", "24.01", "1.234"])
def test_hours_are_more_than_0_at_most_24_with_2_decimals(hours):
    recruiter = make_user("Recruiter")
    with pytest.raises(TimeEntryError) as refused:
        TimeEntry.log(recruiter, date(2026, 11, 2), hours, client=ClientFactory())
    assert refused.value.field == "hours"


def test_24_hours_is_the_most_a_day_holds():
    entry = _entry(make_user("Recruiter"), date(2026, 11, 2), "24", client=ClientFactory())
    assert entry.hours == D("24.00")


# ---------------------------------------------------------------- figures


def test_utilization_is_hours_over_capacity_by_working_days():
    a, b, *_ = agency()
    # A: 8 + 6 = 14 h in NOV (the 20 Nov entry is outside) / 72 h = 19.44 → 19.4 %.
    # B: 9 h / 36 h = 25.0 %. Agency: 23 h / 108 h = 21.30 → 21.3 %.
    assert utilization(db.session, NOV, "recruiter") == {a.id: D("19.4"), b.id: D("25.0")}
    assert utilization(db.session, NOV, "agency") == {"all": D("21.3")}
    # Billable: A 8 / 72 = 11.1 %; B 9 / 36 = 25.0 %; agency 17 / 108 = 15.74 → 15.7 %.
    assert billable_utilization(db.session, NOV, "recruiter") == {a.id: D("11.1"), b.id: D("25.0")}
    assert billable_utilization(db.session, NOV, "agency") == {"all": D("15.7")}
    rows = {row.user_id: row for row in usage(db.session, NOV)}
    assert (rows[a.id].hours, rows[a.id].capacity) == (D("14.00"), D("72.00"))
    with pytest.raises(ValueError):
        utilization(db.session, NOV, "client")


def test_a_user_without_capacity_has_the_configured_default(app, monkeypatch):
    monkeypatch.setitem(app.config, "DEFAULT_WEEKLY_CAPACITY_HOURS", 30)
    monkeypatch.setitem(app.config, "DEFAULT_COST_RATE", "20")
    user = make_user("Recruiter")
    _entry(user, date(2026, 11, 2), "3", client=ClientFactory())
    # No holiday here: 10 working days; capacity 30 × 10 / 5 = 60 h; 3 / 60 = 5.0 %.
    assert utilization(db.session, NOV, "recruiter") == {user.id: D("5.0")}
    # Cost: 3 h × 20 = 60.00.
    assert cost_of_time(db.session, NOV, "recruiter") == {user.id: D("60.00")}


def test_productivity_counts_hours_placements_and_submittals():
    a, b, *_ = agency()
    # A: 14 h, 1 placement (starting 10 Nov), 1 submittal (4 Nov) → 14.0 h per placement.
    # B: 9 h, no placement, the 20 Nov submittal is outside NOV.
    rows = {row.user_id: row for row in recruiter_productivity(db.session, NOV)}
    assert (rows[a.id].hours, rows[a.id].placements, rows[a.id].submittals) == (D("14.00"), 1, 1)
    assert rows[a.id].hours_per_placement == D("14.0")
    assert (rows[b.id].placements, rows[b.id].submittals, rows[b.id].hours_per_placement) == (
        0, 0, None,
    )  # fmt: skip
    assert hours_per_placement(db.session, NOV, "recruiter") == {a.id: D("14.0"), b.id: None}
    # Agency: 23 h / 1 placement.
    assert hours_per_placement(db.session, NOV, "agency") == {"all": D("23.0")}


def test_cost_of_time_and_cost_per_hire():
    a, b, x, y = agency()
    # A: 14 h × 50 = 700; B: 9 h × 30 = 270. X is A's time, Y is B's.
    assert cost_of_time(db.session, NOV, "recruiter") == {a.id: D("700.00"), b.id: D("270.00")}
    assert cost_of_time(db.session, NOV, "client") == {x.id: D("700.00"), y.id: D("270.00")}
    # By service type: only time on job orders: J1 8 × 50 = 400, J2 9 × 30 = 270.
    assert cost_of_time(db.session, NOV, "service_type") == {
        "contingency recruitment": D("400.00"),
        "contract staffing": D("270.00"),
    }
    assert cost_of_time(db.session, NOV, "agency") == {"all": D("970.00")}
    # Cost per hire: time on job orders / placements. X: 400 / 1; Y: 270 / 0 → None.
    assert cost_per_hire(db.session, NOV, "client") == {x.id: D("400.00"), y.id: None}
    assert cost_per_hire(db.session, NOV, "recruiter") == {a.id: D("400.00"), b.id: None}
    assert cost_per_hire(db.session, NOV, "service_type") == {
        "contingency recruitment": D("400.00"),
        "contract staffing": None,
    }
    # Agency: (400 + 270) / 1 placement.
    assert cost_per_hire(db.session, NOV, "agency") == {"all": D("670.00")}


def test_fees_profit_margin_and_roi_by_client_and_service_type():
    a, b, x, y = agency()
    # X: 25,000 (placement invoice) − 5,000 (credit note) = 20,000. Y: 350.00 (20,000 PHP).
    assert fees_billed(db.session, NOV, "client") == {x.id: D("20000.00"), y.id: D("350.00")}
    # By service type: the placement's invoice and its credit note go to J1's service type;
    # Y's hand-made invoice has no source, so no service type.
    assert fees_billed(db.session, NOV, "service_type") == {
        "contingency recruitment": D("20000.00")
    }
    assert fees_billed(db.session, NOV, "agency") == {"all": D("20350.00")}
    # Profit: X 20,000 − 700 = 19,300; Y 350 − 270 = 80.
    assert profit(db.session, NOV, "client") == {x.id: D("19300.00"), y.id: D("80.00")}
    # Margin: X 19,300 / 20,000 = 96.5 %; Y 80 / 350 = 22.86 → 22.9 %.
    assert margin(db.session, NOV, "client") == {x.id: D("96.5"), y.id: D("22.9")}
    # ROI: X 19,300 / 700 = 2757.14 → 2757.1 %; Y 80 / 270 = 29.63 → 29.6 %.
    assert roi(db.session, NOV, "client") == {x.id: D("2757.1"), y.id: D("29.6")}
    # Service types: contingency (20,000 − 400) / 400 = 4900.0 %; contract staffing: no fees,
    # cost 270 → −100.0 %, and no margin.
    assert roi(db.session, NOV, "service_type") == {
        "contingency recruitment": D("4900.0"),
        "contract staffing": D("-100.0"),
    }
    assert margin(db.session, NOV, "service_type")["contract staffing"] is None
    with pytest.raises(ValueError):
        roi(db.session, NOV, "recruiter")


def test_acquisition_cost_is_the_time_before_the_first_invoice():
    a, b, x, y = agency()
    # X's first invoice: 12 Nov; before it A logged 8 + 6 h × 50 = 700 (the 20 Nov hours are
    # after). Y's: 6 Nov; B's 9 h on 5 Nov × 30 = 270. Agency: the average, 485.
    assert acquisition_cost(db.session, NOV, "client") == {x.id: D("700.00"), y.id: D("270.00")}
    assert acquisition_cost(db.session, NOV, "agency") == {"all": D("485.00")}
    # Neither was first billed in October.
    assert (
        acquisition_cost(db.session, Period(date(2026, 10, 1), date(2026, 11, 1)), "client") == {}
    )


def test_capacity_ahead_flags_over_allocated_weeks():
    # From Wed 4 Nov: weeks of 2, 9 (holiday on the 11th: 4 days), 16 and 23 Nov.
    # A: 40 h/week, 2 open orders × 6 = 12 h + 14 h logged in week 1 = 26 ≤ 40.
    # B: 20 h/week, 1 open order = 6 h; week 2 has 20 × 4 / 5 = 16 h and 12 h logged there:
    # 18 > 16, over-allocated.
    db.session.add(Holiday(day=date(2026, 11, 11), name="Holiday"))
    a = make_user("Recruiter")
    b = make_user("Recruiter")
    db.session.add_all(
        [StaffCapacity(user=a, weekly_hours=D(40)), StaffCapacity(user=b, weekly_hours=D(20))]
    )
    open_job_order(recruiter=a)
    open_job_order(recruiter=a)
    job_b = open_job_order(recruiter=b)
    JobOrderFactory()  # a draft: nobody's assignment
    _entry(a, date(2026, 11, 3), "14", client=ClientFactory())
    _entry(b, date(2026, 11, 10), "12", job=job_b)
    plan = {(w.user_id, w.week): w for w in capacity_plan(db.session, date(2026, 11, 4))}
    week1, week2 = date(2026, 11, 2), date(2026, 11, 9)
    assert (plan[a.id, week1].capacity, plan[a.id, week1].assigned) == (D("40.00"), D("26.00"))
    assert not plan[a.id, week1].over_allocated
    assert (plan[a.id, week2].capacity, plan[a.id, week2].assigned) == (D("32.00"), D("12.00"))
    assert (plan[b.id, week2].capacity, plan[b.id, week2].assigned) == (D("16.00"), D("18.00"))
    assert plan[b.id, week2].over_allocated
    assert {w.week for w in plan.values()} == {
        week1, week2, date(2026, 11, 16), date(2026, 11, 23),
    }  # fmt: skip


# ---------------------------------------------------------------- queries do not grow


def _count_queries(call) -> int:
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def _figures():
    for by in ("recruiter", "agency"):
        utilization(db.session, NOV, by)
        hours_per_placement(db.session, NOV, by)
    for by in ("client", "service_type", "agency"):
        roi(db.session, NOV, by)
        cost_per_hire(db.session, NOV, by)
    acquisition_cost(db.session, NOV, "client")
    capacity_plan(db.session, date(2026, 11, 4))


def test_the_figures_issue_the_same_queries_at_1x_and_10x():
    a, b, x, y = agency()
    db.session.expire_all()
    once = _count_queries(_figures)
    for _ in range(9):
        client = ClientFactory()
        job = open_job_order(client=client, recruiter=a)
        for day in (2, 3, 5):
            _entry(a, date(2026, 11, day), "1", job=job)
            _entry(b, date(2026, 11, day), "2", client=client, billable=False)
        draft_invoice(client).issue(a, today=date(2026, 11, 9))
        add_candidate(job, "offer", by=a).action_place(date(2026, 11, 12), D("90000"), by=a)
        db.session.commit()
    db.session.expire_all()
    assert _count_queries(_figures) == once
