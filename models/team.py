"""Who at the agency works on a client, and so who may see it.

The visibility rule (``visible_client_ids``) is the admin's and the staff API's twin of the
portal's scoping helper: Admin and Finance see every client; an Account Manager the clients
they own or manage and those whose team they are on; a Recruiter only the clients whose team
they are on. Everyone else sees none.
"""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    exists,
    false,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from .access import ROLE_ACCOUNT_MANAGER, ROLE_ADMIN, ROLE_FINANCE, ROLE_RECRUITER
from .base import Model, UTCDateTime, utcnow
from .clients import Client, ClientValidationError, _choice_sql, _session, is_staff

TEAM_ROLES = ("account lead", "recruiter", "researcher", "coordinator", "finance contact")
SEES_EVERY_CLIENT = (ROLE_ADMIN, ROLE_FINANCE)


class ClientTeamMember(Model):
    """A staff user assigned to a client, with their role on the relationship."""

    __tablename__ = "client_team_member"
    __table_args__ = (
        UniqueConstraint("client_id", "user_id", name="uq_client_team_member"),
        CheckConstraint(_choice_sql("role", TEAM_ROLES), name="ck_client_team_member_role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default="recruiter")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    client: Mapped[Client] = relationship(Client, lazy="joined")
    user: Mapped[User] = relationship(User, lazy="joined")

    def __str__(self) -> str:
        return f"{self.user.first_name} {self.user.last_name} ({self.role})"

    def violations(self) -> list[ClientValidationError]:
        errors = []
        if self.role not in TEAM_ROLES:
            errors.append(
                ClientValidationError(f"Role must be one of {', '.join(TEAM_ROLES)}.", "role")
            )
        if self.user is None:
            errors.append(ClientValidationError("Choose the staff user to add.", "user"))
        elif not is_staff(self.user):
            errors.append(
                ClientValidationError("Team members are staff users, not client logins.", "user")
            )
        elif self.client is not None and self.client.id is not None:
            session = object_session(self) or _session()
            query = select(ClientTeamMember.id).where(
                ClientTeamMember.client_id == self.client.id,
                ClientTeamMember.user_id == self.user.id,
            )
            if self.id is not None:
                query = query.where(ClientTeamMember.id != self.id)
            with session.no_autoflush:
                if session.execute(query.limit(1)).first():
                    errors.append(
                        ClientValidationError(
                            f"{self.user.first_name} {self.user.last_name} is on this team "
                            "already.",
                            "user",
                        )
                    )
        return errors

    def validate(self) -> None:
        """:raise ClientValidationError: for the first rule this membership breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    def action_remove(self) -> None:
        """Take this person off the client's team (they stop seeing it unless they own it)."""
        (object_session(self) or _session()).delete(self)


def client_visibility(user: User | None):
    """A SQL condition on ``Client``: the clients ``user`` may see (see the module's rule)."""
    roles = {role.name for role in getattr(user, "roles", None) or ()}
    if roles & set(SEES_EVERY_CLIENT):
        return true()
    on_team = exists().where(
        ClientTeamMember.client_id == Client.id, ClientTeamMember.user_id == user.id
    )
    if ROLE_ACCOUNT_MANAGER in roles:
        return or_(Client.owner_id == user.id, Client.engagement_manager_id == user.id, on_team)
    if ROLE_RECRUITER in roles:
        return on_team
    return false()


def visible_client_ids(user: User | None):
    """``select(Client.id)`` of the clients ``user`` may see, for ``column.in_(...)``."""
    return select(Client.id).where(client_visibility(user))
