"""Who may do what: role names, portal invitations and the record of portal logins."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import DomainError, Model, UTCDateTime, utcnow
from .contacts import ClientContact

ROLE_ADMIN = "Admin"
ROLE_ACCOUNT_MANAGER = "Account Manager"
ROLE_RECRUITER = "Recruiter"
ROLE_FINANCE = "Finance"
ROLE_CLIENT = "Client"
STAFF_ROLES = (ROLE_ADMIN, ROLE_ACCOUNT_MANAGER, ROLE_RECRUITER, ROLE_FINANCE)

INVITATION_LIFETIME = timedelta(days=7)


class PortalAccessError(DomainError):
    """A portal invitation or login was refused."""


class InvitationUnknownError(PortalAccessError):
    """No invitation has this token."""

    status_code = 404


class InvitationUnusableError(PortalAccessError):
    """The invitation was accepted, revoked or has expired: the link is gone for good."""

    status_code = 410


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_portal_user(user: User | None) -> bool:
    """A user whose only business here is the portal: the Client role and no staff role."""
    if not user:
        return False
    names = {role.name for role in user.roles}
    return ROLE_CLIENT in names and not names & set(STAFF_ROLES)


class PortalInvitation(Model):
    """A one-time, expiring link that lets a client contact set a portal password.

    Only a digest of the token is stored: the link in the email is the one copy.
    """

    __tablename__ = "portal_invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_contact_id: Mapped[int] = mapped_column(
        ForeignKey("client_contact.id"), nullable=False, index=True
    )
    token_digest: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))

    link: Mapped[ClientContact] = relationship(ClientContact, lazy="joined")
    invited_by: Mapped[User | None] = relationship(User, lazy="joined")

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= utcnow():
            return "expired"
        return "pending"

    @classmethod
    def issue(cls, link: ClientContact, invited_by: User | None) -> tuple[PortalInvitation, str]:
        """Create an invitation for a contact's link to a client; returns it and the raw token.

        Earlier pending invitations for the same link are revoked: only the newest link works.

        :raise PortalAccessError: when the contact has no email address.
        """
        email = link.contact.email
        if not email:
            raise PortalAccessError(
                f"{link.contact} has no email address to send the invitation to.", "email"
            )
        from extensions import db

        now = utcnow()
        for older in db.session.scalars(
            select(cls).where(
                cls.client_contact_id == link.id,
                cls.accepted_at.is_(None),
                cls.revoked_at.is_(None),
            )
        ):
            older.revoked_at = now
        token = secrets.token_urlsafe(32)
        invitation = cls(
            link=link,
            email=email,
            token_digest=_digest(token),
            invited_by=invited_by,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        link.portal_enabled = True
        db.session.add(invitation)
        return invitation, token

    @classmethod
    def find_usable(cls, token: str) -> PortalInvitation:
        """:raise PortalAccessError: when the token is unknown, used, revoked or expired."""
        from extensions import db

        invitation = db.session.scalar(select(cls).where(cls.token_digest == _digest(token)))
        if invitation is None:
            raise InvitationUnknownError("This invitation link is not valid.", "token")
        if invitation.state != "pending":
            raise InvitationUnusableError(
                f"This invitation link has {invitation.state}; ask for a new one.", "token"
            )
        return invitation

    def action_accept(self, password: str, at: datetime | None = None) -> User:
        """Set the contact's portal password, creating their Client-role login if needed.

        :raise PortalAccessError: when the invitation is no longer usable, or the email
            belongs to a staff login.
        """
        from flask import current_app

        from extensions import db

        if self.state != "pending":
            raise InvitationUnusableError(
                f"This invitation link has {self.state}; ask for a new one.", "token"
            )
        sm = current_app.appbuilder.sm
        contact = self.link.contact
        user = contact.user or sm.find_user(email=self.email)
        if user is not None and not is_portal_user(user):
            raise PortalAccessError(
                "This email belongs to a staff account, which cannot use the client portal.",
                "email",
            )
        if user is None:
            user = sm.user_model(
                first_name=contact.first_name,
                last_name=contact.last_name,
                username=self.email.lower(),
                email=self.email.lower(),
                active=True,
                roles=[sm.find_role(ROLE_CLIENT)],
            )
            db.session.add(user)
        from werkzeug.security import generate_password_hash

        user.password = generate_password_hash(password)
        user.active = True
        contact.user = user
        self.link.portal_enabled = True
        self.accepted_at = at or utcnow()
        return user


class PortalLogin(Model):
    """Every portal sign-in attempt, kept for the client's and the agency's audit."""

    __tablename__ = "portal_login"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False, index=True)
    username: Mapped[str] = mapped_column(String(254), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, nullable=False)
    reason: Mapped[str | None] = mapped_column(String(120))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User | None] = relationship(User, lazy="joined")
