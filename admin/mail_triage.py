"""Service desk › Mail triage: the inbound mail the intake could not file by itself.

The list shows the mail waiting in triage (from, subject, when, why); ``?status=`` shows the
other received mail too (Service desk › Received mail: every status). The mail's page shows its
text and files and three steps, each through ``jobs/mail_intake.py``: make a ticket of it for a
client (and one of its contacts), attach it to a ticket named by its reference, or dismiss it
with a reason. A refusal re-renders the page with the message beside its field and the typed
values kept. A mail filed on a ticket of a client the user may not see answers 404.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import func, or_, select

from extensions import db
from jobs import mail_intake as intake
from models import (
    Client,
    Contact,
    DomainError,
    InboundMail,
    MailIntakeError,
    Ticket,
    visible_client_ids,
)
from models.mail_intake import STATUS_LABELS, STATUSES
from models.mail_parsing import UNREADABLE, parse_mail
from models.mail_senders import contact_for
from models.tickets import parse_reference

from .base import id_fits
from .formats import when
from .roles import RESOURCE_PERMISSIONS
from .ticket_forms import PAGE_SIZE, client_contacts, visible_clients
from .visibility import acting_user, client_is_visible

# The page's names for the fields the verbs name otherwise.
FORM_FIELDS = {"client": "client_id", "contact": "contact_id", "ticket": "reference"}


def mail_query(status: str):
    """The received mail the user may see (not filed, or filed on a visible client's ticket)."""
    visible_tickets = select(Ticket.id).where(
        Ticket.client_id.in_(visible_client_ids(acting_user()))
    )
    query = select(InboundMail).where(
        or_(InboundMail.ticket_id.is_(None), InboundMail.ticket_id.in_(visible_tickets))
    )
    if status:
        query = query.where(InboundMail.status == status)
    return query.order_by(InboundMail.received_at.desc(), InboundMail.id.desc())


def chosen_client(raw) -> Client | None:
    """The visible client a form names by id (``None`` for no choice or one not to be seen)."""
    if id_fits(raw) and client_is_visible(int(raw)):
        return db.session.get(Client, int(raw))
    return None


def suggested_client(mail: InboundMail) -> Client | None:
    """The sender's client, when the sender is a contact of one the user may see."""
    contact = contact_for(mail.from_address)
    links = contact.client_links if contact is not None else []
    return next((chosen_client(link.client_id) for link in links if not link.client.archived), None)


def file_names(mail: InboundMail) -> list[str]:
    try:
        return [file.filename for file in parse_mail(mail.raw).files]
    except UNREADABLE:
        return []


class MailTriageView(BaseView):
    """The triage list (and every received mail), a mail's page and its three steps."""

    route_base = "/mailtriage"
    default_view = "list"
    class_permission_name = "InboundMail"
    base_permissions = RESOURCE_PERMISSIONS["InboundMail"]
    method_permission_name = {
        "list": "read",
        "show": "read",
        "make_ticket": "write",
        "attach": "write",
        "dismiss": "write",
    }

    @expose("/list/")
    @has_access
    def list(self):
        """The mail waiting in triage, newest first; ``?status=`` for another status or all."""
        status = request.args.get("status", "triage")
        status = status if status in ("", *STATUSES) else "triage"
        page = int(request.args["page"]) if id_fits(request.args.get("page")) else 1
        query = mail_query(status)
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        mails = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
        return self.render_template(
            "admin/mail_triage_list.html",
            mails=mails,
            total=total,
            status=status,
            statuses=STATUS_LABELS,
            page=page,
            pages=max(1, -(-total // PAGE_SIZE)),
            when=when,
            title="Mail triage" if status == "triage" else "Received mail",
        )

    def _mail_or_404(self, pk) -> InboundMail:
        found = None
        if id_fits(pk):
            found = db.session.scalar(mail_query("").where(InboundMail.id == int(pk)))
        if found is None:
            abort(404)
        return found

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """The mail: who sent it, why it waits, its text and files, and the triage steps."""
        return self._page(self._mail_or_404(pk), values=request.args)

    def _page(self, mail: InboundMail, form: str = "", errors=None, values=None):
        values = values or {}
        client = chosen_client(values.get("client_id", "")) or suggested_client(mail)
        page = self.render_template(
            "admin/mail_triage_show.html",
            mail=mail,
            files=file_names(mail),
            client=client,
            clients=visible_clients(),
            contacts=client_contacts(client) if client is not None else [],
            sender_contact=contact_for(mail.from_address),
            error_form=form,
            errors=errors or {},
            values=values,
            may_write=self.appbuilder.sm.has_access("can_write", "InboundMail"),
            when=when,
            title=f"Mail from {mail.sender}",
        )
        return page, 422 if errors else 200

    def _refused(self, pk, form: str, error: DomainError):
        db.session.rollback()
        field = FORM_FIELDS.get(error.field, error.field) or form
        return self._page(self._mail_or_404(pk), form, {field: error.message}, request.form)

    @expose("/<int:pk>/ticket", methods=["POST"])
    @has_access
    def make_ticket(self, pk):
        """A new ticket of the chosen client from this mail, raised by the chosen contact."""
        mail = self._mail_or_404(pk)
        client = chosen_client(request.form.get("client_id", ""))
        raw = request.form.get("contact_id", "")
        contact = db.session.get(Contact, int(raw)) if id_fits(raw) else None
        try:
            if raw and contact is None:
                raise MailIntakeError("Choose a contact from the list.", "contact_id")
            ticket = intake.make_ticket(mail, client, contact, acting_user())
        except DomainError as error:
            return self._refused(pk, "ticket", error)
        flash(
            f"Ticket {ticket.reference} raised from the mail for {ticket.client.name}.", "success"
        )
        return redirect(url_for("TicketView.show", pk=ticket.id))

    @expose("/<int:pk>/attach", methods=["POST"])
    @has_access
    def attach(self, pk):
        """This mail as a comment on the ticket its reference names (T-00012)."""
        mail = self._mail_or_404(pk)
        typed = request.form.get("reference", "").strip()
        number = parse_reference(typed) or (int(typed) if id_fits(typed) else None)
        ticket = None
        if number is not None:
            ticket = db.session.scalar(
                select(Ticket).where(
                    Ticket.id == number, Ticket.client_id.in_(visible_client_ids(acting_user()))
                )
            )
        try:
            if typed and ticket is None:
                raise MailIntakeError(f"{typed} names no ticket you may see.", "reference")
            comment = intake.attach_to(mail, ticket, acting_user())
        except DomainError as error:
            return self._refused(pk, "attach", error)
        kind = "an internal note" if comment.internal else "a comment"
        flash(f"The mail is now {kind} on {ticket.reference}.", "success")
        return redirect(url_for("TicketView.show", pk=ticket.id, _anchor="thread"))

    @expose("/<int:pk>/dismiss", methods=["POST"])
    @has_access
    def dismiss(self, pk):
        """Nothing to do with this mail; it is kept, with the reason."""
        mail = self._mail_or_404(pk)
        try:
            intake.dismiss(mail, acting_user(), request.form.get("reason", ""))
        except DomainError as error:
            return self._refused(pk, "dismiss", error)
        flash(f"Mail from {mail.sender} dismissed.", "success")
        return redirect(url_for(".list"))
