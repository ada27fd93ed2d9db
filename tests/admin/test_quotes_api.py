"""Quotes in the REST API: created with lines (totals as decimal strings), sent, revised,
accepted and declined through their endpoints; accepting an expired or declined quote is a
409 naming why; the role matrix; another client's quote is a 404."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from extensions import db
from models import ClientTeamMember, Quote
from tests.conftest import api_for
from tests.factories import ClientFactory, make_user

NEXT_MONTH = (date.today() + timedelta(days=30)).isoformat()
API = "/api/v1/quote/"


@pytest.fixture
def world(app):
    """An account manager owning one client; another client they do not work on."""
    with app.app_context():
        manager = make_user("Account Manager")
        client = ClientFactory(owner=manager, name="Acme Robotics")
        other = ClientFactory(name="Hidden Corp")
        db.session.commit()
        return {"manager": manager.username, "client": client.id, "other": other.id}


def new_quote(client_id, **extra) -> dict:
    return {
        "clientId": client_id,
        "title": "Executive search 2027",
        "currency": "USD",
        "discountPercent": "10",
        "taxRate": "12",
        "paymentTerms": "net_30",
        "replacementGuaranteeDays": 90,
        "validUntil": NEXT_MONTH,
        "lines": [
            {
                "serviceType": "retained executive search",
                "description": "VP of Engineering search",
                "quantity": "1",
                "rate": "75000",
            },
            {
                "serviceType": "contingency recruitment",
                "description": "Senior engineers",
                "quantity": "3",
                "rate": "12500.50",
            },
        ],
        **extra,
    }


@pytest.fixture
def api(app, world):
    return api_for(app, world["manager"])


def _created(api, world, **extra) -> dict:
    response = api("POST", API, new_quote(world["client"], **extra))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _sent(api, world) -> int:
    pk = _created(api, world)["id"]
    assert api("POST", f"{API}{pk}/send").status_code == 200
    return pk


def test_a_quote_is_created_numbered_with_its_lines_and_decimal_totals(api, world):
    result = _created(api, world)["result"]
    assert result["number"] == f"Q-{date.today().year}-0001" and result["status"] == "draft"
    assert [line["amount"] for line in result["lines"]] == ["75000.00", "37501.50"]
    assert (result["subtotal"], result["discount"], result["tax"], result["total"]) == (
        "112501.50",
        "11250.15",
        "12150.16",
        "113401.51",
    )


def test_a_bad_line_is_422_naming_it(api, world):
    body = new_quote(world["client"])
    body["lines"][1]["quantity"] = "0"
    response = api("POST", API, body)
    assert response.status_code == 422
    assert "lines.1.quantity" in response.get_json()["message"]


def test_get_and_list_answer_the_lines_and_totals(api, world):
    pk = _created(api, world)["id"]
    shown = api("GET", f"{API}{pk}").get_json()["result"]
    assert shown["total"] == "113401.51" and len(shown["lines"]) == 2
    listed = api("GET", API).get_json()
    assert listed["count"] == 1 and listed["result"][0]["total"] == "113401.51"


def test_sending_moves_a_draft_to_sent_and_twice_is_409(api, world):
    pk = _sent(api, world)
    assert api("GET", f"{API}{pk}").get_json()["result"]["status"] == "sent"
    again = api("POST", f"{API}{pk}/send")
    assert again.status_code == 409 and "only a draft is sent" in str(again.get_json())


def test_accepting_keeps_the_name_and_the_requests_ip(api, world):
    pk = _sent(api, world)
    response = api("POST", f"{API}{pk}/accept", {"name": "Jane Doe"})
    assert response.status_code == 200, response.get_json()
    result = response.get_json()["result"]
    assert result["status"] == "accepted" and result["acceptedName"] == "Jane Doe"
    assert result["acceptedIp"] == "127.0.0.1"


def test_accepting_with_one_name_is_422_on_name(api, world):
    pk = _sent(api, world)
    response = api("POST", f"{API}{pk}/accept", {"name": "Jane"})
    assert response.status_code == 422 and "full name" in response.get_json()["message"]["name"][0]


def test_accepting_an_expired_quote_is_409_saying_it_expired(app, api, world):
    pk = _sent(api, world)
    with app.app_context():
        db.session.execute(
            Quote.__table__.update()
            .where(Quote.id == pk)
            .values(valid_until=date.today() - timedelta(days=1))
        )
        db.session.commit()
    response = api("POST", f"{API}{pk}/accept", {"name": "Jane Doe"})
    assert response.status_code == 409
    assert "expired on" in response.get_json()["message"]["status"][0]


def test_accepting_a_declined_quote_is_409_saying_it_was_declined(api, world):
    pk = _sent(api, world)
    declined = api("POST", f"{API}{pk}/decline", {"reason": "Budget cut"})
    assert declined.get_json()["result"]["declineReason"] == "Budget cut"
    response = api("POST", f"{API}{pk}/accept", {"name": "Jane Doe"})
    assert response.status_code == 409
    assert "is declined" in response.get_json()["message"]["status"][0]


def test_declining_without_a_reason_is_422(api, world):
    pk = _sent(api, world)
    assert api("POST", f"{API}{pk}/decline", {"reason": " "}).status_code == 422


def test_revising_answers_version_2_and_keeps_version_1(api, world):
    pk = _sent(api, world)
    response = api("POST", f"{API}{pk}/revise")
    assert response.status_code == 201, response.get_json()
    v2 = response.get_json()["result"]
    assert v2["version"] == 2 and v2["status"] == "draft" and v2["previousId"] == pk
    v1 = api("GET", f"{API}{pk}").get_json()["result"]
    assert v1["status"] == "revised" and v1["total"] == "113401.51"


def test_a_draft_is_not_revised(api, world):
    pk = _created(api, world)["id"]
    assert api("POST", f"{API}{pk}/revise").status_code == 409


def test_a_status_is_not_set_by_a_free_edit(api, world):
    pk = _created(api, world)["id"]
    assert api("PUT", f"{API}{pk}", {"status": "accepted"}).status_code in (404, 405)


def test_another_clients_quote_is_404_for_a_manager_not_on_its_team(app, api, world):
    with app.app_context():
        from models import Client

        hidden = Quote.action_create(
            db.session.get(Client, world["other"]), title="Hidden", valid_until=date.today()
        )
        db.session.commit()
        pk = hidden.id
    assert api("GET", f"{API}{pk}").status_code == 404
    assert api("POST", f"{API}{pk}/send").status_code == 404
    assert api("GET", API).get_json()["count"] == 0
    assert api("POST", API, new_quote(world["other"])).status_code == 404


# ---------------------------------------------------------------- the role matrix

# role: (read, write, send)
MATRIX = {
    "Admin": (True, True, True),
    "Account Manager": (True, True, True),
    "Finance": (True, True, False),
    "Recruiter": (False, False, False),
}


@pytest.fixture
def drafted(app, world):
    """A draft quote with a line for ``world``'s client, made by the model."""
    with app.app_context():
        from models import Client

        quote = Quote.action_create(
            db.session.get(Client, world["client"]),
            title="Matrix",
            valid_until=date.today() + timedelta(days=5),
        )
        quote.add_line("contract staffing", "Contractors", 2, 100)
        db.session.commit()
        return quote.id


