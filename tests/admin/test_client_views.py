"""The client screens of the admin: a broken rule re-renders the form with the user's values."""

import pytest
from sqlalchemy import select

from extensions import db
from models import Client
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientFactory, IndustryFactory, make_user


@pytest.fixture
def manager(app, client):
    """Signed in as an Admin, who sees every client (visibility has its own tests)."""
    with app.app_context():
        user = make_user("Admin")
        login_staff(client, user.username)
        return user.id


def form(**overrides):
    values = {
        "name": "Northwind Health Partners",
        "short_name": "NWH",
        "status": "prospect",
        "location": "Foreign",
        "currency": "SGD",
        "payment_term_label": "Net",
        "payment_term_days": "45",
        "new_business_year": "2024",
        "email": "hello@northwind.example",
    }
    values.update(overrides)
    return values


def post(client, url, values):
    values = {**values, "csrf_token": csrf_token(client, url)}
    return client.post(url, data=values)


def test_a_valid_client_is_created(app, client, manager):
    response = post(client, "/clientview/add", form())
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.scalar(select(Client).where(Client.short_name == "NWH"))
        assert saved.location == "Foreign" and saved.payment_term_days == 45


def test_a_one_letter_short_name_is_shown_on_the_form_with_the_values_kept(app, client, manager):
    response = post(client, "/clientview/add", form(short_name="X"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Short name must be 2 to 191 characters long" in page
    assert 'value="Northwind Health Partners"' in page
    assert 'value="hello@northwind.example"' in page
    assert 'value="45"' in page
    with app.app_context():
        assert db.session.scalar(select(Client)) is None


def test_payment_days_with_immediate_terms_are_refused_on_the_form(app, client, manager):
    response = post(client, "/clientview/add", form(payment_term_label="Immediate"))
    assert "allowed only with the Net or MFI" in response.get_data(as_text=True)


def test_a_missing_location_names_the_field(app, client, manager):
    response = post(client, "/clientview/add", form(location=""))
    assert "Location is required" in response.get_data(as_text=True)


def test_a_broken_edit_keeps_the_saved_record_unchanged(app, client, manager):
    with app.app_context():
        existing = ClientFactory(name="Saved Name Ltd", short_name="SAVED")
        ClientFactory(name="Taken Name Ltd", short_name="TAKEN")
        pk = existing.id
    url = f"/clientview/edit/{pk}"
    response = post(client, url, form(name="Taken Name Ltd", short_name="SAVED"))
    page = response.get_data(as_text=True)
    assert "already used by another client" in page
    assert 'value="Taken Name Ltd"' in page  # the user's value, kept on the form
    with app.app_context():
        assert db.session.get(Client, pk).name == "Saved Name Ltd"


def test_an_edit_may_keep_its_own_name(app, client, manager):
    with app.app_context():
        pk = ClientFactory(name="Saved Name Ltd", short_name="SAVED").id
    response = post(
        client, f"/clientview/edit/{pk}", form(name="Saved Name Ltd", short_name="SAVED")
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Client, pk).currency == "SGD"


def test_archive_and_restore_from_the_admin(app, client, manager):
    with app.app_context():
        pk = ClientFactory(name="Archivable Co").id
    token = csrf_token(client, "/clientview/list/")
    client.post(
        "/clientview/action_post", data={"action": "archive", "rowid": [pk], "csrf_token": token}
    )
    with app.app_context():
        assert db.session.get(Client, pk).archived
    assert "Archivable Co" in client.get("/archivedclientview/list/").get_data(as_text=True)
    token = csrf_token(client, "/archivedclientview/list/")
    client.post(
        "/archivedclientview/action_post",
        data={"action": "restore", "rowid": [pk], "csrf_token": token},
    )
    with app.app_context():
        assert not db.session.get(Client, pk).archived


def test_the_client_list_filters_by_industry(app, client, manager):
    with app.app_context():
        health = IndustryFactory(name="Healthcare")
        ClientFactory(name="Clinic One", industry=health)
        ClientFactory(name="Factory Two")
        health_id = health.id
    page = client.get(f"/clientview/list/?_flt_0_industry={health_id}").get_data(as_text=True)
    assert "Clinic One" in page and "Factory Two" not in page


def test_the_client_page_shows_its_contacts_and_locations(app, client, manager):
    from tests.factories import ClientContactFactory, LocationFactory

    with app.app_context():
        link = ClientContactFactory(role="primary")
        LocationFactory(client=link.client, city="Cebu City")
        pk, email = link.client_id, link.contact.email
    page = client.get(f"/clientview/show/{pk}").get_data(as_text=True)
    assert email in page and "Cebu City" in page


def test_the_home_page_counts_live_clients_by_status(app, client, manager):
    with app.app_context():
        ClientFactory(status="active")
        ClientFactory(status="active")
        archived = ClientFactory(status="lead")
        archived.action_archive()
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Good to see you" in page
    with app.app_context():
        assert Client.count_by_status() == {
            "lead": 0,
            "prospect": 0,
            "active": 2,
            "inactive": 0,
            "churned": 0,
        }


def test_the_home_page_sends_anonymous_visitors_to_the_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
