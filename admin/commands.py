"""``flask clientdesk ...``: set-up commands, all safe to run twice."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

cli = AppGroup("clientdesk", help="ClientDesk set-up: roles and demo data.")


@cli.command("init-roles")
def init_roles() -> None:
    """Create the roles and set their permissions to the matrix in admin/roles.py."""
    from flask import current_app

    from .roles import sync_roles

    for role, count in sync_roles(current_app.appbuilder).items():
        click.echo(f"{role}: {count} permissions")


@cli.command("demo")
def demo() -> None:
    """Load the demo agency (idempotent): clients, contacts, staff, portal logins and the
    built-in email templates."""
    from flask import current_app

    from .demo import load_demo
    from .roles import sync_roles

    sync_roles(current_app.appbuilder)
    summary = load_demo()
    for line in summary:
        click.echo(line)


@cli.command("load-templates")
def load_templates() -> None:
    """Load the built-in email templates (idempotent): create the missing ones, never
    overwrite one a user has edited (see models/template_library.py)."""
    from extensions import db
    from models.template_library import BUILTIN_TEMPLATES, load_builtin_templates

    loaded = load_builtin_templates(db.session)
    db.session.commit()
    click.echo(
        f"{len(BUILTIN_TEMPLATES)} built-in email templates: {loaded.created} created,"
        f" {loaded.updated} updated to the new text, {loaded.kept} kept as they were."
    )


@cli.command("import-csv")
@click.argument("kind", type=click.Choice(["clients", "contacts"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", is_flag=True, help="Import the good rows (without it: preview only).")
@click.option(
    "--rejected",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the rejected rows (default: FILE with .rejected.csv).",
)
def import_csv_command(kind: str, file: Path, commit: bool, rejected: Path | None) -> None:
    """Check a CSV file of clients or contacts and, with --commit, import its good rows.

    Every bad row is printed with its line, field and rule; rows already present are skipped.
    """
    from extensions import db
    from models.importing import ImportFileError, check_csv, import_csv

    data = file.read_bytes()
    try:
        if commit:
            report = import_csv(db.session, kind, data, file.name)
        else:
            report = check_csv(db.session, kind, data, file.name)
    except ImportFileError as error:
        raise click.ClickException(error.message) from error
    for error in report.errors:
        click.echo(f"line {error.line}: {error.field}: {error.message}")
    good = f"imported {report.imported}" if commit else f"ready {len(report.good)}"
    click.echo(
        f"{file.name}: {report.rows} rows, {good}, {len(report.present)} already present, "
        f"{len(report.bad_lines)} rejected"
    )
    if report.bad_lines:
        target = rejected or file.with_name(f"{file.stem}.rejected.csv")
        target.write_text(report.rejected_csv())
        click.echo(f"rejected rows written to {target}")


@cli.command("retention")
def retention() -> None:
    """Erase the contacts of clients archived longer than RETENTION_DAYS_AFTER_ARCHIVE."""
    from flask import current_app

    from jobs.privacy import anonymise_expired_contacts

    erased = anonymise_expired_contacts()
    days = current_app.config["RETENTION_DAYS_AFTER_ARCHIVE"]
    click.echo(
        f"{len(erased)} contact(s) of clients archived over {days} days erased"
        + (f": #{', #'.join(map(str, erased))}" if erased else ".")
    )


@cli.command("feedback-reminders")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Remind after this many days without a review (default: FEEDBACK_REMINDER_DAYS).",
)
def feedback_reminders(days: int | None) -> None:
    """Mail the hiring contacts of candidates waiting too long for the client's review (run it
    daily; each candidate is reminded once)."""
    from flask import current_app

    from jobs.feedback import send_review_reminders

    run = send_review_reminders(days=days)
    days = days or current_app.config["FEEDBACK_REMINDER_DAYS"]
    click.echo(
        f"{len(run.reminded)} candidate(s) waiting over {days} days: "
        f"{len(run.messages)} reminder(s) queued."
    )
    for application_id, contact, reason in run.skipped:
        who = f"{contact} " if contact is not None else ""
        click.echo(f"application #{application_id}: {who}skipped, {reason}")


@cli.command("send-surveys")
def send_surveys() -> None:
    """Send the scheduled satisfaction surveys whose send date came, and any invitation a sent
    survey still owes (run it every few minutes; each recipient is mailed once)."""
    from jobs.surveys import send_due_surveys

    run = send_due_surveys()
    click.echo(
        f"{len(run.surveys)} survey(s) sent: {len(run.messages)} invitation(s) queued, "
        f"{len(run.skipped)} skipped."
    )
    for recipient_id, contact, reason in run.skipped:
        click.echo(f"recipient #{recipient_id}: {contact} skipped, {reason}")


@cli.command("expire-quotes")
def expire_quotes_command() -> None:
    """Mark every sent or viewed quote past its valid-until date as expired (run it daily)."""
    from extensions import db
    from models.commercial import expire_quotes

    count = expire_quotes()
    db.session.commit()
    click.echo(f"{count} quote(s) expired.")


@cli.command("expire-offers")
def expire_offers_command() -> None:
    """Mark every extended offer past its open-until date as expired (run it daily)."""
    from extensions import db
    from models.offers import expire_offers

    count = expire_offers()
    db.session.commit()
    click.echo(f"{count} offer(s) expired.")


@cli.command("contract-renewals")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Notify this many days before renewal (default: CONTRACT_RENEWAL_NOTICE_DAYS).",
)
def contract_renewals(days: int | None) -> None:
    """Renew the auto-renewing contracts due, expire the ended ones and mail the owners of
    contracts renewing soon (run it daily; each renewal is notified once)."""
    from flask import current_app

    from jobs.contracts import run_contract_renewals

    run = run_contract_renewals(days=days)
    days = days or current_app.config["CONTRACT_RENEWAL_NOTICE_DAYS"]
    for label, ids in (("renewed", run.renewed), ("expired", run.expired)):
        click.echo(
            f"{len(ids)} contract(s) {label}" + (f": #{', #'.join(map(str, ids))}" if ids else ".")
        )
    click.echo(
        f"{len(run.notified)} contract(s) renewing within {days} days: "
        f"{len(run.messages)} notice(s) queued."
    )
    for contract_id, reason in run.skipped:
        click.echo(f"contract #{contract_id}: skipped, {reason}")


@cli.command("collections")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Run as of this day (YYYY-MM-DD; default: today).",
)
def collections(today) -> None:
    """Open the collection notices due on overdue invoices and email them to the clients'
    billing contacts (run it daily; each notice is opened and sent once)."""
    from jobs.collections import run_daily_collections

    run = run_daily_collections(today.date() if today else None)
    click.echo(
        f"{len(run.created)} notice(s) opened, {len(run.superseded)} superseded, "
        f"{len(run.sent)} sent ({len(run.messages)} message(s) queued)."
    )
    for kind, record_id, reason in run.skipped:
        click.echo(f"{kind} #{record_id}: skipped, {reason}")


@cli.command("retry-mail")
def retry_mail() -> None:
    """Try again the emails whose delivery failed for now and whose next attempt is due (run it
    every few minutes; the RQ cron schedule does it every minute)."""
    from jobs.mail import retry_due_mail

    tried = retry_due_mail()
    click.echo(f"{len(tried)} email(s) tried again.")
@cli.command("run-workflows")
@click.option(
    "--now",
    "now",
    default=None,
    help="Run as of this moment (ISO 8601, e.g. 2027-01-15T09:00:00+00:00; default: now).",
)
def run_workflows_command(now: str | None) -> None:
    """Send the workflow steps that came due (what the scheduler runs every 5 minutes; safe
    to run twice and next to it: each step is sent once per record)."""
    from datetime import UTC, datetime

    from jobs.workflows import run_workflows

    moment = None
    if now:
        try:
            moment = datetime.fromisoformat(now)
        except ValueError:
            raise click.BadParameter(
                f"'{now}' is not an ISO 8601 date and time.", param_hint="--now"
            ) from None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    sweep = run_workflows(now=moment)
    click.echo(
        f"{len(sweep.sent)} step(s) sent ({len(sweep.messages)} message(s) queued), "
        f"{len(sweep.skipped)} skipped, {len(sweep.failed)} failed"
        + (f", {sweep.claimed_elsewhere} taken by another run." if sweep.claimed_elsewhere else ".")
    )


@cli.command("load-workflows")
@click.option("--active", is_flag=True, help="Switch the new workflows on at once.")
def load_workflows_command(active: bool) -> None:
    """Add the shipped workflows (welcome sequence, milestone notification, completion survey,
    renewal outreach) that are missing; paused unless --active. Safe to run twice."""
    from extensions import db
    from models.workflow_defaults import load_default_workflows

    result = load_default_workflows(db.session, active=active)
    db.session.commit()
    for line in result.lines():
        click.echo(line)


@cli.command("health-snapshots")
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The day to snapshot (YYYY-MM-DD; default today).")
def health_snapshots(day) -> None:
    """Store every client's health score, factors and flags for the day (run it daily; a
    second run that day replaces the day's snapshots, never duplicates them)."""
    from jobs.health import take_snapshots

    day = day.date() if day else None
    written = take_snapshots(day)
    click.echo(f"{written} client health snapshot(s) stored for {day or 'today'}.")


