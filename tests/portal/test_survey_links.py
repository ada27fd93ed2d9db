"""Survey links: no sign-in; a GET shows the questions and records nothing; the POST records
one response; a second answer, an expired and an unknown link each get a clear page."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Survey, SurveyResponse
from tests.conftest import csrf_token
from tests.factories import ClientFactory
from tests.survey_factories import expire, sent_survey, token_for


@pytest.fixture
def invited(app):
    """An NPS survey for Acme sent to Hana, with her link."""
    with app.app_context():
        client = ClientFactory(name="Acme Logistics Inc")
        from tests.survey_factories import contacts_of

        survey = sent_survey(
            "nps", client=client, contacts=contacts_of(client, 1, first_name="Hana")
        )
        token = token_for(survey.recipients[0])
        return SimpleNamespace(id=survey.id, url=f"/portal/survey/{token}")


def responses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SurveyResponse))


def answer(client, url, **answers):
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token, **answers})


def test_a_get_shows_the_questions_and_records_nothing(app, client, invited):
    for _ in range(2):  # a mail scanner, then the person
        response = client.get(invited.url)
        body = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Hello Hana" in body and "recommend us" in body and 'name="recommend"' in body
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert responses(app) == 0


def test_the_link_answers_once(app, client, invited):
    response = answer(client, invited.url, recommend="9", reason="Quick shortlists")
    assert response.status_code == 200
    assert "Your answers are recorded" in response.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalar(select(SurveyResponse))
        assert stored.nps_score == 9 and stored.channel == "link"


def test_a_second_answer_gets_a_clear_page_not_an_error(app, client, invited):
    token = csrf_token(client, invited.url)  # the form open in two tabs
    client.post(invited.url, data={"csrf_token": token, "recommend": "9"})
    again = client.post(invited.url, data={"csrf_token": token, "recommend": "2"})
    body = again.get_data(as_text=True)
    assert again.status_code == 409
    assert "You have answered this survey already" in body and "Traceback" not in body
    assert client.get(invited.url).status_code == 409
    assert responses(app) == 1


def test_an_expired_link_gets_a_clear_page(app, client, invited):
    with app.app_context():
        expire(db.session.get(Survey, invited.id))
    response = client.get(invited.url)
    body = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "This survey is closed" in body and "no longer takes answers" in body
    assert answer_post_without_form(client, invited.url).status_code == 410
    assert responses(app) == 0


def answer_post_without_form(client, url):
    # The page shows no form any more: post with a token from another form of the portal.
    token = csrf_token(client, "/portal/login")
    return client.post(url, data={"csrf_token": token, "recommend": "9"})


def test_an_unknown_link_gets_a_clear_page(client):
    response = client.get("/portal/survey/not-a-real-token")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "This survey link cannot be used" in body and "copied whole" in body
    assert response.headers["Cache-Control"] == "no-store"


def test_a_form_error_keeps_the_values_and_names_the_question(app, client, invited):
    response = answer(client, invited.url, reason="Great people, slow paperwork")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="error-recommend"' in body and "Please answer" in body
    assert "Great people, slow paperwork" in body
    out_of_range = answer(client, invited.url, recommend="12", reason="x")
    assert "0 to 10" in out_of_range.get_data(as_text=True)
    assert responses(app) == 0


def test_a_chosen_score_is_kept_when_another_answer_is_wrong(app, client):
    with app.app_context():
        survey = sent_survey("project_completion", count=1)
        url = f"/portal/survey/{token_for(survey.recipients[0])}"
    response = answer(client, url, quality="4", communication="5", overall="4", recommend="8")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="error-speed"' in body
    assert 'name="quality" value="4" checked' in body
    assert 'name="recommend" value="8" checked' in body


def test_a_post_without_the_csrf_token_is_refused(app, client, invited):
    response = client.post(invited.url, data={"recommend": "9"})
    assert response.status_code == 400
    assert responses(app) == 0
