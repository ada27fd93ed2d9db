"""The KPI pages over the demo data: every dimension and a client's Performance tab render."""

from __future__ import annotations

from admin.demo import load_demo
from extensions import db
from models import Client
from tests.conftest import login_staff


def test_the_kpi_pages_render_over_the_demo_data(app):
    with app.app_context():
        load_demo()
        client_id = db.session.query(Client.id).filter(Client.industry_id.is_not(None)).first()[0]
    browser = app.test_client()
    assert login_staff(browser, "admin", "Demo-Admin-2026!").status_code == 302
    for by in ("client", "recruiter", "service_type", "agency"):
        page = browser.get(f"/kpis/?preset=year_to_date&by={by}")
        assert page.status_code == 200, by
        assert 'data-kpi="time_to_fill"' in page.get_data(as_text=True)
    assert browser.get("/kpis/csv?by=client").status_code == 200
    html = browser.get(f"/kpis/client/{client_id}").get_data(as_text=True)
    assert 'id="client-performance"' in html
