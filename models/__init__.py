"""ClientDesk's domain: one module per aggregate; importing this registers them all."""

from sqlalchemy import event
from sqlalchemy.orm import Session

from .access import PortalAccessError, PortalInvitation, PortalLogin
from .activity import ACTIVITY_KINDS, Activity, record_activity
from .base import DomainError, Model, NotFoundError, utcnow
from .clients import (
    Client,
    ClientArchivedError,
    ClientValidationError,
    Industry,
    Location,
    Tag,
)
from .contact_relationships import ContactRelationship
from .contacts import ClientContact, Contact
from .messaging import MessageError, OutboxMessage
from .team import ClientTeamMember, client_visibility, visible_client_ids

__all__ = [
    "ACTIVITY_KINDS",
    "Activity",
    "Client",
    "ClientArchivedError",
    "ClientContact",
    "ClientTeamMember",
    "ClientValidationError",
    "Contact",
    "ContactRelationship",
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
    "client_visibility",
    "record_activity",
    "utcnow",
    "visible_client_ids",
]


@event.listens_for(Session, "before_flush")
def _validate_before_flush(session, flush_context, instances):
    """Run each record's rules before it is written, whoever changed it."""
    for obj in [*session.new, *session.dirty]:
        validate = getattr(obj, "validate", None)
        if validate is not None and (obj in session.new or session.is_modified(obj)):
            validate()
