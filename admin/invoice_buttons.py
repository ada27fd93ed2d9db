"""The buttons of the invoice page past its lines: void (with the reason), draft a credit note
(then issued on its own page), dispute and resolve the dispute, send an issued one again. Each
route calls one verb (of ``models.billing.Invoice``, or ``send_invoice_again``), commits, and
says what happened; a refusal re-renders the page with the user's values and the message beside
its field."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access

from extensions import db
from jobs.invoice_documents import send_invoice_again
from models import DomainError

from .base import field_error
from .invoice_forms import CreditNoteForm, ReasonForm
from .visibility import acting_user


class InvoiceButtons:
    """Routes mixed into ``InvoiceView`` (which gives ``_invoice_or_404``)."""

    # method -> the Invoice permission it needs ("issue" numbers, voids and credits)
    permissions = {
        "void": "issue",
        "credit_note": "issue",
        "dispute": "issue",
        "resolve_dispute": "issue",
        "send_again": "issue",
    }

    def _refused(self, invoice, form_name: str, form, error: DomainError):
        from .invoices import invoice_page

        db.session.rollback()
        field_error(form, error)
        return invoice_page(self, self._invoice_or_404(invoice.id), 422, **{form_name: form})

    @expose("/void/<int:pk>", methods=["POST"])
    @has_access
    def void(self, pk):
        """Void a draft, or an issued invoice nothing was paid or credited on (its number
        stays used); the reason is required."""
        invoice = self._invoice_or_404(pk)
        form = ReasonForm(prefix="void")
        form.validate()
        try:
            invoice.void(form.reason.data, acting_user())
            db.session.commit()
        except DomainError as error:
            return self._refused(invoice, "void_form", form, error)
        flash(f"{invoice} voided.", "success")
        return redirect(url_for(".show", pk=pk))

    @expose("/credit_note/<int:pk>", methods=["POST"])
    @has_access
    def credit_note(self, pk):
        """Draft a credit note for an amount (before tax) or the whole invoice, and open it:
        it is issued from its own page."""
        from .invoices import invoice_page

        invoice = self._invoice_or_404(pk)
        form = CreditNoteForm(prefix="note")
        if not form.validate():
            return invoice_page(self, invoice, 422, credit_note_form=form)
        try:
            with db.session.no_autoflush:
                note = invoice.draft_credit_note(
                    form.reason.data, acting_user(), amount=form.amount.data
                )
            db.session.commit()
        except DomainError as error:
            if error.field == "unit_price":  # the amount is the note's one line's price
                error.field = "amount"
            return self._refused(invoice, "credit_note_form", form, error)
        flash(f"{note} drafted against {invoice.number}: check it, then issue it.", "success")
        return redirect(url_for(".show", pk=note.id))

    @expose("/dispute/<int:pk>", methods=["POST"])
    @has_access
    def dispute(self, pk):
        """The client disputes the invoice (collection notices and late charges pause)."""
        invoice = self._invoice_or_404(pk)
        form = ReasonForm(prefix="dispute")
        form.validate()
        try:
            invoice.dispute(form.reason.data, acting_user())
            db.session.commit()
        except DomainError as error:
            if error.field == "dispute_reason":
                error.field = "reason"
            return self._refused(invoice, "dispute_form", form, error)
        flash(f"{invoice} marked as disputed.", "success")
        return redirect(url_for(".show", pk=pk))

    @expose("/resolve_dispute/<int:pk>", methods=["POST"])
    @has_access
    def resolve_dispute(self, pk):
        """The dispute is settled: collections resume."""
        invoice = self._invoice_or_404(pk)
        try:
            invoice.resolve_dispute(acting_user())
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(f"Dispute of {invoice} resolved.", "success")
        return redirect(url_for(".show", pk=pk))

    @expose("/send_again/<int:pk>", methods=["POST"])
    @has_access
    def send_again(self, pk):
        """Email an issued invoice's PDF to its billing contacts once more."""
        invoice = self._invoice_or_404(pk)
        try:
            send_invoice_again(invoice, acting_user())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            flash(f"{invoice} is being sent again to its billing contacts.", "success")
        return redirect(url_for(".show", pk=pk))
