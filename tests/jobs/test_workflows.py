"""The workflow scheduler: each trigger on a small data set, delays, opt-outs, pause, and
each step sent once however often the sweep runs and however many workers race."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from extensions import db
from jobs.workflows import run_workflows
from models import (
    Activity,
    Client,
    Contract,
    Invoice,
    JobOrder,
    OutboxMessage,
    Workflow,
    WorkflowRun,
    record_activity,
    utcnow,
)
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    EmailTemplateFactory,
    JobOrderFactory,
    MilestoneFactory,
    ProjectFactory,
    add_candidate,
    draft_contract,
    issued_invoice,
    make_user,
    make_workflow,
    open_job_order,
    quote_with_lines,
)
from tests.jobs.test_mail import Inbox, mail_to, smtp  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("ctx")

DAY = timedelta(days=1)


def outbox() -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def runs() -> list[WorkflowRun]:
    db.session.expire_all()
    return db.session.scalars(select(WorkflowRun).order_by(WorkflowRun.id)).all()


def primary(client=None, **contact):
    return ClientContactFactory(
        client=client or ClientFactory(),
        role="primary",
        **{f"contact__{k}": v for k, v in contact.items()},
    )


def a_while_ago(days: int = 30):
    return utcnow() - timedelta(days=days)


# ---------------------------------------------------------------- client onboarded


def test_a_client_created_active_gets_the_welcome_mail_at_once():
    make_workflow("client_onboarded", active_since=utcnow() - timedelta(hours=1))
    link = primary(first_name="Maria")
    sweep = run_workflows()
    [message] = outbox()
    assert message.contact_id == link.contact_id and message.kind == "workflow"
    assert "Dear Maria" in message.body_text
    [run] = runs()
    assert run.outcome == "sent" and run.record_id == link.client_id and sweep.sent == [run.id]
    assert run.messages == [message] and link.contact.email in run.recipients
    [logged] = db.session.scalars(select(Activity).where(Activity.kind == "workflow")).all()
    assert (logged.client_id, logged.subject_type, logged.subject_id) == (
        link.client_id,
        "workflow_run",
        run.id,
    )
    assert "sent to" in logged.summary


def test_a_prospect_becoming_active_is_onboarded():
    make_workflow("client_onboarded", active_since=utcnow() - timedelta(hours=1))
    client = ClientFactory(status="prospect")
    primary(client)
    assert run_workflows().runs == 0
    client.status = "active"
    db.session.commit()
    assert len(run_workflows().sent) == 1


def test_clients_onboarded_before_the_workflow_was_activated_are_not_mailed():
    primary()
    make_workflow("client_onboarded", active_since=utcnow() + timedelta(seconds=1))
    assert run_workflows(now=utcnow() + DAY).runs == 0 and outbox() == []


# ---------------------------------------------------------------- delays


def test_a_step_waits_for_its_delay_in_days_and_hours():
    template = EmailTemplateFactory()
    make_workflow("client_onboarded", (template, "primary", 3, 6), active_since=a_while_ago(1))
    primary()
    now = utcnow()
    assert run_workflows(now=now + timedelta(days=3)).runs == 0
    assert len(run_workflows(now=now + timedelta(days=3, hours=6, minutes=1)).sent) == 1


def test_the_steps_of_a_sequence_go_out_in_turn():
    first, second, third = (EmailTemplateFactory() for _ in range(3))
    make_workflow(
        "client_onboarded", (first,), (second, "primary", 3), (third, "primary", 14),
        active_since=a_while_ago(1),
    )  # fmt: skip
    primary()
    now = utcnow()
    assert [len(run_workflows(now=now + timedelta(days=d)).sent) for d in (0, 1, 4, 15, 16)] == [
        1, 0, 1, 1, 0,
    ]  # fmt: skip
    assert [m.template_id for m in outbox()] == [first.id, second.id, third.id]


# ---------------------------------------------------------------- once only


def test_running_the_scheduler_twice_sends_each_step_once():
    make_workflow("client_onboarded", active_since=a_while_ago(1))
    primary()
    assert len(run_workflows().sent) == 1
    assert run_workflows().runs == 0
    assert len(outbox()) == 1 and len(runs()) == 1


def test_a_run_claimed_by_another_sweep_sends_nothing(monkeypatch):
    """The sweep found the step due, but another sweep recorded it meanwhile: the unique key
    refuses the second run and nothing is queued."""
    import jobs.workflows as scheduler

    workflow = make_workflow("client_onboarded", active_since=a_while_ago(1))
    primary()
    found = scheduler.due_records(workflow, workflow.steps[0], utcnow())
    run_workflows()
    monkeypatch.setattr(scheduler, "due_records", lambda *args: found)
    sweep = run_workflows()
    assert sweep.runs == 0 and sweep.claimed_elsewhere == 1
    assert len(outbox()) == 1


def test_two_racing_workers_send_each_step_once(app, database_url, mail_to, monkeypatch):  # noqa: F811
    """Two threads, each with its own session, find the same due steps before either claims
    them; on PostgreSQL the second insert waits for the first commit, then trips the key."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the race needs PostgreSQL's row locks (SQLite has one writer)")
    import jobs.workflows as scheduler

    template = EmailTemplateFactory()
    make_workflow("client_onboarded", template, (template, "billing"), active_since=a_while_ago(1))
    for _ in range(3):
        client = ClientFactory()
        primary(client)
        ClientContactFactory(client=client, can_billing=True)
    found = scheduler.due_records
    barrier = threading.Barrier(2, timeout=30)

    def found_together(*args):
        rows = found(*args)
        barrier.wait()  # both workers have their lists before either sends
        return rows

    monkeypatch.setattr(scheduler, "due_records", found_together)
    sweeps, errors = [], []

    def worker():
        try:
            with app.app_context():
                sweeps.append(run_workflows())
                db.session.remove()
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(len(s.sent) for s in sweeps) == 6
    assert sum(s.claimed_elsewhere for s in sweeps) == 6
    assert len(outbox()) == 6 and len(mail_to.messages) == 6
    assert len({m["To"].addresses[0].addr_spec for m in mail_to.messages}) == 6


