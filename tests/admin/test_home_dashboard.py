"""The admin home page's charts: revenue by month, the pipeline funnel, receivables aging
and the NPS trend, each drawn from the data (bars carry their figure in data-value) and each
only for a role that may read it; the clients a user does not see are not in their figures."""

from __future__ import annotations

import re
from datetime import date

import pytest

from extensions import db
from tests.conftest import login_staff
from tests.factories import (
    ClientFactory,
    JobOrderFactory,
    add_candidate,
    issued_invoice,
    make_user,
    open_job_order,
)


@pytest.fixture
def world(app):
    """Acme (EUR, owned by the manager): an invoice of 100 issued today (108.00 USD), three
    applications (two sourced, one submitted). Hidden Corp (EUR, nobody's): 10 (10.80 USD)."""
    with app.app_context():
        manager = make_user("Account Manager")
        recruiter = make_user("Recruiter")
        finance = make_user("Finance")
        admin = make_user("Admin")
        acme = ClientFactory(name="Acme", currency="EUR", location="Foreign", owner=manager)
        hidden = ClientFactory(name="Hidden Corp", currency="EUR", location="Foreign")
        issued_invoice(acme, lines=[("Fee", "100.00")])
        issued_invoice(hidden, lines=[("Fee", "10.00")])
        job = open_job_order(JobOrderFactory(client=acme), recruiter=recruiter)
        add_candidate(job)
        add_candidate(job)
        add_candidate(job, "submitted")
        db.session.commit()
        return {
            "manager": manager.username,
            "recruiter": recruiter.username,
            "finance": finance.username,
            "admin": admin.username,
        }


def home(app, username) -> str:
    browser = app.test_client()
    assert login_staff(browser, username).status_code == 302
    return browser.get("/").get_data(as_text=True)


def chart(html: str, name: str) -> str | None:
    found = re.search(rf'<svg [^>]*data-chart="{name}".*?</svg>', html, re.S)
    return found.group(0) if found else None


def values(svg: str) -> dict[str, str]:
    return dict(re.findall(r'class="bar" data-key="([^"]+)" data-value="([^"]*)"', svg))


def test_the_admin_sees_every_chart_drawn_from_the_data(app, world):
    html = home(app, world["admin"])
    assert "Good to see you" in html
    revenue = chart(html, "revenue")
    this_month = date.today().strftime("%Y-%m")
    bars = values(revenue)
    assert len(bars) == 12 and bars[this_month] == "118.80"  # 108.00 + 10.80
    assert 'role="img"' in revenue and "aria-label=" in revenue and "<script" not in revenue
    funnel = values(chart(html, "funnel"))
    assert funnel["sourced"] == "2" and funnel["submitted"] == "1" and funnel["placed"] == "0"
    aging = values(chart(html, "receivables-aging"))
    assert aging["current"] == "118.80"  # both invoices are not yet due
    assert 'id="nps-panel"' in html  # no answers yet: the panel says so
    assert "No survey answers" in html


def test_a_manager_sees_only_their_clients_figures(app, world):
    html = home(app, world["manager"])
    bars = values(chart(html, "revenue"))
    assert bars[date.today().strftime("%Y-%m")] == "108.00"


def test_each_section_only_for_a_role_that_may_read_it(app, world):
    recruiter = home(app, world["recruiter"])
    assert chart(recruiter, "funnel") is not None
    assert chart(recruiter, "revenue") is None and chart(recruiter, "receivables-aging") is None
    finance = home(app, world["finance"])
    assert chart(finance, "revenue") is not None and chart(finance, "receivables-aging") is not None


def test_the_clients_at_risk_are_named_with_the_rule_that_fired(app, world):
    with app.app_context():
        from datetime import timedelta

        from models import Client

        late = ClientFactory(name="Late Payer", currency="EUR", location="Foreign")
        # issued 100 days ago on net 30 (the factory's terms): 70 days overdue, which fires
        # the churn-risk rule long_overdue (an invoice more than 60 days overdue)
        issued_invoice(late, lines=[("Fee", "50.00")], on=date.today() - timedelta(days=100))
        late_id = db.session.query(Client.id).filter_by(name="Late Payer").scalar()
    admin_home = home(app, world["admin"])
    panel = admin_home[admin_home.index('id="at-risk-panel"'):]
    panel = panel[: panel.index("</ul>")]
    assert f'data-client="{late_id}"' in panel and "Late Payer" in panel
    assert "overdue" in panel  # the rule, in words
    assert "Acme" not in panel  # its invoice is not yet due
    # the manager does not see Late Payer (not on its team), nor a recruiter the panel at all
    assert "Late Payer" not in home(app, world["manager"])
    assert 'id="at-risk-panel"' not in home(app, world["recruiter"])


def test_utilization_over_the_last_four_weeks_for_roles_that_read_it(app, world):
    with app.app_context():
        from datetime import timedelta
        from decimal import Decimal

        from models import Client, StaffCapacity, TimeEntry

        logger = make_user("Recruiter", first_name="Rita", last_name="Hours")
        db.session.add(StaffCapacity(user=logger, weekly_hours=Decimal("40")))
        acme = db.session.query(Client).filter_by(name="Acme").one()
        for back in range(1, 6):  # five entries of 8 hours in the last week
            TimeEntry.log(logger, date.today() - timedelta(days=back), "8", client=acme)
        db.session.commit()
        logger_id = logger.id
    # 28 days hold 4 whole weeks, so 20 working days: capacity 40 × 20 ÷ 5 = 160 hours;
    # 40 hours logged ÷ 160 × 100 = 25.0 %
    bars = values(chart(home(app, world["admin"]), "utilization"))
    assert bars[str(logger_id)] == "25.0"
    assert chart(home(app, world["finance"]), "utilization") is not None
    assert 'id="utilization-panel"' not in home(app, world["recruiter"])
