"""The client health score in the admin and the API: the client page's Health tab (score,
factor bars, movers since the last snapshot, fired rules, history), Reports › Client health
(sortable, CSV) and the read-only API with its permissions (Account Manager and Finance read;
a Recruiter gets 403, no token 401, an unknown or invisible client 404)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from extensions import db
from jobs.health import take_snapshots
from models import Activity, PortalLogin
from tests.conftest import api_for, login_staff
from tests.factories import ClientFactory, issued_invoice, make_user

TODAY = date.today()


@pytest.fixture
def world(app):
    """Acme (owned by the manager): a snapshot yesterday with nothing overdue, then its invoice
    went 70 days overdue and nobody has been in touch for 75 days. Bolt (the manager's too):
    an invoice not yet due. Hidden Corp: nobody's."""
    with app.app_context():
        manager = make_user("Account Manager")
        finance = make_user("Finance")
        recruiter = make_user("Recruiter")
        acme = ClientFactory(name="Acme", owner=manager)
        bolt = ClientFactory(name="Bolt", owner=manager)
        hidden = ClientFactory(name="Hidden Corp")
        invoice = issued_invoice(acme, on=TODAY - timedelta(days=3))
        issued_invoice(bolt, on=TODAY)
        take_snapshots(TODAY - timedelta(days=1))
        invoice.due_date = TODAY - timedelta(days=70)
        db.session.execute(
            update(Activity)
            .where(Activity.client_id == acme.id)
            .values(at=datetime.now(UTC) - timedelta(days=75))
        )
        # Engagement is what comes from the client: Acme last signed in to the portal 75 days
        # ago (the agency's own timeline rows do not count).
        db.session.add(
            PortalLogin(
                username="acme@example.test",
                client_id=acme.id,
                succeeded=True,
                at=datetime.now(UTC) - timedelta(days=75),
            )
        )
        db.session.commit()
        return {
            "manager": manager.username,
            "finance": finance.username,
            "recruiter": recruiter.username,
            "acme": acme.id,
            "bolt": bolt.id,
            "hidden": hidden.id,
        }


def browser_for(app, username):
    browser = app.test_client()
    assert login_staff(browser, username).status_code == 302
    return browser


def test_the_health_tab_shows_the_factors_the_mover_and_the_rules_that_fired(app, world):
    html = browser_for(app, world["manager"]).get(f"/clientview/show/{world['acme']}").get_data(
        as_text=True
    )
    assert 'href="#HealthTab"' in html
    tab = html[html.index('id="health"') :]
    assert 'data-factor="payment"' in tab and "Payment behaviour" in tab
    assert "overdue share of the open balance" in tab  # the rule, next to the bar
    # What moved since yesterday's snapshot: payment behaviour, negative.
    assert f"What moved since {TODAY - timedelta(days=1)}" in tab
    top = re.search(r'id="health-top-mover">([^<]+)</strong>\s*\((-[\d.]+) points\)', tab)
    assert top and top.group(1) == "Payment behaviour"
    # The fired rules, by name, with their text and figures.
    assert 'data-rule="long_overdue"' in tab and 'data-rule="low_score"' in tab
    assert "An invoice more than 60 days overdue." in tab
    assert 'data-rule="no_engagement"' in tab and "days: 75" in tab
    assert '<polyline fill="none"' in tab  # the history line


def test_a_recruiter_sees_no_health_tab(app, world):
    recruiter = make_recruiter_on_team(app, world)
    page = browser_for(app, recruiter).get(f"/clientview/show/{world['acme']}")
    assert page.status_code == 200 and "Acme" in page.get_data(as_text=True)
    assert "HealthTab" not in page.get_data(as_text=True)


def make_recruiter_on_team(app, world):
    from models import ClientTeamMember

    with app.app_context():
        user = make_user("Recruiter")
        db.session.add(ClientTeamMember(client_id=world["acme"], user=user, role="recruiter"))
        db.session.commit()
        return user.username


def test_the_report_lists_visible_clients_with_change_and_flags_sortable_and_as_csv(app, world):
    browser = browser_for(app, world["manager"])
    html = browser.get("/client-health/?sort=score").get_data(as_text=True)
    assert "Hidden Corp" not in html
    rows = re.findall(r'<tr data-client="(\d+)">(.*?)</tr>', html, re.S)
    assert [int(cid) for cid, _ in rows] == [world["acme"], world["bolt"]]  # lowest first
    acme = rows[0][1]
    assert "long_overdue" in acme and re.search(r"-\d+\s*<span", acme)
    descending = browser.get("/client-health/?sort=score&desc=1").get_data(as_text=True)
    order = [int(c) for c in re.findall(r'<tr data-client="(\d+)">', descending)]
    assert order == [world["bolt"], world["acme"]]
    export = browser.get("/client-health/csv?sort=name")
    assert export.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert table[0][:3] == ["client_id", "client", "score"]
    assert [row[1] for row in table[1:]] == ["Acme", "Bolt"]
    assert "long_overdue" in table[1][5]


def test_the_report_is_not_for_recruiters(app, world):
    response = browser_for(app, world["recruiter"]).get("/client-health/")
    assert response.status_code in (302, 403)


# ---------------------------------------------------------------- API


def test_the_api_explains_a_clients_score(app, world):
    manager = api_for(app, world["manager"])
    body = manager("GET", f"/api/v1/clients/{world['acme']}/health-score").get_json()["result"]
    assert body["clientId"] == world["acme"]
    assert {f["key"] for f in body["factors"]} >= {"payment", "engagement"}
    assert body["lastSnapshot"]["takenOn"] == (TODAY - timedelta(days=1)).isoformat()
    assert body["topMover"] == "payment"
    assert body["movers"][0]["change"].startswith("-")
    assert "long_overdue" in {f["rule"] for f in body["flags"]}
    total = sum(float(f["contribution"]) for f in body["factors"])
    assert round(total) == body["score"]


def test_the_api_lists_visible_clients_paged(app, world):
    finance = api_for(app, world["finance"])  # Finance sees every client
    page = finance("GET", "/api/v1/health/?page=1&page_size=2").get_json()
    assert page["count"] == 3 and len(page["result"]) == 2
    assert [r["clientName"] for r in page["result"]] == ["Acme", "Bolt"]
    second = finance("GET", "/api/v1/health/?page=2&page_size=2").get_json()
    assert [r["clientName"] for r in second["result"]] == ["Hidden Corp"]
    bad = finance("GET", "/api/v1/health/?page=0&page_size=500")
    assert bad.status_code == 400
    assert set(bad.get_json()["message"]) == {"page", "page_size"}


def test_the_api_answers_404_401_and_403(app, world):
    manager = api_for(app, world["manager"])
    assert manager("GET", f"/api/v1/clients/{world['hidden']}/health-score").status_code == 404
    missing = manager("GET", "/api/v1/clients/999999/health-score")
    assert missing.status_code == 404 and missing.is_json
    assert [r["clientName"] for r in manager("GET", "/api/v1/health/").get_json()["result"]] == [
        "Acme",
        "Bolt",
    ]
    recruiter = api_for(app, world["recruiter"])
    assert recruiter("GET", f"/api/v1/clients/{world['acme']}/health-score").status_code == 403
    assert recruiter("GET", "/api/v1/health/").status_code == 403
    anonymous = app.test_client()
    assert anonymous.get("/api/v1/health/").status_code == 401
    # A signed-in browser session is not enough: the API is JWT only.
    browser = browser_for(app, world["manager"])
    assert browser.get(f"/api/v1/clients/{world['acme']}/health-score").status_code == 401
