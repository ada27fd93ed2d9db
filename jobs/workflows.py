"""The workflow scheduler: send each workflow step that came due, once per record.

``run_workflows`` runs every five minutes on RQ's scheduler (``rq cron jobs/schedule.py``, the
Procfile's ``scheduler``) or from cron (``flask clientdesk run-workflows``). For each active
workflow and step it asks the trigger's query for the records whose trigger time plus the
step's delay has passed and that have no run for that step yet. Each one is then, in one
transaction: the run inserted (the claim: ``uq_workflow_run_once`` on step, record and
occurrence), its messages rendered and queued in the outbox, the run and every skip put on
the client's timeline; then the commit, then delivery. A second sweep, or a worker racing
this one, trips the unique key on the insert (on PostgreSQL it waits for the first
transaction, then fails) and sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from extensions import db
from models import MessageError, TemplateRenderError, record_activity, utcnow
from models.workflow_runs import WorkflowRun
from models.workflow_triggers import (
    NO_RECIPIENT,
    TRIGGERS,
    load_records,
    recipient_links,
    recipient_users,
)
from models.workflows import PAUSED, Workflow, WorkflowStep

from . import job
from .client_messages import Sending, dispatch, prepare_messages, prepare_staff_messages

# Records handled per step and sweep: a long backlog is worked off over a few sweeps, each
# transaction staying short.
BATCH = 200
KIND = "workflow"


class StepSkipped(Exception):
    """A due step is recorded as skipped, with ``reason``, and sends nothing."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class WorkflowSweep:
    """What one sweep did: the runs by outcome, the messages queued, and the steps another
    sweep or worker had claimed first."""

    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    messages: list[int] = field(default_factory=list)
    claimed_elsewhere: int = 0

    @property
    def runs(self) -> int:
        return len(self.sent) + len(self.skipped) + len(self.failed)


@job
def run_workflows(now: datetime | None = None) -> WorkflowSweep:
    """Send the workflow steps due at ``now`` (default: now); safe to run twice and on two
    workers at once."""
    now = now or utcnow()
    sweep = WorkflowSweep()
    active = db.session.scalars(
        select(Workflow)
        .where(Workflow.active.is_(True), Workflow.activated_at.is_not(None))
        .order_by(Workflow.id)
    ).all()
    due = [
        (workflow.id, step.id, row)
        for workflow in active
        for step in workflow.steps
        for row in due_records(workflow, step, now)
    ]
    db.session.rollback()  # end the read; each run below is its own transaction
    for workflow_id, step_id, row in due:
        run_step(workflow_id, step_id, row, now, sweep)
    return sweep


def due_records(workflow: Workflow, step: WorkflowStep, now: datetime) -> list:
    """The records for which ``step`` is due at ``now`` and has no run (one query): rows of
    record_id, client_id, occurrence and raw (the time the trigger reads)."""
    spec = TRIGGERS[workflow.trigger]
    fired = spec.fired(workflow.activated_at, now - step.delay, workflow.trigger_days).subquery()
    already = exists().where(
        WorkflowRun.step_id == step.id,
        WorkflowRun.record_id == fired.c.record_id,
        WorkflowRun.occurrence == fired.c.occurrence,
    )
    query = select(fired).where(~already).order_by(fired.c.raw, fired.c.record_id).limit(BATCH)
    return db.session.execute(query).all()


def run_step(workflow_id: int, step_id: int, row, now: datetime, sweep: WorkflowSweep):
    """Claim, send and log one step for one record, in one transaction; then deliver.

    Returns the run, or None when another sweep claimed it first (or the workflow was paused
    meanwhile).
    """
    workflow = db.session.get(Workflow, workflow_id)
    step = db.session.get(WorkflowStep, step_id)
    if workflow is None or step is None or not workflow.active:
        db.session.rollback()
        return None
    spec = TRIGGERS[workflow.trigger]
    fired_at = spec.fired_at(row.raw, workflow.trigger_days)
    run = WorkflowRun(
        workflow_id=workflow.id,
        step_id=step.id,
        client_id=row.client_id,
        record_type=spec.record_type,
        record_id=row.record_id,
        occurrence=row.occurrence,
        fired_at=fired_at,
        due_at=fired_at + step.delay,
        outcome="skipped",
        created_at=now,
    )
    db.session.add(run)
    try:
        db.session.flush()  # the claim
    except IntegrityError:
        db.session.rollback()
        if _claimed(step_id, row.record_id, row.occurrence):
            sweep.claimed_elsewhere += 1
            return None
        raise
    sending = Sending()
    try:
        with db.session.begin_nested():  # a step that fails half-way queues nothing
            sending = _send(run, workflow, step)
    except StepSkipped as skip:
        run.outcome, run.reason = "skipped", skip.reason
    except (TemplateRenderError, MessageError) as error:
        run.outcome, run.reason = "failed", error.message
    else:
        _record_sending(run, sending)
    _log(run, workflow, step)
    db.session.commit()
    getattr(sweep, run.outcome).append(run.id)
    sweep.messages += [message.id for message in sending.queued]
    dispatch(sending)
    return run