def _as(app, world, role):
    with app.app_context():
        user = make_user(role)
        db.session.add(ClientTeamMember(client_id=world["client"], user=user, role="recruiter"))
        db.session.commit()
        return api_for(app, user.username)


@pytest.mark.parametrize("role", MATRIX)
def test_reading_follows_the_matrix(app, world, drafted, role):
    call = _as(app, world, role)
    assert (call("GET", f"{API}{drafted}").status_code == 200) == MATRIX[role][0]


@pytest.mark.parametrize("role", MATRIX)
def test_creating_follows_the_matrix(app, world, role):
    call = _as(app, world, role)
    assert (call("POST", API, new_quote(world["client"])).status_code == 201) == MATRIX[role][1]


@pytest.mark.parametrize("role", MATRIX)
def test_sending_follows_the_matrix(app, world, drafted, role):
    call = _as(app, world, role)
    response = call("POST", f"{API}{drafted}/send")
    assert (response.status_code == 200) == MATRIX[role][2]
    if not MATRIX[role][2]:
        assert response.status_code == 403


@pytest.mark.parametrize("role", MATRIX)
def test_the_quote_pages_follow_the_matrix(app, world, drafted, role):
    from tests.conftest import login_staff

    http = app.test_client()
    with app.app_context():
        user = make_user(role)
        db.session.add(ClientTeamMember(client_id=world["client"], user=user, role="recruiter"))
        db.session.commit()
        username = user.username
    login_staff(http, username)
    page = http.get(f"/quoteview/show/{drafted}")
    assert (page.status_code == 200) == MATRIX[role][0]
    shows_send = "send-quote" in page.get_data(as_text=True)
    assert shows_send == MATRIX[role][2]
