"""Service desk settings: SLA policies and escalation levels, the Admin's alone. The models'
rules show beside the field they name, and a saved policy sets the deadlines of new tickets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from jobs.tickets import raise_ticket
from models import EscalationLevel, SlaPolicy
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientFactory, make_user

SLA_ADD = "/slapolicyview/add"
LEVEL_ADD = "/escalationlevelview/add"


def signed_in(app, role):
    browser = app.test_client()
    with app.app_context():
        username = make_user(role).username
    assert login_staff(browser, username).status_code == 302
    return browser


@pytest.fixture
def admin(app):
    return signed_in(app, "Admin")


def add(browser, url, **values):
    return browser.post(url, data={"csrf_token": csrf_token(browser, url), **values})


def test_an_sla_policy_with_fewer_resolution_than_response_hours_is_named(app, admin):
    response = add(admin, SLA_ADD, priority="high", response_hours="24", resolution_hours="8")
    page = response.get_data(as_text=True)
    assert "Resolution hours cannot be fewer than response hours." in page
    assert 'value="24"' in page and 'value="8"' in page  # the typed values are kept
    zero = add(admin, SLA_ADD, priority="high", response_hours="0", resolution_hours="8")
    assert "Response hours must be a whole number above 0." in zero.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(SlaPolicy)).all() == []


def test_a_saved_policy_counts_new_tickets_in_business_hours(app, admin):
    response = add(
        admin,
        SLA_ADD,
        priority="high",
        response_hours="8",
        resolution_hours="16",
        business_hours="y",
    )
    assert response.status_code == 302
    with app.app_context():
        policy = db.session.scalars(select(SlaPolicy)).one()
        assert (policy.priority, policy.response_hours, policy.business_hours) == ("high", 8, True)
        from datetime import UTC, datetime

        monday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
        ticket = raise_ticket(
            ClientFactory(), "Help", by=make_user("Admin"), priority="high", at=monday
        )
        assert ticket.business_hours
        assert ticket.response_due_at == monday + timedelta(hours=8)  # 17:00 the same day
        assert ticket.resolution_due_at == monday + timedelta(days=1, hours=8)


def test_an_escalation_level_outside_1_to_3_is_named(app, admin):
    response = add(admin, LEVEL_ADD, level="4", title="Board", response_hours="2")
    assert "Level must be 1, 2 or 3." in response.get_data(as_text=True)
    blank = add(admin, LEVEL_ADD, level="2", title=" ", response_hours="-1")
    page = blank.get_data(as_text=True)
    assert "Response hours must be a whole number above 0." in page
    saved = add(admin, LEVEL_ADD, level="2", title="Operations Manager", response_hours="6")
    assert saved.status_code == 302
    with app.app_context():
        level = db.session.scalars(select(EscalationLevel)).one()
        assert (level.level, level.title, level.response_hours) == (2, "Operations Manager", 6)


@pytest.mark.parametrize("role", ["Account Manager", "Recruiter", "Finance"])
def test_only_the_admin_reaches_the_service_desk_settings(app, role):
    browser = signed_in(app, role)
    assert browser.get("/slapolicyview/list/").status_code == 403
    assert browser.get("/escalationlevelview/list/").status_code == 403
    assert browser.get("/tickets/list/").status_code == 200


@pytest.mark.parametrize(
    ("role", "log_menu"),
    [("Account Manager", True), ("Recruiter", False), ("Finance", False)],
)
def test_the_service_desk_menu_offers_log_a_ticket_to_those_who_may_log(app, role, log_menu):
    page = signed_in(app, role).get("/tickets/list/").get_data(as_text=True)
    assert "Service desk" in page and "Tickets" in page
    assert ("/tickets/log" in page) is log_menu
    assert "SLA policies" not in page and "Escalation levels" not in page


def test_the_admin_sees_the_settings_in_the_service_desk_menu(app, admin):
    page = admin.get("/tickets/list/").get_data(as_text=True)
    assert "/tickets/log" in page and "SLA policies" in page and "Escalation levels" in page


def test_a_second_row_for_the_same_priority_or_level_is_refused_beside_its_field(app, admin):
    first = add(admin, SLA_ADD, priority="low", response_hours="72", resolution_hours="240")
    assert first.status_code == 302
    again = add(admin, SLA_ADD, priority="low", response_hours="10", resolution_hours="20")
    assert again.status_code == 200
    assert "Priority low has a policy already: edit that one." in again.get_data(as_text=True)
    with app.app_context():
        policy = db.session.scalars(select(SlaPolicy)).one()
        assert policy.response_hours == 72
        policy_id = policy.id
    edit = f"/slapolicyview/edit/{policy_id}"
    saved = admin.post(
        edit,
        data={
            "csrf_token": csrf_token(admin, edit),
            "priority": "low",
            "response_hours": "60",
            "resolution_hours": "200",
        },
    )
    assert saved.status_code == 302  # its own priority is no clash
    assert add(admin, LEVEL_ADD, level="1", title="AM", response_hours="24").status_code == 302
    level = add(admin, LEVEL_ADD, level="1", title="Other", response_hours="5")
    assert "Level 1 is set already: edit that one." in level.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(SlaPolicy, policy_id).response_hours == 60
        assert db.session.scalars(select(EscalationLevel.title)).all() == ["AM"]
