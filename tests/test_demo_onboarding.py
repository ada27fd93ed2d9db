"""The demo's onboarding: Bayanihan's plan well under way (shown in its portal and on its
client page), Merlion's just started, a monthly review on Bayanihan's calendar; loading twice
adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from admin.demo import load_demo
from extensions import db
from models import Client, OnboardingPlan, OnboardingTemplate, ServiceReview
from tests.conftest import csrf_token, login_staff


def _counts():
    return tuple(
        db.session.scalar(select(func.count(model.id)))
        for model in (OnboardingTemplate, OnboardingPlan, ServiceReview)
    )


def test_the_demo_onboards_two_clients_once(app):
    with app.app_context():
        load_demo()
        assert _counts() == (1, 2, 1)
        bayanihan = db.session.scalar(select(Client).where(Client.short_name == "BAYANIHAN"))
        plan = OnboardingPlan.active_for(db.session, bayanihan.id)
        assert plan.progress == 30 and plan.steps[3].status == "in_progress"
        client_id = bayanihan.id
        db.session.remove()
        load_demo()
        assert _counts() == (1, 2, 1)
    staff = app.test_client()
    login_staff(staff, "manager", "Demo-Manager-2026!")
    html = staff.get(f"/clientview/show/{client_id}").get_data(as_text=True)
    assert 'data-progress="30"' in html
    portal = app.test_client()
    csrf = csrf_token(portal, "/portal/login")
    portal.post(
        "/portal/login",
        data={
            "username": "maria.santos@bayanihanfoods.example",
            "password": "Demo-Portal-Admin-2026!",
            "csrf_token": csrf,
        },
    )
    page = portal.get("/portal/onboarding").get_data(as_text=True)
    assert 'id="onboarding-progress" data-progress="22"' in page  # 2 of 9 visible steps
