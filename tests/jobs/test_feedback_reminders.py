"""Feedback reminders: once per unreviewed candidate, to the job's hiring contacts, with
one-click links that work (a GET changes nothing, the POST records the decision)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from extensions import db
from jobs.feedback import NO_RECIPIENT, send_review_reminders
from models import Activity, Application, Evaluation, OutboxMessage, utcnow
from tests.conftest import csrf_token
from tests.factories import ClientContactFactory, add_candidate, open_job_order
from tests.jobs.test_mail import mail_to, smtp  # noqa: F401  (fixtures: a real SMTP server)

pytestmark = pytest.mark.usefixtures("ctx")

LINK = re.compile(r"http://portal\.test(/portal/review/[\w.\-]+)")


def waiting_candidate(days=4, **job_fields):
    """A candidate presented ``days`` ago and not reviewed, on an open job order."""
    application = add_candidate(open_job_order(**job_fields), "submitted")
    application.presented_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return application


def person(application, role=None, **contact):
    """A contact of the application's client; a stakeholder of its job with ``role``."""
    link = ClientContactFactory(
        client=application.client, **{f"contact__{k}": v for k, v in contact.items()}
    )
    if role:
        application.job_order.add_stakeholder(link.contact, role)
    db.session.commit()
    return link


def outbox():
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def fresh(application) -> Application:
    return db.session.get(Application, application.id, populate_existing=True)


def test_the_hiring_contacts_get_one_reminder_each_with_three_links():
    application = waiting_candidate()
    manager = person(application, "hiring manager", first_name="Hana")
    decider = person(application, "decision maker")
    person(application, "interviewer")
    bystander = person(application)
    bystander.can_hiring = True  # has the right, but the job names its hiring people
    db.session.commit()
    run = send_review_reminders()
    messages = outbox()
    assert sorted(m.contact_id for m in messages) == sorted(
        [manager.contact_id, decider.contact_id]
    )
    assert run.reminded == [application.id]
    first = next(m for m in messages if m.contact_id == manager.contact_id)
    assert first.kind == "feedback_reminder" and first.client_id == application.client_id
    assert first.subject == (
        f"Waiting for your review: {application.candidate.full_name} "
        f"for {application.job_order.title}"
    )
    assert "Hello Hana" in first.body_text and "(4 days ago)" in first.body_text
    assert len(LINK.findall(first.body_text)) == 3
    assert f"http://portal.test/portal/jobs/{application.job_order_id}" in first.body_text
    assert fresh(application).review_reminded_at is not None


def test_a_link_shows_the_decision_on_get_and_records_it_on_post(app):
    application = waiting_candidate()
    manager = person(application, "hiring manager")
    send_review_reminders()
    [message] = outbox()
    advance = LINK.findall(message.body_text)[0]
    browser = app.test_client()
    page = browser.get(advance)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and application.candidate.full_name in body
    assert "Advance" in body and page.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(select(func.count()).select_from(Evaluation)) == 0
    assert fresh(application).first_review_at is None
    token = csrf_token(browser, advance)
    done = browser.post(advance, data={"csrf_token": token})
    assert done.status_code == 200 and "is recorded" in done.get_data(as_text=True)
    [evaluation] = db.session.scalars(select(Evaluation)).all()
    assert (evaluation.contact_id, evaluation.decision) == (manager.contact_id, "advance")
    assert evaluation.scores == {}
    assert fresh(application).first_review_at is not None


def test_running_twice_sends_once():
    application = waiting_candidate()
    person(application, "hiring manager")
    send_review_reminders()
    second = send_review_reminders()
    assert second.reminded == [] and len(outbox()) == 1
    assert fresh(application).review_reminded_at is not None


def test_a_run_that_read_the_list_before_another_stamped_it_sends_nothing(monkeypatch):
    application = waiting_candidate()
    person(application, "hiring manager")
    send_review_reminders()
    # A second worker that listed the application before the first one's commit.
    monkeypatch.setattr(
        "jobs.feedback.due_for_review_reminder", lambda now, days: [fresh(application)]
    )
    late = send_review_reminders()
    assert late.reminded == [] and late.messages == [] and len(outbox()) == 1


def test_an_opted_out_hiring_contact_is_skipped():
    application = waiting_candidate()
    keen = person(application, "hiring manager")
    quiet = person(application, "decision maker", opt_out_email=True)
    run = send_review_reminders()
    assert [m.contact_id for m in outbox()] == [keen.contact_id]
    assert [(c.id, reason) for _, c, reason in run.skipped] == [
        (quiet.contact_id, "opted out of email")
    ]


def test_without_hiring_stakeholders_the_contacts_with_the_hiring_right_are_reminded():
    application = waiting_candidate()
    hiring = person(application)
    hiring.can_hiring = True
    person(application)  # no hiring right
    person(application, "interviewer")
    db.session.commit()
    send_review_reminders()
    assert [m.contact_id for m in outbox()] == [hiring.contact_id]


def test_with_nobody_to_remind_the_candidate_stays_unstamped():
    application = waiting_candidate()
    run = send_review_reminders()
    assert run.skipped == [(application.id, None, NO_RECIPIENT)] and outbox() == []
    assert fresh(application).review_reminded_at is None


def test_a_candidate_presented_recently_is_not_reminded_yet():
    application = waiting_candidate(days=2)
    person(application, "hiring manager")
    assert send_review_reminders().reminded == [] and outbox() == []


def test_each_reminder_is_on_the_clients_timeline():
    application = waiting_candidate()
    manager = person(application, "hiring manager")
    send_review_reminders()
    [activity] = db.session.scalars(select(Activity).where(Activity.kind == "mail")).all()
    assert activity.client_id == application.client_id
    assert activity.summary.startswith(f"Feedback reminder to {manager.contact}:")


def test_the_reminder_reaches_a_real_smtp_server(mail_to):  # noqa: F811
    application = waiting_candidate()
    person(application, "hiring manager", email="hana@acme.example")
    send_review_reminders()
    [received] = mail_to.messages
    assert received["To"].addresses[0].addr_spec == "hana@acme.example"
    html = received.get_body(("html",)).get_content()
    assert html.count("/portal/review/") == 3
    assert outbox()[0].status == "sent"


def test_the_command_reports_what_it_sent(app):
    application = waiting_candidate()
    person(application, "hiring manager")
    result = app.test_cli_runner().invoke(args=["clientdesk", "feedback-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 candidate(s) waiting over 3 days: 1 reminder(s) queued." in result.output
    again = app.test_cli_runner().invoke(args=["clientdesk", "feedback-reminders", "--days", "1"])
    assert "0 candidate(s) waiting over 1 days: 0 reminder(s) queued." in again.output
