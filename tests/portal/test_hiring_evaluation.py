"""Evaluating presented candidates with htmx in place, and the job's evaluation summary."""

import pytest
from sqlalchemy import select

from extensions import db
from models import Evaluation, JobOrder, utcnow
from tests.conftest import csrf_token
from tests.factories import make_user

from .conftest import htmx_post, make_member, sign_in

# The default criteria, in order: Skills, Experience, Cultural fit, Communication.
GOOD = {"score-0": "5", "score-1": "4", "score-2": "4", "score-3": "3", "decision": "advance"}


@pytest.fixture
def signed_in(client, member, search):
    """Acme's hiring member, signed in; the CSRF token base.html hands to htmx."""
    sign_in(client, member.username)
    return csrf_token(client, f"/portal/jobs/{search.job_id}")


def evaluate(client, token, application_id, **data):
    return htmx_post(client, f"/portal/shortlist/{application_id}/evaluation", data, token)


def evaluations(app):
    with app.app_context():
        return [
            (e.contact.full_name, e.decision, e.scores, e.comments)
            for e in db.session.scalars(select(Evaluation).order_by(Evaluation.id))
        ]


def test_an_htmx_evaluation_is_saved_and_answers_with_the_card_alone(
    app, client, member, search, signed_in
):
    target = search.shown_ids[0]
    response = evaluate(client, signed_in, target, **GOOD, comments="Strong platform lead.")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.startswith(f'<article class="candidate" id="candidate-{target}"')
    assert "<html" not in body
    assert "Your evaluation of " in body and "is saved." in body
    assert "Update evaluation" in body
    assert evaluations(app) == [
        (
            member.name,
            "advance",
            {"Skills": 5, "Experience": 4, "Cultural fit": 4, "Communication": 3},
            "Strong platform lead.",
        )
    ]


def test_the_answer_swaps_the_evaluation_summary_out_of_band_with_the_averages(
    client, search, signed_in
):
    target = search.shown_ids[0]
    body = evaluate(client, signed_in, target, **GOOD).get_data(as_text=True)
    summary = body.split('id="evaluation-summary"')[1]
    assert summary.startswith(' aria-labelledby="summary-title" hx-swap-oob="true"')
    row = summary.split(f'id="summary-{target}"')[1].split("</tr>")[0]
    assert '<strong class="overall">4.0</strong>' in row


def test_a_contact_revises_their_evaluation_in_place(app, client, member, search, signed_in):
    target = search.shown_ids[0]
    evaluate(client, signed_in, target, **GOOD)
    response = evaluate(client, signed_in, target, **{**GOOD, "score-0": "2", "decision": "hold"})
    assert response.status_code == 200
    [(name, decision, scores, _comments)] = evaluations(app)
    assert (name, decision, scores["Skills"]) == (member.name, "hold", 2)
    assert 'value="hold" checked' in response.get_data(as_text=True)


def test_the_summary_shows_averages_per_criterion_and_overall_and_who_decided(
    app, client, company, member, search, signed_in
):
    target = search.shown_ids[0]
    evaluate(client, signed_in, target, **GOOD)
    with app.app_context():
        colleague = make_member(company.id, first_name="Cole", last_name="League")
    client.post("/portal/logout", data={"csrf_token": signed_in})
    sign_in(client, colleague.username)
    token = csrf_token(client, f"/portal/jobs/{search.job_id}")
    other = {"score-0": "4", "score-1": "2", "score-2": "5", "score-3": "4", "decision": "reject"}
    evaluate(client, token, target, **other)
    body = client.get(f"/portal/jobs/{search.job_id}/evaluations").get_data(as_text=True)
    row = body.split(f'id="summary-{target}"')[1].split("</tr>")[0]
    cells = [cell.split(">")[-1] for cell in row.split("</span></td>")[:-1]]
    assert cells == ["4.5", "3.0", "4.5", "3.5"]  # Skills, Experience, Cultural fit, Communication
    assert '<strong class="overall">3.9</strong>' in row  # 31 points over 8 scores
    assert 'Advance</span>\n                <span class="decisions__who">' + member.name in row
    assert 'Reject</span>\n                <span class="decisions__who">Cole League' in row
    assert row.count("awaiting the agency") == 2


