"""The team page: a client admin sees the company's contacts and sets their portal areas."""

import re

import pytest
from sqlalchemy import event, select

from extensions import db
from jobs.portal import invite_contact
from models import ClientContact, OutboxMessage, PortalInvitation
from tests.conftest import csrf_token

from .conftest import htmx_post, make_link, make_member, sign_in


@pytest.fixture
def admin_session(client, client_admin):
    """Signed in as Acme's client admin; returns the CSRF token the page carries."""
    sign_in(client, client_admin.username)
    return csrf_token(client, "/portal/team")


@pytest.fixture
def colleague(app, company):
    """An Acme contact without portal access yet."""
    with app.app_context():
        return make_link(
            company.id, first_name="Dino", last_name="Colleague", title="Plant manager"
        ).id


def areas_of(app, link_id) -> list[str]:
    with app.app_context():
        return db.session.get(ClientContact, link_id).areas


def test_team_page_is_forbidden_without_the_client_admin_area(client, member):
    sign_in(client, member.username)
    response = client.get("/portal/team")
    assert response.status_code == 403
    assert "not open to you" in response.get_data(as_text=True)


def test_team_page_lists_the_companys_contacts_with_role_access_and_areas(
    client, company, client_admin, colleague, admin_session
):
    page = client.get("/portal/team").get_data(as_text=True)
    assert company.primary_name in page and "Primary" in page
    assert "Dino Colleague" in page and "Plant manager" in page
    assert "Has access" in page and "No access" in page
    assert f'id="member-{colleague}"' in page
    checked = re.search(rf'id="member-{colleague}".*?</form>', page, re.S).group(0)
    assert "checked" not in checked


def test_ticking_an_area_over_htmx_saves_it_and_answers_with_just_that_row(
    app, client, colleague, admin_session
):
    response = htmx_post(
        client, f"/portal/team/{colleague}/areas", {"areas": ["hiring", "billing"]}, admin_session
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<form class="member" id="member-{colleague}"' in body
    assert "<html" not in body and "topbar" not in body
    assert body.count("<form") == 1
    assert areas_of(app, colleague) == ["hiring", "billing"]


def test_unticking_every_area_clears_them(app, client, colleague, admin_session):
    htmx_post(client, f"/portal/team/{colleague}/areas", {"areas": ["billing"]}, admin_session)
    htmx_post(client, f"/portal/team/{colleague}/areas", {}, admin_session)
    assert areas_of(app, colleague) == []


def test_area_form_without_htmx_saves_and_returns_to_the_team_page(
    app, client, colleague, admin_session
):
    response = client.post(
        f"/portal/team/{colleague}/areas",
        data={"areas": ["signatory"], "csrf_token": admin_session},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/portal/team"
    assert areas_of(app, colleague) == ["signatory"]


def test_client_admin_cannot_remove_their_own_client_admin_area(
    app, client, client_admin, admin_session
):
    response = htmx_post(
        client, f"/portal/team/{client_admin.link_id}/areas", {"areas": ["hiring"]}, admin_session
    )
    assert response.status_code == 422
    assert "You cannot remove your own client admin area" in response.get_data(as_text=True)
    assert "client_admin" in areas_of(app, client_admin.link_id)


def test_unknown_area_is_refused_and_nothing_changes(app, client, colleague, admin_session):
    response = htmx_post(
        client, f"/portal/team/{colleague}/areas", {"areas": ["root"]}, admin_session
    )
    assert response.status_code == 422
    assert "Unknown portal area(s): root." in response.get_data(as_text=True)
    assert areas_of(app, colleague) == []


def test_inviting_a_colleague_queues_the_welcome_email_and_marks_them_invited(
    app, client, client_admin, colleague, admin_session
):
    response = htmx_post(client, f"/portal/team/{colleague}/invite", token=admin_session)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Invited" in body and "Invitation sent to" in body
    with app.app_context():
        invitation = db.session.scalar(select(PortalInvitation))
        message = db.session.get(OutboxMessage, invitation.outbox_message_id)
        assert invitation.client_contact_id == colleague
        assert invitation.invited_by_id == client_admin.user_id
        assert message.status == "stored"  # no mail server in the tests: kept in the outbox


def test_inviting_a_contact_without_email_is_refused_in_the_row(
    app, client, company, admin_session
):
    with app.app_context():
        link_id = make_link(company.id, email=None).id
    response = htmx_post(client, f"/portal/team/{link_id}/invite", token=admin_session)
    assert response.status_code == 422
    assert "has no email address" in response.get_data(as_text=True)


def test_area_toggle_without_csrf_token_fails(app, client, colleague, admin_session):
    response = htmx_post(client, f"/portal/team/{colleague}/areas", {"areas": ["hiring"]})
    assert response.status_code == 400
    assert areas_of(app, colleague) == []


def queries_to_get(app, client, url) -> int:
    with app.app_context():
        engine = db.engine
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


@pytest.mark.parametrize("url", ["/portal/", "/portal/team"])
def test_portal_pages_run_the_same_number_of_queries_for_a_bigger_team(
    app, client, company, colleague, admin_session, url
):
    small = queries_to_get(app, client, url)
    with app.app_context():
        for n in range(4):
            make_link(company.id, first_name=f"Extra{n}")
            make_member(company.id, areas=("billing",), first_name=f"Member{n}")
        invite_contact(make_link(company.id, first_name="Invitee"), None)
    assert queries_to_get(app, client, url) == small
