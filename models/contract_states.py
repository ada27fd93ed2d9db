"""A contract's workflow: the statuses and the verbs that move between them, mixed into
``Contract`` (``models/contracts.py``), and the approvals given on the way.

    draft → in approval → approved → sent → active (signed) → expired | terminated
    draft → sent (at or below ``CONTRACT_APPROVAL_VALUE``: no approval needed)
    in approval | approved | sent → draft (reopened, approvals start again) | cancelled

A contract worth more than ``CONTRACT_APPROVAL_VALUE`` needs two approvals before it is sent:
an Account Manager (or Admin), then an Admin who is another person.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .access import ROLE_ACCOUNT_MANAGER, ROLE_ADMIN
from .base import DomainError, Model, UTCDateTime, utcnow
from .clients import _blank

if TYPE_CHECKING:
    from .contracts import Contract

CONTRACT_STATUSES = (
    "draft",
    "in_approval",
    "approved",
    "sent",
    "active",
    "expired",
    "terminated",
    "cancelled",
)
STATUS_LABELS = {
    "draft": "Draft",
    "in_approval": "In approval",
    "approved": "Approved",
    "sent": "Sent for signature",
    "active": "Signed (active)",
    "expired": "Expired",
    "terminated": "Terminated",
    "cancelled": "Cancelled",
}
OPEN_STATUSES = ("draft", "in_approval", "approved", "sent")
# The verbs each status allows (a draft's depend on its value: see ``allowed_actions``).
ACTIONS_BY_STATUS = {
    "in_approval": ("approve", "reject", "reopen", "cancel"),
    "approved": ("send", "reopen", "cancel"),
    "sent": ("sign", "reopen", "cancel"),
    "active": ("renew", "terminate"),
}


class ContractError(DomainError):
    """A contract, its lines or its template break a rule of this module."""


class ContractStateError(ContractError):
    """The contract's status does not allow this (sent unapproved, signed twice...)."""

    status_code = 409


LAST_YEAR = 9000  # contract dates stay below this, so that terms can still be added to them


