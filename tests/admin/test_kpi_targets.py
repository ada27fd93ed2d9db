"""Reports › KPI targets: staff set a target per client and KPI; an unknown KPI, a target out
of its range or a second target for the same KPI is refused naming the field, the form keeping
the values; a recruiter reads but does not write; a manager sees only their clients'."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from models import KpiTarget
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientFactory, make_user

ADD = "/kpitargetview/add"


@pytest.fixture
def world(app):
    with app.app_context():
        manager = make_user("Account Manager")
        recruiter = make_user("Recruiter")
        acme = ClientFactory(name="Acme", owner=manager)
        hidden = ClientFactory(name="Hidden Corp")
        db.session.add(KpiTarget(client_id=hidden.id, kpi="nps", target=Decimal("40")))
        db.session.commit()
        return {"manager": manager.username, "recruiter": recruiter.username, "acme": acme.id}


def browser_for(app, username):
    browser = app.test_client()
    assert login_staff(browser, username).status_code == 302
    return browser


def add(browser, **values):
    data = {"csrf_token": csrf_token(browser, ADD), "note": "", **values}
    return browser.post(ADD, data=data)


def test_a_manager_sets_a_target_and_bad_ones_are_refused(app, world):
    browser = browser_for(app, world["manager"])
    acme = str(world["acme"])
    response = add(browser, client=acme, kpi="fill_rate", target="120")
    html = response.get_data(as_text=True)
    assert "Target must be from 0 to 100." in html and 'value="120"' in html
    response = add(browser, client=acme, kpi="fill_rate", target="85", note="Agreed at QBR")
    assert response.status_code == 302
    html = add(browser, client=acme, kpi="fill_rate", target="90").get_data(as_text=True)
    assert "has a Fill rate target already" in html
    with app.app_context():
        query = select(KpiTarget).where(KpiTarget.client_id == world["acme"])
        saved = db.session.scalars(query).all()
        assert [(t.kpi, t.target, t.note) for t in saved] == [
            ("fill_rate", Decimal("85.00"), "Agreed at QBR")
        ]
        assert saved[0].set_by_id is not None
    listing = browser.get("/kpitargetview/list/").get_data(as_text=True)
    assert "Acme" in listing and "Hidden Corp" not in listing


def test_an_unknown_kpi_is_refused_by_the_model(ctx):
    target = KpiTarget(client_id=1, kpi="happiness", target=Decimal("1"))
    messages = [(e.field, e.message) for e in target.violations()]
    # the targets take every KPI that has a figure per client (not churn rate: agency-wide)
    [(field, message)] = messages
    assert field == "kpi" and message.startswith("KPI must be one of time_to_fill, ")
    assert "offer_acceptance" in message and "churn_rate" not in message
    assert KpiTarget(client_id=1, kpi="nps", target=Decimal("-40")).violations() == []


def test_a_recruiter_reads_but_does_not_add(app, world):
    browser = browser_for(app, world["recruiter"])
    assert browser.get("/kpitargetview/list/").status_code == 200
    assert browser.get(ADD).status_code in (302, 403)
