"""Survey invitations: one mail per recipient with their own working link, over real SMTP;
opt-outs skipped and logged; a second run (or the scheduler) sends nobody twice."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from jobs.surveys import send_due_surveys, send_survey
from models import Activity, OutboxMessage, Survey, SurveyRecipient, utcnow
from tests.factories import ClientFactory
from tests.jobs.test_mail import mail_to, smtp  # noqa: F401  (fixtures: a real SMTP server)
from tests.survey_factories import contacts_of, sent_survey

pytestmark = pytest.mark.usefixtures("ctx")

LINK = re.compile(r"http://portal\.test/portal/survey/([\w\-]+)")


def outbox():
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_each_recipient_receives_their_own_link_over_smtp(mail_to):  # noqa: F811
    client = ClientFactory(name="Acme Logistics Inc")
    people = contacts_of(client, 2, first_name="Hana")
    survey = sent_survey("nps", client=client, contacts=people)
    run = send_survey(survey.id)
    assert len(run.messages) == 2 and not run.skipped
    received = sorted(mail_to.messages, key=lambda m: m["To"].addresses[0].addr_spec)
    assert sorted(m["To"].addresses[0].addr_spec for m in received) == sorted(
        p.email for p in people
    )
    text = received[0].get_body(("plain",)).get_content()
    assert received[0]["Subject"].startswith("How are we doing?")
    assert "Hello Hana" in text and "Acme Logistics Inc" in text
    tokens = {LINK.search(m.get_body(("plain",)).get_content()).group(1) for m in received}
    assert len(tokens) == 2
    html = received[0].get_body(("html",)).get_content()
    assert LINK.search(html)
    for token in tokens:
        recipient = SurveyRecipient.by_token(token)
        assert recipient.survey_id == survey.id and recipient.sent_at is not None
    timeline = db.session.scalars(
        select(Activity.summary).where(
            Activity.kind == "survey", Activity.subject_type == "outbox_message"
        )
    ).all()
    assert len(timeline) == 2 and all(s.startswith("Survey invitation to") for s in timeline)


def test_an_opted_out_contact_is_skipped_and_the_skip_is_logged():
    client = ClientFactory()
    [keen] = contacts_of(client, 1)
    [refuser] = contacts_of(client, 1, opt_out_email=True)
    survey = sent_survey("csat", client=client, contacts=[keen, refuser])
    run = send_survey(survey.id)
    assert [m.to_email for m in outbox()] == [keen.email]
    assert [(contact.id, reason) for _, contact, reason in run.skipped] == [
        (refuser.id, "opted out of email")
    ]
    skipped = db.session.scalars(
        select(Activity.summary).where(Activity.summary.like("%skipped%"))
    ).all()
    assert len(skipped) == 1 and "opted out of email" in skipped[0]
    recipient = next(r for r in survey.recipients if r.contact_id == refuser.id)
    db.session.refresh(recipient)
    assert recipient.skipped_reason == "opted out of email" and recipient.sent_at is None


def test_running_the_send_twice_sends_each_recipient_once():
    survey = sent_survey("nps", count=3)
    first = send_survey(survey.id)
    second = send_survey(survey.id)
    assert len(first.messages) == 3 and second.messages == [] and second.skipped == []
    assert len(outbox()) == 3
    # The scheduler passing by finds nothing owed either.
    assert send_due_surveys().messages == []
    assert len(outbox()) == 3


def test_a_skip_is_logged_once_however_often_it_runs():
    client = ClientFactory()
    survey = sent_survey("nps", client=client, contacts=contacts_of(client, 1, opt_out_email=True))
    send_survey(survey.id)
    send_survey(survey.id)
    assert (
        len(db.session.scalars(select(Activity).where(Activity.summary.like("%skipped%"))).all())
        == 1
    )


def test_a_scheduled_survey_is_sent_by_the_scheduler_when_its_day_comes():
    survey = sent_survey("csat", count=2, send_at=utcnow() + timedelta(days=1))
    assert send_due_surveys().messages == [] and outbox() == []
    later = utcnow() + timedelta(days=1, minutes=5)
    run = send_due_surveys(now=later)
    assert len(run.messages) == 2
    assert db.session.get(Survey, survey.id, populate_existing=True).status == "sent"
    assert send_due_surveys(now=later).messages == []
    assert len(outbox()) == 2


def test_a_draft_or_expired_survey_is_not_mailed():
    client = ClientFactory()
    draft = Survey.create_for(client, "nps", contacts_of(client, 1))
    db.session.commit()
    assert send_survey(draft.id).messages == []
    expired = sent_survey("nps", count=1)
    expired.expires_at = utcnow() - timedelta(seconds=1)
    expired.send_at = None
    db.session.commit()
    assert send_survey(expired.id).messages == [] and outbox() == []


def test_the_send_surveys_command_reports_what_it_did(app):
    survey = sent_survey("nps", count=1, send_at=utcnow() - timedelta(minutes=1))
    survey.status = "scheduled"
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["clientdesk", "send-surveys"])
    assert result.exit_code == 0, result.output
    assert "1 survey(s) sent: 1 invitation(s) queued, 0 skipped." in result.output


def test_an_automated_step_creates_and_sends_a_completion_survey():
    from jobs.surveys import create_and_send
    from tests.factories import ProjectFactory

    client = ClientFactory()
    project = ProjectFactory(client=client, name="Warehouse leads")
    survey = create_and_send(client, "project_completion", contacts_of(client, 2), project=project)
    assert survey.status == "sent" and survey.project_id == project.id
    assert len(outbox()) == 2
    assert outbox()[0].subject == "How did we do on Warehouse leads?"
