"""The dashboard: the company, its people at the agency and the contact's own areas."""

import pytest

from tests.conftest import csrf_token

from .conftest import make_member, sign_in


@pytest.fixture
def page(client, company, member):
    sign_in(client, member.username)
    response = client.get("/portal/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_dashboard_shows_the_company_name_in_the_heading(page, company):
    assert f'<h1 class="pagehead__title">{company.name}</h1>' in page


def test_dashboard_shows_status_location_and_industry(page):
    assert "Active" in page
    assert "Foreign" in page
    assert "Acme Industry" in page


def test_dashboard_shows_the_primary_contact(page, company):
    assert company.primary_name in page
    assert "Head of People" in page
    assert company.primary_email in page
    assert "+63 2 8123 4567" in page


def test_dashboard_shows_the_account_manager(page, company):
    assert company.manager_name in page
    assert company.manager_email in page


def test_dashboard_header_names_the_signed_in_person(page, member):
    assert member.name in page
    assert "Sign out" in page


def test_dashboard_lists_the_contacts_own_areas(page):
    assert "Projects, candidates, evaluations" in page
    assert "Invoices and payments" not in page


@pytest.mark.parametrize(
    ("area", "card"),
    [("hiring", "Projects"), ("billing", "Invoices"), ("signatory", "Quotes")],
)
def test_area_cards_show_only_to_people_with_that_area(app, client, company, area, card):
    with app.app_context():
        with_area = make_member(company.id, areas=(area,), first_name="With")
        without = make_member(company.id, areas=(), first_name="Without")
    sign_in(client, with_area.username)
    assert f">{card}</h2>" in client.get("/portal/").get_data(as_text=True)
    client.post("/portal/logout", data={"csrf_token": csrf_token(client, "/portal/")})
    sign_in(client, without.username)
    assert f">{card}</h2>" not in client.get("/portal/").get_data(as_text=True)


def test_dashboard_loads_htmx_and_sends_the_csrf_token_on_every_htmx_request(page):
    assert '<script src="/static/htmx.min.js"' in page
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
