"""Who reaches the contract pages, role by role (Contract: Admin and Account Manager write,
send and approve; Finance reads; a Recruiter and a portal user reach nothing), and the
contract templates' own pages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extensions import db
from models import ContractTemplate
from tests.admin.test_permissions import ROLES, signed_in
from tests.conftest import csrf_token
from tests.factories import ClientFactory, draft_contract

from .contract_desk import (
    desk_fixture,  # noqa: F401  (the ``desk`` fixture)
    follow,
    load,
    page,
    post,
)

READERS = {"Admin", "Account Manager", "Finance"}
WRITERS = {"Admin", "Account Manager"}
PAGES = {
    "/contractview/list/": READERS,
    "/contractview/show/{contract}": READERS,
    "/contractview/version/{contract}/1": READERS,
    "/contractview/add": WRITERS,
    "/contractview/edit/{contract}": WRITERS,
    "/contracttemplateview/list/": READERS,
    "/contracttemplateview/add": WRITERS,
}
# POST path, its form, and what the contract's status or line count is once it went through.
ACTIONS = {
    "/contractview/send/{contract}": ({}, "sent"),
    "/contractview/lines/{contract}/add": (
        {
            "service_type": "contract staffing",
            "description": "Testers",
            "quantity": "1",
            "rate": "9",
        },
        "1 line",
    ),
    "/contractview/cancel/{contract}": ({"reason": "Duplicate"}, "cancelled"),
}


@pytest.fixture
def records(app):
    with app.app_context():
        client = ClientFactory()
        contract = draft_contract(client, value=Decimal("1000"))
        return {"client": client.id, "contract": contract.id}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", PAGES)
def test_contract_pages_follow_the_matrix(app, records, role, path):
    http, _ = signed_in(app, role, records["client"])
    response = http.get(path.format(**records))
    if role in PAGES[path]:
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    elif role == "Client":
        assert response.status_code == 403
    else:
        assert response.status_code in (302, 403)
        follow_up = http.get(response.headers["Location"]) if response.status_code == 302 else None
        assert follow_up is None or "Access is Denied" in follow_up.get_data(as_text=True)


@pytest.mark.parametrize("role", ["Account Manager", "Finance", "Recruiter"])
@pytest.mark.parametrize("path", ACTIONS)
def test_only_writers_change_a_contract(app, records, role, path):
    http, _ = signed_in(app, role, records["client"])
    data, done = ACTIONS[path]
    token = csrf_token(http, "/resetmypassword/form")
    response = http.post(path.format(**records), data={**data, "csrf_token": token})
    with app.app_context():
        contract = load(records["contract"])
        state = f"{len(contract.lines)} line" if "lines" in path else contract.status
    if role in WRITERS:
        assert response.status_code == 302 and state == done
    else:
        assert response.status_code in (302, 403) and state != done


def test_the_menu_shows_contracts_to_readers_only(app, records):
    finance, _ = signed_in(app, "Finance", records["client"])
    recruiter, _ = signed_in(app, "Recruiter", records["client"])
    assert 'href="/contractview/list/"' in page(None, "/contractview/list/", http=finance)
    assert 'href="/contracttemplateview/list/"' in page(None, "/contractview/list/", http=finance)
    assert 'href="/contractview/list/"' not in recruiter.get("/").get_data(as_text=True)


def test_finance_sees_a_contract_without_its_buttons(app, records):
    finance, _ = signed_in(app, "Finance", records["client"])
    html = page(None, f"/contractview/show/{records['contract']}", http=finance)
    assert "Engineering hiring programme" in html
    for button in ('id="send-contract"', 'id="edit-contract"', 'id="add-line"'):
        assert button not in html


# ---------------------------------------------------------------- contract templates


def _template_form(**fields):
    return {
        "name": "Retained search — enterprise",
        "contract_type": "retained search",
        "tier": "enterprise",
        "term_months": "12",
        "payment_terms": "net_30",
        "replacement_guarantee_days": "180",
        "terms": "{agency} searches exclusively for {client}.",
        "active": "y",
        **fields,
    }


def test_a_template_is_added_and_edited(app, desk):
    response = post(desk, "/contracttemplateview/add", **_template_form())
    assert response.status_code == 302
    with app.app_context():
        template = db.session.scalar(db.select(ContractTemplate))
        assert (template.contract_type, template.tier, template.active) == (
            "retained search",
            "enterprise",
            True,
        )
        pk = template.id
    follow(desk, f"/contracttemplateview/edit/{pk}", **_template_form(term_months="24"))
    with app.app_context():
        assert db.session.get(ContractTemplate, pk).term_months == 24
    assert "Retained search — enterprise" in page(desk, "/contracttemplateview/list/")


def test_a_bad_template_is_refused_naming_the_rule(app, desk):
    response = post(desk, "/contracttemplateview/add", **_template_form(term_months="0"))
    html = response.get_data(as_text=True)
    assert "Term must be 1 to 120 months." in html and "Retained search — enterprise" in html
    with app.app_context():
        assert db.session.scalar(db.select(ContractTemplate)) is None


def test_a_template_is_not_deleted(app, desk):
    post(desk, "/contracttemplateview/add", **_template_form())
    with app.app_context():
        pk = db.session.scalar(db.select(ContractTemplate.id))
    assert desk["http"].get(f"/contracttemplateview/delete/{pk}").status_code == 404
