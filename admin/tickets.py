"""Service desk › Tickets: the task requests of the clients the user may see.

The list filters by status, priority, client, assignee and breach, sorted by when the response
is due; "Log a ticket" records a phone call, a WhatsApp message or an email for a client. The
ticket page shows its deadlines, its escalation and history, the comment thread (internal notes
marked as such), its attachments, and the steps as POST forms. Every step goes through
``jobs/tickets.py``; a refusal re-renders the page with the message beside the field and the
typed values kept. A ticket of a client the user may not see answers 404, as if missing.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from extensions import db
from jobs import tickets as desk
from models import (
    Client,
    DomainError,
    Ticket,
    TicketAttachment,
    TicketComment,
    visible_client_ids,
)
from models.base import utcnow
from models.sla import PRIORITIES, PRIORITY_LABELS
from models.ticket_comments import BODY_MAX
from models.tickets import CATEGORIES, DESCRIPTION_MAX, STATUS_LABELS, SUBJECT_MAX

from .base import id_fits
from .client_page import _person, staff_users
from .documents import attachment
from .formats import when
from .roles import RESOURCE_PERMISSIONS
from .ticket_forms import (
    CHANNEL_LABELS,
    FORM_FIELDS,
    LOG_CHANNELS,
    PAGE_SIZE,
    SORTS,
    client_contacts,
    client_tickets,
    deadline_mark,
    log_arguments,
    read_filters,
    staff_choice,
    ticket_query,
    visible_clients,
)
from .visibility import acting_user, client_is_visible

# The steps on the ticket page: route name → what the flash says once done.
STEP_DONE = {
    "acknowledge": "acknowledged",
    "status": "status changed",
    "assign": "assignment saved",
    "priority": "priority changed; its deadlines recounted",
    "crisis": "flagged as a crisis",
    "resolve": "resolved; the client is asked to approve completion",
    "close": "closed",
}


def offered_steps(ticket: Ticket) -> set[str]:
    """The step forms the ticket page shows for the ticket's status (the rest would refuse)."""
    steps = set()
    if ticket.status == "new":
        steps.add("acknowledge")
    if ticket.is_open:
        steps |= {"status", "priority", "resolve"} | (set() if ticket.crisis else {"crisis"})
    if ticket.status == "resolved":
        steps.add("close")
    if ticket.status != "closed":
        steps |= {"assign", "comment"}
    return steps


