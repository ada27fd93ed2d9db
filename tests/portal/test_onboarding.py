"""The portal's Onboarding page and dashboard card: the progress over the client-visible steps,
moving as staff complete steps (the acceptance test drives both sides); another client's plan
is a 404 and nothing of it shows."""

from __future__ import annotations

import re

import pytest

from extensions import db
from models import Client, OnboardingPlan
from tests.conftest import csrf_token, login_staff
from tests.factories import make_user

from .conftest import sign_in

# Every portal path of this module that takes an id (tests/portal/test_isolation.py checks).
ONBOARDING_ID_PATHS = [("GET", "/portal/onboarding/{plan_id}", {})]


def portal_progress(html: str, element: str = "onboarding-progress") -> int:
    return int(re.search(rf'id="{element}" data-progress="(\d+)"', html).group(1))


def admin_progress(html: str) -> int:
    return int(re.search(r'id="onboarding-progress" data-progress="(\d+)"', html).group(1))


def onboard(app, company_id: int) -> int:
    """The company's plan from the default template; its id."""
    with app.app_context():
        plan = OnboardingPlan.start(db.session.get(Client, company_id))
        db.session.commit()
        return plan.id


def test_onboarding_a_client_creates_its_plan_and_completing_steps_moves_the_progress_shown_in_the_admin_and_the_portal(  # noqa: E501
    app, client, company, member
):
    staff = app.test_client()
    with app.app_context():
        username = make_user("Admin").username
    login_staff(staff, username)
    show = f"/clientview/show/{company.id}"
    token = csrf_token(staff, show)
    assert staff.post(f"/onboarding/client/{company.id}/onboard", data={"csrf_token": token})
    with app.app_context():
        plan = OnboardingPlan.active_for(db.session, company.id)
        steps = [(s.id, s.client_visible) for s in plan.steps]
    sign_in(client, member.username)
    assert admin_progress(staff.get(show).get_data(as_text=True)) == 0
    assert portal_progress(client.get("/portal/onboarding").get_data(as_text=True)) == 0

    # the first step (lead capture) is internal, the next two are shown to the client
    for step_id, _visible in steps[:3]:
        staff.post(f"/onboarding/step/{step_id}/complete", data={"csrf_token": token})
    admin = staff.get(show).get_data(as_text=True)
    assert admin_progress(admin) == 30  # 3 of 10 steps
    page = client.get("/portal/onboarding").get_data(as_text=True)
    assert portal_progress(page) == 22  # 2 of the 9 client-visible steps
    assert "Lead capture and qualification" not in page  # internal step
    assert "Discovery meeting" in page and "Go-live" in page
    dashboard = client.get("/portal/").get_data(as_text=True)
    assert portal_progress(dashboard, "onboarding-card-progress") == 22
    assert "Next: Implementation planning" in dashboard

    for step_id, _visible in steps[3:]:
        staff.post(f"/onboarding/step/{step_id}/complete", data={"csrf_token": token})
    assert admin_progress(staff.get(show).get_data(as_text=True)) == 100
    page = client.get("/portal/onboarding").get_data(as_text=True)
    assert portal_progress(page) == 100 and "Completed" in page


def test_without_a_plan_the_page_says_so_and_the_dashboard_has_no_card(client, company, member):
    sign_in(client, member.username)
    assert 'id="onboarding-none"' in client.get("/portal/onboarding").get_data(as_text=True)
    assert 'id="onboarding-card"' not in client.get("/portal/").get_data(as_text=True)


@pytest.mark.parametrize(("method", "path", "data"), ONBOARDING_ID_PATHS)
def test_another_clients_plan_is_a_404_and_shows_nowhere(
    app, client, company, other_company, member, method, path, data
):
    other_plan = onboard(app, other_company.id)
    own_plan = onboard(app, company.id)
    sign_in(client, member.username)
    for plan_id in (other_plan, 999999):
        answer = client.open(path.format(plan_id=plan_id), method=method, data=data)
        assert answer.status_code == 404
        body = answer.get_data(as_text=True)
        assert other_company.name not in body and other_company.primary_name not in body
    for path in ("/portal/onboarding", "/portal/"):
        body = client.get(path).get_data(as_text=True)
        assert other_company.name not in body and f'data-plan="{other_plan}"' not in body
    mine = client.get(f"/portal/onboarding/{own_plan}")
    assert mine.status_code == 200 and company.name in mine.get_data(as_text=True)


def test_the_page_needs_a_sign_in(client):
    answer = client.get("/portal/onboarding")
    assert answer.status_code == 302 and "/portal/login" in answer.headers["Location"]
