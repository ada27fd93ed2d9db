"""The pipeline board: htmx moves, refusals in place, placement, adding candidates, interviews,
cross-client 404 and a query count that does not grow with the pipeline."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from extensions import db
from models import Application, ApplicationStageChange, Interview, Placement
from tests.conftest import csrf_token, login_staff
from tests.factories import (
    CandidateFactory,
    ClientContactFactory,
    add_candidate,
    make_user,
    open_job_order,
)

HX = {"HX-Request": "true"}


@pytest.fixture
def desk(app):
    """A recruiter signed in, an open job order of their client with one screened candidate."""
    with app.app_context():
        recruiter = make_user("Recruiter")
        job = open_job_order(recruiter=recruiter)
        application = add_candidate(job, "screened")
        ids = {"job": job.id, "application": application.id, "username": recruiter.username}
    http = app.test_client()
    assert login_staff(http, ids["username"]).status_code == 302
    ids["http"] = http
    ids["token"] = csrf_token(http, f"/pipeline/{ids['job']}")
    return ids


def _post(desk, path, data, htmx=True):
    headers = {**HX, "X-CSRFToken": desk["token"]} if htmx else {}
    data = data if htmx else {**data, "csrf_token": desk["token"]}
    return desk["http"].post(f"/pipeline/{desk['job']}{path}", data=data, headers=headers)


def _application(app, pk) -> Application:
    db.session.remove()
    return db.session.get(Application, pk)


def test_the_board_shows_a_column_per_stage_and_the_card(app, desk):
    page = desk["http"].get(f"/pipeline/{desk['job']}").get_data(as_text=True)
    for label in ("Sourced", "Screened", "Submitted to client", "Client interview", "Offer"):
        assert f'{label} <span class="badge">' in page
    assert 'id="column-screened"' in page and f'id="card-{desk["application"]}"' in page
    assert "Senior Engineer" in page and "0 pending evaluations" in page
    assert "htmx.min.js" in page and "pipeline_board.js" in page


def test_an_htmx_move_changes_the_stage_keeps_the_move_and_answers_the_board(app, desk):
    response = _post(desk, f"/move/{desk['application']}", {"stage": "submitted"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<div id="board"' in body
    assert "<html" not in body  # a fragment, not a page
    column = body.split('id="column-submitted"')[1].split("</section>")[0]
    assert f'id="card-{desk["application"]}"' in column
    with app.app_context():
        application = _application(app, desk["application"])
        assert application.stage == "submitted"
        assert [c.to_stage for c in application.stage_changes][-1] == "submitted"


def test_a_refused_move_shows_the_models_message_on_the_card_and_changes_nothing(app, desk):
    response = _post(desk, f"/move/{desk['application']}", {"stage": "screened"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    card = body.split(f'id="card-{desk["application"]}"')[1].split("</article>")[0]
    assert "is at Screened already" in card and 'role="alert"' in card
    with app.app_context():
        assert _application(app, desk["application"]).stage == "screened"
        count = db.session.query(ApplicationStageChange).count()
        assert count == 2  # sourced, then screened: nothing added


def test_moving_to_placed_opens_the_placement_form_without_moving(app, desk):
    response = _post(desk, f"/move/{desk['application']}", {"stage": "placed"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="place-{desk["application"]}"' in body
    with app.app_context():
        assert _application(app, desk["application"]).stage == "screened"


def test_placement_through_the_board_records_it_and_fills_the_job(app, desk):
    data = {"start_date": "2027-03-01", "salary": "150000", "fee_due": ""}
    response = _post(desk, f"/place/{desk['application']}", data)
    assert response.status_code == 200
    assert (
        f'id="card-{desk["application"]}"'
        in response.get_data(as_text=True).split('id="column-placed"')[1].split("</section>")[0]
    )
    with app.app_context():
        application = _application(app, desk["application"])
        assert application.stage == "placed" and application.job_order.status == "filled"
        placement = db.session.query(Placement).one()
        assert str(placement.salary) == "150000.00" and str(placement.fee_due) == "25000.00"


def test_a_placement_with_a_bad_salary_names_the_field_and_keeps_the_values(app, desk):
    data = {"start_date": "2027-03-01", "salary": "lots", "fee_due": ""}
    response = _post(desk, f"/place/{desk['application']}", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Salary must be an amount such as 85000.00." in body
    assert 'value="2027-03-01"' in body and 'value="lots"' in body
    with app.app_context():
        assert _application(app, desk["application"]).stage == "screened"
        assert db.session.query(Placement).count() == 0


def test_a_move_without_htmx_comes_back_to_the_board(app, desk):
    response = _post(desk, f"/move/{desk['application']}", {"stage": "offer"}, htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/pipeline/{desk['job']}")


def test_a_move_without_the_csrf_token_is_refused(app, desk):
    response = desk["http"].post(
        f"/pipeline/{desk['job']}/move/{desk['application']}", data={"stage": "offer"}, headers=HX
    )
    assert response.status_code == 400
    with app.app_context():
        assert _application(app, desk["application"]).stage == "screened"


def test_adding_an_existing_candidate_puts_them_at_sourced(app, desk):
    with app.app_context():
        candidate_id = CandidateFactory(first_name="Maria", last_name="Lopez").id
    response = _post(desk, "/add", {"candidate_id": str(candidate_id)})
    column = response.get_data(as_text=True).split('id="column-sourced"')[1].split("</section>")[0]
    assert response.status_code == 200 and "Maria Lopez" in column


def test_a_candidate_created_on_the_board_needs_a_last_name(app, desk):
    data = {"first_name": "Ana", "email": "ana@people.test", "current_title": "CTO"}
    response = _post(desk, "/add", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Last name is required." in body
    assert 'value="ana@people.test"' in body
    response = _post(desk, "/add", {**data, "last_name": "Cruz"})
    assert response.status_code == 200 and "Ana Cruz" in response.get_data(as_text=True)


def test_the_board_of_another_clients_job_order_is_404(app, desk):
    with app.app_context():
        other = open_job_order()
        application = add_candidate(other)
        paths = [
            ("get", f"/pipeline/{other.id}"),
            ("post", f"/pipeline/{other.id}/move/{application.id}"),
            ("post", f"/pipeline/{other.id}/place/{application.id}"),
            ("post", f"/pipeline/{other.id}/add"),
            ("get", f"/pipeline/{other.id}/application/{application.id}"),
            ("post", f"/pipeline/{other.id}/application/{application.id}/interview"),
            # an application of another job order, through the recruiter's own job's URL
            ("post", f"/pipeline/{desk['job']}/move/{application.id}"),
        ]
        name = other.client.name
    for method, path in paths:
        response = getattr(desk["http"], method)(
            path, data={"stage": "screened"}, headers={**HX, "X-CSRFToken": desk["token"]}
        )
        assert response.status_code == 404, path
        assert name not in response.get_data(as_text=True)


def test_an_interview_is_scheduled_with_the_clients_contacts_and_shown_on_the_card(app, desk):
    with app.app_context():
        job = _application(app, desk["application"]).job_order
        contact_id = ClientContactFactory(client=job.client).contact.id
    data = {
        "scheduled_at": "2099-05-04T09:30",
        "format": "video",
        "duration_minutes": "45",
        "location": "https://meet.example/abc",
        "interviewers": [str(contact_id)],
        "other_interviewers": "Our partner",
        "csrf_token": desk["token"],
    }
    path = f"/pipeline/{desk['job']}/application/{desk['application']}"
    response = desk["http"].post(f"{path}/interview", data=data)
    assert response.status_code == 303
    with app.app_context():
        interview = db.session.query(Interview).one()
        assert interview.scheduled_at.isoformat() == "2099-05-04T09:30:00+00:00"
        assert [c.id for c in interview.interviewers] == [contact_id]
    assert "04 May 2099 09:30 UTC" in desk["http"].get(path).get_data(as_text=True)
    board = desk["http"].get(f"/pipeline/{desk['job']}").get_data(as_text=True)
    assert "Interview 04 May 09:30 UTC" in board


def test_an_interview_needs_its_time(app, desk):
    path = f"/pipeline/{desk['job']}/application/{desk['application']}/interview"
    data = {"format": "video", "duration_minutes": "45", "csrf_token": desk["token"]}
    response = desk["http"].post(path, data=data)
    assert response.status_code == 422 and "This field is required." in response.get_data(
        as_text=True
    )


def _board_queries(app, desk, count: int) -> int:
    with app.app_context():
        job = _application(app, desk["application"]).job_order
        for _ in range(count):
            add_candidate(job, "submitted")
            ClientContactFactory(client=job.client)
        db.session.remove()
    statements = []

    def count_statement(*args):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count_statement)
    try:
        response = desk["http"].get(f"/pipeline/{desk['job']}")
    finally:
        event.remove(engine, "before_cursor_execute", count_statement)
    assert response.status_code == 200
    assert len(re.findall(r'class="pipeline-card"', response.get_data(as_text=True))) > count
    return len(statements)


def test_the_boards_query_count_does_not_grow_with_applications(app, desk):
    five = _board_queries(app, desk, 5)
    fifty = _board_queries(app, desk, 45)
    assert fifty == five
