"""Portal isolation: another client's records answer 404 and leave no trace in the page.

Every portal URL that takes a record id is listed in ``ID_PATHS`` (the hiring ones in
``test_hiring_isolation.HIRING_ID_PATHS``, the quote ones in ``test_quotes.QUOTE_ID_PATHS``,
the billing ones in ``test_billing.BILLING_ID_PATHS``, the conversation ones in
``test_conversations.CONVERSATION_ID_PATHS`` and the survey ones in
``test_surveys.SURVEY_ID_PATHS`` and the onboarding ones in
``test_onboarding.ONBOARDING_ID_PATHS`` and the ticket ones in
``test_tickets.TICKET_ID_PATHS``, probed there with their own records);
a guard test fails when a new one is added to the blueprint without being added to one of them.
"""

import re

import pytest
from sqlalchemy import select

from extensions import db
from models import ClientContact, PortalInvitation
from tests.conftest import csrf_token

from .conftest import htmx_post, make_member, sign_in
from .test_billing import BILLING_ID_PATHS
from .test_conversations import CONVERSATION_ID_PATHS
from .test_hiring_isolation import HIRING_ID_PATHS
from .test_onboarding import ONBOARDING_ID_PATHS
from .test_quotes import QUOTE_ID_PATHS
from .test_surveys import SURVEY_ID_PATHS
from .test_tickets import TICKET_ID_PATHS

# (method, path with {placeholders}, form data): every portal path that takes an id.
ID_PATHS = [
    ("POST", "/portal/team/{link_id}/areas", {"areas": ["hiring", "billing", "client_admin"]}),
    ("POST", "/portal/team/{link_id}/invite", {}),
]
# Paths whose argument is not a record of a client: the invitation token is the credential.
NOT_CLIENT_RECORDS = {
    "/portal/invitation/{token}",
    "/portal/review/{token}",
    # Mail tracking: the token names one outgoing message and shows nothing of it.
    "/portal/t/{token}/o.gif",
    "/portal/t/{token}/c",
    "/portal/survey/{token}",
}


def test_every_portal_path_with_an_id_is_covered_by_the_isolation_test(app):
    portal_paths = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("portal.") and rule.arguments
    }
    covered = {
        path
        for _method, path, _data in ID_PATHS
        + HIRING_ID_PATHS
        + QUOTE_ID_PATHS
        + BILLING_ID_PATHS
        + CONVERSATION_ID_PATHS
        + SURVEY_ID_PATHS
        + ONBOARDING_ID_PATHS
        + TICKET_ID_PATHS
    }
    assert portal_paths - NOT_CLIENT_RECORDS == covered


@pytest.fixture
def zenith_member(app, other_company):
    """A Zenith contact with a portal login: the record Acme's admin must not reach."""
    with app.app_context():
        return make_member(other_company.id, areas=(), first_name="Zoe", last_name="Zenithian")


@pytest.mark.parametrize(("method", "path", "data"), ID_PATHS)
def test_another_clients_id_answers_404_and_shows_nothing_of_it(
    app, client, company, client_admin, other_company, zenith_member, method, path, data
):
    sign_in(client, client_admin.username)
    token = csrf_token(client, "/portal/")
    url = path.format(link_id=zenith_member.link_id)
    for response in (
        client.open(url, method=method, data={**data, "csrf_token": token}),
        htmx_post(client, url, data, token),
    ):
        body = response.get_data(as_text=True)
        assert response.status_code == 404
        for secret in (
            other_company.name,
            zenith_member.name,
            zenith_member.email,
            other_company.manager_name,
            other_company.primary_name,
        ):
            assert secret not in body
    with app.app_context():
        assert db.session.get(ClientContact, zenith_member.link_id).areas == []
        assert db.session.scalar(select(PortalInvitation)) is None


@pytest.mark.parametrize(("method", "path", "data"), ID_PATHS)
def test_a_missing_id_answers_like_another_clients(client, client_admin, method, path, data):
    sign_in(client, client_admin.username)
    token = csrf_token(client, "/portal/")
    response = client.open(
        path.format(link_id=999999), method=method, data={**data, "csrf_token": token}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("url", ["/portal/", "/portal/team"])
def test_portal_pages_show_nothing_of_another_client(
    client, company, client_admin, other_company, zenith_member, url
):
    sign_in(client, client_admin.username)
    body = client.get(url).get_data(as_text=True)
    assert company.name in body
    for secret in (
        other_company.name,
        zenith_member.name,
        other_company.manager_name,
        other_company.primary_name,
    ):
        assert secret not in body
