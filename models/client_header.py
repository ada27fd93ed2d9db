"""What the client page's header and Summary tab do to a client: status, tags, ownership,
and the organisation structure (a parent client and its children).

A mixin of ``Client`` (kept apart so that ``clients.py`` stays readable in one sitting). Each
verb checks, raises a ``DomainError`` naming the field, and writes; the audit trail
(``audit.py``) records the change with who made it.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import object_session

if TYPE_CHECKING:
    from flask_appbuilder.security.sqla.models import User

    from .clients import Client, ClientValidationError, Tag


class ClientHeaderMixin:
    # Who made the change in progress, when it is not the signed-in user (a job, a command).
    changed_by: User | None = None

    # -- organisation structure
    @property
    def children(self) -> list[Client]:
        """The live clients directly below this one, by name."""
        from .clients import Client, _session

        if self.id is None:
            return []
        session = object_session(self) or _session()
        query = (
            select(Client)
            .where(Client.parent_id == self.id, Client.archived.is_(False))
            .order_by(Client.name)
        )
        return list(session.scalars(query))

    @property
    def ancestors(self) -> list[Client]:
        """The parent, its parent and so on, nearest first (stops at a loop already stored)."""
        found: list[Client] = []
        session = object_session(self)
        with session.no_autoflush if session is not None else nullcontext():
            node = self.parent
            while node is not None and node not in found:
                found.append(node)
                node = node.parent
        return found

    def structure_violations(self) -> list[ClientValidationError]:
        """A client may not be its own parent, nor the parent of one of its ancestors."""
        from .clients import ClientValidationError

        if self.parent is None:
            return []
        for ancestor in self.ancestors:
            if ancestor is self or (self.id is not None and ancestor.id == self.id):
                if self.parent is self or self.parent.id == self.id:
                    message = f"{self.name} cannot be its own parent client."
                else:
                    message = (
                        f"{self.parent.name} cannot be the parent of {self.name}: it already "
                        f"belongs under {self.name}, and a client cannot be its own ancestor."
                    )
                return [ClientValidationError(message, "parent")]
        return []

    # -- header actions
    def _refuse_if_archived(self, field: str) -> None:
        from .clients import ClientArchivedError

        if self.archived:
            raise ClientArchivedError(
                f"Client '{self.name}' is archived: restore it before changing it.", field
            )

    def action_change_status(self, new: str, by: User | None = None) -> None:
        """Move the client to status ``new`` (the audit trail logs the change and who made it).

        :raise ClientValidationError: for an unknown status or the status it has already.
        :raise ClientArchivedError: when the client is archived.
        """
        from .clients import CLIENT_STATUSES, ClientValidationError

        self._refuse_if_archived("status")
        if new not in CLIENT_STATUSES:
            raise ClientValidationError(
                f"Status must be one of {', '.join(CLIENT_STATUSES)} (not {new!r}).", "status"
            )
        if new == self.status:
            raise ClientValidationError(f"{self.name} is {new} already.", "status")
        self.changed_by = by
        self.status = new

    def action_toggle_tag(self, tag: Tag, by: User | None = None) -> bool:
        """Switch ``tag`` on or off for this client; returns whether it is now on.

        :raise ClientArchivedError: when the client is archived.
        """
        self._refuse_if_archived("tags")
        self.changed_by = by
        if tag in self.tags:
            self.tags.remove(tag)
            return False
        self.tags.append(tag)
        return True

    def action_set_ownership(
        self, owner: User | None, engagement_manager: User | None, by: User | None = None
    ) -> None:
        """Give the client a new owner and engagement manager (both staff, either may be empty).

        :raise ClientValidationError: when one of them is not a staff user.
        :raise ClientArchivedError: when the client is archived.
        """
        from .clients import ClientValidationError, is_staff

        self._refuse_if_archived("owner")
        for field, label, user in (
            ("owner", "Owner", owner),
            ("engagement_manager", "Engagement manager", engagement_manager),
        ):
            if user is not None and not is_staff(user):
                raise ClientValidationError(
                    f"{label} must be a staff user, not a client login.", field
                )
        self.changed_by = by
        self.owner = owner
        self.engagement_manager = engagement_manager
