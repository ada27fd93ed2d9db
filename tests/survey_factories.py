"""Surveys for the tests: a client with contacts and a survey sent to them."""

from __future__ import annotations

from datetime import timedelta

from extensions import db
from models import Survey, SurveyRecipient, utcnow
from tests.factories import ClientContactFactory, ClientFactory


def contacts_of(client, count=2, **contact):
    return [
        ClientContactFactory(
            client=client, **{f"contact__{k}": v for k, v in contact.items()}
        ).contact
        for _ in range(count)
    ]


def sent_survey(kind="nps", client=None, contacts=None, count=2, **fields) -> Survey:
    """A survey of ``kind`` for ``client``, sent (committed; no mail went out)."""
    client = client or ClientFactory()
    contacts = contacts if contacts is not None else contacts_of(client, count)
    survey = Survey.create_for(client, kind, contacts, **fields)
    survey.action_send()
    db.session.commit()
    return survey


def token_for(recipient: SurveyRecipient) -> str:
    """Give the recipient a link (as the invitation job does) and return its token."""
    token = recipient.issue_token()
    recipient.sent_at = utcnow()
    db.session.commit()
    return token


def expire(survey: Survey) -> None:
    survey.expires_at = utcnow() - timedelta(minutes=1)
    survey.send_at = survey.expires_at - timedelta(days=1)
    db.session.commit()
