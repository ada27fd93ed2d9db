"""Communication › Surveys and Survey results: each role's reach (Account managers write and
send, Recruiters and Finance read), a survey drafted from the form and sent, its responses on
its page, the results with their trend and CSV; another team's survey is a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models import ClientTeamMember, OutboxMessage, Survey, record_response, utcnow
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientFactory, make_user
from tests.survey_factories import contacts_of, sent_survey

ROLES = ["Admin", "Account Manager", "Recruiter", "Finance", "Client"]
READERS = {"Admin", "Account Manager", "Recruiter", "Finance"}
WRITERS = {"Admin", "Account Manager"}


@pytest.fixture
def world(app):
    """Acme with an answered NPS survey and a draft; Hidden Corp's survey nobody here sees."""
    with app.app_context():
        acme = ClientFactory(name="Acme Robotics")
        answered = sent_survey("nps", client=acme, contacts=contacts_of(acme, 2))
        record_response(answered.recipients[0], {"recommend": 10, "reason": "Superb shortlist"})
        record_response(answered.recipients[1], {"recommend": 4})
        draft = Survey.create_for(acme, "csat", contacts_of(acme, 1))
        hidden = ClientFactory(name="Hidden Corp")
        theirs = sent_survey("csat", client=hidden, count=1)
        db.session.commit()
        return {
            "client": acme.id,
            "answered": answered.id,
            "draft": draft.id,
            "hidden": theirs.id,
            "contact": answered.recipients[0].contact_id,
        }


def signed_in(app, role, client_id):
    http = app.test_client()
    with app.app_context():
        user = make_user(role)
        if role != "Client":
            db.session.add(ClientTeamMember(client_id=client_id, user=user, role="recruiter"))
            db.session.commit()
        username = user.username
    assert login_staff(http, username).status_code == 302
    return http


PAGES = {
    "/surveyview/list/": READERS,
    "/surveyview/show/{answered}": READERS,
    "/surveyview/add": WRITERS,
    "/survey-results/": READERS,
    "/survey-results/csv": READERS,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_survey_pages_follow_the_matrix(app, world, role, page):
    http = signed_in(app, role, world["client"])
    response = http.get(page.format(**world))
    if role in PAGES[page]:
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    else:
        assert response.status_code in (302, 403, 404)


@pytest.mark.parametrize("role", ROLES)
def test_only_account_managers_and_admins_send(app, world, role):
    http = signed_in(app, role, world["client"])
    url = f"/surveyview/send/{world['draft']}"
    token = csrf_token(http, "/resetmypassword/form") if role != "Client" else ""
    http.post(url, data={"csrf_token": token or ""})
    with app.app_context():
        status = db.session.get(Survey, world["draft"]).status
    assert (status == "sent") == (role in WRITERS)


def test_the_show_page_lists_the_responses(app, world):
    http = signed_in(app, "Account Manager", world["client"])
    page = http.get(f"/surveyview/show/{world['answered']}").get_data(as_text=True)
    assert "Superb shortlist" in page and "NPS answer <strong>10</strong>" in page
    assert page.count('class="panel panel-default survey-response"') == 2


def test_another_teams_survey_is_a_404(app, world):
    http = signed_in(app, "Account Manager", world["client"])
    assert http.get(f"/surveyview/show/{world['hidden']}").status_code == 404
    assert "Hidden Corp" not in http.get("/surveyview/list/").get_data(as_text=True)


def test_a_survey_drafted_from_the_form_gets_its_questions_and_sends(app, world):
    http = signed_in(app, "Account Manager", world["client"])
    token = csrf_token(http, "/surveyview/add")
    response = http.post(
        "/surveyview/add",
        data={
            "csrf_token": token,
            "client": world["client"],
            "kind": "project_completion",
            "contacts": [world["contact"]],
            "title": "",
            "send_at": "",
            "expires_at": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    with app.app_context():
        survey = db.session.scalars(select(Survey).order_by(Survey.id.desc())).first()
        assert survey.kind == "project_completion" and len(survey.questions) == 6
        assert survey.title == "Project completion survey: Acme Robotics"
        survey_id = survey.id
    token = csrf_token(http, f"/surveyview/show/{survey_id}")
    http.post(f"/surveyview/send/{survey_id}", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(Survey, survey_id).status == "sent"
        mails = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "survey")
        ).all()
        assert len(mails) == 1 and "/portal/survey/" in mails[0].body_text


def test_the_form_shows_a_rule_beside_its_field(app, world):
    http = signed_in(app, "Account Manager", world["client"])
    token = csrf_token(http, "/surveyview/add")
    response = http.post(
        "/surveyview/add",
        data={
            "csrf_token": token,
            "client": world["client"],
            "kind": "nps",
            "contacts": [world["contact"]],
            "send_at": "2030-01-10T09:00",
            "expires_at": "2030-01-05T09:00",
        },
    )
    assert response.status_code == 422
    assert "after the send date" in response.get_data(as_text=True)


def test_the_results_page_shows_nps_csat_and_the_trend(app, world):
    http = signed_in(app, "Finance", world["client"])
    page = http.get("/survey-results/").get_data(as_text=True)
    # Answers 10 and 4: one promoter, one detractor of two -> NPS 0.0
    assert 'id="overall-nps">0.0<' in page
    assert "<svg" in page and 'class="trend-nps"' in page
    assert "Acme Robotics" in page and "Hidden Corp" not in page
    csv = http.get("/survey-results/csv")
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0].startswith("scope,name,responses") and lines[1].startswith(
        "overall,All clients,2"
    )
    assert any(line.startswith("client,Acme Robotics,2") for line in lines)
    assert "Hidden Corp" not in csv.get_data(as_text=True)


def test_a_bad_date_on_the_results_page_is_said_not_a_500(app, world):
    http = signed_in(app, "Account Manager", world["client"])
    response = http.get("/survey-results/?since=yesterday")
    assert response.status_code == 200
    assert "Since must be a date" in response.get_data(as_text=True)


def test_a_period_with_no_answers_says_so(app, world):
    http = signed_in(app, "Account Manager", world["client"])
    later = (utcnow() + timedelta(days=400)).date().isoformat()
    page = http.get(f"/survey-results/?since={later}").get_data(as_text=True)
    assert 'id="no-results"' in page


def test_the_list_action_sends_the_selected_drafts(app, world):
    http = signed_in(app, "Account Manager", world["client"])
    token = csrf_token(http, "/surveyview/list/")
    http.post(
        "/surveyview/action_post",
        data={"csrf_token": token, "action": "send", "rowid": [world["draft"], world["hidden"]]},
    )
    with app.app_context():
        assert db.session.get(Survey, world["draft"]).status == "sent"
        assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "survey")).all()
