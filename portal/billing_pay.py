"""Paying an invoice online from the portal: the amount form, the provider's page, the return.

The contact pays the open balance or types a part of it; ``start_checkout`` checks the amount
(the form comes back with the value typed and the reason beside it, 422), the provider gives
its hosted page and the browser goes there. Nothing is paid until the provider's signed webhook
says so (``billing_webhook.py``): the return page says "processing" until then, and htmx asks
again every few seconds.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from extensions import db
from jobs.payment_providers import PaymentProviderError, configured_provider
from models.billing import BillingError
from models.checkouts import attach_checkout, start_checkout
from models.payments import PaymentCheckout

from . import bp
from .access import current_link, portal_login_required
from .billing import PayForm, render_invoice, visible_invoice


@bp.route("/invoices/<int:invoice_id>/pay", methods=["POST"])
@portal_login_required("billing")
def pay_invoice(invoice_id: int):
    """Start a checkout for the amount typed and send the browser to the provider's page."""
    invoice = visible_invoice(invoice_id)
    form = PayForm()
    provider = configured_provider()
    if provider is None:
        return render_invoice(invoice, form, status=503)
    try:
        checkout = start_checkout(invoice, form.amount.data or "", provider.name, _contact())
    except BillingError as error:
        db.session.rollback()
        if error.field == "amount":
            form.amount.errors = [error.message]
            return render_invoice(invoice, form, status=422)
        return render_invoice(invoice, form, banner=error.message, status=error.status_code)
    portal = current_app.config["PUBLIC_URL"]  # where the provider sends the browser back
    back = url_for("portal.checkout_return", invoice_id=invoice.id, checkout_id=checkout.id)
    try:
        page = provider.create_checkout(
            invoice=invoice,
            amount=checkout.amount,
            checkout_id=checkout.id,
            success_url=f"{portal}{back}",
            cancel_url=f"{portal}{back}?cancelled=1",
            email=_contact().email if _contact() else None,
        )
    except PaymentProviderError as error:
        db.session.rollback()
        return render_invoice(invoice, form, banner=error.message, status=502)
    attach_checkout(checkout, page.session_id, page.url)
    db.session.commit()
    return redirect(page.url, 303)


@bp.route("/invoices/<int:invoice_id>/checkouts/<int:checkout_id>")
@portal_login_required("billing")
def checkout_return(invoice_id: int, checkout_id: int):
    """Back from the provider: "payment received" once the webhook applied it, "processing"
    until then (htmx polls the status block), or "cancelled"."""
    invoice = visible_invoice(invoice_id)
    checkout = db.session.scalar(
        select(PaymentCheckout).where(
            PaymentCheckout.id == checkout_id, PaymentCheckout.invoice_id == invoice.id
        )
    )
    if checkout is None:
        abort(404)
    cancelled = request.args.get("cancelled") == "1" and checkout.status == "open"
    if cancelled and not request.htmx:
        flash("The payment was cancelled: nothing was charged.", "info")
        return redirect(url_for("portal.invoice", invoice_id=invoice.id), 303)
    template = "portal/_checkout_status.html" if request.htmx else "portal/invoice_return.html"
    return render_template(template, invoice=invoice, checkout=checkout)


def _contact():
    return current_link().contact
