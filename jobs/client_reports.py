"""The monthly client report as a PDF, mailed to each client's engagement manager on the 1st
(``send_monthly_reports``, in jobs/schedule.py and ``flask clientdesk monthly-reports``), and
to the client's contacts when staff ask (``send_report_to_contacts``).

The PDF is the same template as the admin's page (``templates/documents/client_report.html``
including ``_client_report_body.html``), rendered through WeasyPrint (jobs/pdf.py) and stored
as the client's document (type "report", source ``client_report:<client id>:<YYYY-MM>``), so a
second rendering of an unchanged report stores nothing new.

Idempotent: each mail carries the kind ``client-report:<client id>:<YYYY-MM>`` (the manager's)
or ``client-report:<client id>:<YYYY-MM>:contact:<contact id>``; a kind already in the outbox
is not queued again, so running the job twice for a month sends each report once.
"""

from __future__ import annotations

import hashlib
from datetime import date

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from admin.charts import Bar, hbar_chart
from extensions import db
from models import Client, ClientContact, Contact, OutboxMessage, record_activity
from models.candidates import PIPELINE, STAGE_LABELS
from models.client_report import MonthlyReport, monthly_report, previous_month
from models.documents import ClientDocument

from . import job
from .mail import compose, send_later
from .pdf import agency, html_to_pdf, render_html

TEMPLATE = "documents/client_report.html"


def report_context(report: MonthlyReport) -> dict:
    """The report template's context (the admin page and the PDF share it)."""
    bars = [Bar(stage, STAGE_LABELS[stage], report.pipeline.get(stage, 0)) for stage in PIPELINE]
    return {
        "report": report,
        "client": report.client,
        "stage_labels": STAGE_LABELS,
        "pipeline_chart": hbar_chart("report-pipeline-chart", bars, "Applications by stage"),
    }


def source_for(client_id: int, month: date, audience: str = "agency") -> str:
    suffix = "" if audience == "agency" else f":{audience}"
    return f"client_report:{client_id}:{month:%Y-%m}{suffix}"


def report_pdf(client: Client, month: date, audience: str = "agency") -> ClientDocument:
    """The stored PDF of ``client``'s report for ``month`` (the agency's copy, or the
    client's without the health score): rendered and stored when missing or when the report
    changed since the last one (committed by the caller)."""
    report = monthly_report(db.session, client, month, audience)
    html = render_html(TEMPLATE, pdf=True, **report_context(report))
    fingerprint = hashlib.sha256(html.encode()).hexdigest()
    source = source_for(client.id, report.month, audience)
    latest = ClientDocument.latest_generated(source)
    unchanged = latest is not None and latest.source_fingerprint == fingerprint
    if unchanged and latest.archived_at is None:
        return latest
    return ClientDocument.action_store_generated(
        client,
        html_to_pdf(html),
        filename=f"monthly-report-{client.short_name or client.id}-{report.key}.pdf",
        title=f"Monthly report {report.label}",
        type="report",
        visible=False,
        source=source,
        fingerprint=fingerprint,
    )


def _already(kind: str) -> bool:
    query = select(OutboxMessage.id).where(OutboxMessage.kind == kind).limit(1)
    return db.session.scalar(query) is not None


def _mail(client, month, document, kind, email, name, first_name, contact_id=None):
    message = compose(
        "client_report",
        email,
        name,
        kind,
        client=client,
        month_label=month.strftime("%B %Y"),
        first_name=first_name,
        agency_name=agency()["name"],
        client_id=client.id,
        contact_id=contact_id,
    )
    message.attachment_id = document.id
    return message


def report_contacts(client: Client) -> list[Contact]:
    """The client's contacts (not erased) the report may go to, by name; each one's
    ``refusal("email")`` says whether and why it is skipped."""
    return db.session.scalars(
        select(Contact)
        .join(ClientContact, ClientContact.contact_id == Contact.id)
        .where(ClientContact.client_id == client.id, Contact.erased_at.is_(None))
        .order_by(Contact.last_name, Contact.first_name, Contact.id)
    ).all()


@job
def send_monthly_reports(month: date | str | None = None) -> list[int]:
    """Mail each live client's engagement manager the PDF report of ``month`` (a date in it or
    'YYYY-MM'; the previous month by default); returns the ids of the messages queued by this
    run. Clients without an engagement manager (or one without an email) are skipped."""
    if isinstance(month, str):
        month = date.fromisoformat(f"{month}-01")
    month = (month or previous_month()).replace(day=1)
    clients = db.session.scalars(
        select(Client)
        .where(Client.archived.is_(False), Client.engagement_manager_id.is_not(None))
        .order_by(Client.id)
    ).all()
    queued = []
    for client in clients:
        manager = client.engagement_manager
        kind = f"client-report:{client.id}:{month:%Y-%m}"
        if manager is None or not manager.email or _already(kind):
            continue
        document = report_pdf(client, month)
        db.session.flush()
        message = _mail(
            client, month, document, kind, manager.email,
            f"{manager.first_name} {manager.last_name}", manager.first_name,
        )
        db.session.commit()
        send_later(message)
        queued.append(message.id)
    return queued


@job
def mail_report_to_contacts(client_id: int, month: str, by_id: int | None = None):
    """The job behind "Send to the client's contacts": ``send_report_to_contacts`` for the
    client and 'YYYY-MM' month (safe to run twice: a contact mailed already is skipped)."""
    client = db.session.get(Client, client_id)
    if client is None:
        return [], []
    by = db.session.get(User, by_id) if by_id is not None else None
    return send_report_to_contacts(client, date.fromisoformat(f"{month}-01"), by)


def send_report_to_contacts(client: Client, month: date, by=None) -> tuple[list[int], list[str]]:
    """Mail ``client``'s report for ``month`` to each of its contacts who may be emailed, once
    per contact and month; returns (message ids queued, "Name (why)" of each contact skipped:
    opted out of email, no email address, over their frequency limit)."""
    month = month.replace(day=1)
    contacts = report_contacts(client)
    document = None
    messages, skipped = [], []
    for contact in contacts:
        why = contact.refusal("email")
        if why:
            skipped.append(f"{contact.full_name} ({why})")
            continue
        kind = f"client-report:{client.id}:{month:%Y-%m}:contact:{contact.id}"
        if _already(kind):
            skipped.append(f"{contact.full_name} (sent this report already)")
            continue
        if document is None:
            document = report_pdf(client, month, audience="client")
            db.session.flush()
        messages.append(
            _mail(client, month, document, kind, contact.email, contact.full_name,
                  contact.first_name, contact.id)
        )
    sent_to = ", ".join(m.to_email for m in messages) or "nobody"
    record_activity(
        db.session,
        "mail",
        f"Monthly report {month:%B %Y} emailed to {sent_to}",
        client_id=client.id,
        actor=by,
    )
    db.session.commit()
    for message in messages:
        send_later(message)
    return [m.id for m in messages], skipped
