"""Privacy on the contact's page: consent records, the JSON export and erasure."""

import pytest
from sqlalchemy import select

from extensions import db
from models import Activity, Client, ConsentRecord, Contact, grant_consent, has_marketing_consent
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientContactFactory, make_portal_user, make_user

EMAIL = "lorcan.vantwest@example.test"


@pytest.fixture
def person(app):
    """A client contact with a portal login and consent; returns their ids."""
    with app.app_context():
        link = ClientContactFactory(
            contact__first_name="Lorcan", contact__last_name="Vantwest", contact__email=EMAIL
        )
        make_portal_user(link)
        grant_consent(link.contact, "web form")
        db.session.commit()
        return {"contact": link.contact_id, "client": link.client_id}


def signed_in(app, role, owner_of=None):
    """A browser signed in as a new user holding ``role`` (owning client ``owner_of``)."""
    browser = app.test_client()
    with app.app_context():
        user = make_user(role)
        if owner_of:
            db.session.get(Client, owner_of).owner = user
            db.session.commit()
        username = user.username
    assert login_staff(browser, username).status_code == 302
    return browser


def run_action(browser, name, contact_id):
    token = csrf_token(browser, "/resetmypassword/form")
    return browser.post(f"/contactview/action/{name}/{contact_id}", data={"csrf_token": token})


def test_the_contact_page_offers_export_erase_and_consent(app, person):
    browser = signed_in(app, "Account Manager", owner_of=person["client"])
    page = browser.get(f"/contactview/show/{person['contact']}").get_data(as_text=True)
    assert "Export data (JSON)" in page and "Erase personal data" in page
    assert "cannot be undone" in page  # the erase button asks first
    assert "Consent" in page and "marketing email" in page


def test_the_export_downloads_as_a_json_attachment(app, person):
    browser = signed_in(app, "Account Manager", owner_of=person["client"])
    response = run_action(browser, "export_data", person["contact"])
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=contact-{person['contact']}.json"
    )
    data = response.get_json(force=True)
    assert data["contact"]["email"] == EMAIL and data["portal_account"]["username"] == EMAIL
    body = response.get_data(as_text=True)
    assert "password" not in body and "pbkdf2" not in body and "scrypt" not in body
    with app.app_context():
        logged = db.session.scalar(select(Activity.summary).where(Activity.kind == "contact"))
        assert logged == f"Personal data of contact #{person['contact']} exported"


def test_an_account_manager_erases_a_contact_and_the_client_page_still_loads(app, person):
    browser = signed_in(app, "Account Manager", owner_of=person["client"])
    response = run_action(browser, "erase_data", person["contact"])
    assert response.status_code == 302
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert f"The personal data of contact #{person['contact']} was erased." in page
    assert EMAIL not in page and "Lorcan" not in page
    client_page = browser.get(f"/clientview/show/{person['client']}")
    assert client_page.status_code == 200
    assert f"Erased contact #{person['contact']}" in client_page.get_data(as_text=True)


def test_erasing_twice_says_there_is_nothing_left_to_erase(app, person):
    browser = signed_in(app, "Admin")
    run_action(browser, "erase_data", person["contact"])
    response = run_action(browser, "erase_data", person["contact"])
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "there is nothing left to erase" in page


@pytest.mark.parametrize("name", ["export_data", "erase_data"])
def test_an_account_manager_of_other_clients_neither_sees_nor_exports_nor_erases(app, person, name):
    browser = signed_in(app, "Account Manager")  # owns nothing: the contact is not theirs
    assert browser.get(f"/contactview/show/{person['contact']}").status_code == 404
    assert run_action(browser, name, person["contact"]).status_code == 404
    with app.app_context():
        contact = db.session.get(Contact, person["contact"])
        assert contact.email == EMAIL and contact.erased_at is None


@pytest.mark.parametrize("role", ["Recruiter", "Finance"])
@pytest.mark.parametrize("name", ["export_data", "erase_data"])
def test_roles_without_the_privacy_permission_neither_export_nor_erase(app, person, role, name):
    browser = signed_in(app, role)
    response = run_action(browser, name, person["contact"])
    assert response.status_code == 302  # FAB flashes the refusal and sends them back
    assert "Access is Denied" in browser.get("/contactview/list/").get_data(as_text=True)
    with app.app_context():
        contact = db.session.get(Contact, person["contact"])
        assert contact.email == EMAIL and contact.erased_at is None


def test_an_unknown_contact_is_not_found(app, person):
    browser = signed_in(app, "Admin")
    assert run_action(browser, "export_data", 999999).status_code == 404


def test_staff_record_a_withdrawal_from_the_contact_page(app, person):
    browser = signed_in(app, "Account Manager", owner_of=person["client"])
    token = csrf_token(browser, "/consentrecordview/add")
    response = browser.post(
        "/consentrecordview/add",
        data={
            "contact": person["contact"],
            "purpose": "marketing email",
            "granted": "withdrawn",
            "source": "phone",
            "note": "Called on Monday",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        latest = db.session.scalars(select(ConsentRecord).order_by(ConsentRecord.id)).all()[-1]
        assert (latest.granted, latest.source, latest.note) == (False, "phone", "Called on Monday")
        assert latest.recorded_by is not None and latest.at is not None
        assert not has_marketing_consent(db.session.get(Contact, person["contact"]))


def test_a_bad_consent_source_re_renders_the_form_with_a_message(app, person):
    browser = signed_in(app, "Account Manager", owner_of=person["client"])
    token = csrf_token(browser, "/consentrecordview/add")
    response = browser.post(
        "/consentrecordview/add",
        data={
            "contact": person["contact"],
            "purpose": "marketing email",
            "granted": "granted",
            "source": "carrier pigeon",
            "note": "Keep me",
            "csrf_token": token,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Keep me" in page
    assert "Not a valid choice" in page


def test_consent_records_cannot_be_edited_or_deleted(app, person):
    browser = signed_in(app, "Admin")
    with app.app_context():
        record_id = db.session.scalar(select(ConsentRecord.id))
    assert browser.get(f"/consentrecordview/edit/{record_id}").status_code == 404
    assert browser.post(f"/consentrecordview/delete/{record_id}").status_code in (400, 404, 405)
