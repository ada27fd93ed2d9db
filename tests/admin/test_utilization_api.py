"""GET /api/v1/utilization, /api/v1/profitability and /api/v1/capacity: the figures, 400s
naming the argument, and who may read them (Admin, Finance, Account Manager; not recruiters)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from extensions import db
from models import StaffCapacity, TimeEntry
from tests.conftest import api_for
from tests.factories import ClientFactory, draft_invoice, known_rates, make_user, open_job_order

NOV = "start=2026-11-02&end=2026-11-15"  # the last day is inclusive


@pytest.fixture
def world(app):
    """Rita: 20 h/week at 40/h, 10 h on Acme's job order on 3 Nov (no holidays: 10 working
    days, capacity 40 h). Acme (the account manager's): an invoice of 20,000 PHP (× 0.0175 =
    350.00 USD) on 4 Nov. Hidden Corp (nobody's): 1 h of Rita's time."""
    with app.app_context():
        known_rates()
        manager = make_user("Account Manager")
        rita = make_user("Recruiter", first_name="Rita", last_name="Cruz")
        acme = ClientFactory(name="Acme", owner=manager)
        hidden = ClientFactory(name="Hidden Corp")
        job = open_job_order(client=acme, recruiter=rita)
        db.session.add(StaffCapacity(user=rita, weekly_hours=Decimal(20), cost_rate=Decimal(40)))
        TimeEntry.log(rita, date(2026, 11, 3), "10", job_order=job)
        TimeEntry.log(rita, date(2026, 11, 4), "1", client=hidden, billable=False)
        db.session.commit()
        draft_invoice(acme).issue(rita, today=date(2026, 11, 4))
        db.session.commit()
        return {
            "finance": make_user("Finance").username,
            "manager": manager.username,
            "admin": make_user("Admin").username,
            "recruiter": rita.username,
            "rita": rita.id,
            "acme": acme.id,
            "hidden": hidden.id,
        }


def test_utilization_per_recruiter(app, world):
    answer = api_for(app, world["finance"])("GET", f"/api/v1/utilization/?{NOV}")
    assert answer.status_code == 200
    (rita,) = answer.get_json()["result"]
    # 10 + 1 = 11 h / 40 h = 27.5 %.
    assert (rita["userId"], rita["hours"], rita["capacityHours"], rita["utilization"]) == (
        world["rita"], "11.00", "40.00", "27.5",
    )  # fmt: skip


def test_profitability_by_client_and_service_type(app, world):
    call = api_for(app, world["manager"])
    # The account manager sees Acme only (Hidden Corp is not theirs).
    (acme,) = call("GET", f"/api/v1/profitability/?{NOV}&by=client").get_json()["result"]
    # Fees 350.00; cost 10 × 40 = 400.00; profit −50.00; margin −50 / 350 = −14.3 %;
    # ROI −50 / 400 = −12.5 %; no placement: no cost per hire.
    assert acme == {"key": world["acme"], "fees": "350.00", "cost": "400.00", "profit": "-50.00",
                    "margin": "-14.3", "roi": "-12.5", "costPerHire": None}  # fmt: skip
    by_service = call("GET", f"/api/v1/profitability/?{NOV}&by=service_type").get_json()
    # The hand-made invoice has no service type; the time on the contingency order counts
    # (Hidden Corp's hour is on no job order).
    assert by_service["result"] == [{"key": "contingency recruitment", "fees": "0.00",
                                     "cost": "400.00", "profit": "-400.00", "margin": None,
                                     "roi": "-100.0", "costPerHire": None}]  # fmt: skip


def test_finance_sees_every_client(app, world):
    result = api_for(app, world["finance"])("GET", f"/api/v1/profitability/?{NOV}").get_json()
    # Hidden Corp: no fees, 1 h × 40 = 40.00.
    assert {row["key"]: row["cost"] for row in result["result"]} == {
        world["acme"]: "400.00", world["hidden"]: "40.00",
    }  # fmt: skip


def test_capacity_lists_four_weeks_per_recruiter(app, world):
    result = api_for(app, world["admin"])("GET", "/api/v1/capacity/").get_json()["result"]
    weeks = [w for w in result if w["userId"] == world["rita"]]
    assert len(weeks) == 4
    # One open job order × 6 h a week (HOURS_PER_OPEN_ORDER_WEEK); 20 h a week or less.
    assert all(Decimal(w["assignedHours"]) >= Decimal("6.00") for w in weeks)
    assert all(w["openJobOrders"] == 1 for w in weeks)


@pytest.mark.parametrize(
    "query, field",
    [
        ("start=2026-02-30", "start"),
        ("start=2026-11-02&end=2026-11-01", "end"),
        ("by=recruiter", "by"),
    ],
)
def test_bad_arguments_are_a_400_naming_them(app, world, query, field):
    answer = api_for(app, world["finance"])("GET", f"/api/v1/profitability/?{query}")
    assert answer.status_code == 400
    assert field in answer.get_json()["message"]


def test_a_recruiter_may_not_read_the_figures(app, world):
    call = api_for(app, world["recruiter"])
    for path in ("/api/v1/utilization/", "/api/v1/profitability/", "/api/v1/capacity/"):
        assert call("GET", path).status_code == 403


def test_without_a_token_it_is_a_401(app, world):
    assert app.test_client().get("/api/v1/utilization/").status_code == 401