# ---------------------------------------------------------------- opt-out and recipients


def test_a_contact_who_opted_out_of_email_gets_nothing_and_the_skip_is_logged():
    make_workflow("client_onboarded", active_since=a_while_ago(1), name="Welcome")
    link = primary(opt_out_email=True)
    sweep = run_workflows()
    assert outbox() == []
    [run] = runs()
    assert run.outcome == "skipped" and sweep.skipped == [run.id]
    assert run.reason == f"{link.contact} opted out of email"
    summaries = db.session.scalars(
        select(Activity.summary).where(
            Activity.kind == "workflow", Activity.client_id == link.client_id
        )
    ).all()
    assert summaries == [
        f"Workflow 'Welcome', step 1 skipped (client #{link.client_id}): {run.reason}"
    ]
    assert run_workflows().runs == 0  # a skip is recorded once too


def test_other_recipients_are_mailed_when_one_opted_out():
    make_workflow(
        "client_onboarded", (EmailTemplateFactory(), "all_contacts"), active_since=a_while_ago(1)
    )
    link = primary()
    out = ClientContactFactory(client=link.client, contact__opt_out_email=True)
    run_workflows()
    [run] = runs()
    assert [m.contact_id for m in outbox()] == [link.contact_id]
    assert run.outcome == "sent" and run.reason == f"not sent to {out.contact} opted out of email"


def test_a_client_without_the_recipient_role_is_skipped_with_the_reason():
    make_workflow("client_onboarded", active_since=a_while_ago(1))
    ClientContactFactory(role="secondary")
    run_workflows()
    [run] = runs()
    assert (run.outcome, run.reason) == (
        "skipped",
        "no recipient: the client has no primary contact",
    )


