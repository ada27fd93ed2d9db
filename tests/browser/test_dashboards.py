"""The two dashboards in a real browser: the admin home's revenue chart and the portal's KPI
chart are drawn from the data (their bars' data-value match the database's figures)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from extensions import db
from models import KpiTarget, utcnow
from models.revenue import revenue_by_month
from tests.conftest import PASSWORD
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    JobOrderFactory,
    issued_invoice,
    make_portal_user,
    make_user,
)

from .conftest import chromium_page

pytestmark = pytest.mark.browser


@pytest.fixture
def books(app) -> SimpleNamespace:
    """Acme (EUR): invoices of 100 and 40 issued this month (151.20 USD), one filled job order
    (20 days to fill) and a time-to-fill target of 30 days; an admin and an Acme portal user."""
    with app.app_context():
        make_user("Admin", username="andrea")
        acme = ClientFactory(name="Acme Browser Co", currency="EUR", location="Foreign")
        issued_invoice(acme, lines=[("Fee", "100.00")])
        issued_invoice(acme, lines=[("Fee", "40.00")])
        now = utcnow()
        JobOrderFactory(client=acme, opened_at=now - timedelta(days=20), filled_at=now)
        db.session.add(KpiTarget(client_id=acme.id, kpi="time_to_fill", target=Decimal("30")))
        link = ClientContactFactory(client=acme, contact__email="ana@acme-browser.test")
        make_portal_user(link, areas=("hiring",))
        db.session.commit()
        revenue = {m.month: str(m.amount) for m in revenue_by_month(db.session, 12)}
        values = SimpleNamespace(revenue=revenue, portal_user="ana@acme-browser.test")
        db.session.remove()
    return values


def test_the_dashboards_draw_their_charts_from_the_data(live_server, books):
    with chromium_page(live_server) as page:
        page.goto("/login/")
        page.fill("input[name=username]", "andrea")
        page.fill("input[name=password]", PASSWORD)
        page.locator("input[type=submit], button[type=submit]").first.click()
        expect(page).not_to_have_url(re.compile(r"/login/"))
        page.goto("/")
        chart = page.locator('svg[data-chart="revenue"]')
        expect(chart).to_be_visible()
        drawn = {
            bar.get_attribute("data-key"): bar.get_attribute("data-value")
            for bar in chart.locator("g.bar").all()
        }
        assert drawn == books.revenue
        assert drawn[date.today().strftime("%Y-%m")] == "151.20"  # (100 + 40) × 1.08
        tallest = chart.locator(f'g.bar[data-key="{date.today():%Y-%m}"] rect')
        assert float(tallest.get_attribute("height")) > 100  # the month with revenue fills it
        expect(page.locator('svg[data-chart="funnel"]')).to_be_visible()

        page.goto("/logout/")
        page.goto("/portal/login")
        page.fill("input[name=username]", books.portal_user)
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/portal/?$"))
        kpis = page.locator('svg[data-chart="kpi-targets"]')
        expect(kpis).to_be_visible()
        bar = kpis.locator('g.bar[data-key="time_to_fill"]')
        assert bar.get_attribute("data-value") == "20.0"
        target = kpis.locator('line.marker[data-key="time_to_fill"]')
        assert target.get_attribute("data-value") == "30.00"
        expect(page.locator('#kpi-table tr[data-kpi="time_to_fill"]')).to_contain_text("Met")
