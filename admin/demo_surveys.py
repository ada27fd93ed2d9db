"""The demo agency's satisfaction surveys: a quarterly NPS survey per demo client over the last
months (answered, so the results page has a trend), and a CSAT survey still open for answers.

Called by ``load_demo()`` (admin/demo.py) inside its transaction; safe to run again: a survey is
found by (client, title) and nothing that exists is changed. No mail goes out: the invitations
are stamped sent, as if the job had mailed them.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from extensions import db
from models import Client, Survey, record_response, utcnow

# (months ago, the answers of the client's contacts in turn: recommend 0-10, a reason)
NPS_ROUNDS = (
    (5, ((9, "Quick, well-screened shortlists."), (7, None), (4, "Slow to start."))),
    (3, ((10, "Our account manager knows our market."), (8, None), (6, "Fees are high."))),
    (1, ((9, None), (10, "Two great hires this quarter."), (8, None))),
)
CLIENTS = 3  # the first demo clients (by name) with contacts


def load_surveys(staff: dict, count) -> None:
    clients = db.session.scalars(select(Client).order_by(Client.name)).unique().all()
    clients = [c for c in clients if c.contact_links and not c.archived][:CLIENTS]
    by = next(iter(staff.values()), None)
    now = utcnow()
    for offset, client in enumerate(clients):
        contacts = [link.contact for link in client.contact_links][:3]
        for months_ago, answers in NPS_ROUNDS:
            sent = now - timedelta(days=30 * months_ago + offset)
            title = f"Quarterly NPS ({sent:%b %Y}): {client.name}"[:191]
            if _exists(client, title):
                continue
            # Open while the answers are recorded, then closed on its real expiry.
            survey = Survey.create_for(
                client,
                "nps",
                contacts,
                by=by,
                send_at=sent,
                expires_at=now + timedelta(1),
                title=title,
            )
            _send_as_of(survey, sent)
            for recipient, (score, reason) in zip(survey.recipients, answers, strict=False):
                response = record_response(recipient, {"recommend": score, "reason": reason})
                response.submitted_at = sent + timedelta(days=2)
                recipient.responded_at = response.submitted_at
            survey.expires_at = sent + timedelta(days=14)
            count("surveys")
        title = f"Service check-in: {client.name}"[:191]
        if not _exists(client, title):
            survey = Survey.create_for(client, "csat", contacts, by=by, title=title)
            _send_as_of(survey, now)
            if offset == 0:
                record_response(survey.recipients[0], {"satisfaction": 4, "comments": "Good."})
            count("surveys")


def _exists(client: Client, title: str) -> bool:
    return (
        db.session.scalar(
            select(Survey.id).where(Survey.client_id == client.id, Survey.title == title)
        )
        is not None
    )


def _send_as_of(survey: Survey, when) -> None:
    """Sent on ``when`` with every invitation stamped mailed (no mail in the demo)."""
    survey.status = "sent"
    survey.sent_at = when
    db.session.add(survey)
    db.session.flush()
    for recipient in survey.recipients:
        recipient.issue_token()
        recipient.sent_at = when
    db.session.flush()
