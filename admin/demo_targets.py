"""The demo agency's KPI targets: what each portal client agreed with the agency, so the
portal dashboard's "Your KPIs against agreed targets" shows figures against them.

Called by ``load_demo()`` (admin/demo.py) inside its transaction; safe to run again: a target
the client has already is left as it is.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models import Client, KpiTarget

# (client short name, KPI, target, note)
TARGETS = (
    ("BAYANIHAN", "time_to_fill", "45", "Agreed in the master services agreement"),
    ("BAYANIHAN", "submittal_to_interview", "40", None),
    ("BAYANIHAN", "placements", "4", "Plant expansion: four hires this year"),
    ("BAYANIHAN", "nps", "30", None),
    ("MERLION", "time_to_fill", "30", None),
    ("MERLION", "offer_acceptance", "80", None),
)


def load_targets(count) -> None:
    clients = dict(db.session.execute(select(Client.short_name, Client.id)).all())
    have = set(db.session.execute(select(KpiTarget.client_id, KpiTarget.kpi)).all())
    for short_name, kpi, target, note in TARGETS:
        client_id = clients.get(short_name)
        if client_id is None or (client_id, kpi) in have:
            continue
        db.session.add(KpiTarget(client_id=client_id, kpi=kpi, target=Decimal(target), note=note))
        count("KPI targets")
