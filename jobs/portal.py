"""Portal jobs: the invitation (welcome) email."""

from __future__ import annotations

from flask import current_app

from extensions import db
from models import ClientContact, PortalInvitation

from .mail import compose, send_later


def invite_contact(link: ClientContact, invited_by) -> PortalInvitation:
    """Invite a client contact to the portal: one commit, then the welcome email goes out as a job.

    :raise PortalAccessError: when the contact has no email address.
    """
    invitation, token = PortalInvitation.issue(link, invited_by)
    db.session.flush()
    url = f"{current_app.config['PUBLIC_URL']}/portal/invitation/{token}"
    message = compose(
        "portal_welcome",
        to_email=invitation.email,
        to_name=str(link.contact),
        kind="portal_invitation",
        contact=link.contact,
        client=link.client,
        link=link,
        url=url,
        expires_at=invitation.expires_at,
        invited_by=invited_by,
        client_id=link.client_id,
        contact_id=link.contact_id,
    )
    db.session.flush()
    invitation.outbox_message_id = message.id
    db.session.commit()
    send_later(message)
    return invitation
