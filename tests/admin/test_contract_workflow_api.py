"""A contract's workflow in the REST API (submit, approve, reject, send, sign, reopen, renew,
terminate, cancel), each step refused with the model's message when the contract's status or
the approver does not allow it; and converting an accepted quote (``POST
/api/v1/quote/<id>/convert``) into a contract whose version 1 holds the quote's lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from extensions import db
from models import Client, ClientDocument, ClientTeamMember, Contract, Quote
from tests.conftest import api_for
from tests.factories import (
    ClientFactory,
    accepted_quote,
    draft_contract,
    make_user,
    quote_with_lines,
)

API = "/api/v1/contract/"
QUOTES = "/api/v1/quote/"
TODAY = date.today()


@pytest.fixture
def world(app):
    """A client owned by an account manager; a second account manager and two admins."""
    with app.app_context():
        manager = make_user("Account Manager")
        client = ClientFactory(owner=manager, name="Acme Robotics")
        other = ClientFactory(name="Hidden Corp")
        second = make_user("Account Manager")
        db.session.add(ClientTeamMember(client=client, user=second, role="recruiter"))
        admin, admin_two = make_user("Admin"), make_user("Admin")
        db.session.commit()
        return {
            "client": client.id,
            "other": other.id,
            "manager": api_for(app, manager.username),
            "second": api_for(app, second.username),
            "admin": api_for(app, admin.username),
            "admin_two": api_for(app, admin_two.username),
        }


def _contract(app, world, value="40000") -> int:
    """A draft for ``world``'s client; above 50,000 (CONTRACT_APPROVAL_VALUE) it needs two
    approvals."""
    with app.app_context():
        client = db.session.get(Client, world["client"])
        return draft_contract(client, value=Decimal(value)).id


def _status(response) -> str:
    assert response.status_code == 200, response.get_json()
    return response.get_json()["result"]["status"]


def _refusal(response, code: int, field: str = "status") -> str:
    assert response.status_code == code, response.get_json()
    return response.get_json()["message"][field][0]


# ---------------------------------------------------------------- within the approval value


def test_a_draft_within_the_limit_is_sent_signed_renewed_and_terminated(app, world):
    api, pk = world["manager"], _contract(app, world)
    assert _status(api("POST", f"{API}{pk}/send")) == "sent"
    with app.app_context():
        [document] = db.session.scalars(
            db.select(ClientDocument).where(ClientDocument.type == "contract")
        ).all()
        assert document.visible_to_client  # sent: the PDF is the client's to read
    signed = api("POST", f"{API}{pk}/sign", {"name": "Ada Lovelace", "signedOn": "2026-01-05"})
    assert _status(signed) == "active"
    assert signed.get_json()["result"]["signedName"] == "Ada Lovelace"
    end = signed.get_json()["result"]["endDate"]
    renewed = api("POST", f"{API}{pk}/renew").get_json()["result"]
    assert renewed["endDate"] > end and renewed["version"] == 2
    assert _refusal(api("POST", f"{API}{pk}/terminate", {"reason": " "}), 422, "reason")
    terminated = api("POST", f"{API}{pk}/terminate", {"reason": "Client merged"})
    assert _status(terminated) == "terminated"
    assert terminated.get_json()["result"]["endReason"] == "Client merged"


def test_signing_needs_a_full_name_and_a_sent_contract(app, world):
    api, pk = world["manager"], _contract(app, world)
    assert "only a contract sent for signature is signed" in _refusal(
        api("POST", f"{API}{pk}/sign", {"name": "Ada Lovelace"}), 409
    )
    api("POST", f"{API}{pk}/send")
    assert "full name" in _refusal(api("POST", f"{API}{pk}/sign", {"name": "Ada"}), 422, "name")
    assert "Missing data" in _refusal(api("POST", f"{API}{pk}/sign", {}), 422, "name")
    bad_day = api("POST", f"{API}{pk}/sign", {"name": "Ada Lovelace", "signedOn": "yesterday"})
    assert "Not a valid date" in _refusal(bad_day, 422, "signedOn")


def test_a_draft_within_the_limit_is_not_submitted_for_approval(app, world):
    pk = _contract(app, world)
    message = _refusal(world["manager"]("POST", f"{API}{pk}/submit"), 409)
    assert "send it without approval" in message


def test_only_an_active_contract_is_renewed_or_terminated(app, world):
    api, pk = world["manager"], _contract(app, world)
    assert _refusal(api("POST", f"{API}{pk}/renew"), 409)
    assert _refusal(api("POST", f"{API}{pk}/terminate", {"reason": "Ended"}), 409)


def test_a_sent_contract_is_reopened_changed_and_cancelled_once(app, world):
    api, pk = world["manager"], _contract(app, world)
    api("POST", f"{API}{pk}/send")
    assert _status(api("POST", f"{API}{pk}/reopen", {"comment": "New rate"})) == "draft"
    assert api("PATCH", f"{API}{pk}", {"value": "42000"}).status_code == 200
    assert _status(api("POST", f"{API}{pk}/cancel", {"reason": "Lost the deal"})) == "cancelled"
    assert "only an unsigned contract is cancelled" in _refusal(
        api("POST", f"{API}{pk}/cancel", {"reason": "Again"}), 409
    )
    assert _refusal(api("POST", f"{API}{pk}/reopen"), 409)


# ---------------------------------------------------------------- above the approval value


def test_above_the_limit_sending_unapproved_is_409_naming_both_approvers(app, world):
    pk = _contract(app, world, value="60000")
    message = _refusal(world["manager"]("POST", f"{API}{pk}/send"), 409)
    assert "an Account Manager and then an Admin must approve it" in message


def test_an_account_manager_then_an_admin_approve_and_then_it_is_sent(app, world):
    api, pk = world["manager"], _contract(app, world, value="60000")
    submitted = api("POST", f"{API}{pk}/submit").get_json()["result"]
    assert (submitted["status"], submitted["approvalsNeeded"]) == ("in_approval", 2)
    first = api("POST", f"{API}{pk}/approve", {"comment": "Rates checked"})
    result = first.get_json()["result"]
    assert (result["status"], result["nextApprovalLevel"]) == ("in_approval", 2)
    assert result["approvals"][0]["comment"] == "Rates checked"
    assert _refusal(api("POST", f"{API}{pk}/send"), 409)
    assert _status(world["admin"]("POST", f"{API}{pk}/approve")) == "approved"
    assert _status(api("POST", f"{API}{pk}/send")) == "sent"


def test_the_second_level_needs_an_admin(app, world):
    pk = _contract(app, world, value="60000")
    world["manager"]("POST", f"{API}{pk}/submit")
    world["manager"]("POST", f"{API}{pk}/approve")
    message = _refusal(world["second"]("POST", f"{API}{pk}/approve"), 422)
    assert "Approval level 2" in message and "needs an Admin" in message


def test_the_second_approval_is_someone_elses(app, world):
    pk = _contract(app, world, value="60000")
    world["admin"]("POST", f"{API}{pk}/submit")
    world["admin"]("POST", f"{API}{pk}/approve")
    message = _refusal(world["admin"]("POST", f"{API}{pk}/approve"), 422)
    assert "someone other than the first approver" in message
    assert _status(world["admin_two"]("POST", f"{API}{pk}/approve")) == "approved"


def test_rejecting_needs_a_reason_and_clears_the_approvals(app, world):
    api, pk = world["manager"], _contract(app, world, value="60000")
    api("POST", f"{API}{pk}/submit")
    api("POST", f"{API}{pk}/approve")
    assert _refusal(api("POST", f"{API}{pk}/reject", {}), 422, "reason")
    rejected = world["admin"]("POST", f"{API}{pk}/reject", {"reason": "Discount too deep"})
    assert _status(rejected) == "draft" and rejected.get_json()["result"]["approvals"] == []


def test_approving_a_draft_is_409(app, world):
    pk = _contract(app, world, value="60000")
    assert "only a contract in approval is approved" in _refusal(
        world["admin"]("POST", f"{API}{pk}/approve"), 409
    )


@pytest.mark.parametrize(("role", "allowed"), [("Finance", False), ("Account Manager", True)])
def test_approving_needs_the_approve_permission(app, world, role, allowed):
    pk = _contract(app, world, value="60000")
    world["manager"]("POST", f"{API}{pk}/submit")
    with app.app_context():
        user = make_user(role)
        db.session.add(ClientTeamMember(client_id=world["client"], user=user, role="recruiter"))
        db.session.commit()
        call = api_for(app, user.username)
    assert call("POST", f"{API}{pk}/approve").status_code == (200 if allowed else 403)
    assert call("POST", f"{API}{pk}/reject", {"reason": "No"}).status_code in (
        (200, 409) if allowed else (403,)
    )


# ---------------------------------------------------------------- converting a quote


def _accepted(app, world) -> int:
    with app.app_context():
        return accepted_quote(db.session.get(Client, world["client"])).id


def test_converting_an_accepted_quote_answers_the_contract_at_version_1(app, world):
    api, quote = world["manager"], _accepted(app, world)
    response = api("POST", f"{QUOTES}{quote}/convert", {"startDate": "2027-02-01"})
    assert response.status_code == 201, response.get_json()
    contract = response.get_json()["result"]
    assert contract["number"] == f"C-{TODAY.year}-0001" and contract["version"] == 1
    assert contract["quote"]["id"] == quote and contract["startDate"] == "2027-02-01"
    quoted = api("GET", f"{QUOTES}{quote}").get_json()["result"]
    assert quoted["contractId"] == contract["id"]
    assert contract["total"] == quoted["total"] == "113401.51"
    [version] = api("GET", f"{API}{contract['id']}/versions").get_json()["result"]
    assert [
        (line["description"], line["quantity"], line["rate"])
        for line in version["content"]["lines"]
    ] == [(line["description"], line["quantity"], line["rate"]) for line in quoted["lines"]]
    listed = api("GET", QUOTES).get_json()["result"][0]
    assert listed["contractId"] == contract["id"]


def test_converting_twice_is_409_naming_the_contract(app, world):
    api, quote = world["manager"], _accepted(app, world)
    number = api("POST", f"{QUOTES}{quote}/convert").get_json()["result"]["number"]
    message = _refusal(api("POST", f"{QUOTES}{quote}/convert"), 409)
    assert f"converted to {number} already" in message


def test_converting_a_quote_that_is_not_accepted_is_409(app, world):
    with app.app_context():
        quote = quote_with_lines(db.session.get(Client, world["client"]))
        quote.action_send()
        db.session.commit()
        pk = quote.id
    message = _refusal(world["manager"]("POST", f"{QUOTES}{pk}/convert"), 409)
    assert "is sent; only an accepted quote becomes a contract" in message
    with app.app_context():
        assert db.session.get(Quote, pk).contract is None
        assert db.session.scalar(db.select(db.func.count(Contract.id))) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"startDate": "2027-02-30"}, "startDate"),
        ({"contractType": "barter"}, "contractType"),
        ({"value": "1"}, "value"),
    ],
)
def test_a_bad_conversion_body_is_422_naming_the_field(app, world, body, field):
    quote = _accepted(app, world)
    assert _refusal(world["manager"]("POST", f"{QUOTES}{quote}/convert", body), 422, field)


def test_another_clients_quote_is_not_converted(app, world):
    with app.app_context():
        pk = accepted_quote(db.session.get(Client, world["other"])).id
    assert world["manager"]("POST", f"{QUOTES}{pk}/convert").status_code == 404
    assert world["manager"]("POST", f"{QUOTES}{2**31}/convert").status_code == 404


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("Admin", True), ("Account Manager", True), ("Finance", False), ("Recruiter", False)],
)
def test_converting_needs_writing_both_quotes_and_contracts(app, world, role, allowed):
    quote = _accepted(app, world)
    with app.app_context():
        user = make_user(role)
        db.session.add(ClientTeamMember(client_id=world["client"], user=user, role="recruiter"))
        db.session.commit()
        call = api_for(app, user.username)
    assert call("POST", f"{QUOTES}{quote}/convert").status_code == (201 if allowed else 403)


def test_an_unconverted_quote_has_no_contract_id(app, world):
    with app.app_context():
        pk = quote_with_lines(db.session.get(Client, world["client"])).id
    assert world["manager"]("GET", f"{QUOTES}{pk}").get_json()["result"]["contractId"] is None
