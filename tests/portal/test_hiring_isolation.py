"""Hiring isolation: client B's job orders and candidates answer 404 in client A's portal and
leave no trace in the page; the same paths work with A's own ids.

``HIRING_ID_PATHS`` lists every hiring URL that takes a record id; the guard in
``test_isolation.py`` fails when a portal path with an id is in neither list.
"""

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Evaluation
from tests.conftest import csrf_token

from .conftest import htmx_post, sign_in

EVALUATION = {"score-0": "5", "decision": "advance", "comments": "Probe"}
# (method, path with {placeholders}, form data): every hiring path that takes an id.
HIRING_ID_PATHS = [
    ("GET", "/portal/jobs/{job_id}", None),
    ("GET", "/portal/jobs/{job_id}/evaluations", None),
    ("POST", "/portal/shortlist/{application_id}/evaluation", EVALUATION),
]
# Hiring pages without an id: they list the client's own records only.
HIRING_PAGES = ["/portal/", "/portal/jobs", "/portal/jobs/new"]


def secrets_of(company, search) -> list[str]:
    """Everything of a company's hiring that another client must never read."""
    return [
        company.name,
        company.manager_name,
        company.primary_name,
        search.project_name,
        search.job_title,
        search.pitch,
        *search.shown_names,
        *search.hidden_names,
    ]


def probe(client, method, path, data, token, **ids):
    """The answers to one path, as a page and (for a POST) as an htmx request too."""
    url = path.format(**ids)
    if method == "GET":
        return [client.get(url), client.get(url, headers={"HX-Request": "true"})]
    return [
        client.post(url, data={**data, "csrf_token": token}),
        htmx_post(client, url, data, token),
    ]


@pytest.fixture
def acme(client, member, search):
    """Signed in as Acme's hiring member: the CSRF token."""
    sign_in(client, member.username)
    return csrf_token(client, "/portal/")


@pytest.mark.parametrize(("method", "path", "data"), HIRING_ID_PATHS)
@pytest.mark.parametrize("which", ["presented", "hidden"])
def test_another_clients_ids_answer_404_and_show_nothing_of_it(
    app, client, acme, other_company, other_search, method, path, data, which
):
    ids = other_search.shown_ids if which == "presented" else other_search.hidden_ids
    for application_id in ids:
        for response in probe(
            client,
            method,
            path,
            data,
            acme,
            job_id=other_search.job_id,
            application_id=application_id,
        ):
            body = response.get_data(as_text=True)
            assert response.status_code == 404
            for secret in secrets_of(other_company, other_search):
                assert secret not in body
    with app.app_context():
        assert db.session.scalar(select(func.count(Evaluation.id))) == 0


@pytest.mark.parametrize(("method", "path", "data"), HIRING_ID_PATHS)
def test_the_same_paths_answer_for_the_clients_own_ids(
    client, acme, search, other_company, other_search, method, path, data
):
    for response in probe(
        client, method, path, data, acme, job_id=search.job_id, application_id=search.shown_ids[0]
    ):
        body = response.get_data(as_text=True)
        assert response.status_code in (200, 303)
        for secret in secrets_of(other_company, other_search):
            assert secret not in body


@pytest.mark.parametrize(("method", "path", "data"), HIRING_ID_PATHS)
def test_a_missing_id_answers_like_another_clients(client, acme, method, path, data):
    for response in probe(client, method, path, data, acme, job_id=99999, application_id=99999):
        assert response.status_code == 404


@pytest.mark.parametrize("url", HIRING_PAGES)
def test_hiring_pages_show_nothing_of_another_client(
    client, acme, company, search, other_company, other_search, url
):
    body = client.get(url).get_data(as_text=True)
    assert company.name in body
    for secret in secrets_of(other_company, other_search):
        assert secret not in body
