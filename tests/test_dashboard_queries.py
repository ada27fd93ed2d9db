"""The admin home and the portal dashboard run the same number of SQL queries on the demo
agency and on ten times it (admin/demo_scale.py): their figures are grouped queries, none
per row. Counted with a before_cursor_execute listener around one GET (after a warm-up GET)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from admin.demo import load_demo
from admin.demo_data import PORTAL_LOGINS, STAFF_LOGINS
from admin.demo_scale import scale_demo
from extensions import db
from models import Application, Client, ClientContact, Contact, Invoice, KpiTarget
from tests.conftest import csrf_token, login_staff


def _portal_client_id(email: str) -> int:
    return db.session.scalar(
        select(ClientContact.client_id).join(Contact).where(Contact.email == email)
    )


def queries(app, browser, url: str) -> int:
    browser.get(url)  # warm up: templates, permission caches
    with app.app_context():
        engine = db.engine
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = browser.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


@pytest.fixture
def browsers(app):
    with app.app_context():
        load_demo()
        portal = PORTAL_LOGINS[0]
        client_id = _portal_client_id(portal.username)
        # the demo's targets for this client (admin/demo_targets.py) put the KPI registry on
        # the portal dashboard
        targets = select(func.count(KpiTarget.id)).where(KpiTarget.client_id == client_id)
        assert db.session.scalar(targets) >= 3
    admin = STAFF_LOGINS[0]
    staff = app.test_client()
    assert login_staff(staff, admin.username, admin.password).status_code == 302
    customer = app.test_client()
    token = csrf_token(customer, "/portal/login")
    signed_in = customer.post(
        "/portal/login",
        data={"username": portal.username, "password": portal.password, "csrf_token": token},
    )
    assert signed_in.status_code == 302
    return staff, customer


def test_the_same_queries_at_one_and_ten_times_the_demo(app, browsers):
    staff, customer = browsers
    home_1x, portal_1x = queries(app, staff, "/"), queries(app, customer, "/portal/")
    with app.app_context():
        before = db.session.scalar(select(func.count(Application.id)))
        scale_demo(10)
        assert db.session.scalar(select(func.count(Client.id))) >= 10 * 10
        assert db.session.scalar(select(func.count(Application.id))) > 10 * before
        assert db.session.scalar(select(func.count(Invoice.id))) > 100
    home_10x, portal_10x = queries(app, staff, "/"), queries(app, customer, "/portal/")
    assert (home_10x, portal_10x) == (home_1x, portal_1x)
    page = staff.get("/").get_data(as_text=True)
    assert 'data-chart="revenue"' in page and 'data-chart="funnel"' in page
    assert 'id="kpi-targets"' in customer.get("/portal/").get_data(as_text=True)
