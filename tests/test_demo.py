"""The demo agency of ``flask clientdesk demo`` (admin/demo.py): complete, valid, idempotent."""

from __future__ import annotations

import pytest
from flask import current_app
from flask_appbuilder.validators import default_password_complexity
from sqlalchemy import func, select

from admin.demo import load_demo
from admin.demo_data import CLIENTS, PORTAL_LOGINS, STAFF_LOGINS
from extensions import db
from models import (
    Application,
    Candidate,
    Client,
    ClientContact,
    ClientTeamMember,
    Contact,
    Evaluation,
    Industry,
    JobOrder,
    Location,
    Project,
    Tag,
    visible_client_ids,
)
from models.access import ROLE_CLIENT, STAFF_ROLES, is_portal_user

COUNTED = (
    Client,
    Contact,
    ClientContact,
    ClientTeamMember,
    Location,
    Tag,
    Industry,
    JobOrder,
    Project,
    Candidate,
    Application,
    Evaluation,
)


def _counts() -> dict[str, int]:
    sm = current_app.appbuilder.sm
    counts = {m.__name__: db.session.scalar(select(func.count(m.id))) for m in COUNTED}
    counts["User"] = db.session.scalar(select(func.count(sm.user_model.id)))
    return counts


@pytest.fixture
def demo(ctx):
    return load_demo()


def test_loading_twice_creates_nothing_new(demo):
    first = _counts()
    updated = {c.id: c.updated_at for c in db.session.scalars(select(Client))}
    db.session.remove()

    lines = load_demo()

    assert _counts() == first
    assert {c.id: c.updated_at for c in db.session.scalars(select(Client))} == updated
    assert "nothing, all there already" in lines[0]


def test_demo_has_at_least_thirty_clients(demo):
    assert db.session.scalar(select(func.count(Client.id))) == len(CLIENTS) >= 30


def test_demo_clients_cover_statuses_locations_and_industries(demo):
    clients = db.session.scalars(select(Client)).unique().all()
    assert {c.status for c in clients} == {"lead", "prospect", "active", "inactive"}
    assert {c.location for c in clients} == {"Local", "Foreign"}
    assert len({c.industry_id for c in clients}) >= 8
    assert len({c.currency for c in clients}) >= 6
    assert {c.payment_term_label for c in clients} >= {"Net", "MFI", "Immediate", "Custom"}
    assert {c.new_business_year for c in clients} >= {2015, 2025}


def test_every_demo_client_is_valid_with_contacts_and_both_locations(demo):
    for client in db.session.scalars(select(Client)).unique():
        assert client.violations() == [], client.name
        assert 1 <= len(client.contact_links) <= 3, client.name
        assert {loc.kind for loc in client.locations} == {"billing", "workplace"}, client.name


def test_every_client_has_at_most_one_primary_contact(demo):
    primaries = db.session.execute(
        select(ClientContact.client_id, func.count())
        .where(ClientContact.role == "primary")
        .group_by(ClientContact.client_id)
    ).all()
    assert all(n == 1 for _client_id, n in primaries)
    assert len(primaries) > db.session.scalar(select(func.count(Client.id))) / 2


def test_each_staff_role_has_a_demo_user(demo):
    sm = current_app.appbuilder.sm
    assert sorted(s.role for s in STAFF_LOGINS) == sorted(STAFF_ROLES)
    for login in STAFF_LOGINS:
        user = sm.auth_user_db(login.username, login.password)
        assert user is not None, login.username
        assert [r.name for r in user.roles] == [login.role]


def test_demo_staff_manage_clients(demo):
    managers = db.session.scalars(select(Client.engagement_manager_id).distinct()).all()
    owners = db.session.scalars(select(Client.owner_id).distinct()).all()
    assert len({m for m in managers if m}) >= 2
    assert len({o for o in owners if o}) >= 2


def test_the_demo_recruiter_sees_the_active_clients_and_only_those(demo):
    recruiter = current_app.appbuilder.sm.find_user(username="recruiter")
    seen = set(db.session.scalars(visible_client_ids(recruiter)))
    active = set(db.session.scalars(select(Client.id).where(Client.status == "active")))
    assert seen == active and active


def test_two_portal_users_at_two_different_clients(demo):
    sm = current_app.appbuilder.sm
    clients = set()
    for login in PORTAL_LOGINS:
        user = sm.auth_user_db(login.username, login.password)
        assert is_portal_user(user) and [r.name for r in user.roles] == [ROLE_CLIENT]
        link = db.session.scalar(
            select(ClientContact).join(ClientContact.contact).where(Contact.user_id == user.id)
        )
        assert link.portal_enabled
        assert link.areas == list(login.areas)
        clients.add(link.client_id)
    assert len(clients) == 2


def test_one_portal_user_is_client_admin_and_one_hiring_only():
    assert {tuple(p.areas) for p in PORTAL_LOGINS} == {
        ("hiring", "billing", "signatory", "client_admin"),
        ("hiring",),
    }


@pytest.mark.parametrize(
    "password", [s.password for s in STAFF_LOGINS] + [p.password for p in PORTAL_LOGINS]
)
def test_demo_passwords_meet_the_complexity_rule(password):
    default_password_complexity(password)  # raises when too weak


def test_demo_recruiting_covers_the_workflow_and_the_pipeline(demo):
    statuses = set(db.session.scalars(select(JobOrder.status)))
    stages = set(db.session.scalars(select(Application.stage)))
    assert {"draft", "submitted", "open", "filled"} <= statuses
    assert {"sourced", "screened", "submitted", "client_interview", "offer", "placed"} <= stages
    # The portal logins' clients have open jobs with presented candidates to evaluate.
    for login in PORTAL_LOGINS:
        client = db.session.scalar(select(Client).where(Client.short_name == login.client))
        presented = db.session.scalar(
            select(func.count(Application.id)).where(
                Application.client_id == client.id, Application.presented_at.is_not(None)
            )
        )
        assert presented >= 2
