"""Who an inbound mail is from, for the intake: the contact or staff user its address names
(whatever its case), and why it may not comment on the ticket it names."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from .access import is_portal_user
from .clients import Client, _session
from .contacts import Contact
from .team import visible_client_ids
from .tickets import Ticket, reference_for

REASON_UNKNOWN = "unknown sender"


def contact_for(address: str) -> Contact | None:
    """The contact (not erased) whose email is ``address``, whatever its case."""
    if not address:
        return None
    return _session().scalar(
        select(Contact).where(
            func.lower(Contact.email) == address.lower(), Contact.erased_at.is_(None)
        )
    )


def staff_for(address: str) -> User | None:
    """The active staff user (not a portal login) whose email is ``address``."""
    if not address:
        return None
    users = _session().scalars(
        select(User).where(func.lower(User.email) == address.lower(), User.active.is_(True))
    )
    return next((user for user in users if not is_portal_user(user)), None)


def is_clients(ticket: Ticket, contact: Contact | None) -> bool:
    return contact is not None and ticket._is_clients(contact)


def why_not_comment(ticket, reference: int, contact, user) -> str | None:
    """Why a mail naming ``reference`` cannot be a comment on it (``None``: it can)."""
    name = reference_for(reference)
    if ticket is None:
        return f"reference {name} names no ticket"
    if ticket.status == "closed":
        return f"{name} is closed"
    if is_clients(ticket, contact):
        return None
    if user is not None:
        visible = _session().scalar(
            select(func.count())
            .select_from(Client)
            .where(Client.id == ticket.client_id, Client.id.in_(visible_client_ids(user)))
        )
        return None if visible else f"sender is a staff user who may not see {ticket.client}"
    if contact is not None:
        return f"sender is not a contact of {name}'s client ({ticket.client})"
    return REASON_UNKNOWN
