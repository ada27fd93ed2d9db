"""SMS delivery through a provider: the outbox by default, a gateway when one is configured.

``SMS_PROVIDER`` names the provider: ``outbox`` (the default: the message stays in the admin's
Outbox as ``stored``), or ``package.module:Class`` for a gateway class whose instances have
``send(to_phone, text) -> provider_id``.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from flask import current_app
from sqlalchemy import select

from extensions import db
from models import MessageError, OutboxMessage

from . import job


class SmsProvider(Protocol):
    def send(self, to_phone: str, text: str) -> str | None:
        """Hand one SMS over; returns the provider's id for it (``None``: kept, not sent)."""


class OutboxSmsProvider:
    """No gateway: the message stays in the outbox, where staff can read it."""

    def send(self, to_phone: str, text: str) -> str | None:
        return None


PROVIDERS: dict[str, type] = {"outbox": OutboxSmsProvider}


def sms_provider() -> SmsProvider:
    """The provider ``SMS_PROVIDER`` names.

    :raise ValueError: for a name that is neither built in nor ``module:Class``.
    """
    name = current_app.config.get("SMS_PROVIDER") or "outbox"
    if name in PROVIDERS:
        return PROVIDERS[name]()
    module, _, attr = name.partition(":")
    if not attr:
        raise ValueError(f"SMS_PROVIDER={name!r}: use 'outbox' or 'package.module:Class'")
    return getattr(importlib.import_module(module), attr)()


@job
def deliver_sms(message_id: int) -> str:
    """Send one outbox SMS; a message already delivered is left alone (safe to run twice)."""
    query = select(OutboxMessage).where(OutboxMessage.id == message_id)
    if db.engine.dialect.name == "postgresql":
        # Two workers racing on one message: one sends (lock this row, not its joined ones).
        query = query.with_for_update(of=OutboxMessage)
    message = db.session.scalar(query)
    if message is None:
        return "missing"
    if message.delivered:
        db.session.rollback()
        return message.status
    if message.channel != "sms":
        db.session.rollback()
        raise MessageError(f"Outbox message {message_id} is not an SMS.", "channel")
    provider_ref = sms_provider().send(message.to_phone, message.body_text)
    message.action_mark_handed_over(provider_ref)
    db.session.commit()
    return message.status