def test_the_account_manager_step_mails_the_staff_member():
    manager = make_user("Account Manager", first_name="Paolo")
    template = EmailTemplateFactory(body="Hi {{ contact.first_name }}, {{ client.name }} is new.")
    make_workflow("client_onboarded", (template, "account_manager"), active_since=a_while_ago(1))
    client = ClientFactory(owner=manager)
    sweep = run_workflows()
    [message] = outbox()
    assert message.to_email == manager.email and message.contact_id is None
    assert message.body_text == f"Hi Paolo, {client.name} is new."
    assert len(sweep.sent) == 1


def test_a_template_deactivated_since_is_a_skip_not_a_send():
    template = EmailTemplateFactory(name="Old welcome")
    make_workflow("client_onboarded", template, active_since=a_while_ago(1))
    primary()
    template.active = False
    db.session.commit()
    run_workflows()
    [run] = runs()
    assert (run.outcome, run.reason) == ("skipped", "the template 'Old welcome' is inactive")
    assert outbox() == []


def test_a_failing_render_is_recorded_failed(monkeypatch):
    from models import TemplateRenderError
    from models.mail_templates import EmailTemplate

    make_workflow("client_onboarded", active_since=a_while_ago(1))
    primary()

    def broken(*args, **kwargs):
        raise TemplateRenderError("Body cannot be rendered: boom.", "body")

    monkeypatch.setattr("jobs.client_messages.render_message", broken)
    assert EmailTemplate  # the template itself is fine; rendering fails
    run_workflows()
    [run] = runs()
    assert (run.outcome, run.reason) == ("failed", "Body cannot be rendered: boom.")
    assert outbox() == []


# ---------------------------------------------------------------- pause


def test_a_paused_workflow_sends_nothing():
    workflow = make_workflow("client_onboarded", active_since=a_while_ago(1))
    workflow.action_pause(None)
    db.session.commit()
    primary()
    assert run_workflows().runs == 0 and outbox() == []


def test_steps_due_while_paused_are_skipped_on_resume_and_later_ones_sent():
    first, later = EmailTemplateFactory(), EmailTemplateFactory()
    workflow = make_workflow(
        "client_onboarded", (first,), (later, "primary", 3), active_since=a_while_ago(1)
    )
    workflow.action_pause(None)
    db.session.commit()
    primary()
    now = utcnow()
    workflow.action_resume(None, now=now + timedelta(hours=2))
    db.session.commit()
    sweep = run_workflows(now=now + timedelta(hours=3))
    [run] = runs()
    assert (run.outcome, run.reason) == ("skipped", "paused") and sweep.skipped == [run.id]
    assert outbox() == []
    assert len(run_workflows(now=now + timedelta(days=3, hours=1)).sent) == 1
    assert [m.template_id for m in outbox()] == [later.id]


def test_a_workflow_never_activated_sends_nothing():
    make_workflow("client_onboarded", active_since=False)
    primary()
    assert run_workflows().runs == 0


# ---------------------------------------------------------------- the other triggers


def test_job_order_approved_mails_its_hiring_stakeholders():
    template = EmailTemplateFactory(subject="{{ job_order.title }} is approved")
    make_workflow("job_order_approved", (template, "hiring"), active_since=a_while_ago(1))
    link = ClientContactFactory()
    other = ClientContactFactory(client=link.client, can_hiring=True)
    job = JobOrderFactory(client=link.client)
    job.add_stakeholder(link.contact, "hiring manager")
    db.session.commit()
    assert run_workflows().runs == 0  # a draft
    db.session.execute(
        update(JobOrder)
        .where(JobOrder.id == job.id)
        .values(status="approved", approved_at=utcnow())
    )
    db.session.commit()
    run_workflows()
    [message] = outbox()
    assert message.contact_id == link.contact_id != other.contact_id
    assert message.subject == f"{job.title} is approved"


