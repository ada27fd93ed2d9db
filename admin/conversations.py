"""Communication › Conversations: the threads with the clients the user works on.

The list shows the threads of visible clients, unread ones (for the agency) first in the
eye by their count; the show page renders the thread with a reply form (a staff answer, which
emails the client's people in the thread) and marks it read for the agency. "Start a
conversation" opens a thread with a client, general or about one of its job orders, issued
invoices or sent quotes, addressed to one of its contacts (the primary contact by default).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from markupsafe import Markup, escape
from sqlalchemy import select

from extensions import db
from jobs.conversations import post_message, start_conversation
from models import (
    Client,
    ClientContact,
    Contact,
    Conversation,
    ConversationError,
    ConversationMessage,
    Invoice,
    JobOrder,
    Quote,
    visible_client_ids,
)
from models.conversations import BODY_MAX, CONTEXT_LABELS, SUBJECT_MAX, load_contexts

from .base import READ_WRITE, RulesModelView, id_fits
from .formats import when
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, client_is_visible, visible_to_user


def _unread(count) -> Markup:
    if not count:
        return Markup('<span class="text-muted">—</span>')
    return Markup(f'<span class="badge" title="unread">{escape(count)}</span>')


class LoadedContexts(SQLAInterface):
    """Loads what a page of threads shows about their contexts in one query per kind."""

    def query(self, *args, **kwargs):
        count, rows = super().query(*args, **kwargs)
        if self.obj is Conversation:  # not the related interfaces FAB makes of this class
            load_contexts(rows)
        return count, rows


class ConversationView(RulesModelView):
    """Threads with the clients the user may see; read and answer them here."""

    datamodel = LoadedContexts(Conversation)
    class_permission_name = "Conversation"
    base_permissions = RESOURCE_PERMISSIONS["Conversation"]
    method_permission_name = {**READ_WRITE, "reply": "write", "start": "write"}
    base_filters = [visible_to_user()]
    include_route_methods = {"list", "show", "reply", "start"}
    show_template = "admin/conversation_show.html"
    list_template = "admin/conversation_list.html"
    base_order = ("last_message_at", "desc")

    list_title = "Conversations"
    show_title = "Conversation"
    list_columns = [
        "subject",
        "client",
        "context_label",
        "started_by_name",
        "last_message_at",
        "staff_unread",
    ]
    search_columns = ["client", "subject", "context_type", "last_message_at"]
    order_columns = ["subject", "last_message_at", "staff_unread"]
    label_columns = {
        "context_label": "About",
        "context_type": "About (kind)",
        "started_by_name": "Started by",
        "last_message_at": "Last message",
        "staff_unread": "Unread",
    }
    formatters_columns = {"last_message_at": when, "staff_unread": _unread}

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs["may_start"] = self.appbuilder.sm.has_access("can_write", "Conversation")
        return super().render_template(template, **kwargs)

    # ------------------------------------------------------------ the thread page

    def _conversation_or_404(self, pk) -> Conversation:
        found = self.datamodel.get(int(pk), self._base_filters) if id_fits(pk) else None
        if found is None:
            abort(404)
        return found

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The thread, oldest message first, with the reply form; marks it read for staff."""
        conversation = self._conversation_or_404(pk)
        if conversation.staff_unread or conversation.staff_read_at is None:
            conversation.action_mark_read("staff")
            db.session.commit()
        return self._page(conversation)

    def _page(self, conversation: Conversation, error: str | None = None, body: str = ""):
        messages = db.session.scalars(
            select(ConversationMessage)
            .where(ConversationMessage.conversation_id == conversation.id)
            .order_by(ConversationMessage.id)
        ).all()
        page = self.render_template(
            self.show_template,
            conversation=conversation,
            messages=messages,
            error=error,
            body=body,
            body_max=BODY_MAX,
            may_write=self.appbuilder.sm.has_access("can_write", self.class_permission_name),
            when=when,
            title=conversation.subject,
        )
        return page, 422 if error else 200

    @expose("/reply/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("write")
    def reply(self, pk):
        """Answer in the thread as the signed-in staff user; the client's people are emailed."""
        conversation = self._conversation_or_404(pk)
        body = request.form.get("body", "")
        try:
            posting = post_message(conversation, body, user=acting_user())
        except ConversationError as error:
            db.session.rollback()
            return self._page(self._conversation_or_404(pk), error.message, body)
        _flash_sent(posting)
        return redirect(url_for(".show", pk=conversation.id, _anchor="reply"))

    # ------------------------------------------------------------ starting one

    @expose("/start", methods=["GET", "POST"])
    @has_access
    @permission_name("write")
    def start(self):
        """Open a thread with a client: ``?client_id=`` preselects it and offers its records."""
        values = request.form if request.method == "POST" else request.args
        client = self._client(values.get("client_id"))
        errors: dict[str, str] = {}
        if request.method == "POST":
            if client is None:
                errors["client_id"] = "Choose the client to write to."
            else:
                try:
                    posting = start_conversation(
                        client,
                        values.get("subject", ""),
                        values.get("body", ""),
                        user=acting_user(),
                        addressed=self._contact(client, values.get("contact_id")),
                        **_context(values.get("about", "client:")),
                    )
                except ConversationError as error:
                    db.session.rollback()
                    client = self._client(values.get("client_id"))
                    field = {"context_type": "about", "context_id": "about"}.get(error.field)
                    errors[field or error.field or "body"] = error.message
                else:
                    _flash_sent(posting)
                    return redirect(url_for(".show", pk=posting.conversation.id))
        page = self.render_template(
            "admin/conversation_start.html",
            client=client,
            clients=self._clients() if client is None else [],
            contacts=_contacts(client) if client is not None else [],
            contexts=_contexts(client) if client is not None else [],
            values=values,
            errors=errors,
            subject_max=SUBJECT_MAX,
            body_max=BODY_MAX,
            title="Start a conversation",
        )
        return page, 422 if errors else 200

    def _client(self, raw) -> Client | None:
        """The client named by ``raw`` if the user may see it (else none, as if missing)."""
        if not id_fits(raw) or not client_is_visible(int(raw)):
            return None
        return db.session.get(Client, int(raw))

    def _clients(self) -> list[Client]:
        return db.session.scalars(
            select(Client)
            .where(Client.id.in_(visible_client_ids(acting_user())), Client.archived.is_(False))
            .order_by(Client.name)
        ).all()

    def _contact(self, client: Client, raw) -> Contact | None:
        """The addressed contact; a contact of another client is refused naming the field."""
        if not raw:
            return None
        contact = db.session.get(Contact, int(raw)) if id_fits(raw) else None
        if contact is None or contact not in _contacts(client):
            raise ConversationError(f"No contact {raw} of {client.name}.", "contact_id")
        return contact


def _flash_sent(posting) -> None:
    """Say the message went, how many people were emailed, and who was not (and why)."""
    told = len(posting.queued)
    flash(f"Message sent; {told} {'person' if told == 1 else 'people'} told by email.", "success")
    for who, reason in posting.skipped:
        flash(f"Not emailed to {who}: {reason}.", "warning")


def _context(about: str) -> dict:
    """``"invoice:12"`` -> the verb's context arguments (the model checks the record).

    :raise ConversationError: naming ``about`` for a value that is no context at all.
    """
    kind, _, raw = (about or "client:").partition(":")
    if kind not in CONTEXT_LABELS or (raw and not id_fits(raw)):
        raise ConversationError("Choose what the conversation is about from the list.", "about")
    return {"context_type": kind, "context_id": int(raw) if raw else None}


def _contacts(client: Client) -> list[Contact]:
    return db.session.scalars(
        select(Contact)
        .join(ClientContact, ClientContact.contact_id == Contact.id)
        .where(ClientContact.client_id == client.id)
        .order_by(Contact.last_name, Contact.first_name)
    ).all()


def _contexts(client: Client) -> list[tuple[str, list[tuple[str, str]]]]:
    """The client's records a thread can be about: job orders, issued invoices, sent quotes."""
    jobs = db.session.scalars(
        select(JobOrder).where(JobOrder.client_id == client.id).order_by(JobOrder.id.desc())
    ).all()
    invoices = db.session.scalars(
        select(Invoice)
        .where(Invoice.client_id == client.id, Invoice.number.is_not(None))
        .order_by(Invoice.id.desc())
    ).all()
    quotes = db.session.scalars(
        select(Quote)
        .where(Quote.client_id == client.id, Quote.status != "draft")
        .order_by(Quote.id.desc())
    ).all()
    groups = [
        ("", [("client:", "General")]),
        ("Job orders", [(f"job_order:{j.id}", str(j)) for j in jobs]),
        ("Invoices", [(f"invoice:{i.id}", str(i)) for i in invoices]),
        ("Quotes", [(f"quote:{q.id}", str(q)) for q in quotes]),
    ]
    return [(label, options) for label, options in groups if options]
