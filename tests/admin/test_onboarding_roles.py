"""The Onboarding resource, role by role: Admin and Account Manager manage (templates, plans,
the API's writes), Recruiter reads, Finance and portal users reach none of it."""

from __future__ import annotations

import pytest

from tests.admin.test_permissions import ROLES, api_token, signed_in, staff_on_team
from tests.factories import ClientFactory

MANAGE = {"Admin", "Account Manager"}
READ = MANAGE | {"Recruiter"}

PAGES = {
    "/onboardingtemplateview/list/": READ,
    "/onboardingtemplateview/add": MANAGE,
}
API_CALLS = {
    ("GET", "/api/v1/onboarding-plans/"): READ,
    ("POST", "/api/v1/clients/{client}/onboard"): MANAGE,
}


@pytest.fixture
def records(app):
    with app.app_context():
        return {"client": ClientFactory().id}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_onboarding_pages_follow_the_matrix(app, records, role, page):
    client, _ = signed_in(app, role, records["client"])
    response = client.get(page)
    if role in PAGES[page]:
        assert response.status_code == 200
    else:
        assert response.status_code in (302, 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("call", API_CALLS)
def test_the_onboarding_api_follows_the_matrix(app, records, role, call):
    method, path = call
    with app.app_context():
        username = staff_on_team(role, records["client"]).username
    response = app.test_client().open(
        path.format(**records),
        method=method,
        headers={"Authorization": f"Bearer {api_token(app, username)}"},
    )
    if role in API_CALLS[call]:
        assert response.status_code in (200, 201), response.get_json()
    else:
        assert response.status_code == 403, response.get_json()
