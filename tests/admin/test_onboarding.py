"""The client page's Onboarding tab: the onboard button makes the plan, the step buttons move
the progress the page shows, a second onboarding is refused with a message, a client one may
not see is a 404, recruiters read without the buttons; the service reviews are scheduled as
meetings with the client's figures; templates are edited in the admin."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models import (
    Client,
    ClientTeamMember,
    Meeting,
    OnboardingPlan,
    OnboardingTemplate,
    ServiceReview,
    Survey,
)
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientContactFactory, ClientFactory, make_user, open_job_order


@pytest.fixture
def desk(app):
    """An account manager's client (with a primary contact), a recruiter on its team, and
    another client neither works on."""
    with app.app_context():
        manager, recruiter = make_user("Account Manager"), make_user("Recruiter")
        client = ClientFactory(owner=manager, name="Bayside Foods")
        ClientContactFactory(client=client, role="primary")
        db.session.add(ClientTeamMember(client=client, user=recruiter, role="recruiter"))
        other = ClientFactory(name="Elsewhere Corp")
        db.session.commit()
        return {
            "manager": manager.username,
            "recruiter": recruiter.username,
            "client": client.id,
            "other": other.id,
        }


def page(browser, client_id) -> str:
    response = browser.get(f"/clientview/show/{client_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def progress(html: str) -> int:
    return int(re.search(r'id="onboarding-progress" data-progress="(\d+)"', html).group(1))


def post(browser, url, client_id, **data):
    token = csrf_token(browser, f"/clientview/show/{client_id}")
    return browser.post(url, data={"csrf_token": token, **data})


def test_onboarding_creates_the_plan_and_completing_steps_moves_the_progress_shown(
    app, client, desk
):
    login_staff(client, desk["manager"])
    assert 'id="onboarding-none"' in page(client, desk["client"])
    answer = post(client, f"/onboarding/client/{desk['client']}/onboard", desk["client"])
    assert answer.status_code == 302
    html = page(client, desk["client"])
    assert progress(html) == 0 and "Lead capture and qualification" in html
    with app.app_context():
        plan = OnboardingPlan.active_for(db.session, desk["client"])
        step_ids = [s.id for s in plan.steps]
    for step_id in step_ids[:3]:
        post(client, f"/onboarding/step/{step_id}/complete", desk["client"])
    post(client, f"/onboarding/step/{step_ids[3]}/skip", desk["client"])
    html = page(client, desk["client"])
    assert progress(html) == 40  # 4 of 10 steps done or skipped
    assert 'id="onboarding-tab-progress">40%' in html


def test_onboarding_twice_is_refused_with_a_message(app, client, desk):
    login_staff(client, desk["manager"])
    post(client, f"/onboarding/client/{desk['client']}/onboard", desk["client"])
    with app.app_context():
        template = db.session.scalar(select(OnboardingTemplate))
        plan = OnboardingPlan.start(
            db.session.get(Client, desk["other"]), template, None, None
        )  # another client's plan: unaffected
        db.session.commit()
        assert plan.status == "active"
    post(client, f"/onboarding/client/{desk['client']}/onboard", desk["client"])
    html = client.get(f"/clientview/show/{desk['client']}").get_data(as_text=True)
    assert "has an onboarding plan under way already" in html
    with app.app_context():
        assert db.session.query(OnboardingPlan).filter_by(client_id=desk["client"]).count() == 1


def test_a_step_verb_its_status_does_not_allow_is_a_message(app, client, desk):
    login_staff(client, desk["manager"])
    post(client, f"/onboarding/client/{desk['client']}/onboard", desk["client"])
    with app.app_context():
        step_id = OnboardingPlan.active_for(db.session, desk["client"]).steps[0].id
    post(client, f"/onboarding/step/{step_id}/reopen", desk["client"])
    assert "it cannot be reopened" in page(client, desk["client"])


def test_another_managers_client_is_a_404(app, client, desk):
    login_staff(client, desk["manager"])
    token = csrf_token(client, f"/clientview/show/{desk['client']}")
    answer = client.post(f"/onboarding/client/{desk['other']}/onboard", data={"csrf_token": token})
    assert answer.status_code == 404
    with app.app_context():
        step_id = OnboardingPlan.start(db.session.get(Client, desk["other"])).steps[0].id
        db.session.commit()
    answer = client.post(f"/onboarding/step/{step_id}/complete", data={"csrf_token": token})
    assert answer.status_code == 404


def test_a_recruiter_reads_the_plan_without_the_buttons(app, client, desk):
    with app.app_context():
        OnboardingPlan.start(db.session.get(Client, desk["client"]))
        db.session.commit()
    login_staff(client, desk["recruiter"])
    html = page(client, desk["client"])
    assert progress(html) == 0
    assert 'data-verb="complete"' not in html and 'id="onboard-form"' not in html


def test_a_service_review_is_a_meeting_with_the_clients_figures(app, client, desk):
    with app.app_context():
        open_job_order(client=db.session.get(Client, desk["client"]))
    login_staff(client, desk["manager"])
    starts = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    answer = post(
        client,
        f"/onboarding/client/{desk['client']}/review",
        desk["client"],
        kind="monthly",
        starts_at=starts,
    )
    assert answer.status_code == 302
    with app.app_context():
        [review] = db.session.scalars(select(ServiceReview)).all()
        meeting = db.session.get(Meeting, review.meeting_id)
        assert meeting.title == "Monthly business review: Bayside Foods"
        assert "- Open job orders: 1" in meeting.agenda
        assert "- Candidates in pipeline: 0" in meeting.agenda
        assert "ROI calculation" in meeting.agenda
        assert (meeting.ends_at - meeting.starts_at) == timedelta(minutes=60)
        assert len(meeting.contacts) == 1
    assert "Monthly business review" in page(client, desk["client"])


def test_templates_are_listed_and_edited_in_the_admin(app, client, desk):
    with app.app_context():
        from models.onboarding_templates import seed_default_template

        template_id = seed_default_template(db.session).id
        db.session.commit()
    login_staff(client, desk["manager"])
    listing = client.get("/onboardingtemplateview/list/").get_data(as_text=True)
    assert "Standard client onboarding" in listing
    show = client.get(f"/onboardingtemplateview/show/{template_id}").get_data(as_text=True)
    assert "Implementation week 3: advanced features" in show
    token = csrf_token(client, "/onboardingtemplateview/add")
    answer = client.post(
        "/onboardingtemplateview/add",
        data={"name": "Light onboarding", "active": "y", "csrf_token": token},
    )
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.scalar(
            select(OnboardingTemplate).where(OnboardingTemplate.name == "Light onboarding")
        )


def test_a_step_is_assigned_and_its_checklist_ticked_from_the_tab(app, client, desk):
    login_staff(client, desk["manager"])
    post(client, f"/onboarding/client/{desk['client']}/onboard", desk["client"])
    with app.app_context():
        step_id = OnboardingPlan.active_for(db.session, desk["client"]).steps[0].id
        iris = make_user("Recruiter", first_name="Iris").id
    post(client, f"/onboarding/step/{step_id}/assign", desk["client"], assignee_id=str(iris))
    post(client, f"/onboarding/step/{step_id}/tick/2", desk["client"], done="1")
    html = page(client, desk["client"])
    assert f'data-owner="{iris}"' in html
    with app.app_context():
        plan = OnboardingPlan.active_for(db.session, desk["client"])
        assert plan.steps[0].assignee_id == iris
        assert [c["done"] for c in plan.steps[0].checklist] == [False, False, True, False, False]


def test_after_a_held_quarterly_review_the_tab_sends_the_feedback_survey(app, client, desk):
    with app.app_context():
        review = ServiceReview.schedule(
            db.session.get(Client, desk["client"]),
            "quarterly",
            datetime.now(UTC) - timedelta(hours=3),
        )
        db.session.commit()
        review_id = review.id
    login_staff(client, desk["manager"])
    assert "Send feedback survey" in page(client, desk["client"])
    post(client, f"/onboarding/review/{review_id}/feedback", desk["client"])
    post(client, f"/onboarding/review/{review_id}/feedback", desk["client"])
    assert "feedback survey sent" in page(client, desk["client"])
    with app.app_context():
        [survey] = db.session.scalars(select(Survey)).all()
        assert db.session.get(ServiceReview, review_id).survey_id == survey.id
        assert survey.recipients[0].sent_at is not None