def add_months(day: date, months: int, field: str = "end_date") -> date:
    """``day`` moved by ``months`` calendar months (the 31st becomes the month's last day).

    :raise ContractError: naming ``field`` when the result would be past ``LAST_YEAR``.
    """
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if year >= LAST_YEAR:
        label = field.replace("_", " ").capitalize()
        raise ContractError(f"{label} must be before the year {LAST_YEAR}.", field)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def approval_threshold() -> Decimal | None:
    """``CONTRACT_APPROVAL_VALUE`` from the app's configuration (None outside an app)."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    value = current_app.config.get("CONTRACT_APPROVAL_VALUE")
    return None if value is None else Decimal(str(value))


class ContractWorkflow:
    """The workflow of ``Contract``: what its status allows, and the verbs that change it."""

    # -- derived values
    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def approvals_needed(self) -> int:
        """Two levels above ``CONTRACT_APPROVAL_VALUE``, none at or below it (the value, or
        the lines' total when that is more)."""
        threshold = approval_threshold()
        return 2 if threshold is not None and self.worth > threshold else 0

    @property
    def next_approval_level(self) -> int | None:
        if self.status != "in_approval":
            return None
        return len(self.approvals) + 1

    @property
    def allowed_actions(self) -> tuple[str, ...]:
        """The verbs its status allows now: a draft is edited, then submitted for approval
        when its value needs approval, else sent; an ended contract allows none."""
        if self.status == "draft":
            return ("edit", "submit" if self.approvals_needed else "send", "cancel")
        return ACTIONS_BY_STATUS.get(self.status, ())

    # -- approval and sending
    def action_submit(self, by: User | None = None) -> None:
        """Send a draft for approval.  :raise ContractStateError: when it needs none."""
        self._refuse_unless("draft", "submitted for approval")
        self.validate()
        if not self.approvals_needed:
            raise ContractStateError(
                f"{self.reference} is worth {self.currency} {self.worth:,}, within the "
                f"approval limit of {approval_threshold():,}: send it without approval.",
                "status",
            )
        # What the approvers approve is a recorded version (lines added since are kept).
        self.action_record_version(by, "Recorded on submission for approval")
        self.status = "in_approval"
        self._log(by, f"Contract {self.number} submitted for approval")

    def action_approve(self, by: User, comment: str | None = None) -> bool:
        """Approve at the next level; True when the contract is now approved.

        :raise ContractStateError: unless in approval.
        :raise ContractError: for an approver without the level's role, or the same person at
            both levels.
        """
        self._refuse_unless("in_approval", "approved")
        level = len(self.approvals) + 1
        roles = {role.name for role in by.roles}
        wanted = (ROLE_ACCOUNT_MANAGER, ROLE_ADMIN) if level == 1 else (ROLE_ADMIN,)
        if not roles & set(wanted):
            who = "an Account Manager or an Admin" if level == 1 else "an Admin"
            raise ContractError(
                f"Approval level {level} of {self.reference} needs {who}.", "status"
            )
        if any(approval.approver_id == by.id for approval in self.approvals):
            raise ContractError(
                "The second approval must come from someone other than the first approver.",
                "status",
            )
        self.approvals.append(
            ContractApproval(
                level=level,
                approver=by,
                approver_id=by.id,
                at=utcnow(),
                version=self.version,
                comment=(comment or "").strip()[:1000] or None,
            )
        )
        done = level >= self.approvals_needed
        if done:
            self.status = "approved"
        self._log(
            by, f"Contract {self.number} approved at level {level} of {self.approvals_needed}"
        )
        return done

    def action_reject(self, by: User, reason: str) -> None:
        """Send it back to draft with the reason; its approvals start again."""
        self._refuse_unless("in_approval", "rejected")
        if _blank(reason):
            raise ContractError("Give the reason for sending the contract back.", "reason")
        self.status = "draft"
        self.approvals.clear()
        self._log(by, f"Contract {self.number} sent back to draft: {reason.strip()[:400]}")

    def action_reopen(self, by: User | None = None, reason: str | None = None) -> None:
        """Back to draft to change it (approvals start again)."""
        if self.status not in ("in_approval", "approved", "sent"):
            raise ContractStateError(
                f"{self.reference} is {self.status_label.lower()}; only a contract in approval, "
                "approved or sent is reopened.",
                "status",
            )
        self.status, self.sent_at = "draft", None
        self.approvals.clear()
        self._log(
            by, f"Contract {self.number} reopened as a draft" + (f": {reason}" if reason else "")
        )

    def action_send(self, by: User | None = None) -> None:
        """Send for signature.  :raise ContractStateError: for a contract that needs approval
        and lacks it, or is not a draft or approved."""
        if self.status == "draft" and self.approvals_needed:
            raise ContractStateError(
                f"{self.reference} is worth {self.currency} {self.worth:,}, above "
                f"{approval_threshold():,}: an Account Manager and then an Admin must approve "
                "it before it is sent.",
                "status",
            )
        if self.status not in ("draft", "approved"):
            raise ContractStateError(
                f"{self.reference} is {self.status_label.lower()}; only a draft or an approved "
                "contract is sent.",
                "status",
            )
        if self.status == "approved" and any(
            approval.version != self.version for approval in self.approvals
        ):
            raise ContractStateError(
                f"{self.reference} changed since it was approved (version {self.version}): "
                "reopen it and have it approved again.",
                "status",
            )
        self.validate()
        if self.status == "draft":  # what the client signs is a recorded version
            self.action_record_version(by, "Recorded on sending")
        self.status, self.sent_at = "sent", utcnow()
        self._log(by, f"Contract {self.number} version {self.version} sent for signature")

    def action_sign(self, name: str, by: User | None = None, on: date | None = None) -> None:
        """Record the client's signature (typed full name); the contract becomes active."""
        self._refuse_unless("sent", "signed")
        typed = " ".join((name or "").split())
        if len(typed.split(" ")) < 2 or len(typed) > 191:
            raise ContractError("Type the signatory's full name (first and last).", "name")
        self.status, self.signed_name = "active", typed
        self.signed_at = (
            datetime.combine(on, datetime.min.time()).replace(tzinfo=utcnow().tzinfo)
            if on
            else utcnow()
        )
        self._log(by, f"Contract {self.number} signed by {typed}")

    # -- lifecycle
    def action_renew(self, by: User | None = None) -> None:
        """Extend an active contract by its renewal term (end and renewal dates move on)."""
        self._refuse_unless("active", "renewed")
        months = self.renewal_term_months
        if self.end_date is not None:
            self.end_date = add_months(self.end_date, months)
        if self.renewal_date is not None:
            self.renewal_date = add_months(self.renewal_date, months)
        self._renewed_to = (self.end_date, self.renewal_date)
        self.validate()
        self.action_record_version(by, f"Renewed for {months} months")

    def action_terminate(self, by: User | None, reason: str) -> None:
        self._refuse_unless("active", "terminated")
        self._end("terminated", by, reason)

    def action_cancel(self, by: User | None, reason: str) -> None:
        if self.status not in OPEN_STATUSES:
            raise ContractStateError(
                f"{self.reference} is {self.status_label.lower()}; only an unsigned contract is "
                "cancelled.",
                "status",
            )
        self._end("cancelled", by, reason)

    def action_expire(self, today: date | None = None) -> bool:
        """An active contract past its end date, not renewing itself, expires."""
        today = today or date.today()
        if self.status == "active" and self.end_date is not None and self.end_date < today:
            if self.auto_renew:
                return False
            self.status, self.ended_at = "expired", utcnow()
            self._log(None, f"Contract {self.number} expired (ended {self.end_date})")
            return True
        return False

    def _end(self, status: str, by: User | None, reason: str) -> None:
        if _blank(reason):
            raise ContractError("Give the reason.", "reason")
        self.status, self.ended_at, self.end_reason = status, utcnow(), reason.strip()[:1000]
        self._log(by, f"Contract {self.number} {status}: {self.end_reason}")

    def _refuse_unless(self, status: str, wanted: str) -> None:
        if self.status != status:
            raise ContractStateError(
                f"{self.reference} is {self.status_label.lower()}; only a contract "
                f"{STATUS_LABELS[status].lower()} is {wanted}.",
                "status",
            )


class ContractApproval(Model):
    """One level of approval given to a contract (of the version it had then)."""

    __tablename__ = "contract_approval"
    __table_args__ = (UniqueConstraint("contract_id", "level", name="uq_contract_approval_level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contract.id", ondelete="CASCADE"), nullable=False, index=True
    )
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    approver_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    comment: Mapped[str | None] = mapped_column(String(1000))

    contract: Mapped[Contract] = relationship(back_populates="approvals")
    approver: Mapped[User] = relationship(User, lazy="joined")
