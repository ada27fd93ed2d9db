"""Surveys in the portal: a signed-in contact sees their own surveys for their client and
answers them once; another client's survey, or someone else's, answers 404."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Client, ClientContact, SurveyResponse
from tests.conftest import csrf_token
from tests.portal.conftest import sign_in
from tests.survey_factories import contacts_of, sent_survey

# Every portal path taking a survey id (tests/portal/test_isolation.py checks the list).
SURVEY_ID_PATHS = [
    ("GET", "/portal/surveys/{survey_id}", {}),
    ("POST", "/portal/surveys/{survey_id}", {"satisfaction": "5", "recommend": "9"}),
]


@pytest.fixture
def my_survey(app, company, member):
    with app.app_context():
        me = db.session.get(ClientContact, member.link_id).contact
        return sent_survey(
            "csat",
            client=db.session.get(Client, company.id),
            contacts=[me],
            title="How are we doing?",
        ).id


def responses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SurveyResponse))


def test_the_contact_sees_their_open_survey_in_the_list_and_on_the_dashboard(
    client, member, my_survey
):
    sign_in(client, member.username)
    page = client.get("/portal/surveys").get_data(as_text=True)
    assert "How are we doing?" in page and "Awaiting your answer" in page
    assert f"/portal/surveys/{my_survey}" in page
    dashboard = client.get("/portal/").get_data(as_text=True)
    assert 'id="surveys-card"' in dashboard and ">Surveys</a>" in dashboard


def test_the_contact_answers_in_the_portal_once(app, client, member, my_survey):
    sign_in(client, member.username)
    url = f"/portal/surveys/{my_survey}"
    token = csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, "satisfaction": "4"})
    assert response.status_code == 200 and "your answers are recorded" in response.get_data(
        as_text=True
    )
    again = client.post(url, data={"csrf_token": token, "satisfaction": "1"})
    assert again.status_code == 409
    assert "answered this survey already" in again.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalar(select(SurveyResponse))
        assert stored.csat_score == 4 and stored.channel == "portal"
    assert "Answered" in client.get("/portal/surveys").get_data(as_text=True)


def test_a_form_error_in_the_portal_keeps_the_values(client, member, my_survey):
    sign_in(client, member.username)
    url = f"/portal/surveys/{my_survey}"
    token = csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, "comments": "Keep this text"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Keep this text" in body
    assert 'id="error-satisfaction"' in body


def test_another_clients_survey_answers_404(app, client, member, other_company, my_survey):
    with app.app_context():
        zenith = db.session.get(Client, other_company.id)
        theirs = sent_survey("nps", client=zenith, contacts=contacts_of(zenith, 1)).id
    sign_in(client, member.username)
    assert client.get(f"/portal/surveys/{theirs}").status_code == 404
    assert "Zenith" not in client.get("/portal/surveys").get_data(as_text=True)


def test_a_colleagues_survey_answers_404(app, client, company, member):
    with app.app_context():
        acme = db.session.get(Client, company.id)
        colleague = sent_survey("nps", client=acme, contacts=contacts_of(acme, 1)).id
    sign_in(client, member.username)
    assert client.get(f"/portal/surveys/{colleague}").status_code == 404
    assert responses(app) == 0


def test_the_survey_pages_need_a_sign_in(client, my_survey):
    assert client.get("/portal/surveys").status_code == 302
    assert client.get(f"/portal/surveys/{my_survey}").status_code == 302


@pytest.mark.parametrize(("method", "path", "data"), SURVEY_ID_PATHS)
def test_another_clients_survey_id_answers_404_on_every_path(
    app, client, member, other_company, method, path, data
):
    with app.app_context():
        zenith = db.session.get(Client, other_company.id)
        theirs = sent_survey("nps", client=zenith, contacts=contacts_of(zenith, 1)).id
    sign_in(client, member.username)
    token = csrf_token(client, "/portal/")
    url = path.format(survey_id=theirs)
    response = client.open(url, method=method, data={**data, "csrf_token": token})
    assert response.status_code == 404
    assert other_company.name not in response.get_data(as_text=True)
    missing = client.open(
        path.format(survey_id=999999), method=method, data={**data, "csrf_token": token}
    )
    assert missing.status_code == 404
    assert responses(app) == 0
