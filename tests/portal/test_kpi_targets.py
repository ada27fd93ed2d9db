"""The portal dashboard's "Your KPIs against agreed targets": each target the agency agreed
with the company, the company's own figure and whether it is met by the KPI's direction, with
a chart; another company's targets never show."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from extensions import db
from models import Client, KpiTarget, utcnow
from tests.factories import JobOrderFactory

from .conftest import sign_in


def _targets(company_id, other_id):
    acme = db.session.get(Client, company_id)
    now = utcnow()
    # Two filled orders: 20 and 30 days from opening to filling → average 25.0 days.
    JobOrderFactory(
        client=acme, opened_at=now - timedelta(days=50), filled_at=now - timedelta(days=30)
    )
    JobOrderFactory(client=acme, opened_at=now - timedelta(days=30), filled_at=now)
    db.session.add_all(
        [
            KpiTarget(
                client_id=company_id, kpi="time_to_fill", target=Decimal("30"), note="QBR 2026"
            ),
            KpiTarget(client_id=company_id, kpi="placements", target=Decimal("2")),
            KpiTarget(client_id=company_id, kpi="fill_rate", target=Decimal("80")),
            KpiTarget(client_id=other_id, kpi="nps", target=Decimal("55")),
        ]
    )
    db.session.commit()


def test_each_target_with_the_figure_and_whether_it_is_met(
    app, client, company, other_company, member
):
    with app.app_context():
        _targets(company.id, other_company.id)
    sign_in(client, member.username)
    page = client.get("/portal/").get_data(as_text=True)
    assert "Your KPIs against agreed targets" in page
    rows = dict(re.findall(r'<tr data-kpi="([a-z_]+)" data-met="([a-z]+)">', page))
    # time to fill: 25.0 days ≤ 30 (lower is better): met. Placements: 0 < 2: not met.
    # Fill rate: both orders opened in the last 12 months with 1 opening each and no
    # placement: 0 of 2 openings filled = 0 % < 80: not met.
    assert rows == {"time_to_fill": "yes", "placements": "no", "fill_rate": "no"}
    assert "25.0 days" in page and "QBR 2026" in page
    chart = re.search(r'<svg [^>]*data-chart="kpi-targets".*?</svg>', page, re.S).group(0)
    assert 'data-key="time_to_fill" data-value="25.0"' in chart
    assert 'class="marker" data-key="time_to_fill" data-value="30.00"' in chart
    assert 'data-kpi="nps"' not in page  # Zenith's target


def test_no_target_no_section(app, client, company, member):
    sign_in(client, member.username)
    assert "Your KPIs against agreed targets" not in client.get("/portal/").get_data(as_text=True)
