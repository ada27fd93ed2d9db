"""The buttons of the contract page: submit for approval, approve, reject, send, record the
signature, reopen, renew, terminate and cancel. Each route calls one verb of
``models.contracts.Contract`` (sending goes through ``jobs.contract_documents.send_contract``),
commits, has the PDF re-rendered, and flashes what happened or the model's refusal.
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access

from extensions import db
from jobs.contract_documents import send_contract
from jobs.documents import enqueue_document
from models import Contract, DomainError

from .contract_forms import ApproveForm, ReasonForm, SignForm
from .visibility import acting_user


class ContractWorkflow:
    """Routes mixed into ``ContractView`` (which gives ``_contract_or_404``)."""

    # method -> the Contract permission it needs
    permissions = {
        "submit": "write",
        "approve": "approve",
        "reject": "approve",
        "send": "send",
        "sign": "send",
        "reopen": "write",
        "renew": "write",
        "terminate": "write",
        "cancel": "write",
    }

    def _act(self, pk, verb, done, commits: bool = False):
        """Run ``verb(contract)``, commit (unless the verb's helper did), re-render the PDF,
        and go back to the page with ``done(contract)`` or the refusal."""
        contract = self._contract_or_404(pk)
        try:
            verb(contract)
            if not commits:
                db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            if not commits:
                enqueue_document("contract", contract.id)
            flash(done(contract), "success")
        return redirect(url_for(".show", pk=contract.id))

    @expose("/submit/<int:pk>", methods=["POST"])
    @has_access
    def submit(self, pk):
        """Send a draft above the approval limit for approval."""
        return self._act(
            pk,
            lambda contract: contract.action_submit(acting_user()),
            lambda contract: (
                f"{contract.number} version {contract.version} is in approval: "
                "an Account Manager approves it first, then an Admin."
            ),
        )

    @expose("/approve/<int:pk>", methods=["POST"])
    @has_access
    def approve(self, pk):
        """Approve at the next level, with an optional comment."""
        comment = ApproveForm().comment.data
        return self._act(
            pk, lambda contract: contract.action_approve(acting_user(), comment), _approved
        )

    @expose("/reject/<int:pk>", methods=["POST"])
    @has_access
    def reject(self, pk):
        """Send it back to draft with the reason."""
        reason = ReasonForm().reason.data
        return self._act(
            pk,
            lambda contract: contract.action_reject(acting_user(), reason),
            lambda contract: f"{contract.number} is back in draft: {reason.strip()}",
        )

    @expose("/send/<int:pk>", methods=["POST"])
    @has_access
    def send(self, pk):
        """Send for signature (the client sees its PDF from now on)."""
        return self._act(
            pk,
            lambda contract: send_contract(contract, acting_user()),
            lambda contract: f"{contract.number} version {contract.version} sent for signature.",
            commits=True,
        )

    @expose("/sign/<int:pk>", methods=["POST"])
    @has_access
    def sign(self, pk):
        """Record the client's signature: the signatory's typed full name (and the day)."""
        form = SignForm()
        form.validate()  # an unreadable date is refused by ``_sign``, not guessed
        return self._act(
            pk,
            lambda contract: _sign(contract, form),
            lambda contract: f"{contract.number} signed by {contract.signed_name}: it is active.",
        )

    @expose("/reopen/<int:pk>", methods=["POST"])
    @has_access
    def reopen(self, pk):
        """Back to draft to change it; its approvals start again."""
        reason = (ReasonForm().reason.data or "").strip() or None
        return self._act(
            pk,
            lambda contract: contract.action_reopen(acting_user(), reason),
            lambda contract: f"{contract.number} is a draft again: change it, then send it.",
        )

    @expose("/renew/<int:pk>", methods=["POST"])
    @has_access
    def renew(self, pk):
        """Extend an active contract by its renewal term (a new version)."""
        return self._act(
            pk,
            lambda contract: contract.action_renew(acting_user()),
            lambda contract: (
                f"{contract.number} renewed to {contract.end_date or 'no end date'} "
                f"(version {contract.version})."
            ),
        )

    @expose("/terminate/<int:pk>", methods=["POST"])
    @has_access
    def terminate(self, pk):
        """End an active contract early, with the reason."""
        reason = ReasonForm().reason.data
        return self._act(
            pk,
            lambda contract: contract.action_terminate(acting_user(), reason),
            lambda contract: f"{contract.number} terminated.",
        )

    @expose("/cancel/<int:pk>", methods=["POST"])
    @has_access
    def cancel(self, pk):
        """Cancel an unsigned contract, with the reason."""
        reason = ReasonForm().reason.data
        return self._act(
            pk,
            lambda contract: contract.action_cancel(acting_user(), reason),
            lambda contract: f"{contract.number} cancelled.",
        )


def _approved(contract: Contract) -> str:
    if contract.status == "approved":
        return f"{contract.number} is approved: it may be sent for signature."
    return f"{contract.number}: approval level 1 recorded; an Admin approves it next."


def _sign(contract: Contract, form: SignForm) -> None:
    if form.signed_on.errors:
        raise DomainError("Signed on must be a date such as 2026-05-31.", "signed_on")
    contract.action_sign(form.name.data, acting_user(), form.signed_on.data)
