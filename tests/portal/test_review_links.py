"""One-click review links: no sign-in, a GET only asks, the POST (with CSRF) records; a bad,
expired or foreign link is refused and shows nothing of the candidate."""

from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace

import itsdangerous.timed
import pytest
from sqlalchemy import func, select

from extensions import db
from models import Activity, Application, ClientContact, Contact, Evaluation, utcnow
from models.feedback import review_token
from tests.conftest import csrf_token
from tests.factories import (
    CandidateFactory,
    ClientContactFactory,
    ClientFactory,
    add_candidate,
    make_user,
    open_job_order,
)


@pytest.fixture
def presented(app):
    """Acme's candidate, presented four days ago, and an Acme hiring manager."""
    with app.app_context():
        job = open_job_order(client=ClientFactory(name="Acme Logistics Inc"), title="Head of Ops")
        candidate = CandidateFactory(first_name="Rosa", last_name="Villanueva")
        application = add_candidate(job, "submitted", candidate=candidate)
        application.presented_at = utcnow() - timedelta(days=4)
        link = ClientContactFactory(client=job.client, contact__first_name="Hana")
        db.session.commit()
        return SimpleNamespace(
            id=application.id,
            job_id=job.id,
            client_name=job.client.name,
            candidate="Rosa Villanueva",
            job_title=job.title,
            contact_id=link.contact_id,
            link_id=link.id,
        )


def url_for_link(app, application_id, contact_id, decision="advance") -> str:
    with app.app_context():
        application = db.session.get(Application, application_id)
        contact = db.session.get(Contact, contact_id)
        return f"/portal/review/{review_token(application, contact, decision)}"


def recorded(app) -> tuple[int, int]:
    """(evaluations, timeline rows about evaluations)."""
    with app.app_context():
        evaluations = db.session.scalar(select(func.count()).select_from(Evaluation))
        activity = db.session.scalar(
            select(func.count()).select_from(Activity).where(Activity.kind == "evaluation")
        )
        return evaluations, activity


def first_review_at(app, application_id):
    with app.app_context():
        return db.session.get(Application, application_id).first_review_at


def test_a_get_shows_the_decision_and_changes_nothing(app, client, presented):
    url = url_for_link(app, presented.id, presented.contact_id, "reject")
    for _ in range(2):  # a mail scanner, then the person
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 200
        assert presented.candidate in body and presented.job_title in body
        assert "Confirm: reject" in body and f"/portal/jobs/{presented.job_id}" in body
    assert recorded(app) == (0, 0) and first_review_at(app, presented.id) is None


def test_the_post_records_the_evaluation_and_the_first_review(app, client, presented):
    url = url_for_link(app, presented.id, presented.contact_id, "hold")
    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Thank you, Hana" in body and "is recorded" in body
    assert f"/portal/jobs/{presented.job_id}" in body
    assert recorded(app) == (1, 1) and first_review_at(app, presented.id) is not None
    with app.app_context():
        evaluation = db.session.scalars(select(Evaluation)).one()
        assert (evaluation.contact_id, evaluation.decision) == (presented.contact_id, "hold")


def test_a_second_click_changes_nothing(app, client, presented):
    url = url_for_link(app, presented.id, presented.contact_id)
    client.post(url, data={"csrf_token": csrf_token(client, url)})
    again = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert "was recorded already" in again.get_data(as_text=True)
    assert recorded(app) == (1, 1)


def test_a_post_without_the_csrf_token_records_nothing(app, client, presented):
    url = url_for_link(app, presented.id, presented.contact_id)
    assert client.post(url).status_code == 400
    assert recorded(app) == (0, 0)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_tampered_link_is_not_found(app, client, presented, method):
    url = url_for_link(app, presented.id, presented.contact_id)
    tampered = url[:-3] + ("xyz" if not url.endswith("xyz") else "abc")
    response = client.open(tampered, method=method, data={"csrf_token": csrf_token(client, url)})
    body = response.get_data(as_text=True)
    assert response.status_code == 404 and "not valid" in body
    assert presented.candidate not in body and recorded(app) == (0, 0)


def test_an_expired_link_is_gone(app, client, presented, monkeypatch):
    past = time.time() - timedelta(days=15).total_seconds()
    monkeypatch.setattr(itsdangerous.timed, "time", SimpleNamespace(time=lambda: past))
    url = url_for_link(app, presented.id, presented.contact_id)
    monkeypatch.undo()
    response = client.get(url)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)


def test_a_contact_of_another_client_is_refused_and_sees_nothing_of_it(app, client, presented):
    with app.app_context():
        stranger = ClientContactFactory(client=ClientFactory(name="Zenith Foods Corp"))
        stranger_id = stranger.contact_id
    url = url_for_link(app, presented.id, stranger_id)
    token = csrf_token(client, "/portal/login")
    for response in (client.get(url), client.post(url, data={"csrf_token": token})):
        body = response.get_data(as_text=True)
        assert response.status_code == 403 and "no longer a contact" in body
        for secret in (presented.candidate, presented.job_title, presented.client_name):
            assert secret not in body
    assert recorded(app) == (0, 0)


def test_a_contact_no_longer_linked_to_the_client_is_refused(app, client, presented):
    url = url_for_link(app, presented.id, presented.contact_id)
    with app.app_context():
        db.session.delete(db.session.get(ClientContact, presented.link_id))
        db.session.commit()
    response = client.post(url, data={"csrf_token": csrf_token(client, "/portal/login")})
    assert response.status_code == 403 and recorded(app) == (0, 0)


def test_a_candidate_no_longer_presented_is_refused_with_the_reason(app, client, presented):
    url = url_for_link(app, presented.id, presented.contact_id)
    with app.app_context():
        db.session.get(Application, presented.id).action_move("withdrawn")
        db.session.commit()
    response = client.get(url)
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f"{presented.candidate} is no longer waiting for your review" in body
    assert "Confirm:" not in body


def test_a_decision_the_agency_confirmed_cannot_be_changed_by_link(app, client, presented):
    with app.app_context():
        application = db.session.get(Application, presented.id)
        contact = db.session.get(Contact, presented.contact_id)
        Evaluation.action_submit(application, contact, "hold").action_confirm(make_user("Admin"))
        db.session.commit()
    url = url_for_link(app, presented.id, presented.contact_id, "reject")
    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 422
    assert "confirmed by the agency" in response.get_data(as_text=True)