def test_the_summary_says_when_the_agency_confirmed_a_decision(app, client, search, signed_in):
    target = search.shown_ids[0]
    evaluate(client, signed_in, target, **GOOD)
    with app.app_context():
        evaluation = db.session.scalar(select(Evaluation))
        evaluation.action_confirm(make_user("Account Manager"))
        db.session.commit()
    body = client.get(f"/portal/jobs/{search.job_id}/evaluations").get_data(as_text=True)
    assert f"confirmed {utcnow():%d %b}" in body
    assert "awaiting the agency" not in body


def test_a_confirmed_evaluation_can_no_longer_be_revised(app, client, search, signed_in):
    target = search.shown_ids[0]
    evaluate(client, signed_in, target, **GOOD)
    with app.app_context():
        db.session.scalar(select(Evaluation)).action_confirm(make_user("Account Manager"))
        db.session.commit()
    page = client.get(f"/portal/jobs/{search.job_id}").get_data(as_text=True)
    card = page.split(f'id="candidate-{target}"')[1].split("</article>")[0]
    assert "Confirmed by the agency on" in card
    assert "<form" not in card
    response = evaluate(client, signed_in, target, **{**GOOD, "decision": "reject"})
    assert response.status_code == 422
    assert "confirmed by the agency and can no longer change" in response.get_data(as_text=True)
    assert evaluations(app)[0][1] == "advance"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"decision": ""}, "Decision: Decision must be one of advance, hold, reject."),
        ({"decision": "maybe"}, "Decision: Decision must be one of advance, hold, reject."),
        ({"score-1": "9"}, "Scores: The score for Experience must be a whole number from 1 to 5."),
        (
            {"score-2": "x"},
            "Scores: The score for Cultural fit must be a whole number from 1 to 5.",
        ),
        ({"comments": "x" * 5001}, "Comments: Comments may hold at most 5,000 characters."),
    ],
)
def test_a_refused_evaluation_shows_in_place_naming_the_field_with_the_values(
    app, client, search, signed_in, changes, message
):
    target = search.shown_ids[0]
    response = evaluate(client, signed_in, target, **{**GOOD, "comments": "Kept", **changes})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert body.startswith(f'<article class="candidate candidate--error" id="candidate-{target}"')
    assert message in body
    assert 'name="score-0" value="5" checked' in body
    assert evaluations(app) == []


def test_an_evaluation_without_htmx_comes_back_to_the_job_page(app, client, search, signed_in):
    target = search.shown_ids[1]
    response = client.post(
        f"/portal/shortlist/{target}/evaluation", data={**GOOD, "csrf_token": signed_in}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/portal/jobs/{search.job_id}#candidate-{target}")
    assert len(evaluations(app)) == 1


def test_an_htmx_evaluation_without_the_csrf_token_is_refused(app, client, search, signed_in):
    response = evaluate(client, None, search.shown_ids[0], **GOOD)
    assert response.status_code == 400
    assert evaluations(app) == []


def test_a_sourced_or_screened_candidate_cannot_be_evaluated(app, client, search, signed_in):
    for hidden in search.hidden_ids:
        response = evaluate(client, signed_in, hidden, **GOOD)
        assert response.status_code == 404
        for name in search.hidden_names:
            assert name not in response.get_data(as_text=True)
    assert evaluations(app) == []


def test_the_jobs_own_criteria_are_the_ones_scored(app, client, search, signed_in):
    with app.app_context():
        db.session.get(JobOrder, search.job_id).evaluation_criteria = "Python\nMentoring"
        db.session.commit()
    page = client.get(f"/portal/jobs/{search.job_id}").get_data(as_text=True)
    assert '<span class="score__label"' in page and ">Mentoring</span>" in page
    evaluate(client, signed_in, search.shown_ids[0], **{"score-0": "3", "decision": "hold"})
    assert evaluations(app)[0][2] == {"Python": 3}


def test_a_contact_without_the_hiring_area_cannot_evaluate(app, client, company, search):
    with app.app_context():
        billing_only = make_member(company.id, areas=("billing",), first_name="Bill")
    sign_in(client, billing_only.username)
    token = csrf_token(client, "/portal/")
    assert evaluate(client, token, search.shown_ids[0], **GOOD).status_code == 403
    assert evaluations(app) == []
