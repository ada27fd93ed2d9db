"""Recruiting › Feedback turnaround and Evaluations: visible clients only, slowest first;
confirming a client's decision moves the candidate, once; the pages follow the role matrix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from extensions import db
from models import ClientTeamMember, Evaluation, utcnow
from tests.conftest import csrf_token, login_staff
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    add_candidate,
    make_user,
    open_job_order,
)

ROLES = ["Admin", "Account Manager", "Recruiter", "Finance", "Client"]
READERS = {"Admin", "Account Manager", "Recruiter", "Finance"}
WRITERS = {"Admin", "Account Manager", "Recruiter"}


def review_figures(client_name: str, waited_days: float, reviewed: bool = True):
    """A client with one candidate presented ``waited_days`` ago (reviewed after that many
    days, or still waiting)."""
    job = open_job_order(client=ClientFactory(name=client_name))
    application = add_candidate(job, "submitted")
    application.presented_at = utcnow() - timedelta(days=waited_days + 1)
    if reviewed:
        application.first_review_at = application.presented_at + timedelta(days=waited_days)
    db.session.commit()
    return job.client_id


def evaluation_of(client=None, decision="advance", scores=None, comments=None) -> Evaluation:
    job = open_job_order(client=client or ClientFactory())
    application = add_candidate(job, "submitted")
    contact = ClientContactFactory(client=job.client).contact
    evaluation = Evaluation.action_submit(application, contact, decision, scores, comments)
    db.session.commit()
    return evaluation


def browser_as(app, role: str, *client_ids: int):
    """A test client signed in as a new ``role`` user on the team of clients ``client_ids``."""
    browser = app.test_client()
    with app.app_context():
        user = make_user(role)
        if role != "Client":
            for client_id in client_ids:
                db.session.add(ClientTeamMember(client_id=client_id, user=user, role="recruiter"))
            db.session.commit()
        username = user.username
    assert login_staff(browser, username).status_code == 302
    return browser


# ---------------------------------------------------------------- turnaround page


def test_the_turnaround_page_lists_the_visible_clients_slowest_first(app):
    with app.app_context():
        quick = review_figures("Quick Reviewers Ltd", 0.5)
        slow = review_figures("Slow Reviewers Ltd", 6)
        waiting = review_figures("Still Waiting Ltd", 9, reviewed=False)
        review_figures("Someone Elses Client", 30, reviewed=False)
    browser = browser_as(app, "Recruiter", quick, slow, waiting)
    body = browser.get("/feedback-turnaround/").get_data(as_text=True)
    positions = [body.index(name) for name in ("Still Waiting", "Slow Reviewers", "Quick Rev")]
    assert positions == sorted(positions)
    assert "Someone Elses Client" not in body
    assert f'href="/clientview/show/{slow}"' in body
    assert "6.0 days" in body and "12.0 h" in body


def test_the_turnaround_page_counts_from_a_date_and_explains_a_bad_one(app):
    with app.app_context():
        review_figures("Old Business Inc", 3)
    browser = browser_as(app, "Admin")
    later = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%d")
    assert "Old Business Inc" not in browser.get(f"/feedback-turnaround/?since={later}").text
    shown = browser.get("/feedback-turnaround/?since=last-week").get_data(as_text=True)
    assert "Since must be a date as YYYY-MM-DD" in shown and "Old Business Inc" in shown


# ---------------------------------------------------------------- evaluations


def test_the_evaluations_list_shows_only_visible_clients(app):
    with app.app_context():
        mine = evaluation_of(ClientFactory(name="Visible Client Co"))
        theirs = evaluation_of(ClientFactory(name="Hidden Client Co"))
        mine_client = mine.client_id
        candidate, hidden_candidate = (
            str(mine.application.candidate),
            str(theirs.application.candidate),
        )
        hidden_id = theirs.id
    browser = browser_as(app, "Recruiter", mine_client)
    body = browser.get("/evaluationview/list/").get_data(as_text=True)
    assert candidate in body and "Visible Client Co" in body
    assert hidden_candidate not in body and "Hidden Client Co" not in body
    assert browser.get(f"/evaluationview/show/{hidden_id}").status_code == 404


def test_the_evaluation_page_shows_its_scores_and_comments(app):
    with app.app_context():
        evaluation = evaluation_of(
            decision="hold", scores={"Skills": 4, "Experience": 2}, comments="Strong <b>lead</b>"
        )
        pk = evaluation.id
    body = browser_as(app, "Admin").get(f"/evaluationview/show/{pk}").get_data(as_text=True)
    assert "Skills" in body and "4 / 5" in body and "2 / 5" in body and "3.0" in body
    assert "Strong &lt;b&gt;lead&lt;/b&gt;" in body


def confirm(browser, pk):
    token = csrf_token(browser, f"/evaluationview/show/{pk}")
    return browser.post(
        f"/evaluationview/action/confirm/{pk}", data={"csrf_token": token}, follow_redirects=True
    )


def stage_of(app, evaluation_id) -> tuple[str, bool]:
    with app.app_context():
        evaluation = db.session.get(Evaluation, evaluation_id)
        return evaluation.application.stage, evaluation.confirmed_at is not None


def test_confirming_an_advance_moves_the_candidate_and_a_second_confirm_is_refused(app):
    with app.app_context():
        pk = evaluation_of(decision="advance").id
    browser = browser_as(app, "Admin")
    first = confirm(browser, pk).get_data(as_text=True)
    assert "confirmed: now Client interview" in first
    assert stage_of(app, pk) == ("client_interview", True)
    second = confirm(browser, pk).get_data(as_text=True)
    assert "This decision was confirmed already." in second
    assert stage_of(app, pk) == ("client_interview", True)


def test_confirming_several_at_once_applies_each_and_flashes_each_refusal(app):
    with app.app_context():
        reject = evaluation_of(decision="reject")
        done = evaluation_of(decision="hold")
        done.action_confirm(make_user("Admin"))
        db.session.commit()
        pks = [reject.id, done.id]
    browser = browser_as(app, "Admin")
    token = csrf_token(browser, "/evaluationview/list/")
    response = browser.post(
        "/evaluationview/action_post",
        data={"action": "confirm", "rowid": pks, "csrf_token": token},
        follow_redirects=True,
    )
    assert "This decision was confirmed already." in response.get_data(as_text=True)
    assert stage_of(app, pks[0]) == ("rejected", True)


def test_another_clients_evaluation_cannot_be_confirmed(app):
    with app.app_context():
        mine = ClientFactory().id
        theirs = evaluation_of(decision="reject")
        pk = theirs.id
    browser = browser_as(app, "Account Manager", mine)
    token = csrf_token(browser, "/resetmypassword/form")
    single = browser.post(f"/evaluationview/action/confirm/{pk}", data={"csrf_token": token})
    assert single.status_code == 404
    browser.post(
        "/evaluationview/action_post",
        data={"action": "confirm", "rowid": [pk], "csrf_token": token},
    )
    assert stage_of(app, pk) == ("submitted", False)


def test_the_evaluations_list_is_one_query_count_whatever_its_length(app):
    browser = browser_as(app, "Admin")

    def queries() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert browser.get("/evaluationview/list/").status_code == 200
        finally:
            with app.app_context():
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    with app.app_context():
        evaluation_of()
    few = queries()
    with app.app_context():
        for _ in range(6):
            evaluation_of()
    assert queries() == few


# ---------------------------------------------------------------- role matrix


@pytest.fixture
def an_evaluation(app):
    with app.app_context():
        evaluation = evaluation_of(decision="advance")
        return evaluation.id, evaluation.client_id


PAGES = ["/feedback-turnaround/", "/evaluationview/list/", "/evaluationview/show/{pk}"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_the_pages_follow_the_matrix(app, an_evaluation, role, page):
    pk, client = an_evaluation
    browser = browser_as(app, role, client)
    response = browser.get(page.format(pk=pk))
    if role in READERS:
        assert response.status_code == 200
    elif role == "Client":
        assert response.status_code == 403
    else:  # pragma: no cover  (every staff role reads the pipeline today)
        assert response.status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_confirming_needs_pipeline_write(app, an_evaluation, role):
    pk, client = an_evaluation
    browser = browser_as(app, role, client)
    token = csrf_token(browser, "/resetmypassword/form") if role != "Client" else ""
    response = browser.post(f"/evaluationview/action/confirm/{pk}", data={"csrf_token": token})
    confirmed = stage_of(app, pk)[1]
    if role in WRITERS:
        assert response.status_code == 302 and confirmed
    elif role == "Client":
        assert response.status_code in (400, 403) and not confirmed
    else:
        assert response.status_code == 302 and not confirmed
        assert "Access is Denied" in browser.get("/evaluationview/list/").get_data(as_text=True)


def test_the_menu_offers_both_pages_to_readers(app):
    body = browser_as(app, "Finance").get("/feedback-turnaround/").get_data(as_text=True)
    assert 'href="/feedback-turnaround/"' in body and 'href="/evaluationview/list/"' in body
