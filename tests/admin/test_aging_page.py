"""Finance › Aging report: the table per client and currency with totals, the base-currency
view, the server-drawn SVG chart, the CSV export (one row per client and currency), the
client filter, and who may see it (Finance and Account Managers, their own clients only)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest

from extensions import db
from tests.conftest import login_staff
from tests.factories import ClientFactory, issued_invoice, make_user

PAGE = "/aging/"
AS_OF = date(2026, 6, 30)


@pytest.fixture
def world(app):
    """Acme (PHP, 20 days overdue, 1,000) and Bolt (EUR, 100 days overdue, 500), both owned
    by an account manager; Hidden Corp (PHP, current) owned by nobody they know."""
    with app.app_context():
        manager = make_user("Account Manager")
        finance = make_user("Finance")
        recruiter = make_user("Recruiter")
        ids = {}
        for name, currency, days, amount, owner in [
            ("Acme", "PHP", 20, "1000.00", manager),
            ("Bolt", "EUR", 100, "500.00", manager),
            ("Hidden Corp", "PHP", 0, "777.00", None),
        ]:
            client = ClientFactory(name=name, currency=currency, location="Foreign", owner=owner)
            invoice = issued_invoice(client, on=date(2026, 1, 5), lines=[("Fee", amount)])
            invoice.due_date = AS_OF - timedelta(days=days)  # a precise age on AS_OF
            ids[name] = client.id
        db.session.commit()
        return {
            "manager": manager.username,
            "finance": finance.username,
            "recruiter": recruiter.username,
            **ids,
        }


def browser_for(app, username):
    browser = app.test_client()
    assert login_staff(browser, username).status_code == 302
    return browser


def test_the_page_shows_each_client_by_bucket_with_totals_and_a_chart(app, world):
    page = browser_for(app, world["finance"]).get(f"{PAGE}?as_of={AS_OF}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    acme = re.search(
        rf'<tr data-client="{world["Acme"]}" data-currency="PHP">(.*?)</tr>', html, re.S
    )
    assert acme and 'data-bucket="d1_30">1,000.00' in acme.group(1)
    bolt = re.search(
        rf'<tr data-client="{world["Bolt"]}" data-currency="EUR">(.*?)</tr>', html, re.S
    )
    assert bolt and 'data-bucket="over_90">500.00' in bolt.group(1)
    php_total = re.search(r'<tr class="info" data-total="PHP">(.*?)</tr>', html, re.S).group(1)
    assert 'data-bucket="current">777.00' in php_total
    # In USD: 1,000 × 0.0175 = 17.50; 500 × 1.08 = 540.00; 777 × 0.0175 = 13.5975 → 13.60.
    base = re.search(r'<tr class="info" data-total="base">(.*?)</tr>', html, re.S).group(1)
    assert "571.10" in base  # 17.50 + 540.00 + 13.60
    chart = re.search(r'<svg [^>]*data-chart="aging-chart".*?</svg>', html, re.S).group(0)
    assert chart.count("<rect") == 5
    # The tallest bar (over 90: 540.00) fills the chart's 200 pixels.
    assert re.search(r'data-key="over_90" data-value="540.00"><rect [^>]*height="200.0"', chart)
    assert "<script" not in chart


def test_the_client_filter_narrows_the_report(app, world):
    html = (
        browser_for(app, world["finance"])
        .get(f"{PAGE}?as_of={AS_OF}&client={world['Bolt']}")
        .get_data(as_text=True)
    )
    assert 'data-currency="EUR"' in html and 'data-currency="PHP"' not in html


def test_the_csv_has_one_row_per_client_and_currency(app, world):
    response = browser_for(app, world["finance"]).get(f"{PAGE}csv?as_of={AS_OF}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["client", "currency", "Current"]
    assert rows[1:] == [
        ["Acme", "PHP", "0.00", "1000.00", "0.00", "0.00", "0.00", "1000.00", "17.50"],
        ["Bolt", "EUR", "0.00", "0.00", "0.00", "0.00", "500.00", "500.00", "540.00"],
        ["Hidden Corp", "PHP", "777.00", "0.00", "0.00", "0.00", "0.00", "777.00", "13.60"],
    ]


def test_an_account_manager_sees_only_their_clients(app, world):
    browser = browser_for(app, world["manager"])
    html = browser.get(f"{PAGE}?as_of={AS_OF}").get_data(as_text=True)
    assert "Hidden Corp" not in html and "777.00" not in html
    csv_text = browser.get(f"{PAGE}csv?as_of={AS_OF}").get_data(as_text=True)
    assert "Hidden Corp" not in csv_text
    assert browser.get(f"{PAGE}?client={world['Hidden Corp']}").status_code == 404


def test_a_recruiter_cannot_open_it(app, world):
    response = browser_for(app, world["recruiter"]).get(PAGE)
    assert response.status_code in (302, 403)
    assert "Aging report" not in response.get_data(as_text=True)


def test_a_bad_date_falls_back_to_today_with_a_message(app, world):
    page = browser_for(app, world["finance"]).get(f"{PAGE}?as_of=30/06/2026")
    assert page.status_code == 200
    assert "As of must be a date" in page.get_data(as_text=True)
    assert f'value="{date.today().isoformat()}"' in page.get_data(as_text=True)