def test_candidate_presented_names_the_candidate():
    template = EmailTemplateFactory(
        subject="{{ candidate.full_name }} for {{ job_order.title }}",
        body="Hi {{ contact.first_name }}",
    )
    make_workflow("candidate_presented", (template, "hiring"), active_since=a_while_ago(1))
    link = ClientContactFactory(can_hiring=True)
    job = open_job_order(client=link.client)
    application = add_candidate(job)
    db.session.commit()
    assert run_workflows().runs == 0
    application.presented_at = utcnow()
    db.session.commit()
    run_workflows()
    [message] = outbox()
    candidate = application.candidate
    assert message.subject == f"{candidate.first_name} {candidate.last_name} for {job.title}"


def test_milestone_completed_mails_the_hiring_contacts():
    template = EmailTemplateFactory(subject="{{ milestone.name }} of {{ project.name }} done")
    make_workflow("milestone_completed", (template, "hiring"), active_since=a_while_ago(1))
    milestone = MilestoneFactory()
    ClientContactFactory(client=milestone.project.client, can_hiring=True)
    assert run_workflows().runs == 0
    milestone.action_complete()
    db.session.commit()
    run_workflows()
    [message] = outbox()
    assert message.subject == f"{milestone.name} of {milestone.project.name} done"


def test_project_completed_fires_when_the_status_becomes_completed():
    template = EmailTemplateFactory(subject="{{ project.name }} is complete")
    make_workflow("project_completed", template, active_since=a_while_ago(1))
    project = ProjectFactory()
    primary(project.client)
    assert run_workflows().runs == 0
    project.status = "completed"
    db.session.commit()
    assert project.completed_at is not None
    run_workflows()
    assert [m.subject for m in outbox()] == [f"{project.name} is complete"]


def test_the_completion_survey_step_mails_each_contact_their_own_survey_link(client):
    from models.surveys import Survey, SurveyRecipient

    template = EmailTemplateFactory(
        category="surveys", subject="How did {{ project.name }} go?",
        body="Tell us: {{ links.survey }} (open until {{ survey.expires_on }})",
    )  # fmt: skip
    make_workflow("project_completed", template, active_since=a_while_ago(1))
    project = ProjectFactory()
    link = primary(project.client)
    project.status = "completed"
    db.session.commit()
    run_workflows()
    run_workflows()  # the second sweep creates no second survey
    [run] = runs()
    [message] = outbox()
    assert run.outcome == "sent" and message.contact_id == link.contact_id
    [survey] = db.session.scalars(select(Survey)).all()
    assert (survey.kind, survey.project_id, survey.status) == (
        "project_completion", project.id, "sent"
    )
    [recipient] = db.session.scalars(select(SurveyRecipient)).all()
    assert recipient.contact_id == link.contact_id and recipient.sent_at is not None
    link = message.body_text.split("Tell us: ")[1].split()[0]
    assert link.startswith("http://portal.test/portal/survey/")
    page = client.get(link.removeprefix("http://portal.test"))
    assert page.status_code == 200 and project.name in page.get_data(as_text=True)


def test_a_quote_not_viewed_after_n_days_is_followed_up():
    template = EmailTemplateFactory(subject="Quote {{ quote.number }}")
    make_workflow("quote_not_viewed", template, days=3, active_since=a_while_ago(1))
    quote = quote_with_lines()
    primary(quote.client)
    quote.action_send()
    db.session.commit()
    now = utcnow()
    assert run_workflows(now=now + timedelta(days=2)).runs == 0
    assert len(run_workflows(now=now + timedelta(days=3, minutes=1)).sent) == 1


