"""Saved filters: saved from the client list, shown on it as links that re-open the list."""

import re

from sqlalchemy import select

from extensions import db
from models import SavedFilter
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientFactory, make_user

QUERY = "_flt_0_country=SG&_flt_0_revenue_potential=%3E1M"


def signed_in(app, role="Recruiter"):
    browser = app.test_client()
    with app.app_context():
        user = make_user(role)
        login_staff(browser, user.username)
        return browser, user.id


def save(browser, name, query=QUERY, shared=False):
    token = csrf_token(browser, f"/clientview/list/?{query}")
    data = {"view_name": "ClientView", "name": name, "query_string": query, "csrf_token": token}
    if shared:
        data["shared"] = "y"
    return browser.post("/savedfilterview/save", data=data)


def test_a_saved_filter_round_trip(app):
    with app.app_context():
        ClientFactory(name="Big Singapore Co", country="SG", revenue_potential=">1M")
        ClientFactory(name="Small Manila Co", country="PH", revenue_potential="<50k")
    browser, user_id = signed_in(app, "Admin")
    response = save(browser, "Big in Singapore")
    assert response.status_code == 302 and response.location.endswith(f"?{QUERY}")
    with app.app_context():
        saved = db.session.scalar(select(SavedFilter))
        assert (saved.user_id, saved.view_name, saved.query_string) == (
            user_id,
            "ClientView",
            QUERY,
        )
    page = browser.get("/clientview/list/").get_data(as_text=True)
    link = re.search(r'href="([^"]+)"[^>]*>Big in Singapore</a>', page).group(1)
    filtered = browser.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Big Singapore Co" in filtered and "Small Manila Co" not in filtered


def test_the_save_control_is_on_a_filtered_client_list(app):
    browser, _ = signed_in(app)
    page = browser.get(f"/clientview/list/?{QUERY}").get_data(as_text=True)
    assert "Save this filter" in page and 'name="query_string"' in page


def test_a_blank_or_repeated_name_is_refused_with_a_message(app):
    browser, _ = signed_in(app)
    page = browser.get(save(browser, " ").location).get_data(as_text=True)
    assert "Give the filter a name." in page
    save(browser, "Mine")
    page = browser.get(save(browser, "Mine").location).get_data(as_text=True)
    assert "You already have a filter called &#39;Mine&#39; here." in page
    with app.app_context():
        assert db.session.scalars(select(SavedFilter.name)).all() == ["Mine"]


def test_only_csrf_free_list_arguments_are_kept(app):
    browser, _ = signed_in(app)
    save(browser, "Sneaky", query=f"{QUERY}&csrf_token=abc&next=http://evil.test")
    with app.app_context():
        assert db.session.scalar(select(SavedFilter.query_string)) == QUERY


def test_a_colleagues_filter_shows_only_when_shared(app):
    alice, _ = signed_in(app)
    save(alice, "Alice private")
    save(alice, "Alice shared", query="_flt_0_country=PH", shared=True)
    bob, _ = signed_in(app)
    page = bob.get("/clientview/list/").get_data(as_text=True)
    assert "Alice shared" in page and "Alice private" not in page
    listing = bob.get("/savedfilterview/list/").get_data(as_text=True)
    assert "Alice shared" not in listing  # the page of one's own filters
