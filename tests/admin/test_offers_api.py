"""Offers in the REST API: made for an application with their terms (amounts in as strings or
numbers, out as strings), counter-offered through PATCH (a new round each), their negotiation
read in order with what changed, approved above the job order's budget before they are
extended, then accepted, declined or withdrawn; every refusal a 4xx naming the field or the
status; another client's offer a 404; the role matrix."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from extensions import db
from models import Application, Client, ClientDocument, ClientTeamMember, Offer
from tests.admin.test_recruiting_api_access import counted_queries
from tests.conftest import api_for
from tests.factories import (
    ClientFactory,
    JobOrderFactory,
    add_candidate,
    draft_offer,
    make_user,
    open_job_order,
)

API = "/api/v1/offer/"
TODAY = date.today()
START = (TODAY + timedelta(days=45)).isoformat()


@pytest.fixture
def world(app):
    """An account manager's client with an open job order (salary 90,000 to 120,000 USD) and
    a candidate at the client interview; another client they do not work on."""
    with app.app_context():
        manager = make_user("Account Manager")
        client = ClientFactory(owner=manager, name="Acme Robotics")
        job = open_job_order(
            JobOrderFactory(client=client, salary_min=Decimal("90000"), salary_max=120000)
        )
        application = add_candidate(job, stage="client_interview")
        other = ClientFactory(name="Hidden Corp")
        db.session.commit()
        return {
            "manager": manager.username,
            "client": client.id,
            "other": other.id,
            "job": job.id,
            "application": application.id,
            "candidate": application.candidate.full_name,
        }


@pytest.fixture
def api(app, world):
    return api_for(app, world["manager"])


def new_offer(world, **extra) -> dict:
    return {
        "applicationId": world["application"],
        "baseSalary": "110000.00",
        "bonus": "10000",
        "equity": "0.1% over 4 years",
        "benefits": "Health, dental",
        "startDate": START,
        **extra,
    }


def _made(api, world, **extra) -> dict:
    response = api("POST", API, new_offer(world, **extra))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["result"]


def _refusal(response, code: int, field: str = "status") -> str:
    assert response.status_code == code, response.get_json()
    return response.get_json()["message"][field][0]


def _extended(api, world, **extra) -> int:
    pk = _made(api, world, **extra)["id"]
    response = api("POST", f"{API}{pk}/extend")
    assert response.status_code == 200, response.get_json()
    return pk


# ---------------------------------------------------------------- making and reading


def test_an_offer_is_made_with_its_first_round_and_the_budget(api, world):
    result = _made(api, world)
    assert result["number"] == f"O-{TODAY.year}-0001" and result["status"] == "draft"
    assert result["candidate"]["name"] == world["candidate"]
    current = result["current"]
    assert (current["number"], current["proposedBy"]) == (1, "agency")
    assert (current["baseSalary"], current["bonus"], current["totalCash"]) == (
        "110000.00",
        "10000.00",
        "120000.00",
    )
    assert current["currency"] == "USD" and current["startDate"] == START  # the job's currency
    assert (result["budget"], result["budgetCurrency"]) == ("120000.00", "USD")
    assert (result["overBudget"], result["needsApproval"]) == (False, False)
    assert result == _get(api, result["id"])


def _get(api, pk: int) -> dict:
    response = api("GET", f"{API}{pk}")
    assert response.status_code == 200
    return response.get_json()["result"]


def test_amounts_are_taken_as_strings_or_numbers(api, world):
    assert _made(api, world, baseSalary=85000.5)["current"]["baseSalary"] == "85000.50"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"baseSalary": "lots"}, "baseSalary", "Not a valid number"),
        ({"baseSalary": "0"}, "baseSalary", "more than 0"),
        ({"baseSalary": None}, "baseSalary", "may not be null"),
        ({"bonus": "-5"}, "bonus", "greater than or equal to 0"),
        ({"startDate": "2027-13-01"}, "startDate", "Not a valid date"),
        ({"currency": "XYZ"}, "currency", "ISO 4217"),
        ({"applicationId": str(1)}, "applicationId", "Not a valid integer"),
        ({"applicationId": 2**31}, "applicationId", "less than or equal to"),
        ({"salary": "1"}, "salary", "Unknown field"),
        ({"status": "accepted"}, "status", "Unknown field"),
    ],
)
def test_a_bad_field_is_422_naming_it(api, world, change, field, words):
    response = api("POST", API, new_offer(world, **change))
    assert response.status_code == 422, response.get_json()
    assert words in str(response.get_json()["message"][field])


def test_an_application_with_an_open_offer_gets_no_second_one(api, world):
    number = _made(api, world)["number"]
    message = _refusal(api("POST", API, new_offer(world)), 409, "applicationId")
    assert f"has offer {number} open already" in message


def test_the_list_filters_by_client_job_order_and_status(app, api, world):
    _made(api, world)
    with app.app_context():
        draft_offer(open_job_order(client=db.session.get(Client, world["other"])))
    assert api("GET", API).get_json()["count"] == 1
    assert api("GET", f"{API}?job_order_id={world['job']}").get_json()["count"] == 1
    assert api("GET", f"{API}?client_id={world['other']}").get_json()["count"] == 0
    assert api("GET", f"{API}?status=draft").get_json()["count"] == 1
    assert api("GET", f"{API}?status=extended").get_json()["count"] == 0
    bad = api("GET", f"{API}?status=signed")
    assert bad.status_code == 400 and "status" in bad.get_json()["message"]


# ---------------------------------------------------------------- negotiation


def test_a_counter_offer_is_a_new_round_and_the_history_reads_in_order(api, world):
    pk = _extended(api, world)
    response = api(
        "PATCH",
        f"{API}{pk}",
        {"proposedBy": "candidate", "baseSalary": "115000", "note": "Asked for more"},
    )
    assert response.status_code == 200, response.get_json()
    result = response.get_json()["result"]
    assert result["status"] == "negotiating" and result["rounds"] == 2
    assert result["current"]["baseSalary"] == "115000.00"
    assert result["current"]["bonus"] == "10000.00"  # the terms not given are kept
    api("PATCH", f"{API}{pk}", {"proposedBy": "agency", "bonus": "12000", "startDate": None})

    history = api("GET", f"{API}{pk}/negotiation-history").get_json()
    assert history["count"] == 3
    first, second, third = history["result"]
    assert [r["proposedBy"] for r in history["result"]] == ["agency", "candidate", "agency"]
    assert first["changes"] == [] and second["note"] == "Asked for more"
    assert second["recordedBy"]["firstName"] == "Account" and second["at"] >= first["at"]
    assert second["changes"] == [
        {"term": "baseSalary", "label": "Base salary", "before": "110000.00", "after": "115000.00"}
    ]
    assert third["changes"] == [
        {"term": "bonus", "label": "Bonus", "before": "10000.00", "after": "12000.00"},
        {"term": "startDate", "label": "Start date", "before": START, "after": None},
    ]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"proposedBy": "agency", "baseSalary": "110000"}, "baseSalary", "changes nothing"),
        ({"baseSalary": "111000"}, "proposedBy", "Missing data"),
        ({"proposedBy": "boss", "baseSalary": "111000"}, "proposedBy", "Must be one of"),
        ({"proposedBy": "client", "status": "accepted"}, "status", "Unknown field"),
        ({"proposedBy": "client", "bonus": "a lot"}, "bonus", "Not a valid number"),
    ],
)
def test_a_bad_counter_offer_is_422_naming_the_field(api, world, body, field, words):
    pk = _made(api, world)["id"]
    assert words in _refusal(api("PATCH", f"{API}{pk}", body), 422, field)
    assert _get(api, pk)["rounds"] == 1


def test_a_decided_offer_takes_no_counter_offer(api, world):
    pk = _extended(api, world)
    api("POST", f"{API}{pk}/accept")
    body = {"proposedBy": "candidate", "baseSalary": "130000"}
    assert "can no longer change" in _refusal(api("PATCH", f"{API}{pk}", body), 409)


# ---------------------------------------------------------------- approval and extending


def test_an_offer_over_budget_is_extended_only_once_approved(app, api, world):
    pk = _made(api, world, baseSalary="130000")["id"]
    assert (_get(api, pk)["overBudget"], _get(api, pk)["needsApproval"]) == (True, True)
    message = _refusal(api("POST", f"{API}{pk}/extend"), 409)
    assert "above the job order's budget" in message and "approve round 1" in message

    approved = api("POST", f"{API}{pk}/approve", {"comment": "Strong candidate"})
    assert approved.status_code == 200, approved.get_json()
    result = approved.get_json()["result"]
    assert (result["approvedRound"], result["needsApproval"]) == (1, False)

    extended = api("POST", f"{API}{pk}/extend", {"expiresOn": "2099-01-31"})
    assert extended.status_code == 200, extended.get_json()
    assert extended.get_json()["result"]["expiresOn"] == "2099-01-31"
    with app.app_context():
        assert db.session.get(Application, world["application"]).stage == "offer"
        letters = db.session.scalars(
            db.select(ClientDocument).where(
                ClientDocument.type == "offer", ClientDocument.archived_at.is_(None)
            )
        ).all()
        assert len(letters) == 1 and not letters[0].visible_to_client


def test_a_new_round_over_budget_needs_its_own_approval(api, world):
    pk = _made(api, world, baseSalary="125000")["id"]
    api("POST", f"{API}{pk}/approve")
    api("PATCH", f"{API}{pk}", {"proposedBy": "candidate", "baseSalary": "128000"})
    assert "approve round 2" in _refusal(api("POST", f"{API}{pk}/extend"), 409)


def test_an_offer_within_budget_needs_no_approval(api, world):
    pk = _made(api, world)["id"]
    assert "needs no approval" in _refusal(api("POST", f"{API}{pk}/approve"), 409)


def test_extending_defaults_to_the_validity_and_refuses_a_past_day(app, api, world):
    pk = _made(api, world)["id"]
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    refused = api("POST", f"{API}{pk}/extend", {"expiresOn": yesterday})
    assert "today or later" in _refusal(refused, 422, "expiresOn")
    assert "Not a valid date" in _refusal(
        api("POST", f"{API}{pk}/extend", {"expiresOn": "next week"}), 422, "expiresOn"
    )
    extended = api("POST", f"{API}{pk}/extend").get_json()["result"]
    valid = app.config["OFFER_VALID_DAYS"]
    assert extended["expiresOn"] == (TODAY + timedelta(days=valid)).isoformat()
    assert "only a draft or an offer in negotiation" in _refusal(
        api("POST", f"{API}{pk}/extend"), 409
    )


# ---------------------------------------------------------------- the candidate's answer


def test_an_extended_offer_is_accepted(api, world):
    pk = _extended(api, world)
    response = api("POST", f"{API}{pk}/accept", {"note": "Signed letter received"})
    result = response.get_json()["result"]
    assert (result["status"], result["decisionNote"]) == ("accepted", "Signed letter received")


def test_a_draft_is_not_accepted(api, world):
    pk = _made(api, world)["id"]
    assert "only an extended offer" in _refusal(api("POST", f"{API}{pk}/accept"), 409)


def test_an_expired_offer_is_not_accepted(app, api, world):
    pk = _extended(api, world)
    with app.app_context():
        db.session.execute(
            Offer.__table__.update()
            .where(Offer.id == pk)
            .values(expires_on=TODAY - timedelta(days=1))
        )
        db.session.commit()
    assert _get(api, pk)["expired"] is True
    message = _refusal(api("POST", f"{API}{pk}/accept"), 409)
    assert "expired on" in message and "Extend a new offer" in message


def test_declining_needs_the_reason_and_a_declined_offer_is_not_accepted(api, world):
    pk = _extended(api, world)
    assert _refusal(api("POST", f"{API}{pk}/decline", {"reason": ""}), 422, "reason")
    declined = api("POST", f"{API}{pk}/decline", {"reason": "Took another offer"})
    assert declined.get_json()["result"]["status"] == "declined"
    assert "is declined" in _refusal(api("POST", f"{API}{pk}/accept"), 409)


def test_withdrawing_needs_the_reason_and_not_after_acceptance(api, world):
    pk = _made(api, world)["id"]
    assert _refusal(api("POST", f"{API}{pk}/withdraw", {}), 422, "reason")
    withdrawn = api("POST", f"{API}{pk}/withdraw", {"reason": "Role on hold"})
    assert withdrawn.get_json()["result"]["status"] == "withdrawn"
    accepted = _extended(api, world)  # the application is free for a new offer
    api("POST", f"{API}{accepted}/accept")
    message = _refusal(api("POST", f"{API}{accepted}/withdraw", {"reason": "Oops"}), 409)
    assert "can no longer be withdrawn" in message


# ---------------------------------------------------------------- another client's offer


def test_another_clients_offer_is_404_everywhere(app, api, world):
    with app.app_context():
        offer = draft_offer(open_job_order(client=db.session.get(Client, world["other"])))
        pk, application = offer.id, offer.application_id
    for method, path, body in [
        ("GET", f"{API}{pk}", None),
        ("GET", f"{API}{pk}/negotiation-history", None),
        ("PATCH", f"{API}{pk}", {"proposedBy": "agency", "baseSalary": "1000"}),
        ("POST", f"{API}{pk}/extend", None),
        ("POST", f"{API}{pk}/withdraw", {"reason": "Mine"}),
    ]:
        response = api(method, path, body)
        assert response.status_code == 404, (method, path)
        assert "Hidden Corp" not in response.get_data(as_text=True)
    assert api("GET", API).get_json()["count"] == 0
    response = api("POST", API, new_offer(world, applicationId=application))
    assert response.status_code == 404 and "applicationId" in response.get_json()["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", ""), ("PATCH", ""), ("GET", "/negotiation-history"), ("POST", "/accept")],
)
def test_an_id_past_the_databases_integers_is_404(api, world, method, path):
    assert api(method, f"{API}{2**31}{path}", {} if method != "GET" else None).status_code == 404


# ---------------------------------------------------------------- the role matrix

# role: (read, write, approve)
MATRIX = {
    "Admin": (True, True, True),
    "Account Manager": (True, True, True),
    "Recruiter": (True, True, False),
    "Finance": (False, False, False),
}


def _as(app, world, role):
    with app.app_context():
        user = make_user(role)
        db.session.add(ClientTeamMember(client_id=world["client"], user=user, role="recruiter"))
        db.session.commit()
        return api_for(app, user.username)


@pytest.mark.parametrize("role", MATRIX)
def test_reading_follows_the_matrix(app, api, world, role):
    pk = _made(api, world)["id"]
    call = _as(app, world, role)
    assert call("GET", f"{API}{pk}").status_code == (200 if MATRIX[role][0] else 403)
    history = call("GET", f"{API}{pk}/negotiation-history")
    assert history.status_code == (200 if MATRIX[role][0] else 403)


@pytest.mark.parametrize("role", MATRIX)
def test_writing_follows_the_matrix(app, world, role):
    call = _as(app, world, role)
    made = call("POST", API, new_offer(world))
    assert made.status_code == (201 if MATRIX[role][1] else 403)
    if MATRIX[role][1]:
        extended = call("POST", f"{API}{made.get_json()['id']}/extend")
        assert extended.status_code == 200


@pytest.mark.parametrize("role", MATRIX)
def test_approving_follows_the_matrix(app, api, world, role):
    pk = _made(api, world, baseSalary="130000")["id"]
    call = _as(app, world, role)
    response = call("POST", f"{API}{pk}/approve")
    assert response.status_code == (200 if MATRIX[role][2] else 403)


def _negotiated(client: Client) -> None:
    """An offer over budget, approved, extended, then countered by the candidate."""
    job = open_job_order(
        JobOrderFactory(client=client, salary_min=Decimal("90000"), salary_max=120000)
    )
    offer = draft_offer(job, base_salary=Decimal("125000"))
    offer.action_approve(make_user("Account Manager"))
    offer.action_extend()
    offer.action_propose("candidate", base_salary=Decimal("128000"))
    db.session.commit()


def test_the_list_runs_as_many_queries_for_three_offers_as_for_one(app):
    with app.app_context():
        username = make_user("Admin").username
        _negotiated(ClientFactory())
    call = api_for(app, username)
    call("GET", API)  # warm up (the user and their roles)
    with counted_queries(app) as small:
        assert call("GET", API).status_code == 200
    with app.app_context():
        for _ in range(2):
            _negotiated(ClientFactory())
    with counted_queries(app) as large:
        response = call("GET", API)
    assert response.get_json()["count"] == 3
    assert len(large) == len(small), large