def test_a_quote_viewed_in_time_is_not_followed_up():
    make_workflow("quote_not_viewed", days=3, active_since=a_while_ago(1))
    quote = quote_with_lines()
    primary(quote.client)
    quote.action_send()
    quote.action_mark_viewed()
    db.session.commit()
    assert run_workflows(now=utcnow() + timedelta(days=4)).runs == 0


def test_an_overdue_invoice_mails_its_contact_and_stops_once_paid():
    template = EmailTemplateFactory(
        category="collections", subject="Invoice {{ invoice.number }} is overdue"
    )
    make_workflow(
        "invoice_overdue",
        (template, "billing"),
        (template, "billing", 7),
        active_since=a_while_ago(20),
    )
    client = ClientFactory()
    payer = ClientContactFactory(client=client)
    ClientContactFactory(client=client, can_billing=True)
    invoice = issued_invoice(client, on=date.today() - timedelta(days=33), contact=payer.contact)
    assert invoice.is_overdue()
    run_workflows()
    [message] = outbox()
    assert message.contact_id == payer.contact_id and invoice.number in message.subject
    db.session.execute(update(Invoice).where(Invoice.id == invoice.id).values(status="paid"))
    db.session.commit()
    assert run_workflows(now=utcnow() + timedelta(days=8)).runs == 0


def test_invoices_overdue_before_the_workflow_was_activated_are_left_alone():
    make_workflow("invoice_overdue", active_since=a_while_ago(2))
    client = ClientFactory()
    primary(client)
    issued_invoice(client, on=date.today() - timedelta(days=40))
    assert run_workflows().runs == 0


def test_contract_renewal_due_mails_the_signatory_once_per_renewal_date():
    template = EmailTemplateFactory(
        subject="{{ contract.title }} renews {{ contract.renewal_date }}"
    )
    make_workflow(
        "contract_renewal_due", (template, "signatories"), days=45, active_since=a_while_ago(10)
    )
    contract = draft_contract()
    ClientContactFactory(client=contract.client, can_sign=True)
    renewal = date.today() + timedelta(days=40)
    db.session.execute(
        update(Contract)
        .where(Contract.id == contract.id)
        .values(status="active", renewal_date=renewal)
    )
    db.session.commit()
    run_workflows()
    assert len(outbox()) == 1 and runs()[0].occurrence == str(renewal)
    assert run_workflows().runs == 0
    db.session.execute(  # renewed: the next renewal date is another occurrence
        update(Contract)
        .where(Contract.id == contract.id)
        .values(renewal_date=renewal + timedelta(days=365))
    )
    db.session.commit()
    assert run_workflows(now=utcnow() + timedelta(days=359)).runs == 0
    assert run_workflows(now=utcnow() + timedelta(days=361)).runs == 1
    assert len(outbox()) == 2


def test_a_quiet_active_client_is_re_engaged_once_per_episode():
    make_workflow("low_engagement", days=30, active_since=a_while_ago(5))
    link = primary()
    client_id = link.client_id
    db.session.execute(
        update(Activity).where(Activity.client_id == client_id).values(at=a_while_ago(31))
    )
    db.session.commit()
    assert len(run_workflows().sent) == 1
    assert run_workflows().runs == 0  # its own mail and run are no engagement
    record_activity(db.session, "note", "Called the client", client_id=client_id)
    db.session.commit()
    assert run_workflows(now=utcnow() + timedelta(days=29)).runs == 0
    assert len(run_workflows(now=utcnow() + timedelta(days=31)).sent) == 1
    assert len({run.occurrence for run in runs()}) == 2


def test_an_engaged_client_is_not_a_low_engagement_trigger():
    make_workflow("low_engagement", days=30, active_since=a_while_ago(5))
    primary()
    assert run_workflows().runs == 0
    assert db.session.scalar(select(func.count(Client.id))) == 1


# ---------------------------------------------------------------- real SMTP, real worker


