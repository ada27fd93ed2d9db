"""Collection notices in the REST API: the list with the seed's filters, a notice read with
its invoice, the steps (escalate, respond, pause, resume, close, note, bill), every bad input a
4xx naming the field, another client's notice a 404, and the role matrix (Finance reads and
acts, an Account Manager reads, a Recruiter is refused)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extensions import db
from models import Invoice
from tests.admin.collection_desk import overdue
from tests.conftest import api_for, login_staff
from tests.factories import ClientFactory, ProjectFactory, make_user

API = "/api/v1/collection-notice/"


@pytest.fixture
def desk(app):
    """Finance, an account manager owning one client, a recruiter; notices on two clients."""
    with app.app_context():
        manager = make_user("Account Manager")
        finance = make_user("Finance")
        recruiter = make_user("Recruiter")
        mine = ClientFactory(
            owner=manager,
            name="Acme Robotics",
            location="Foreign",
            currency="EUR",
            late_fee_policy="flat",
            late_fee_amount=Decimal("30"),
        )
        other = ClientFactory(name="Hidden Corp", location="Foreign", currency="EUR")
        project = ProjectFactory(client=mine, name="Robotics leadership search")
        first = overdue(mine, days=20, business_unit="Executive", project=project)  # level 2
        second = overdue(other, days=45, business_unit="Permanent")  # level 3
        return {
            "manager": manager.username,
            "finance": finance.username,
            "recruiter": recruiter.username,
            "mine": first.id,
            "other": second.id,
            "mine_client": mine.id,
            "project": project.id,
        }


@pytest.fixture
def finance(app, desk):
    return api_for(app, desk["finance"])


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return sorted(response.get_json()["ids"])


def test_a_notice_is_read_with_its_invoice_and_days_overdue(finance, desk):
    body = finance("GET", f"{API}{desk['mine']}").get_json()["result"]
    assert (body["level"], body["levelLabel"], body["status"]) == (2, "Second notice", "open")
    assert body["daysOverdue"] == 20 and body["lateCharge"] == "30.00"
    assert body["clientName"] == "Acme Robotics"
    assert (
        body["invoice"]["balance"] == "10000.00" and body["invoice"]["businessUnit"] == "Executive"
    )


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["mine", "other"]),
        ("?business_unit=Executive", ["mine"]),
        ("?level=3", ["other"]),
        ("?status=open", ["mine", "other"]),
        ("?status=closed", []),
        ("?days_due=30", ["other"]),
        ("?days_due=20", ["mine", "other"]),
    ],
)
def test_the_list_filters(finance, desk, query, expected):
    assert ids(finance("GET", API + query)) == sorted(desk[name] for name in expected)


def test_the_list_filters_by_client_and_project(app, finance, desk):
    assert ids(finance("GET", f"{API}?client_id={desk['mine_client']}")) == [desk["mine"]]
    assert ids(finance("GET", f"{API}?project_id={desk['project']}")) == [desk["mine"]]


def test_a_browser_session_alone_does_not_reach_the_api(app, desk):
    """FAB's APIs are exempt from CSRF: a logged-in browser (a hostile page's form) gets 401,
    and the notice stays open."""
    browser = app.test_client()
    login_staff(browser, desk["finance"])
    assert browser.get(API).status_code == 401
    response = browser.post(f"{API}{desk['mine']}/close", json={"reason": "forged"})
    assert response.status_code == 401
    with app.app_context():
        from models import CollectionNotice

        assert db.session.get(CollectionNotice, desk["mine"]).status == "open"


@pytest.mark.parametrize(
    "query, field", [("?level=9", "level"), ("?days_due=soon", "days_due"), ("?status=x", "status")]
)
def test_a_bad_filter_is_a_400_naming_it(finance, query, field):
    response = finance("GET", API + query)
    assert response.status_code == 400
    assert field in response.get_json()["message"]


def test_an_account_manager_reads_only_their_clients_notices_and_cannot_act(app, desk):
    manager = api_for(app, desk["manager"])
    assert ids(manager("GET", API)) == [desk["mine"]]
    assert manager("GET", f"{API}{desk['other']}").status_code == 404
    assert manager("POST", f"{API}{desk['mine']}/note", {"note": "x"}).status_code == 403


def test_a_recruiter_is_refused(app, desk):
    recruiter = api_for(app, desk["recruiter"])
    assert recruiter("GET", API).status_code == 403
    assert recruiter("GET", f"{API}{desk['mine']}").status_code == 403


def test_respond_records_the_answer_and_a_blank_one_is_named(finance, desk):
    response = finance("POST", f"{API}{desk['mine']}/respond", {"note": ""})
    assert response.status_code == 422 and "note" in response.get_json()["message"]
    response = finance("POST", f"{API}{desk['mine']}/respond", {"note": "Paying Friday"})
    body = response.get_json()["result"]
    assert response.status_code == 200
    assert (body["status"], body["responseNote"]) == ("responded", "Paying Friday")
    bad = finance("POST", f"{API}{desk['mine']}/respond", {"note": "x", "at": "yesterday"})
    assert bad.status_code == 422 and "at" in bad.get_json()["message"]


def test_pause_and_resume_follow_the_dispute(app, finance, desk):
    missing = finance("POST", f"{API}{desk['mine']}/pause", {})
    assert missing.status_code == 422 and "reason" in missing.get_json()["message"]
    paused = finance("POST", f"{API}{desk['mine']}/pause", {"reason": "Wrong hours"})
    assert paused.get_json()["result"]["status"] == "paused"
    assert paused.get_json()["result"]["invoice"]["disputeReason"] == "Wrong hours"
    assert finance("POST", f"{API}{desk['mine']}/escalate").status_code == 409
    resumed = finance("POST", f"{API}{desk['mine']}/resume")
    assert resumed.get_json()["result"]["status"] == "open"
    assert finance("POST", f"{API}{desk['mine']}/resume").status_code == 409


def test_escalate_opens_the_next_level(app, finance, desk):
    response = finance("POST", f"{API}{desk['mine']}/escalate")
    assert response.status_code == 201
    body = response.get_json()["result"]
    assert body["level"] == 3 and body["id"] != desk["mine"]
    assert finance("GET", f"{API}{desk['mine']}").get_json()["result"]["status"] == "closed"


def test_close_needs_a_reason_and_then_nothing_more_happens(finance, desk):
    response = finance("POST", f"{API}{desk['mine']}/close", {"reason": "  "})
    assert response.status_code == 422 and "reason" in response.get_json()["message"]
    assert finance("POST", f"{API}{desk['mine']}/close", {"reason": "Settled"}).status_code == 200
    again = finance("POST", f"{API}{desk['mine']}/note", {"note": "x"})
    assert again.status_code == 409 and "status" in again.get_json()["message"]


def test_notes_add_up(finance, desk):
    finance("POST", f"{API}{desk['mine']}/note", {"note": "Called"})
    body = finance("POST", f"{API}{desk['mine']}/note", {"note": "Emailed"}).get_json()
    assert body["result"]["notes"].splitlines()[-1].endswith(": Emailed")
    assert len(body["result"]["notes"].splitlines()) == 2


def test_bill_late_charges_once(app, finance, desk):
    response = finance("POST", f"{API}{desk['mine']}/bill")
    assert response.status_code == 200
    with app.app_context():
        bill = db.session.get(Invoice, response.get_json()["lateChargeInvoiceId"])
        assert bill.status == "draft" and bill.total == Decimal("30.00")
    again = finance("POST", f"{API}{desk['mine']}/bill")
    assert again.status_code == 422 and "lateCharge" in again.get_json()["message"]


def test_a_body_that_is_not_an_object_is_a_400(finance, desk):
    assert finance("POST", f"{API}{desk['mine']}/note", ["x"]).status_code == 400


def test_an_unknown_notice_is_a_404(finance):
    assert finance("GET", f"{API}999999").status_code == 404
    assert finance("POST", f"{API}999999/close", {"reason": "x"}).status_code == 404


def test_no_notice_can_be_created_or_edited_freely(finance, desk):
    assert finance("POST", API, {"level": 1}).status_code in (404, 405)
    assert finance("PUT", f"{API}{desk['mine']}", {"status": "closed"}).status_code in (404, 405)


def test_the_endpoints_are_in_the_openapi_document(finance):
    paths = finance("GET", "/api/v1/_openapi").get_json()["paths"]
    for step in ("escalate", "respond", "pause", "resume", "close", "note", "bill"):
        assert f"/api/v1/collection-notice/{{pk}}/{step}" in paths