def _claimed(step_id: int, record_id: int, occurrence: str) -> bool:
    return (
        db.session.scalar(
            select(WorkflowRun.id).where(
                WorkflowRun.step_id == step_id,
                WorkflowRun.record_id == record_id,
                WorkflowRun.occurrence == occurrence,
            )
        )
        is not None
    )


def _send(run: WorkflowRun, workflow: Workflow, step: WorkflowStep) -> Sending:
    """The step's messages for the run's record, added to the session.

    :raise StepSkipped: paused when it came due, template inactive, record gone, no recipient.
    """
    if workflow.resumed_at is not None and run.due_at < workflow.resumed_at:
        raise StepSkipped(PAUSED)
    template = step.template
    if template is None:
        raise StepSkipped("the step has no template")
    if not template.active:
        raise StepSkipped(f"the template '{template.name}' is inactive")
    client, records = load_records(workflow.trigger, db.session, run.record_id)
    if client is None:
        raise StepSkipped(f"{run.record_label} no longer exists")
    label = f"workflow {workflow.name}"
    if step.recipient_role == "account_manager":
        users = recipient_users(step.recipient_role, client)
        if not users:
            raise StepSkipped(NO_RECIPIENT[step.recipient_role])
        return prepare_staff_messages(users, template, client, records, KIND, label)
    links = recipient_links(step.recipient_role, client, records)
    if not links:
        raise StepSkipped(NO_RECIPIENT[step.recipient_role])
    if "survey" not in template.needs:
        return prepare_messages(
            links, "email", None, template=template, records=records, kind=KIND, label=label
        )
    sending = Sending()
    for link in links:  # a survey of their own for each recipient who may be mailed
        if link.contact.refusal("email") is None:
            survey, url = create_survey_for_step(run, link.contact, client, records)
            part = prepare_messages(
                [link], "email", None, template=template, records={**records, "survey": survey},
                kind=KIND, label=label, urls={"survey": url},
            )  # fmt: skip
        else:
            part = prepare_messages([link], "email", None, template=template, records=records,
                                    kind=KIND, label=label)  # fmt: skip
        sending.queued += part.queued
        sending.skipped += part.skipped
    return sending


def create_survey_for_step(run: WorkflowRun, contact, client, records: dict):
    """The survey a workflow step mails to ``contact`` (the completion survey, about the run's
    project): returns ``(survey, url)``, the survey for ``{{ survey.* }}`` and the contact's
    token link for ``{{ links.survey }}``. Added to the session with the run, not committed;
    the recipient is stamped as mailed, so the survey's own invitation job never mails it
    again (the workflow's mail is the invitation).
    """
    from models.surveys import Survey

    from .surveys import survey_link

    now = utcnow()
    survey = Survey.create_for(client, "project_completion", [contact], records.get("project"))
    survey.action_send(now=now)
    [recipient] = survey.recipients
    token = recipient.issue_token()
    recipient.sent_at = now
    return survey, survey_link(token)


def _record_sending(run: WorkflowRun, sending: Sending) -> None:
    skipped = "; ".join(f"{person} {reason}" for person, reason in sending.skipped)
    run.messages = list(sending.queued)
    run.recipients = (
        ", ".join(
            f"{m.to_name} <{m.to_email}>" if m.to_name else m.to_email for m in sending.queued
        )
        or None
    )
    if sending.queued:
        run.outcome = "sent"
        run.reason = f"not sent to {skipped}" if skipped else None
    else:
        run.outcome, run.reason = "skipped", skipped or "no recipient"


def _log(run: WorkflowRun, workflow: Workflow, step: WorkflowStep) -> None:
    what = f"Workflow '{workflow.name}', step {step.position}"
    about = run.record_label
    if run.outcome == "sent":
        summary = f"{what} sent to {run.recipients} ({about})"
        if run.reason:
            summary += f"; {run.reason}"
    else:
        summary = f"{what} {run.outcome} ({about}): {run.reason}"
    record_activity(db.session, "workflow", summary, client_id=run.client_id, subject=run)
