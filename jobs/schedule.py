"""RQ's scheduler configuration: ``rq cron jobs/schedule.py`` (the Procfile's ``scheduler``).

The scheduler process only enqueues; ``rq worker`` (the Procfile's ``worker``) runs the jobs.
Both jobs are safe to run twice and from two machines, so a second scheduler, a slow job
overlapping the next tick, or a retried job sends nothing twice.

| job | every | what |
|---|---|---|
| ``jobs.workflows.run_workflows`` | 5 minutes | the workflow steps that came due |
| ``jobs.schedule.retry_mail`` | minute | failed mail whose next attempt is due |
| ``jobs.health.take_snapshots`` | day, 05:00 UTC | the clients' health snapshots, one a day |
| ``jobs.client_reports.send_monthly_reports`` | the 1st, 06:00 UTC | last month's client reports |
| ``jobs.onboarding.send_step_reminders`` | day, 07:00 UTC | overdue onboarding steps, each once |
| ``jobs.tickets.escalate_tickets`` | 15 minutes | breached tickets up one escalation level |
| ``jobs.mail_intake.fetch_mail`` | 5 minutes, when ``IMAP_HOST`` is set | the support mailbox |
"""

from __future__ import annotations

import os

from rq import cron

from . import QUEUE_NAME, job
from .client_reports import send_monthly_reports
from .health import take_snapshots
from .mail import retry_due_mail
from .mail_intake import fetch_mail
from .onboarding import send_step_reminders
from .tickets import escalate_tickets
from .workflows import run_workflows

WORKFLOWS_EVERY = 300  # seconds
MAIL_RETRY_EVERY = 60
ESCALATION_EVERY = 900  # 15 minutes
MAIL_INTAKE_EVERY = 300  # 5 minutes
HEALTH_SNAPSHOTS_CRON = "0 5 * * *"  # every day, 05:00 UTC
MONTHLY_REPORTS_CRON = "0 6 1 * *"  # the 1st of each month, 06:00 UTC
ONBOARDING_REMINDERS_CRON = "0 7 * * *"  # every day, 07:00 UTC


@job
def retry_mail() -> int:
    """Try again the failed mail due for another attempt (in the worker's app)."""
    return len(retry_due_mail())


JOBS = [
    cron.register(run_workflows, QUEUE_NAME, interval=WORKFLOWS_EVERY, name="run_workflows"),
    cron.register(retry_mail, QUEUE_NAME, interval=MAIL_RETRY_EVERY, name="retry_mail"),
    cron.register(
        take_snapshots, QUEUE_NAME, cron=HEALTH_SNAPSHOTS_CRON, name="health_snapshots"
    ),
    cron.register(
        send_monthly_reports, QUEUE_NAME, cron=MONTHLY_REPORTS_CRON, name="send_monthly_reports"
    ),
    cron.register(
        send_step_reminders,
        QUEUE_NAME,
        cron=ONBOARDING_REMINDERS_CRON,
        name="onboarding_reminders",
    ),
    cron.register(
        escalate_tickets, QUEUE_NAME, interval=ESCALATION_EVERY, name="escalate_tickets"
    ),
]
if os.environ.get("IMAP_HOST"):  # the intake reads a mailbox only once one is configured
    JOBS.append(
        cron.register(fetch_mail, QUEUE_NAME, interval=MAIL_INTAKE_EVERY, name="fetch_mail")
    )
