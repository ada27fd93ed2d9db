"""The demo's conversations: two threads between the agency and Bayanihan Foods, one general
and one about its Plant Operations Manager job order, each with an answer. Idempotent: a
thread already there (same client, same subject) is left alone. The verbs write the messages
and their timeline rows; no email is queued (the demo sends nothing)."""

from __future__ import annotations

from sqlalchemy import func, select

from extensions import db
from models import Client, Contact, Conversation, JobOrder
from models.access import ROLE_ACCOUNT_MANAGER, ROLE_RECRUITER

CLIENT = "BAYANIHAN"
CONTACT_EMAIL = "maria.santos@bayanihanfoods.example"
JOB_TITLE = "Plant Operations Manager"

# (subject, about the job order?, who starts, [(who, text), ...]); who: "client", "manager",
# "recruiter".
THREADS = (
    (
        "Interview days over the holidays",
        False,
        "client",
        [
            (
                "client",
                "Our plant is closed from 24 December to 2 January. Could interviews in that "
                "window move to video calls, or to the week of 5 January?",
            ),
            (
                "manager",
                "Of course. We will offer candidates video slots on 22 and 23 December, and "
                "on-site visits from 5 January. I will send the calendar by Friday.",
            ),
        ],
    ),
    (
        "Shortlist for the Plant Operations Manager",
        True,
        "recruiter",
        [
            (
                "recruiter",
                "Three candidates are ready for your review in the portal: two from food "
                "manufacturing, one from pharma cold chain. Feedback by Thursday keeps the "
                "first interviews this month.",
            ),
            (
                "client",
                "Thank you. We will review them on Wednesday with the plant director; please "
                "hold Thursday afternoon for the first interviews.",
            ),
        ],
    ),
)


def load_conversations(staff, count) -> None:
    """Create the demo threads that are missing (no commit: the caller commits)."""
    client = db.session.scalar(
        select(Client).where(func.upper(Client.short_name) == CLIENT, Client.archived.is_(False))
    )
    contact = db.session.scalar(select(Contact).where(func.lower(Contact.email) == CONTACT_EMAIL))
    if client is None or contact is None:
        return
    job = db.session.scalar(
        select(JobOrder)
        .where(JobOrder.client_id == client.id, JobOrder.title == JOB_TITLE)
        .order_by(JobOrder.id)
        .limit(1)
    )
    people = {
        "client": {"contact": contact},
        "manager": {"user": staff[ROLE_ACCOUNT_MANAGER]},
        "recruiter": {"user": staff[ROLE_RECRUITER]},
    }
    for subject, about_job, starter, messages in THREADS:
        exists = db.session.scalar(
            select(Conversation.id).where(
                Conversation.client_id == client.id, Conversation.subject == subject
            )
        )
        if exists is not None or (about_job and job is None):
            continue
        (_first_author, first), *rest = messages
        context = {"context_type": "job_order", "context_id": job.id} if about_job else {}
        conversation = Conversation.action_start(
            client, subject, first, **people[starter], **context
        )
        for who, text in rest:
            conversation.action_post(text, **people[who])
        count("conversations")
