"""ClientDesk's domain: one module per aggregate; importing this registers them all."""

from sqlalchemy import event
from sqlalchemy.orm import Session

from .access import PortalAccessError, PortalInvitation, PortalLogin
from .base import DomainError, Model, NotFoundError, utcnow
from .clients import (
    Client,
    ClientArchivedError,
    ClientValidationError,
    Industry,
    Location,
    Tag,
)
from .contacts import ClientContact, Contact
from .messaging import MessageError, OutboxMessage

__all__ = [
    "Client",
    "ClientArchivedError",
    "ClientContact",
    "ClientValidationError",
    "Contact",
    "DomainError",
    "Industry",
    "Location",
    "MessageError",
    "Model",
    "NotFoundError",
    "OutboxMessage",
    "PortalAccessError",
    "PortalInvitation",
    "PortalLogin",
    "Tag",
    "utcnow",
]


@event.listens_for(Session, "before_flush")
def _validate_before_flush(session, flush_context, instances):
    """Run each record's rules before it is written, whoever changed it."""
    for obj in [*session.new, *session.dirty]:
        validate = getattr(obj, "validate", None)
        if validate is not None and (obj in session.new or session.is_modified(obj)):
            validate()
