"""Contracts in the REST API: created (or from a template) with their lines, listed and
filtered, read with lines, approvals, version and performance; a draft's content changed
through PATCH (each change a version, readable with its difference) and its lines; every bad
input a 4xx naming the field; another client's contract a 404; the role matrix. The workflow
and converting a quote are in test_contract_workflow_api.py."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from extensions import db
from models import Client, ClientTeamMember, Contract, ContractTemplate
from tests.admin.test_recruiting_api_access import counted_queries
from tests.conftest import api_for, api_token
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    accepted_quote,
    add_candidate,
    draft_contract,
    make_user,
    open_job_order,
)

API = "/api/v1/contract/"
TODAY = date.today()
HUGE = 2**31


@pytest.fixture
def world(app):
    """An account manager owning one client; another client they do not work on."""
    with app.app_context():
        manager = make_user("Account Manager")
        client = ClientFactory(owner=manager, name="Acme Robotics")
        other = ClientFactory(name="Hidden Corp")
        db.session.commit()
        return {"manager": manager.username, "client": client.id, "other": other.id}


@pytest.fixture
def api(app, world):
    return api_for(app, world["manager"])


def new_contract(client_id: int, **extra) -> dict:
    return {
        "clientId": client_id,
        "title": "Engineering hiring programme",
        "contractType": "project",
        "currency": "USD",
        "value": "40000.00",
        "startDate": TODAY.isoformat(),
        "endDate": (TODAY + timedelta(days=364)).isoformat(),
        "renewalDate": (TODAY + timedelta(days=365)).isoformat(),
        "paymentTerms": "net_30",
        "placementsTarget": 4,
        "terms": "Placements are guaranteed for 90 days.",
        "lines": [
            {
                "serviceType": "contingency recruitment",
                "description": "Senior engineers",
                "quantity": "2",
                "rate": "20000",
            }
        ],
        **extra,
    }


def _created(api, world, **extra) -> dict:
    response = api("POST", API, new_contract(world["client"], **extra))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _hidden_contract(app, world) -> int:
    with app.app_context():
        return draft_contract(db.session.get(Client, world["other"])).id


# ---------------------------------------------------------------- creating and reading


def test_a_contract_is_created_numbered_with_its_lines_in_version_1(api, world):
    result = _created(api, world)["result"]
    assert result["number"] == f"C-{TODAY.year}-0001" and result["status"] == "draft"
    assert result["version"] == 1 and result["approvals"] == []
    assert result["value"] == "40000.00" and result["total"] == "40000.00"
    assert [(line["description"], line["amount"]) for line in result["lines"]] == [
        ("Senior engineers", "40000.00")
    ]
    [version] = api("GET", f"{API}{result['id']}/versions").get_json()["result"]
    assert version["number"] == 1 and version["note"] == "Drafted"
    assert version["content"]["lines"][0]["description"] == "Senior engineers"


def test_get_answers_lines_approvals_version_quote_and_performance(app, api, world):
    pk = _created(api, world)["id"]
    with app.app_context():
        client = db.session.get(Client, world["client"])
        job = open_job_order(client=client, openings=2)
        add_candidate(job, "offer").action_place(TODAY, Decimal("100000"))
        db.session.commit()
    shown = api("GET", f"{API}{pk}").get_json()["result"]
    assert shown["clientName"] == "Acme Robotics" and shown["quote"] is None
    assert shown["performance"] == {
        "placements": 1,
        "placementsTarget": 4,
        "placementsPercent": 25,
        "fees": "25000.00",  # the job order's fixed fee
        "value": "40000.00",
        "feesPercent": 62,
        "currency": "USD",
        "otherCurrencies": [],
    }
    assert api("GET", f"{API}{pk}/performance").get_json()["result"] == shown["performance"]


def test_a_template_gives_the_type_terms_and_term(app, api, world):
    with app.app_context():
        template = ContractTemplate(
            name="Retained search (standard)",
            contract_type="retained search",
            terms="{agency} searches for {client}.",
            payment_terms="net_15",
            term_months=6,
        )
        db.session.add(template)
        db.session.commit()
        template_id = template.id
    body = {"clientId": world["client"], "templateId": template_id, "startDate": "2027-01-01"}
    response = api("POST", API, body)
    assert response.status_code == 201, response.get_json()
    result = response.get_json()["result"]
    assert result["contractType"] == "retained search" and result["paymentTerms"] == "net_15"
    assert result["title"] == "Retained search (standard) — Acme Robotics"
    assert "searches for Acme Robotics" in result["terms"]
    assert (result["endDate"], result["renewalDate"]) == ("2027-06-30", "2027-07-01")


def test_an_unknown_template_is_422_on_template_id(api, world):
    response = api("POST", API, {"clientId": world["client"], "templateId": 999})
    assert response.status_code == 422
    assert "No active contract template" in response.get_json()["message"]["templateId"][0]


def test_the_list_filters_by_client_status_and_type(app, api, world):
    _created(api, world)
    _created(api, world, contractType="contingency")
    _hidden_contract(app, world)
    assert api("GET", API).get_json()["count"] == 2
    assert api("GET", f"{API}?contract_type=contingency").get_json()["count"] == 1
    assert api("GET", f"{API}?status=sent").get_json()["count"] == 0
    assert api("GET", f"{API}?client_id={world['client']}").get_json()["count"] == 2
    assert api("GET", f"{API}?client_id={world['other']}").get_json()["count"] == 0
    bad = api("GET", f"{API}?status=signed")
    assert bad.status_code == 400 and "status" in bad.get_json()["message"]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"value": "lots"}, "value", "Not a valid number"),
        ({"value": "1.005"}, "value", "2 decimal places"),
        ({"startDate": "01/02/2027"}, "startDate", "Not a valid date"),
        ({"contractType": "barter"}, "contractType", "Must be one of"),
        ({"placementsTarget": "4"}, "placementsTarget", "Not a valid integer"),
        ({"status": "active"}, "status", "Unknown field"),
        ({"colour": "red"}, "colour", "Unknown field"),
        ({"endDate": "2000-01-01"}, "endDate", "on or after the start date"),
        ({"title": " "}, "title", "Title is required"),
        ({"taxRate": "120"}, "taxRate", "between 0 and 100"),
        ({"clientSignatoryId": 99999}, "clientSignatoryId", "No such contact"),
    ],
)
def test_a_bad_field_is_422_naming_it(api, world, change, field, words):
    response = api("POST", API, new_contract(world["client"], **change))
    assert response.status_code == 422, response.get_json()
    assert words in str(response.get_json()["message"][field])


def test_a_bad_line_is_422_naming_it(api, world):
    body = new_contract(world["client"])
    body["lines"].append({**body["lines"][0], "quantity": "20000"})
    response = api("POST", API, body)
    assert response.status_code == 422
    assert "at most 10,000" in response.get_json()["message"]["lines.1.quantity"][0]


def test_another_clients_contact_is_no_signatory_and_is_not_named(app, api, world):
    with app.app_context():
        stranger = ClientContactFactory(
            client=db.session.get(Client, world["other"]), contact__first_name="Secret"
        ).contact_id
    response = api("POST", API, new_contract(world["client"], clientSignatoryId=stranger))
    assert response.status_code == 422
    assert "Secret" not in response.get_data(as_text=True)


def test_amounts_are_taken_as_strings_or_numbers(api, world):
    assert _created(api, world, value=85000)["result"]["value"] == "85000.00"
    assert _created(api, world, value="85000.5")["result"]["value"] == "85000.50"


@pytest.mark.parametrize("body", ["{not json", "[1, 2]"])
def test_a_body_that_is_not_a_json_object_is_400(app, world, body):
    http = app.test_client()
    headers = {**api_token(app, world["manager"]), "Content-Type": "application/json"}
    response = http.post(API, data=body, headers=headers)
    assert response.status_code == 400 and "JSON object" in response.get_json()["message"]


# ---------------------------------------------------------------- a draft's content


def test_patch_changes_a_draft_and_records_a_version_with_its_difference(api, world):
    pk = _created(api, world)["id"]
    response = api(
        "PATCH",
        f"{API}{pk}",
        {"value": "45000", "terms": "Placements are guaranteed for 120 days.", "note": "Term"},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["result"]["version"] == 2
    versions = api("GET", f"{API}{pk}/versions").get_json()
    assert versions["count"] == 2
    second = versions["result"][1]
    assert second["note"] == "Term" and second["by"]["firstName"] == "Account"
    assert second["changes"]["fields"] == [
        {"field": "Value", "before": "40,000.00", "after": "45,000.00"}
    ]
    assert "+Placements are guaranteed for 120 days." in second["changes"]["terms"]
    assert second["content"]["fields"]["value"] == "45000.00"
    one = api("GET", f"{API}{pk}/versions/2").get_json()["result"]
    assert one == second


def test_a_patch_that_changes_nothing_records_no_version(api, world):
    pk = _created(api, world)["id"]
    response = api("PATCH", f"{API}{pk}", {"title": "Engineering hiring programme"})
    assert response.status_code == 200 and response.get_json()["result"]["version"] == 1


def test_patching_a_contract_that_is_not_a_draft_is_409(api, world):
    pk = _created(api, world)["id"]
    assert api("POST", f"{API}{pk}/send").status_code == 200
    response = api("PATCH", f"{API}{pk}", {"title": "Changed after sending"})
    assert response.status_code == 409
    assert "only a contract draft is changed" in response.get_json()["message"]["status"][0]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"clientId": 5}, "clientId"), ({"status": "active"}, "status"), ({"lines": []}, "lines")],
)
def test_patch_does_not_take_the_client_the_status_or_the_lines(api, world, body, field):
    pk = _created(api, world)["id"]
    response = api("PATCH", f"{API}{pk}", body)
    assert response.status_code == 422 and field in response.get_json()["message"]


def test_put_is_no_route(api, world):
    pk = _created(api, world)["id"]
    assert api("PUT", f"{API}{pk}", {"title": "x"}).status_code == 405


def test_a_line_is_added_and_removed_each_a_version(api, world):
    pk = _created(api, world)["id"]
    line = {"serviceType": "specialised consulting", "description": "Org design", "quantity": 1}
    response = api("POST", f"{API}{pk}/lines", {**line, "rate": "5000.00"})
    assert response.status_code == 201, response.get_json()
    result = response.get_json()["result"]
    assert result["total"] == "45000.00" and result["version"] == 2
    first = result["lines"][0]["id"]
    response = api("DELETE", f"{API}{pk}/lines/{first}")
    assert response.status_code == 200
    assert [line["position"] for line in response.get_json()["result"]["lines"]] == [1]
    latest = api("GET", f"{API}{pk}/versions/3").get_json()["result"]
    assert latest["note"] == "Line 1 removed (Senior engineers)"
    assert latest["changes"]["lines"] == [
        "Line 1 removed: contingency recruitment: Senior engineers, 2.00 × 20000.00"
    ]


def test_lines_change_only_on_a_draft(api, world):
    pk = _created(api, world)["id"]
    line = api("GET", f"{API}{pk}").get_json()["result"]["lines"][0]["id"]
    api("POST", f"{API}{pk}/send")
    body = {"serviceType": "contract staffing", "description": "x", "quantity": 1, "rate": 1}
    assert api("POST", f"{API}{pk}/lines", body).status_code == 409
    assert api("DELETE", f"{API}{pk}/lines/{line}").status_code == 409


def test_a_bad_line_to_add_is_422_naming_the_field(api, world):
    pk = _created(api, world)["id"]
    body = {"serviceType": "barter", "description": "x", "quantity": 1, "rate": "ten"}
    message = api("POST", f"{API}{pk}/lines", body).get_json()["message"]
    assert set(message) == {"serviceType", "rate"}


# ---------------------------------------------------------------- another client's contract


def test_another_clients_contract_is_404_everywhere(app, api, world):
    pk = _hidden_contract(app, world)
    line = {"serviceType": "contract staffing", "description": "x", "quantity": 1, "rate": 1}
    for method, path, body in [
        ("GET", f"{API}{pk}", None),
        ("PATCH", f"{API}{pk}", {"title": "Mine now"}),
        ("GET", f"{API}{pk}/versions", None),
        ("GET", f"{API}{pk}/versions/1", None),
        ("GET", f"{API}{pk}/performance", None),
        ("POST", f"{API}{pk}/lines", line),
        ("POST", f"{API}{pk}/send", None),
        ("POST", f"{API}{pk}/cancel", {"reason": "Mine"}),
    ]:
        response = api(method, path, body)
        assert response.status_code == 404, (method, path)
        assert "Hidden Corp" not in response.get_data(as_text=True)
    assert api("GET", API).get_json()["count"] == 0
    assert api("POST", API, new_contract(world["other"])).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "{pk}"),
        ("PATCH", "{pk}"),
        ("GET", "{pk}/versions"),
        ("POST", "{pk}/submit"),
        ("DELETE", "{pk}/lines/1"),
        ("GET", "{own}/versions/{pk}"),
        ("DELETE", "{own}/lines/{pk}"),
    ],
)
def test_an_id_past_the_databases_integers_is_404(api, world, method, path):
    own = _created(api, world)["id"]
    url = API + path.format(pk=HUGE, own=own)
    assert api(method, url, {} if method != "GET" else None).status_code == 404


# ---------------------------------------------------------------- the role matrix

# role: (read, write, send)
MATRIX = {
    "Admin": (True, True, True),
    "Account Manager": (True, True, True),
    "Finance": (True, False, False),
    "Recruiter": (False, False, False),
}


@pytest.fixture
def drafted(app, world):
    with app.app_context():
        return draft_contract(db.session.get(Client, world["client"])).id


def _as(app, world, role):
    with app.app_context():
        user = make_user(role)
        db.session.add(ClientTeamMember(client_id=world["client"], user=user, role="recruiter"))
        db.session.commit()
        return api_for(app, user.username)


@pytest.mark.parametrize("role", MATRIX)
def test_reading_follows_the_matrix(app, world, drafted, role):
    call = _as(app, world, role)
    response = call("GET", f"{API}{drafted}")
    assert response.status_code == (200 if MATRIX[role][0] else 403)
    versions = call("GET", f"{API}{drafted}/versions")
    assert versions.status_code == (200 if MATRIX[role][0] else 403)


@pytest.mark.parametrize("role", MATRIX)
def test_writing_follows_the_matrix(app, world, drafted, role):
    call = _as(app, world, role)
    created = call("POST", API, new_contract(world["client"]))
    assert created.status_code == (201 if MATRIX[role][1] else 403)
    patched = call("PATCH", f"{API}{drafted}", {"title": "Renamed"})
    assert patched.status_code == (200 if MATRIX[role][1] else 403)


@pytest.mark.parametrize("role", MATRIX)
def test_sending_follows_the_matrix(app, world, drafted, role):
    call = _as(app, world, role)
    response = call("POST", f"{API}{drafted}/send")
    assert response.status_code == (200 if MATRIX[role][2] else 403)
    with app.app_context():
        sent = db.session.get(Contract, drafted).status == "sent"
    assert sent == MATRIX[role][2]


def test_the_openapi_spec_documents_the_contract_offer_and_convert_endpoints(app, api):
    spec = api("GET", "/api/v1/_openapi")
    assert spec.status_code == 200
    document = spec.get_json()
    for path, method in (
        ("/contract/", "post"),
        ("/contract/{pk}", "patch"),
        ("/contract/{pk}/lines/{line_id}", "delete"),
        ("/contract/{pk}/versions/{number}", "get"),
        ("/contract/{pk}/approve", "post"),
        ("/quote/{pk}/convert", "post"),
        ("/offer/", "post"),
        ("/offer/{pk}", "patch"),
        ("/offer/{pk}/negotiation-history", "get"),
        ("/offer/{pk}/extend", "post"),
    ):
        assert method in document["paths"][f"/api/v1{path}"], path
    schemas = document["components"]["schemas"]
    assert "note" in schemas["ContractChange"]["properties"]
    assert "clientId" not in schemas["ContractChange"]["properties"]
    assert {"applicationId", "baseSalary"} <= set(schemas["OfferApi.post"]["properties"])
    assert "proposedBy" in schemas["CounterOffer"]["properties"]
    assert "startDate" in schemas["Conversion"]["properties"]


def _converted_and_approved(client: Client) -> None:
    """A contract converted from a quote (lines, quote, signatory) and one with an approval."""
    Contract.action_convert_quote(accepted_quote(client))
    contract = draft_contract(client, value=Decimal("60000"))
    contract.action_submit()
    contract.action_approve(make_user("Account Manager"))
    db.session.commit()


@pytest.mark.parametrize("resource", ["contract", "quote"])
def test_a_list_runs_as_many_queries_for_three_clients_as_for_one(app, resource):
    with app.app_context():
        username = make_user("Admin").username
        _converted_and_approved(ClientFactory())
    call = api_for(app, username)
    call("GET", f"/api/v1/{resource}/")  # warm up (the user and their roles)
    with counted_queries(app) as small:
        assert call("GET", f"/api/v1/{resource}/").status_code == 200
    with app.app_context():
        for _ in range(2):
            _converted_and_approved(ClientFactory())
    with counted_queries(app) as large:
        response = call("GET", f"/api/v1/{resource}/")
    assert response.get_json()["count"] > 2
    assert len(large) == len(small), large
