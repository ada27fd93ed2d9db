"""Reports › KPIs, the client page's Performance tab and the KPI API: the figures with their
formulas, the period presets and bad input named, the CSV keeping the filters, the
benchmarks, the clients one may see, and who may read them."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from extensions import db
from tests.conftest import api_for, login_staff
from tests.factories import ClientFactory, IndustryFactory, make_user
from tests.models.kpi_data import at, job, placement

PAGE = "/kpis/"
API = "/api/v1/kpis/"
MARCH = "start=2026-03-01&end=2026-03-31"


@pytest.fixture
def world(app):
    """Acme (owned by the manager; two orders filled in March in 10 and 20 days → 15.0) and
    Hidden Corp (nobody the manager knows; one order filled in 4 days), both in one industry."""
    with app.app_context():
        manager = make_user("Account Manager")
        recruiter = make_user("Recruiter", first_name="Rita", last_name="Cruz")
        tech = IndustryFactory(name="Technology")
        acme = ClientFactory(name="Acme", owner=manager, industry=tech)
        hidden = ClientFactory(name="Hidden Corp", industry=tech)
        job(acme, [recruiter], opened_at=at(1), filled_at=at(11), status="filled")
        job(acme, [recruiter], opened_at=at(1), filled_at=at(21), status="filled")
        placement(job(acme, [recruiter], opened_at=at(1)), date(2026, 3, 9), recruiter)
        job(hidden, opened_at=at(1), filled_at=at(5), status="filled")
        db.session.commit()
        return {
            "manager": manager.username,
            "recruiter": recruiter.username,
            "recruiter_id": recruiter.id,
            "finance": make_user("Finance").username,
            "admin": make_user("Admin").username,
            "portal": make_user("Client").username,
            "acme": acme.id,
            "hidden": hidden.id,
            "industry": tech.id,
        }


def browser_for(app, username):
    browser = app.test_client()
    assert login_staff(browser, username).status_code == 302
    return browser


def cell(html, kpi, group):
    row = re.search(rf'<tr data-kpi="{kpi}">(.*?)</tr>', html, re.S).group(1)
    return re.search(rf'data-group="{group}">([^<]*)<', row).group(1).strip()


# ---------------------------------------------------------------- the page


def test_the_page_shows_each_kpi_with_its_formula_per_client_you_may_see(app, world):
    html = browser_for(app, world["manager"]).get(f"{PAGE}?{MARCH}").get_data(as_text=True)
    assert cell(html, "time_to_fill", world["acme"]) == "15.0 days"
    assert cell(html, "placements", world["acme"]) == "1"
    assert "Average of (filled − opened) in days" in html  # the formula beside the figure
    assert "Hidden Corp" not in html and f'data-group="{world["hidden"]}"' not in html
    assert 'href="/kpis/csv?start=2026-03-01&amp;end=2026-03-31&amp;by=client"' in html


def test_the_page_cuts_by_recruiter_service_type_and_agency(app, world):
    browser = browser_for(app, world["admin"])
    by_recruiter = browser.get(f"{PAGE}?{MARCH}&by=recruiter").get_data(as_text=True)
    assert "Rita Cruz" in by_recruiter
    assert cell(by_recruiter, "time_to_fill", world["recruiter_id"]) == "15.0 days"
    agency = browser.get(f"{PAGE}?{MARCH}&by=agency").get_data(as_text=True)
    # (10 + 20 + 4) / 3 = 11.3
    assert cell(agency, "time_to_fill", "all") == "11.3 days"
    service = browser.get(f"{PAGE}?{MARCH}&by=service_type").get_data(as_text=True)
    assert "Contingency recruitment" in service
    assert "Not cut by service type." in service  # NPS has no per-service figure


def test_a_preset_fills_the_dates(app, world):
    html = (
        browser_for(app, world["admin"]).get(f"{PAGE}?preset=year_to_date").get_data(as_text=True)
    )
    assert f'value="{date.today().year}-01-01"' in html


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("start=2026-13-01&end=2026-03-31", "start", "Start must be a date as YYYY-MM-DD"),
        ("start=2026-03-31&end=2026-03-01", "end", "End (2026-03-01) must be on or after"),
        (f"{MARCH}&by=planet", "by", "By must be one of"),
    ],
)
def test_bad_input_is_named_and_the_form_keeps_what_was_typed(app, world, query, field, words):
    page = browser_for(app, world["admin"]).get(f"{PAGE}?{query}")
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert f'data-field="{field}"' in html and words in html
    typed = dict(pair.split("=") for pair in query.split("&"))
    assert f'value="{typed["start"]}"' in html  # re-rendered with the user's values


def test_the_csv_is_the_same_table(app, world):
    response = browser_for(app, world["manager"]).get(f"/kpis/csv?{MARCH}&by=client")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["kpi", "label", "unit", "formula", "Acme"]
    fill = next(row for row in rows if row[0] == "time_to_fill")
    assert fill[4] == "15.0" and fill[3].startswith("Average of (filled − opened)")


def test_the_client_page_has_a_performance_tab_with_the_benchmark(app, world):
    browser = browser_for(app, world["admin"])
    page = browser.get(f"/clientview/show/{world['acme']}").get_data(as_text=True)
    assert 'href="#Performance"' in page
    # the tab's content is loaded when the tab is opened
    assert f'data-src="/kpis/client/{world["acme"]}"' in page
    html = browser.get(f"/kpis/client/{world['acme']}").get_data(as_text=True)
    row = re.search(r'<tr data-kpi="placements">(.*?)</tr>', html, re.S).group(1)
    assert "Placements whose start date falls in the period" in row
    assert "Technology" in html and "contingency recruitment" in html


def test_who_may_read_the_kpis(app, world):
    for role in ("manager", "recruiter", "finance"):
        assert browser_for(app, world[role]).get(f"{PAGE}?{MARCH}").status_code == 200
    portal = app.test_client()
    login_staff(portal, world["portal"])
    assert portal.get(PAGE).status_code in (302, 403)


# ---------------------------------------------------------------- the API


def test_the_api_gives_each_kpi_with_its_formula_and_values(app, world):
    api = api_for(app, world["manager"])
    body = api("GET", f"{API}?{MARCH}").get_json()
    assert body["period"] == {"start": "2026-03-01", "end": "2026-03-31"}
    fill = next(k for k in body["kpis"] if k["key"] == "time_to_fill")
    assert fill["unit"] == "days" and fill["formula"].startswith("Average of")
    assert fill["values"] == [{"group": world["acme"], "label": "Acme", "value": "15.0"}]
    one = api("GET", f"{API}?{MARCH}&client_id={world['acme']}").get_json()
    assert next(k for k in one["kpis"] if k["key"] == "placements")["values"][0]["value"] == "1"
    agency = api("GET", f"{API}?{MARCH}&by=agency").get_json()
    assert next(k for k in agency["kpis"] if k["key"] == "time_to_fill")["values"] == [
        {"group": "all", "label": "Agency", "value": "11.3"}
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [("by=planet", "by"), ("start=soon", "start"), ("client_id=abc", "client_id")],
)
def test_the_api_names_bad_input(app, world, query, field):
    response = api_for(app, world["manager"])("GET", f"{API}?{query}")
    assert response.status_code == 400
    assert field in response.get_json()["message"]


def test_the_api_hides_clients_you_may_not_see(app, world):
    api = api_for(app, world["manager"])
    assert api("GET", f"{API}?client_id={world['hidden']}").status_code == 404
    assert api("GET", f"{API}benchmarks/{world['hidden']}").status_code == 404
    assert api("GET", f"{API}benchmarks/999999").status_code == 404


def test_the_api_gives_a_clients_benchmarks(app, world):
    body = api_for(app, world["admin"])("GET", f"{API}benchmarks/{world['acme']}?{MARCH}")
    body = body.get_json()
    assert (body["industry"], body["serviceType"]) == ("Technology", "contingency recruitment")
    fill = next(k for k in body["kpis"] if k["key"] == "time_to_fill")
    # Technology: Acme 15.0 and Hidden Corp 4.0 → Q1 6.75, median 9.5, Q3 12.25. Acme's
    # mid-rank: (1 below + 1 equal / 2) / 2 = 0.75 → quartile 3: the worse of two is in the
    # worse half, not the bottom quarter.
    assert fill["industry"] == {
        "peers": 2,
        "value": "15.0",
        "lowerQuartile": "6.75",
        "median": "9.50",
        "upperQuartile": "12.25",
        "quartile": 3,
        "standing": "middle half",  # lower is better
    }


def test_the_api_refuses_who_may_not_read_kpis(app, world):
    response = api_for(app, world["portal"])("GET", f"{API}?{MARCH}")
    assert response.status_code in (401, 403)


def test_the_page_and_the_client_tab_cost_the_same_queries_at_one_and_ten_times_the_data(
    app, world
):
    from sqlalchemy import event

    browser = browser_for(app, world["admin"])

    def queries(path):
        statements = []

        def count(*args):
            statements.append(args[2])

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert browser.get(path).status_code == 200
        finally:
            with app.app_context():
                event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    paths = [
        f"{PAGE}?{MARCH}",
        f"/clientview/show/{world['acme']}",
        f"/kpis/client/{world['acme']}",  # the Performance tab
    ]
    before = [queries(path) for path in paths]
    assert min(before) > 0
    with app.app_context():
        for n in range(9):
            client = ClientFactory(industry_id=world["industry"])
            job(client, opened_at=at(1), filled_at=at(2 + n), status="filled")
            placement(job(client, opened_at=at(1)), date(2026, 3, 9))
    assert [queries(path) for path in paths] == before


def test_the_performance_tab_of_a_client_one_may_not_see_is_a_404(app, world):
    manager = browser_for(app, world["manager"])
    assert manager.get(f"/kpis/client/{world['acme']}").status_code == 200
    assert manager.get(f"/kpis/client/{world['hidden']}").status_code == 404
    assert manager.get("/kpis/client/999999").status_code == 404


def test_a_recruiter_sees_no_finance_or_cost_kpis(app, world):
    """Recruiters read neither invoices nor utilization: the revenue and the cost KPIs (a
    colleague's cost of time gives away their cost rate) are not computed for them."""
    recruiter = browser_for(app, world["recruiter"])
    html = recruiter.get(f"{PAGE}?{MARCH}&by=recruiter").get_data(as_text=True)
    assert 'data-kpi="time_to_fill"' in html
    for key in ("revenue", "cost_of_time", "utilization", "margin"):
        assert f'data-kpi="{key}"' not in html, key
    answer = api_for(app, world["recruiter"])("GET", f"{API}?{MARCH}&by=recruiter").get_json()
    keys = {kpi["key"] for kpi in answer["kpis"]}
    assert "time_to_fill" in keys and not keys & {"revenue", "cost_of_time", "margin"}
    tab = browser_for(app, world["admin"]).get(f"/kpis/client/{world['acme']}")
    assert 'data-kpi="margin"' in tab.get_data(as_text=True)  # an admin reads them all


@pytest.mark.parametrize("query", ["end=9999-12-31", "start=0001-01-01", "start=9999-12-01"])
def test_dates_at_the_calendars_ends_are_named_not_a_crash(app, world, query):
    browser = browser_for(app, world["admin"])
    page = browser.get(f"{PAGE}?{query}")
    assert page.status_code == 400
    assert "must be a date in the years 1900 to 9000" in page.get_data(as_text=True)
    answer = api_for(app, world["admin"])("GET", f"{API}?{query}")
    assert answer.status_code == 400 and set(answer.get_json()["message"]) <= {"start", "end"}
    assert browser.get(f"/utilization/?{query}").status_code == 200  # named, this month shown