class TicketView(BaseView):
    """The tickets list, "Log a ticket", and the ticket page with its steps."""

    route_base = "/tickets"
    default_view = "list"
    class_permission_name = "Ticket"
    base_permissions = RESOURCE_PERMISSIONS["Ticket"]
    method_permission_name = {
        "list": "read",
        "show": "read",
        "download": "read",
        "log": "write",
        "step": "write",
        "comment": "comment",
    }

    # ------------------------------------------------------------ the list

    @expose("/list/")
    @has_access
    def list(self):
        """The visible tickets, open ones by default, soonest response due first."""
        filters = read_filters(request.args)
        now = utcnow()
        query = ticket_query(filters, now)
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        tickets = (
            db.session.scalars(query.limit(PAGE_SIZE).offset((filters.page - 1) * PAGE_SIZE))
            .unique()
            .all()
        )
        return self.render_template(
            "admin/ticket_list.html",
            tickets=tickets,
            total=total,
            filters=filters,
            pages=max(1, -(-total // PAGE_SIZE)),
            clients=visible_clients(),
            users=staff_users(),
            statuses=STATUS_LABELS,
            priorities=PRIORITIES,
            sorts=SORTS,
            now=now,
            mark=deadline_mark,
            when=when,
            person=_person,
            may_log=self.appbuilder.sm.has_access("can_write", "Ticket"),
            title="Tickets",
        )

    # ------------------------------------------------------------ logging one

    @expose("/log", methods=["GET", "POST"])
    @has_access
    def log(self):
        """Log a request made by phone, WhatsApp or email: ``?client_id=`` preselects the client."""
        values = request.form if request.method == "POST" else request.args
        raw = values.get("client_id", "")
        client = None
        if id_fits(raw) and client_is_visible(int(raw)):
            client = db.session.get(Client, int(raw))
        errors: dict[str, str] = {}
        if request.method == "POST":
            if client is None:
                errors["client_id"] = "Choose the client this ticket is for."
            else:
                try:
                    ticket = desk.raise_ticket(
                        client, **log_arguments(client, values, request.files), by=acting_user()
                    )
                except DomainError as error:
                    db.session.rollback()
                    client = db.session.get(Client, client.id)
                    field = FORM_FIELDS.get(error.field, error.field) or "subject"
                    errors[field] = error.message
                else:
                    flash(f"Ticket {ticket.reference} logged for {client.name}.", "success")
                    return redirect(url_for(".show", pk=ticket.id))
        page = self.render_template(
            "admin/ticket_log.html",
            client=client,
            clients=visible_clients() if client is None else [],
            contacts=client_contacts(client) if client is not None else [],
            values=values,
            errors=errors,
            channels=[(c, CHANNEL_LABELS[c]) for c in LOG_CHANNELS],
            categories=CATEGORIES,
            priorities=[(p, PRIORITY_LABELS[p]) for p in PRIORITIES],
            subject_max=SUBJECT_MAX,
            description_max=DESCRIPTION_MAX,
            title="Log a ticket",
        )
        return page, 422 if errors else 200

    # ------------------------------------------------------------ the ticket page

    def _ticket_or_404(self, pk) -> Ticket:
        found = None
        if id_fits(pk):
            found = db.session.scalar(
                select(Ticket).where(
                    Ticket.id == int(pk),
                    Ticket.client_id.in_(visible_client_ids(acting_user())),
                )
            )
        if found is None:
            abort(404)
        return found

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """The ticket: deadlines, escalation, the thread, attachments and the steps."""
        return self._page(self._ticket_or_404(pk))

    def _page(self, ticket: Ticket, form: str = "", error=None, values=None):
        """The ticket page; ``error`` (a DomainError from ``form``) shows beside its field."""
        sm = self.appbuilder.sm
        now = utcnow()
        attachments = db.session.scalars(
            select(TicketAttachment)
            .where(TicketAttachment.ticket_id == ticket.id)
            .order_by(TicketAttachment.id)
        ).all()
        comments = (
            db.session.scalars(
                select(TicketComment)
                .where(TicketComment.ticket_id == ticket.id)
                .options(selectinload(TicketComment.attachments))
                .order_by(TicketComment.id)
            )
            .unique()
            .all()
        )
        page = self.render_template(
            "admin/ticket_show.html",
            ticket=ticket,
            comments=comments,
            events=ticket.events,
            escalations=[e for e in ticket.events if e.kind == "escalated"],
            attachments=attachments,
            loose_attachments=[a for a in attachments if a.comment_id is None],
            response=deadline_mark(
                ticket.response_due_at, ticket.first_response_at, now, ticket.status == "closed"
            ),
            resolution=deadline_mark(  # measured when the clock stopped, while it is stopped
                ticket.resolution_due_at,
                ticket.resolved_at,
                ticket.paused_at or now,
                ticket.status == "closed",
            ),
            offered=offered_steps(ticket),
            error_form=form,
            error=error,
            values=values or {},
            users=staff_users(),
            statuses=STATUS_LABELS,
            working=[
                ("in_progress", STATUS_LABELS["in_progress"]),
                ("waiting_on_client", STATUS_LABELS["waiting_on_client"]),
            ],
            priorities=PRIORITIES,
            channel_label=CHANNEL_LABELS.get(ticket.channel, ticket.channel),
            body_max=BODY_MAX,
            may_write=sm.has_access("can_write", "Ticket"),
            may_comment=sm.has_access("can_comment", "Ticket"),
            when=when,
            person=_person,
            title=f"{ticket.reference} {ticket.subject}",
        )
        return page, 422 if error is not None else 200

    @expose(
        "/<int:pk>/<any(acknowledge, status, assign, priority, crisis, resolve, close):name>",
        methods=["POST"],
    )
    @has_access
    def step(self, pk, name):
        """One step of the ticket's life, through its ``jobs/tickets.py`` function."""
        ticket = self._ticket_or_404(pk)
        form, by = request.form, acting_user()
        try:
            if name == "acknowledge":
                desk.acknowledge(ticket, by)
            elif name == "status":
                desk.set_status(ticket, form.get("status", ""), by)
            elif name == "assign":
                desk.assign(ticket, staff_choice(form.get("assignee"), staff_users()), by)
            elif name == "priority":
                desk.change_priority(ticket, form.get("priority", ""), by)
            elif name == "crisis":
                desk.flag_crisis(ticket, by)
            elif name == "resolve":
                desk.resolve(ticket, form.get("resolution_note", ""), by)
            else:
                desk.close(ticket, by)
        except DomainError as error:
            db.session.rollback()
            return self._page(self._ticket_or_404(pk), name, error, form)
        done = STEP_DONE[name]
        if name == "crisis" and ticket.escalation_level:
            done += f"; escalated to level {ticket.escalation_level}"
        flash(f"{ticket.reference} {done}.", "success")
        return redirect(url_for(".show", pk=ticket.id))

    @expose("/<int:pk>/comment", methods=["POST"])
    @has_access
    def comment(self, pk):
        """A comment the client sees, or an internal note, with files attached."""
        ticket = self._ticket_or_404(pk)
        internal = request.form.get("internal") in ("1", "on", "y")
        files = [f for f in request.files.getlist("file") if f and f.filename]
        try:
            desk.comment(
                ticket,
                request.form.get("body", ""),
                user=acting_user(),
                internal=internal,
                files=files,
            )
        except DomainError as error:
            db.session.rollback()
            return self._page(self._ticket_or_404(pk), "comment", error, request.form)
        flash(
            "Internal note added." if internal else "Comment added; the client can read it.",
            "success",
        )
        return redirect(url_for(".show", pk=ticket.id, _anchor="thread"))

    @expose("/<int:pk>/attachment/<int:attachment_id>")
    @has_access
    def download(self, pk, attachment_id):
        """A file on the ticket, as a download (404 if the ticket is not the user's to see)."""
        ticket = self._ticket_or_404(pk)
        found = db.session.get(TicketAttachment, attachment_id)
        if found is None or found.ticket_id != ticket.id or not found.document.path.is_file():
            abort(404)
        return attachment(found.document)


def tickets_tab(sm, client) -> dict:
    """The client page's Tickets tab, for users who may read tickets."""
    if not sm.has_access("can_read", "Ticket"):
        return {}
    return {
        "client_tickets": client_tickets(client.id),
        "may_log_ticket": sm.has_access("can_write", "Ticket"),
        "ticket_mark": deadline_mark,
        "ticket_now": utcnow(),
        "ticket_when": when,
        "ticket_statuses": STATUS_LABELS,
    }