@cli.command("monthly-reports")
@click.option("--month", default=None, help="The month as YYYY-MM (default: last month).")
def monthly_reports_command(month: str | None) -> None:
    """Email each client's engagement manager the monthly report PDF (once per client and
    month: safe to run twice; the RQ schedule runs it on the 1st)."""
    from jobs.client_reports import send_monthly_reports
    from models.client_report import parse_month

    if month is not None and parse_month(month) is None:
        raise click.BadParameter("Month must be a month as YYYY-MM.", param_hint="--month")
    sent = send_monthly_reports(month)
    click.echo(f"{len(sent)} monthly report(s) emailed.")


@cli.command("onboarding-reminders")
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Run as of this day (YYYY-MM-DD; default: today).",
)
def onboarding_reminders(today) -> None:
    """Email the owner of each onboarding step past its due date (run it daily; each step is
    notified once: safe to run twice)."""
    from jobs.onboarding import send_step_reminders

    run = send_step_reminders(today.date() if today else None)
    click.echo(f"{len(run.notified)} overdue onboarding step(s) notified.")
    for step_id, reason in run.skipped:
        click.echo(f"step #{step_id}: skipped, {reason}")
# ---------------------------------------------------------------- service desk (issue 9)


@cli.command("escalate-tickets")
def escalate_tickets_command() -> None:
    """Escalate the breached tickets one level and mail each level's person (safe to run
    twice; the RQ schedule runs it every 15 minutes)."""
    from jobs.tickets import escalate_tickets

    steps = escalate_tickets()
    click.echo(f"{steps} escalation step(s).")


@cli.command("fetch-mail")
def fetch_mail_command() -> None:
    """Read the support mailbox (IMAP_*): each unread mail becomes a comment on the ticket it
    replies to, a new ticket, or waits in Service desk › Mail triage (safe to run twice; the
    RQ schedule runs it every 5 minutes when IMAP_HOST is set)."""
    from jobs.mail_intake import MailboxError, fetch_mail

    try:
        run = fetch_mail()
    except MailboxError as error:
        raise click.ClickException(str(error)) from error
    click.echo(str(run))