def test_a_workflow_mail_reaches_a_real_smtp_server(mail_to):  # noqa: F811
    template = EmailTemplateFactory(subject="Welcome, {{ client.name }}")
    make_workflow("client_onboarded", template, active_since=a_while_ago(1))
    link = primary(first_name="Maria", email="maria@example.test")
    run_workflows()
    [received] = mail_to.messages
    assert received["To"].addresses[0].addr_spec == "maria@example.test"
    assert received["Subject"] == f"Welcome, {link.client.name}"
    assert "Dear Maria" in received.get_body(("plain",)).get_content()
    assert outbox()[0].status == "sent"


def test_the_cron_config_registers_the_scheduler_jobs():
    from jobs.schedule import JOBS

    assert {(job["func"].__name__, job["interval"], job["cron"]) for job in JOBS} == {
        ("run_workflows", 300, None),
        ("retry_mail", 60, None),
        ("take_snapshots", None, "0 5 * * *"),  # the clients' health, daily at 05:00 UTC
        ("send_monthly_reports", None, "0 6 1 * *"),  # last month's reports, on the 1st
        ("send_step_reminders", None, "0 7 * * *"),  # overdue onboarding steps, daily
        ("escalate_tickets", 900, None),  # breached tickets up a level, every 15 minutes
    }
    assert all(job["queue_name"] == "clientdesk" for job in JOBS)


@pytest.mark.redis
def test_a_real_rq_worker_runs_the_scheduler_job(
    app,
    redis_url,
    database_url,
    smtp,  # noqa: F811 (the fixture)
):
    """The job cron enqueues, run by `rq worker --burst` (its own process and app): the
    workflow's mail is queued as another job and delivered over SMTP in the same burst."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from redis import Redis
    from rq import Queue

    controller, inbox = smtp
    make_workflow("client_onboarded", active_since=a_while_ago(1))
    primary(email="worker@example.test")
    queue = Queue("clientdesk", connection=Redis.from_url(redis_url))
    queue.empty()
    queue.enqueue(run_workflows)
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MAIL_SERVER": controller.hostname,
        "MAIL_PORT": str(controller.port),
        "SECRET_KEY": "worker-test-secret-0123456789abcdef",
        "PYTHONPATH": str(root),
    }
    rq = Path(sys.executable).parent / "rq"
    result = subprocess.run(
        [str(rq), "worker", "--burst", "--worker-class", "rq.worker.SimpleWorker",
         "--url", redis_url, "clientdesk"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert [m["To"].addresses[0].addr_spec for m in inbox.messages] == ["worker@example.test"]
    [run] = runs()
    assert run.outcome == "sent"
    assert db.session.scalar(select(Workflow.active)) is True


@pytest.mark.parametrize("trigger, days", [("low_engagement", 30), ("contract_renewal_due", 45)])
def test_an_occurrence_reads_the_same_in_any_session_time_zone(database_url, trigger, days):
    """A worker whose database session runs in another time zone finds the step already run:
    the occurrence is not the database's rendering of a timestamp."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no session time zone")
    from sqlalchemy import text

    import jobs.workflows as scheduler

    workflow = make_workflow(trigger, days=days, active_since=a_while_ago(10))
    link = primary()
    if trigger == "low_engagement":
        db.session.execute(
            update(Activity).where(Activity.client_id == link.client_id).values(at=a_while_ago(31))
        )
    else:
        contract = draft_contract(client=link.client)
        ClientContactFactory(client=link.client, can_sign=True)
        db.session.execute(
            update(Contract)
            .where(Contract.id == contract.id)
            .values(status="active", renewal_date=date.today() + timedelta(days=40))
        )
    db.session.commit()
    assert run_workflows().runs == 1
    db.session.execute(text("SET TIME ZONE 'Asia/Manila'"))
    try:
        assert scheduler.due_records(workflow, workflow.steps[0], utcnow()) == []
    finally:
        db.session.execute(text("RESET TIME ZONE"))
        db.session.rollback()
