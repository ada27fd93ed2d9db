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
    Contract,
    ContractApproval,
    ContractTemplate,
    ContractVersion,
    EmailTemplate,
    Evaluation,
    Industry,
    JobOrder,
    Location,
    Offer,
    OfferRound,
    Project,
    Quote,
    Tag,
    visible_client_ids,
)
from models.access import ROLE_CLIENT, STAFF_ROLES, is_portal_user
from models.contracts import CONTRACT_TYPES, approval_threshold, renewal_notices_due
from models.template_library import BUILTIN_TEMPLATES

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
    Quote,
    ContractTemplate,
    Contract,
    ContractVersion,
    ContractApproval,
    Offer,
    OfferRound,
    EmailTemplate,
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


def test_demo_loads_the_builtin_email_templates(demo):
    keys = set(db.session.scalars(select(EmailTemplate.key).where(EmailTemplate.builtin)))
    assert keys == {t["key"] for t in BUILTIN_TEMPLATES}
    assert any(line.startswith("Demo agency") and "email templates" in line for line in demo)


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


def test_demo_has_a_contract_template_for_each_type(demo):
    templates = db.session.scalars(select(ContractTemplate)).all()
    assert sorted(t.contract_type for t in templates) == sorted(CONTRACT_TYPES)
    for template in templates:
        assert template.violations() == [], template.name
        assert "{client}" in template.terms and "{agency}" in template.terms, template.name


def test_demo_has_a_contract_converted_from_a_quote_accepted_in_the_portal(demo):
    [contract] = db.session.scalars(select(Contract).where(Contract.quote_id.is_not(None))).all()
    quote = contract.quote
    assert quote.status == "accepted" and quote.contract is contract
    assert quote.accepted_by is not None and quote.accepted_name
    assert [line.as_dict() for line in contract.lines] == [line.as_dict() for line in quote.lines]
    assert contract.versions[0].lines == contract.snapshot()["lines"]
    assert contract.value == quote.total and contract.status == "draft"


def test_demo_has_a_signed_contract_renewing_within_the_notice_window(demo):
    [contract] = renewal_notices_due(days=current_app.config["CONTRACT_RENEWAL_NOTICE_DAYS"])
    assert contract.status == "active" and contract.signed_name and contract.auto_renew
    assert contract.template.contract_type == contract.contract_type == "master service agreement"
    assert "{client}" not in contract.terms and contract.client.name in contract.terms
    assert [a.level for a in contract.approvals] == [1, 2]


def test_demo_has_a_contract_waiting_for_its_second_approval(demo):
    [contract] = db.session.scalars(select(Contract).where(Contract.status == "in_approval")).all()
    assert contract.value > approval_threshold()
    assert [a.level for a in contract.approvals] == [1] and contract.next_approval_level == 2
    assert contract.violations() == []


def test_demo_offers_have_negotiation_rounds_in_order(demo):
    offers = db.session.scalars(select(Offer).order_by(Offer.id)).all()
    assert sorted(len(offer.rounds) for offer in offers) == [2, 3]
    for offer in offers:
        assert [r.number for r in offer.rounds] == list(range(1, len(offer.rounds) + 1))
        assert [r.at for r in offer.rounds] == sorted(r.at for r in offer.rounds)
        assert offer.rounds[0].proposed_by == "agency"
    assert {r.proposed_by for offer in offers for r in offer.rounds} == {
        "agency",
        "client",
        "candidate",
    }
    [extended] = [offer for offer in offers if offer.status == "extended"]
    assert not extended.needs_approval and extended.expires_on > extended.rounds[-1].at.date()
    # Its history holds a counter-offer above the job order's budget.
    assert any(r.base_salary > extended.budget for r in extended.rounds)
