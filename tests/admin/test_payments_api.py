"""Payments and the aging report in the REST API: a payment recorded against an invoice
(partial, settling, over: the excess kept as client credit), every bad input a 4xx naming the
field (never a 500); a client's payment history with its credit; the aging report as JSON for
the clients the user may see; the role matrix (Finance records, an Account Manager reads, a
Recruiter gets nothing); JWT only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from extensions import db
from models import Client, Invoice, Payment
from tests.admin.test_recruiting_api_access import counted_queries
from tests.conftest import api_for, login_staff
from tests.factories import ClientFactory, draft_invoice, issued_invoice, make_user

API = "/api/v1/payment/"
AGING = "/api/v1/aging/"
TODAY = date.today()


@pytest.fixture
def world(app):
    """Finance; an account manager owning Acme; Hidden Corp they do not work on; one issued
    invoice each (22,400 PHP: 20,000 + 12% VAT)."""
    with app.app_context():
        finance = make_user("Finance")
        manager = make_user("Account Manager")
        acme = ClientFactory(owner=manager, name="Acme Robotics")
        hidden = ClientFactory(name="Hidden Corp")
        invoice = issued_invoice(acme)
        other = issued_invoice(hidden)
        draft = draft_invoice(acme)
        return {
            "finance": finance.username,
            "manager": manager.username,
            "client": acme.id,
            "hidden": hidden.id,
            "invoice": invoice.id,
            "other": other.id,
            "other_number": other.number,
            "draft": draft.id,
        }


@pytest.fixture
def api(app, world):
    return api_for(app, world["finance"])


def pay(invoice_id: int, amount="1000.00", **extra) -> dict:
    return {"invoiceId": invoice_id, "amount": amount, "method": "bank_transfer", **extra}


def errors(response) -> dict:
    return response.get_json()["message"]


# ---------------------------------------------------------------- recording


def test_a_partial_payment_lowers_the_balance(api, world):
    response = api("POST", API, pay(world["invoice"], "10000.00", reference="BDO-7781"))
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["result"]["appliedAmount"] == "10000.00"
    assert answer["result"]["toCredit"] == "0.00"
    assert answer["result"]["reference"] == "BDO-7781"
    assert answer["invoice"]["status"] == "partially_paid"
    assert answer["invoice"]["balance"] == "12400.00"  # 22,400 − 10,000


def test_an_overpayment_settles_the_invoice_and_keeps_the_rest_as_credit(api, world):
    response = api("POST", API, pay(world["invoice"], "25000.00"))
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert (answer["invoice"]["status"], answer["invoice"]["balance"]) == ("paid", "0.00")
    assert answer["result"]["toCredit"] == "2600.00"  # 25,000 − 22,400
    history = api("GET", f"{API}history/{world['client']}").get_json()
    assert history["credit"] == {"PHP": "2600.00"}
    assert [row["amount"] for row in history["result"]] == ["25000.00"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"amount": "abc"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "Infinity"}, "amount"),
        ({"amount": None}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({"method": "bitcoin"}, "method"),
        ({"method": None}, "method"),
        ({"currency": "EUR"}, "currency"),
        ({"receivedOn": "yesterday"}, "receivedOn"),
        ({"receivedOn": (TODAY + timedelta(days=2)).isoformat()}, "receivedOn"),
        ({"invoiceId": "abc"}, "invoiceId"),
    ],
)
def test_a_bad_payment_is_a_422_naming_the_field(app, api, world, body, field):
    response = api("POST", API, {**pay(world["invoice"]), **body})
    assert response.status_code == 422, response.get_json()
    assert field in errors(response)
    with app.app_context():
        assert db.session.query(Payment).count() == 0


def test_missing_fields_are_each_named(api):
    response = api("POST", API, {})
    assert response.status_code == 422
    assert {"invoiceId", "amount", "method"} <= set(errors(response))


def test_a_draft_is_not_paid(api, world):
    response = api("POST", API, pay(world["draft"]))
    assert response.status_code == 409
    assert "invoiceId" in errors(response)


def test_a_paid_up_void_or_missing_invoice_is_refused(app, api, world):
    with app.app_context():
        db.session.get(Invoice, world["other"]).void("Duplicate")
        db.session.commit()
    assert api("POST", API, pay(world["other"])).status_code == 409
    assert api("POST", API, pay(2**31 - 1)).status_code == 404


def test_an_account_manager_cannot_record_a_payment(app, world):
    manager = api_for(app, world["manager"])
    assert manager("POST", API, pay(world["invoice"])).status_code == 403


# ---------------------------------------------------------------- reading


def test_the_list_filters_by_client_and_invoice(app, api, world):
    api("POST", API, pay(world["invoice"], "100.00"))
    api("POST", API, pay(world["other"], "200.00"))
    assert api("GET", API).get_json()["count"] == 2
    mine = api("GET", f"{API}?client_id={world['client']}").get_json()
    assert [row["amount"] for row in mine["result"]] == ["100.00"]
    theirs = api("GET", f"{API}?invoice_id={world['other']}").get_json()
    assert [row["invoiceNumber"] for row in theirs["result"]] == [world["other_number"]]
    bad = api("GET", f"{API}?method=barter")
    assert bad.status_code == 400 and "method" in errors(bad)


def test_an_account_manager_sees_only_their_clients_payments(app, api, world):
    api("POST", API, pay(world["invoice"], "100.00"))
    hidden = api("POST", API, pay(world["other"], "200.00")).get_json()["id"]
    manager = api_for(app, world["manager"])
    listing = manager("GET", API)
    assert listing.status_code == 200
    assert listing.get_json()["count"] == 1
    assert world["other_number"] not in listing.get_data(as_text=True)
    assert manager("GET", f"{API}{hidden}").status_code == 404
    assert manager("GET", f"{API}history/{world['hidden']}").status_code == 404
    assert manager("GET", f"{API}history/{world['client']}").status_code == 200


def test_the_history_lists_newest_first(api, world):
    api("POST", API, pay(world["invoice"], "100.00", receivedOn=str(TODAY - timedelta(3))))
    api("POST", API, pay(world["invoice"], "200.00", receivedOn=str(TODAY)))
    history = api("GET", f"{API}history/{world['client']}").get_json()
    assert history["clientName"] == "Acme Robotics"
    assert [row["amount"] for row in history["result"]] == ["200.00", "100.00"]
    assert history["credit"] == {}


# ---------------------------------------------------------------- the aging report


def test_the_aging_report_ages_what_is_still_owed(app, api, world):
    with app.app_context():
        # Acme's invoice: 45 days overdue on the as-of date.
        invoice = db.session.get(Invoice, world["invoice"])
        as_of = invoice.due_date + timedelta(days=45)
    api("POST", API, pay(world["invoice"], "2400.00"))
    report = api("GET", f"{AGING}?as_of={as_of}&client_id={world['client']}")
    assert report.status_code == 200, report.get_json()
    result = report.get_json()["result"]
    assert result["asOf"] == as_of.isoformat() and result["baseCurrency"] == "USD"
    (row,) = result["rows"]
    assert (row["clientName"], row["currency"], row["invoices"]) == ("Acme Robotics", "PHP", 1)
    assert row["amounts"]["d31_60"] == "20000.00"  # 22,400 − 2,400
    assert row["amounts"]["total"] == "20000.00"
    assert row["baseAmounts"]["d31_60"] == "350.00"  # 20,000 × 0.0175
    assert result["totals"]["byCurrency"]["PHP"]["d31_60"] == "20000.00"
    assert result["totals"]["base"]["total"] == "350.00"


def test_the_aging_report_covers_only_the_clients_you_see(app, world):
    manager = api_for(app, world["manager"])
    body = manager("GET", AGING)
    assert body.status_code == 200
    names = {row["clientName"] for row in body.get_json()["result"]["rows"]}
    assert names == {"Acme Robotics"}
    assert "Hidden Corp" not in body.get_data(as_text=True)
    assert manager("GET", f"{AGING}?client_id={world['hidden']}").status_code == 404


@pytest.mark.parametrize(
    "query, field", [("as_of=31/12/2026", "as_of"), ("client_id=abc", "client_id")]
)
def test_a_bad_aging_argument_is_a_400_naming_it(api, query, field):
    response = api("GET", f"{AGING}?{query}")
    assert response.status_code == 400
    assert field in errors(response)


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize(
    "role, read, write",
    [
        ("Finance", True, True),
        ("Admin", True, True),
        ("Account Manager", True, False),
        ("Recruiter", False, False),
    ],
)
def test_the_role_matrix(app, world, role, read, write):
    with app.app_context():
        user = make_user(role)
        client = ClientFactory(owner=user if role == "Account Manager" else None)
        invoice_id, client_id, username = issued_invoice(client).id, client.id, user.username
    call = api_for(app, username)
    assert call("GET", API).status_code == (200 if read else 403)
    assert call("GET", f"{API}history/{client_id}").status_code == (200 if read else 403)
    assert call("GET", AGING).status_code == (200 if read else 403)
    assert call("POST", API, pay(invoice_id)).status_code == (201 if write else 403)


def test_a_browser_session_alone_does_not_reach_the_api(app, world):
    browser = app.test_client()
    login_staff(browser, world["finance"])
    assert browser.get(API).status_code == 401
    assert browser.get(AGING).status_code == 401
    assert browser.post(API, json=pay(world["invoice"])).status_code == 401
    with app.app_context():
        assert db.session.query(Payment).count() == 0
        assert db.session.get(Client, world["client"]) is not None


def test_the_list_runs_as_many_queries_for_many_payments_as_for_one(app, api, world):
    api("POST", API, pay(world["invoice"], "100.00"))
    api("GET", API)  # warm up
    with counted_queries(app) as one:
        assert api("GET", API).get_json()["count"] == 1
    for invoice_id in (world["invoice"], world["other"], world["other"]):
        api("POST", API, pay(invoice_id, "100.00"))
    with counted_queries(app) as four:
        assert api("GET", API).get_json()["count"] == 4
    assert len(one) == len(four)
