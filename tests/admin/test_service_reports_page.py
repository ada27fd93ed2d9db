"""Reports › Service reports and its API: the page renders every table with the period and
client filters (presets included), each table downloads as CSV through the shared helper
(formula guard), bad input is named, and a recruiter sees only the clients they may see."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from extensions import db
from models import ClientTeamMember, Ticket
from models.base import utcnow
from tests.conftest import api_for, login_staff
from tests.factories import ClientFactory, make_user

PAGE = "/service-reports/"
API = "/api/v1/service-reports/"
TABLES = ("response", "response_priority", "resolution", "clients", "age", "breaches")


@pytest.fixture
def desk(app):
    """Acme (on the recruiter's team) with a critical ticket raised two days ago and never
    answered (a breach) and one answered within the hour; Hidden Corp, on nobody's team, with a
    low ticket raised five days ago and never answered (due in 72 h: a breach) whose subject
    looks like a spreadsheet formula."""
    with app.app_context():
        admin = make_user("Admin")
        recruiter = make_user("Recruiter")
        acme, hidden = ClientFactory(name="Acme"), ClientFactory(name="Hidden Corp")
        db.session.add(ClientTeamMember(client=acme, user=recruiter, role="recruiter"))
        two_days_ago = utcnow() - timedelta(days=2)
        late = Ticket.action_raise(acme, "Payroll export", priority="critical", by=admin,
                                   at=two_days_ago)  # fmt: skip
        quick = Ticket.action_raise(acme, "Add a user", priority="critical", by=admin,
                                    at=two_days_ago)  # fmt: skip
        quick.action_acknowledge(admin, at=two_days_ago + timedelta(hours=1))
        Ticket.action_raise(hidden, "=HYPERLINK(1)", priority="low", by=admin,
                            at=utcnow() - timedelta(days=5))  # fmt: skip
        db.session.commit()
        return {
            "admin": admin.username,
            "recruiter": recruiter.username,
            "acme": acme.id,
            "hidden": hidden.id,
            "late": late.reference,
            "quick": quick.reference,
        }


def browser_for(app, username):
    browser = app.test_client()
    assert login_staff(browser, username).status_code == 302
    return browser


def rows_of(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_page_shows_every_table_for_the_last_90_days(app, desk):
    page = browser_for(app, desk["admin"]).get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for table in TABLES:
        assert f'id="{table}"' in html or f'id="no-{table}"' in html, table
        assert f'id="csv-{table}"' in html
    assert desk["late"] in html and "Hidden Corp" in html  # the admin sees every client
    assert 'data-preset="last_month"' in html


def test_a_preset_a_period_and_a_client_filter(app, desk):
    browser = browser_for(app, desk["admin"])
    first = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    last_month = browser.get(f"{PAGE}?preset=last_month").get_data(as_text=True)
    assert f'id="start" name="start" value="{first.isoformat()}"' in last_month
    old = browser.get(f"{PAGE}?start=2020-01-01&end=2020-01-31").get_data(as_text=True)
    assert 'id="no-breaches"' in old and desk["late"] not in old
    acme = browser.get(f"{PAGE}?client_id={desk['acme']}").get_data(as_text=True)
    assert desk["late"] in acme and "HYPERLINK" not in acme


@pytest.mark.parametrize(
    ("query", "field"),
    [("start=2026-13-01", "start"), ("preset=forever", "preset"), ("client_id=abc", "client_id")],
)
def test_bad_filters_are_named_and_the_page_still_renders(app, desk, query, field):
    page = browser_for(app, desk["admin"]).get(f"{PAGE}?{query}")
    assert page.status_code == 400
    assert f'data-field="{field}"' in page.get_data(as_text=True)


def test_each_table_downloads_as_csv(app, desk):
    browser = browser_for(app, desk["admin"])
    for table in TABLES:
        answer = browser.get(f"{PAGE}csv/{table}")
        assert answer.status_code == 200 and answer.mimetype == "text/csv", table
        assert "attachment" in answer.headers["Content-Disposition"]
    breaches = rows_of(browser.get(f"{PAGE}csv/breaches"))
    assert breaches[0][:3] == ["Ticket", "Client", "Subject"]
    tickets = {row[0]: row for row in breaches[1:]}
    assert tickets[desk["late"]][1] == "Acme" and tickets[desk["late"]][9] == "0"
    # A subject typed as a formula is written as text.
    assert "'=HYPERLINK(1)" in [row[2] for row in breaches[1:]]
    response = rows_of(browser.get(f"{PAGE}csv/response?client_id={desk['acme']}"))
    # Acme's two critical tickets: one answered within 4 h, one never → 1 / 2 = 50.0 %.
    assert response[1] == ["Acme", "critical", "1", "1", "0", "50.0"]
    assert browser.get(f"{PAGE}csv/nothing").status_code == 404
    assert browser.get(f"{PAGE}csv/response?end=yesterday").status_code == 400


def test_a_recruiter_sees_only_the_clients_they_may_see(app, desk):
    browser = browser_for(app, desk["recruiter"])
    html = browser.get(PAGE).get_data(as_text=True)
    assert "Acme" in html and "Hidden Corp" not in html and "HYPERLINK" not in html
    csv_text = browser.get(f"{PAGE}csv/breaches").get_data(as_text=True)
    assert desk["late"] in csv_text and "Hidden" not in csv_text
    assert browser.get(f"{PAGE}csv/age?client_id={desk['hidden']}").status_code == 404


def test_portal_users_cannot_open_the_page(app, desk):
    with app.app_context():
        portal = make_user("Client").username
    assert browser_for(app, portal).get(PAGE).status_code in (302, 403, 404)


def test_the_api_gives_the_same_figures(app, desk):
    api = api_for(app, desk["recruiter"])
    answer = api("GET", API)
    assert answer.status_code == 200
    body = answer.get_json()
    # Both of Acme's are past their 24 h resolution target; only one missed its response.
    late, quick = body["breaches"]
    assert late["reference"] == desk["late"] and quick["reference"] == desk["quick"]
    assert late["responseLateHours"] and quick["responseLateHours"] is None
    (critical,) = body["responseComplianceByPriority"]
    assert (critical["met"], critical["missed"], critical["rate"]) == (1, 1, "50.0")
    assert body["openByAge"]["byPriority"]["critical"] == [0, 2, 0, 0, 0]  # 2 days old
    assert "Hidden" not in str(body)


def test_the_api_names_bad_parameters_and_hides_other_clients(app, desk):
    api = api_for(app, desk["recruiter"])
    bad = api("GET", f"{API}?from=2026-02-30")
    assert bad.status_code == 400 and "from" in bad.get_json()["message"]
    backwards = api("GET", f"{API}?from=2026-03-10&to=2026-03-01")
    assert backwards.status_code == 400 and "to" in backwards.get_json()["message"]
    assert api("GET", f"{API}?client_id=x").status_code == 400
    assert api("GET", f"{API}?client_id={desk['hidden']}").status_code == 404
    mine = api("GET", f"{API}?client_id={desk['acme']}&from=2026-01-01&to=2026-01-31")
    assert mine.status_code == 200 and mine.get_json()["period"] == {
        "from": "2026-01-01", "to": "2026-01-31"
    }  # fmt: skip
