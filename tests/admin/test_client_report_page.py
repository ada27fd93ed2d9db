"""The client page's Monthly report: the month's figures in the shared report template, a
month picker (a bad month is named and last month shown), the CSV, sending to the contacts
after a confirmation page naming who is skipped, 404 for a client the user may not see; and
``flask clientdesk monthly-reports``."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from extensions import db
from models import OutboxMessage
from tests.conftest import csrf_token, login_staff
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    JobOrderFactory,
    issued_invoice,
    make_user,
)


@pytest.fixture
def world(app):
    """Acme (EUR, 1.08), the manager's: in October 2026 one job order opened, one invoice of
    100 issued (108.00 USD); contacts Ana (may be emailed) and Ben (opted out of email)."""
    with app.app_context():
        manager = make_user("Account Manager", email="maria@agency.test")
        recruiter = make_user("Recruiter")
        acme = ClientFactory(name="Acme", currency="EUR", location="Foreign", owner=manager,
                             engagement_manager=manager)
        hidden = ClientFactory(name="Hidden Corp")
        JobOrderFactory(client=acme, opened_at=datetime(2026, 10, 3, tzinfo=UTC))
        issued_invoice(acme, on=date(2026, 10, 5), lines=[("Fee", "100.00")])
        ClientContactFactory(client=acme, contact__email="ana@acme.test", contact__first_name="Ana")
        ClientContactFactory(client=acme, contact__email="ben@acme.test", contact__first_name="Ben",
                             contact__last_name="Opted", contact__opt_out_email=True)
        db.session.commit()
        return {"manager": manager.username, "recruiter": recruiter.username,
                "acme": acme.id, "hidden": hidden.id}


def browser_for(app, username):
    browser = app.test_client()
    assert login_staff(browser, username).status_code == 302
    return browser


def test_the_report_page_the_month_picker_and_the_csv(app, world):
    browser = browser_for(app, world["manager"])
    page = browser.get(f"/client-report/{world['acme']}?month=2026-10").get_data(as_text=True)
    assert "Acme: October 2026" in page
    assert 'data-figure="jobs_opened">1<' in page and 'data-figure="invoices_issued">1<' in page
    assert "USD 108.00" in page and 'data-chart="report-pipeline-chart"' in page
    bad = browser.get(f"/client-report/{world['acme']}?month=October").get_data(as_text=True)
    assert "Month must be a month as YYYY-MM" in bad
    text = browser.get(f"/client-report/{world['acme']}/csv?month=2026-10").get_data(as_text=True)
    rows = dict(csv.reader(io.StringIO(text)))
    assert rows["jobs_opened"] == "1" and rows["issued_amount_USD"] == "108.00"
    client_page = browser.get(f"/clientview/show/{world['acme']}").get_data(as_text=True)
    assert f"/client-report/{world['acme']}" in client_page


def test_sending_to_the_contacts_asks_first_and_names_who_is_skipped(app, world):
    browser = browser_for(app, world["manager"])
    url = f"/client-report/{world['acme']}?month=2026-10&confirm=1"
    confirm = browser.get(url).get_data(as_text=True)
    assert "ana@acme.test" in confirm and "skipped: opted out of email" in confirm
    response = browser.post(
        f"/client-report/{world['acme']}/send",
        data={"month": "2026-10", "csrf_token": csrf_token(browser, url)},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "sent to 1 contact(s)" in html and "Ben Opted (opted out of email)" in html
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.to_email)).all() == ["ana@acme.test"]


def test_another_clients_report_is_404_and_a_recruiter_may_not_send(app, world):
    manager = browser_for(app, world["manager"])
    assert manager.get(f"/client-report/{world['hidden']}").status_code == 404
    recruiter = browser_for(app, world["recruiter"])
    assert recruiter.get(f"/client-report/{world['acme']}?month=2026-10").status_code == 404
    response = recruiter.post(f"/client-report/{world['acme']}/send", data={"month": "2026-10"})
    assert response.status_code in (302, 400, 403, 404)
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage)).all() == []


def test_the_command_mails_each_manager_once(app, world):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["clientdesk", "monthly-reports", "--month", "2026-10"])
    assert first.exit_code == 0 and "1 monthly report(s) emailed." in first.output
    again = runner.invoke(args=["clientdesk", "monthly-reports", "--month", "2026-10"])
    assert "0 monthly report(s) emailed." in again.output
    bad = runner.invoke(args=["clientdesk", "monthly-reports", "--month", "Oct"])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output


def test_a_recruiter_on_the_team_reads_the_report_without_invoices_or_health(app, world):
    from models import ClientTeamMember
    from models.access import ROLE_RECRUITER
    from tests.factories import make_user as _make_user

    with app.app_context():
        from models import Client

        teamed = _make_user(ROLE_RECRUITER)
        acme = db.session.get(Client, world["acme"])
        db.session.add(ClientTeamMember(client=acme, user=teamed, role="recruiter"))
        db.session.commit()
        username = teamed.username
    recruiter = browser_for(app, username)
    page = recruiter.get(f"/client-report/{world['acme']}?month=2026-10").get_data(as_text=True)
    assert 'id="report-kpis"' in page  # the recruiting KPIs
    # a Recruiter reads neither invoices nor client health: both are left out
    assert 'id="report-invoices"' not in page and 'id="report-health"' not in page
    csv = recruiter.get(f"/client-report/{world['acme']}/csv?month=2026-10").get_data(as_text=True)
    assert "invoices_issued" not in csv and "kpi_time_to_fill" in csv
    manager = browser_for(app, world["manager"])
    page = manager.get(f"/client-report/{world['acme']}?month=2026-10").get_data(as_text=True)
    assert 'id="report-invoices"' in page


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_a_month_at_the_calendars_ends_is_named_and_last_month_shown(app, world, month):
    manager = browser_for(app, world["manager"])
    page = manager.get(f"/client-report/{world['acme']}?month={month}")
    assert page.status_code == 200
    assert "Month must be a month as YYYY-MM" in page.get_data(as_text=True)
    assert manager.get(f"/client-report/{world['acme']}/csv?month={month}").status_code == 200
