"""The shortlist: only the candidates the agency presented, with what the client needs to decide."""

import pytest

from extensions import db
from models import Application

from .conftest import make_member, sign_in


@pytest.fixture
def page(client, member, search):
    sign_in(client, member.username)
    response = client.get(f"/portal/jobs/{search.job_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_job_page_shows_the_job_its_status_and_timeline(page, search):
    assert f'<h1 class="pagehead__title">{search.job_title}</h1>' in page
    assert search.job_reference in page
    assert "Search open" in page
    assert "<strong>Day 0</strong> of 45" in page
    assert "Target fill date" in page


def test_the_shortlist_shows_the_presented_candidates_with_the_agencys_pitch(page, search):
    for application_id, name in zip(search.shown_ids, search.shown_names, strict=True):
        card = page.split(f'id="candidate-{application_id}"')[1].split("</article>")[0]
        assert name in card
        assert "Senior Engineer" in card
        assert search.pitch in card


def test_the_shortlist_shows_the_stage_and_the_interviews_scheduled(page, search):
    submitted, interviewing = (
        page.split(f'id="candidate-{i}"')[1].split("</article>")[0] for i in search.shown_ids
    )
    assert "Submitted to client" in submitted
    assert "None scheduled" in submitted
    assert "Client interview" in interviewing
    assert "Video · " in interviewing


def test_the_shortlist_never_shows_a_sourced_or_screened_candidate(page, search):
    for name in search.hidden_names:
        assert name not in page
    for application_id in search.hidden_ids:
        assert f"candidate-{application_id}" not in page


def test_a_candidate_presented_then_moved_back_to_screened_leaves_the_shortlist(
    app, client, member, search
):
    with app.app_context():
        db.session.get(Application, search.shown_ids[0]).action_move("screened")
        db.session.commit()
    sign_in(client, member.username)
    body = client.get(f"/portal/jobs/{search.job_id}").get_data(as_text=True)
    assert search.shown_names[0] not in body
    assert search.shown_names[1] in body


def test_a_presented_candidate_later_rejected_stays_shown_as_such_without_a_form(
    app, client, member, search
):
    with app.app_context():
        db.session.get(Application, search.shown_ids[0]).action_move("rejected")
        db.session.commit()
    sign_in(client, member.username)
    body = client.get(f"/portal/jobs/{search.job_id}").get_data(as_text=True)
    card = body.split(f'id="candidate-{search.shown_ids[0]}"')[1].split("</article>")[0]
    assert search.shown_names[0] in card
    assert "Rejected" in card
    assert "no longer in the process" in card
    assert "<form" not in card


def test_a_candidate_never_presented_and_rejected_stays_hidden(app, client, member, search):
    with app.app_context():
        db.session.get(Application, search.hidden_ids[1]).action_move("rejected")
        db.session.commit()
    sign_in(client, member.username)
    body = client.get(f"/portal/jobs/{search.job_id}").get_data(as_text=True)
    assert search.hidden_names[1] not in body


def test_the_evaluation_summary_page_lists_only_presented_candidates(client, member, search):
    sign_in(client, member.username)
    body = client.get(f"/portal/jobs/{search.job_id}/evaluations").get_data(as_text=True)
    for name in search.shown_names:
        assert name in body
    for name in search.hidden_names:
        assert name not in body


def test_the_dashboard_and_job_list_never_name_a_hidden_candidate(client, member, search):
    sign_in(client, member.username)
    for url in ("/portal/", "/portal/jobs"):
        body = client.get(url).get_data(as_text=True)
        for name in search.hidden_names:
            assert name not in body


@pytest.mark.parametrize(
    "path",
    [
        "/portal/jobs",
        "/portal/jobs/new",
        "/portal/jobs/{job_id}",
        "/portal/jobs/{job_id}/evaluations",
    ],
)
def test_contacts_without_the_hiring_area_get_403_on_hiring_pages(
    app, client, company, search, path
):
    with app.app_context():
        billing_only = make_member(company.id, areas=("billing",), first_name="Bill")
    sign_in(client, billing_only.username)
    response = client.get(path.format(job_id=search.job_id))
    assert response.status_code == 403
    assert search.job_title not in response.get_data(as_text=True)
