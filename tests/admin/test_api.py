"""The REST API: CRUD on clients and contacts, rules answered as 4xx JSON naming the field."""

import pytest

from extensions import db
from models import Client
from tests.conftest import PASSWORD
from tests.factories import ClientFactory, make_user


@pytest.fixture
def api(app):
    """API calls as an Admin, who sees every client (visibility has its own tests)."""
    with app.app_context():
        username = make_user("Admin").username
    token = (
        app.test_client()
        .post(
            "/api/v1/security/login",
            json={"username": username, "password": PASSWORD, "provider": "db"},
        )
        .get_json()["access_token"]
    )
    http = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def call(method, path, json=None):
        return http.open(path, method=method, json=json, headers=headers)

    return call


NEW = {"name": "Globex Recruitment Ltd", "short_name": "GLOBEX", "location": "Local"}


def test_create_read_update_a_client(api, app):
    created = api("POST", "/api/v1/client/", NEW)
    assert created.status_code == 201
    pk = created.get_json()["id"]
    assert api("GET", f"/api/v1/client/{pk}").get_json()["result"]["short_name"] == "GLOBEX"
    updated = api("PUT", f"/api/v1/client/{pk}", {"status": "active"})
    assert updated.status_code == 200
    listed = api("GET", "/api/v1/client/").get_json()
    assert listed["count"] == 1 and listed["result"][0]["status"] == "active"


@pytest.mark.parametrize(
    "values, field",
    [
        ({**NEW, "short_name": "G"}, "short_name"),
        ({**NEW, "location": "Mars"}, "location"),
        ({**NEW, "payment_term_label": "Custom", "payment_term_days": 30}, "payment_term_days"),
        ({**NEW, "new_business_year": 2010}, "new_business_year"),
        ({**NEW, "currency": "ABC"}, "currency"),
    ],
)
def test_a_broken_rule_is_a_422_naming_the_field(api, values, field):
    response = api("POST", "/api/v1/client/", values)
    assert response.status_code == 422
    assert field in response.get_json()["message"]


def test_a_duplicate_name_is_a_422_naming_the_field(api, app):
    with app.app_context():
        ClientFactory(name=NEW["name"])
    response = api("POST", "/api/v1/client/", {**NEW, "short_name": "OTHER"})
    assert response.status_code == 422
    assert "already used" in response.get_json()["message"]["name"][0]


def test_a_missing_required_field_is_a_4xx_naming_it(api):
    response = api("POST", "/api/v1/client/", {"name": "No Location Ltd", "short_name": "NOLOC"})
    assert 400 <= response.status_code < 500
    assert "location" in response.get_json()["message"]


def test_a_broken_update_leaves_the_saved_client_alone(api, app):
    with app.app_context():
        pk = ClientFactory(short_name="KEEP").id
    response = api("PUT", f"/api/v1/client/{pk}", {"short_name": "K"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Client, pk).short_name == "KEEP"


def test_archive_and_restore_through_the_api(api, app):
    with app.app_context():
        pk = ClientFactory().id
    assert api("POST", f"/api/v1/client/{pk}/archive").get_json()["result"]["archived"] is True
    again = api("POST", f"/api/v1/client/{pk}/archive")
    assert again.status_code == 422 and "archived" in again.get_json()["message"]
    assert api("POST", f"/api/v1/client/{pk}/restore").get_json()["result"]["archived"] is False


def test_related_users_are_shown_without_their_password_hash(api, app):
    with app.app_context():
        manager = make_user("Account Manager", first_name="Rina")
        pk = ClientFactory(engagement_manager=manager, owner=manager).id
    shown = api("GET", f"/api/v1/client/{pk}")
    listed = api("GET", "/api/v1/client/")
    for response in (shown, listed):
        assert "password" not in response.get_data(as_text=True)
    assert shown.get_json()["result"]["engagement_manager"]["first_name"] == "Rina"


def test_a_client_is_assigned_an_engagement_manager_by_id(api, app):
    with app.app_context():
        manager_id = make_user("Account Manager").id
        client_role_user_id = make_user("Client").id
    created = api("POST", "/api/v1/client/", {**NEW, "engagement_manager": manager_id})
    assert created.status_code == 201
    refused = api(
        "PUT",
        f"/api/v1/client/{created.get_json()['id']}",
        {"engagement_manager": client_role_user_id},
    )
    assert refused.status_code == 422 and "engagement_manager" in refused.get_json()["message"]


def test_an_unknown_client_is_a_404(api):
    assert api("POST", "/api/v1/client/999999/archive").status_code == 404
    assert api("GET", "/api/v1/client/999999").status_code == 404


def test_contacts_crud_and_validation(api):
    created = api(
        "POST",
        "/api/v1/contact/",
        {"first_name": "Lia", "last_name": "Tan", "email": "lia@example.test"},
    )
    assert created.status_code == 201
    duplicate = api(
        "POST",
        "/api/v1/contact/",
        {"first_name": "Other", "last_name": "Tan", "email": "LIA@example.test"},
    )
    assert duplicate.status_code == 422 and "email" in duplicate.get_json()["message"]


def test_the_openapi_document_and_swagger_ui_are_served(app, api):
    spec = api("GET", "/api/v1/_openapi")
    assert spec.status_code == 200 and "/client/" in str(spec.get_json()["paths"])
    with app.app_context():
        username = make_user("Admin").username
    browser = app.test_client()
    from tests.conftest import login_staff

    login_staff(browser, username)
    assert browser.get("/swagger/v1").status_code == 200


BIG_ID = 99_999_999_999  # past the database's 32-bit integers


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/api/v1/client/{BIG_ID}"),
        ("PUT", f"/api/v1/client/{BIG_ID}"),
        ("POST", f"/api/v1/client/{BIG_ID}/archive"),
        ("GET", f"/api/v1/contact/{BIG_ID}"),
        ("GET", f"/api/v1/note/{BIG_ID}"),
    ],
)
def test_an_id_past_the_databases_integers_is_not_found_not_a_500(api, method, path):
    answer = api(method, path, json={"name": "Anything"} if method == "PUT" else None)
    assert answer.status_code == 404


def test_an_admin_page_for_an_id_past_the_databases_integers_is_not_found(app, client):
    from tests.conftest import login_staff

    with app.app_context():
        username = make_user("Admin").username
    login_staff(client, username)
    assert client.get(f"/clientview/show/{BIG_ID}").status_code == 404
