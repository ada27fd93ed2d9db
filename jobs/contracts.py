"""Contract renewals, run daily (``flask clientdesk contract-renewals``, see the README).

First the signed contracts whose renewal date has come renew by their term when they renew
automatically, and the others past their end date expire (one commit; their PDFs are then
re-rendered). Then the owner of each signed contract whose renewal date is within
``CONTRACT_RENEWAL_NOTICE_DAYS`` hears of it by mail, once per renewal date: the contract is
claimed by a conditional ``UPDATE ... SET renewal_notice_for = renewal_date`` in the same
transaction as its outbox row and timeline event, so a second run, or a second worker racing
this one, sends nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import or_, update

from extensions import db
from models import Contract, OutboxMessage, record_activity
from models.contracts import add_months, renew_and_expire_contracts, renewal_notices_due

from . import job
from .documents import enqueue_document
from .mail import compose, send_later

NO_RECIPIENT = "no owner or account manager with an email"


@dataclass
class RenewalRun:
    """What a run did: the ids of the contracts renewed, expired and notified and of the mails
    queued, and the notices skipped (plain values: an RQ job's result is pickled)."""

    renewed: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    notified: list[int] = field(default_factory=list)
    messages: list[int] = field(default_factory=list)  # outbox message ids
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (contract id, reason)


@job
def run_contract_renewals(today: date | None = None, days: int | None = None) -> RenewalRun:
    """Renew and expire what is due, then send the renewal notices due (safe to run twice;
    a scheduler may enqueue it on the RQ queue)."""
    today = today or date.today()
    days = days or current_app.config["CONTRACT_RENEWAL_NOTICE_DAYS"]
    run = RenewalRun()
    run.renewed, run.expired = renew_and_expire_contracts(today, run.skipped)
    db.session.commit()
    for contract_id in run.renewed + run.expired:
        enqueue_document("contract", contract_id)  # new dates or status on the PDF
    due = [(contract.id, contract.renewal_date) for contract in renewal_notices_due(today, days)]
    db.session.rollback()
    for contract_id, renewal_date in due:
        if not _claim(contract_id, renewal_date):
            db.session.rollback()  # another run got there first, or the contract changed
            continue
        contract = db.session.get(Contract, contract_id, populate_existing=True)
        recipient = renewal_recipient(contract)
        if recipient is None:
            # Nobody to tell: leave it unclaimed so that an owner set later is told.
            db.session.rollback()
            run.skipped.append((contract_id, NO_RECIPIENT))
            continue
        message = _queue_notice(contract, recipient, today)
        db.session.commit()
        run.notified.append(contract_id)
        run.messages.append(message.id)
        send_later(message)
    return run


def renewal_recipient(contract: Contract) -> User | None:
    """Who hears of the renewal: the contract's owner, else the client's account manager
    (the first of them with an email)."""
    for user in (contract.owner, contract.client.account_manager):
        if user is not None and user.email:
            return user
    return None


def _claim(contract_id: int, renewal_date: date) -> bool:
    """Record the notice for ``renewal_date`` unless someone did already (row-locked on
    PostgreSQL until the commit: a racing worker waits, then finds it recorded)."""
    result = db.session.execute(
        update(Contract)
        .where(
            Contract.id == contract_id,
            Contract.status == "active",
            Contract.renewal_date == renewal_date,  # not renewed or changed since it was found
            or_(
                Contract.renewal_notice_for.is_(None),
                Contract.renewal_notice_for != renewal_date,
            ),
        )
        .values(renewal_notice_for=renewal_date)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _queue_notice(contract: Contract, recipient: User, today: date) -> OutboxMessage:
    """The notice to ``recipient`` and its timeline event (added to the session)."""
    client = contract.client
    name = f"{recipient.first_name} {recipient.last_name}".strip() or recipient.username
    message = compose(
        "contract_renewal",
        to_email=recipient.email,
        to_name=name,
        kind="contract_renewal",
        recipient=recipient,
        contract=contract,
        client=client,
        days_left=(contract.renewal_date - today).days,
        new_end=add_months(contract.end_date, contract.renewal_term_months)
        if contract.end_date
        else None,
        performance=contract.performance(today),
        client_url=f"{current_app.config['PUBLIC_URL']}/clientview/show/{client.id}",
        client_id=client.id,
    )
    db.session.flush()
    record_activity(
        db.session,
        "contract",
        f"Renewal notice for contract {contract.number} (renews "
        f"{contract.renewal_date:%d %b %Y}) sent to {name}",
        client_id=client.id,
        subject_type="contract",
        subject_id=contract.id,
    )
    return message
