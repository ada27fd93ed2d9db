"""The employer's messages: the client's conversations with the agency, a thread, a new one.

Every portal user of the client may use Messages (no area of its own): general threads are
for all of them; a thread about a job order needs the hiring area, about an invoice the
billing area, about a quote the signatory area, the areas that show those records. A thread
outside the user's areas answers 404, like another client's. Opening a thread marks it read
for the client's side.

Writing in a thread is a form: with htmx it posts in place and the answer is the thread block
alone (``templates/portal/_message_thread.html``: the message list and a fresh form, 422 with
the reason beside the field when refused); without JavaScript it posts normally and comes
back to the thread. The list block polls every ``CONVERSATION_POLL_SECONDS`` (20) so that a
reply from the agency appears without a reload.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField, TextAreaField

from extensions import db
from jobs.conversations import post_message, start_conversation
from models import Conversation, ConversationError, ConversationMessage, Invoice, JobOrder, Quote
from models.conversations import (
    BODY_MAX,
    CONTEXT_LABELS,
    SUBJECT_MAX,
    contexts_for_areas,
    load_contexts,
)

from . import bp
from .access import (
    client_query,
    current_client,
    current_link,
    get_for_client,
    portal_login_required,
)


class MessageForm(FlaskForm):
    body = TextAreaField("Your message")


class NewConversationForm(FlaskForm):
    about = SelectField("About", choices=[], validate_choice=False)
    subject = StringField("Subject")
    body = TextAreaField("Your message")


# ---------------------------------------------------------------- queries


def _visible():
    """The client's threads this user's areas let them read."""
    link = current_link()
    return client_query(Conversation).where(
        Conversation.context_type.in_(contexts_for_areas(link.areas))
    )


def visible_conversation(conversation_id: int) -> Conversation:
    """:raise 404: for another client's thread, a missing one, or one outside the user's areas."""
    conversation = get_for_client(Conversation, conversation_id)
    if conversation.context_type not in contexts_for_areas(current_link().areas):
        abort(404)
    return conversation


def unread_messages() -> int:
    """How many of the agency's messages the client has not read yet (the nav's count)."""
    query = _visible().with_only_columns(func.coalesce(func.sum(Conversation.client_unread), 0))
    return db.session.scalar(query) or 0


def context_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """What a new thread can be about, grouped: the user's areas decide which records."""
    areas = current_link().areas
    groups = [("", [("client:", "General question")])]
    if "hiring" in areas:
        jobs = db.session.scalars(client_query(JobOrder).order_by(JobOrder.id.desc())).all()
        groups.append(("Job orders", [(f"job_order:{j.id}", str(j)) for j in jobs]))
    if "billing" in areas:
        invoices = db.session.scalars(
            client_query(Invoice)
            .where(Invoice.number.is_not(None))
            .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
        ).all()
        groups.append(("Invoices", [(f"invoice:{i.id}", str(i)) for i in invoices]))
    if "signatory" in areas:
        quotes = db.session.scalars(
            client_query(Quote)
            .where(Quote.status != "draft")
            .order_by(Quote.number.desc(), Quote.version.desc())
        ).all()
        groups.append(("Quotes", [(f"quote:{q.id}", str(q)) for q in quotes]))
    return [(label, options) for label, options in groups if options]


def _chosen_context(about: str) -> tuple[str, int | None]:
    """``"invoice:12"`` -> ("invoice", 12), checked against the user's own choices.

    :raise ConversationError: naming ``about`` for anything the user was not offered.
    """
    offered = {value for _label, options in context_choices() for value, _text in options}
    if about not in offered:
        raise ConversationError("Choose what the conversation is about from the list.", "about")
    kind, _, raw = about.partition(":")
    return kind, int(raw) if raw else None


@bp.context_processor
def messages_count() -> dict:
    """The nav's unread count: one query, only when a template shows it."""
    return {"unread_messages": unread_messages}


# ---------------------------------------------------------------- pages


@bp.route("/messages")
@portal_login_required()
def conversations():
    """The client's threads the user may read, the latest activity first."""
    threads = db.session.scalars(
        _visible().order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    ).all()
    load_contexts(threads)
    return render_template("portal/messages.html", threads=threads, labels=CONTEXT_LABELS)


@bp.route("/messages/new", methods=["GET", "POST"])
@portal_login_required()
def new_conversation():
    """Start a thread with the agency: general, or about one of the client's records."""
    form = NewConversationForm()
    form.about.choices = context_choices()
    errors: dict[str, str] = {}
    if request.method == "GET":
        form.about.data = request.args.get("about", "client:")
    elif form.validate_on_submit():
        try:
            kind, context_id = _chosen_context(form.about.data or "")
            posting = start_conversation(
                current_client(),
                form.subject.data or "",
                form.body.data or "",
                contact=current_link().contact,
                context_type=kind,
                context_id=context_id,
            )
        except ConversationError as error:
            db.session.rollback()
            errors[error.field or "body"] = error.message
        else:
            flash("Your message was sent to the agency.", "success")
            return redirect(
                url_for("portal.conversation", conversation_id=posting.conversation.id), 303
            )
    else:
        abort(400)
    for name, message in errors.items():
        field = getattr(
            form, {"context_id": "about", "context_type": "about"}.get(name, name), None
        )
        if field is not None:
            field.errors = [message]
    status = 422 if errors else 200
    return render_template(
        "portal/messages_new.html",
        form=form,
        errors=errors,
        subject_max=SUBJECT_MAX,
        body_max=BODY_MAX,
    ), status


@bp.route("/messages/<int:conversation_id>")
@portal_login_required()
def conversation(conversation_id: int):
    """The thread, oldest message first, and the form to answer; opening it marks it read."""
    found = visible_conversation(conversation_id)
    _mark_read(found)
    return _thread_page(found, MessageForm(formdata=None))


@bp.route("/messages/<int:conversation_id>/messages")
@portal_login_required()
def conversation_messages(conversation_id: int):
    """htmx: the thread's message list block (polled while the page is open)."""
    found = visible_conversation(conversation_id)
    if not request.htmx:
        return redirect(url_for("portal.conversation", conversation_id=found.id))
    _mark_read(found)
    return render_template("portal/_message_list.html", **_page_context(found))


@bp.route("/messages/<int:conversation_id>", methods=["POST"])
@portal_login_required()
def post_to_conversation(conversation_id: int):
    """Write in the thread; htmx gets the message list block back, a plain POST the page."""
    found = visible_conversation(conversation_id)
    form = MessageForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        post_message(found, form.body.data or "", contact=current_link().contact)
    except ConversationError as error:
        db.session.rollback()
        found = visible_conversation(conversation_id)
        form.body.errors = [error.message]
        if request.htmx:
            return _thread_block(found, form), 422
        return _thread_page(found, form, 422)
    if request.htmx:
        return _thread_block(found, MessageForm(formdata=None), notice="Message sent.")
    flash("Message sent.", "success")
    return redirect(url_for("portal.conversation", conversation_id=found.id, _anchor="reply"), 303)


# ---------------------------------------------------------------- rendering


def _mark_read(conversation: Conversation) -> None:
    if conversation.client_unread or conversation.client_read_at is None:
        conversation.action_mark_read("client")
        db.session.commit()


def _messages(conversation: Conversation) -> list[ConversationMessage]:
    return db.session.scalars(
        select(ConversationMessage)
        .where(ConversationMessage.conversation_id == conversation.id)
        .options(selectinload(ConversationMessage.author_user))
        .order_by(ConversationMessage.id)
    ).all()


def _context_url(conversation: Conversation) -> str | None:
    """The portal page of the record the thread is about, if the user can open it."""
    endpoints = {"job_order": ("portal.job", "job_id"), "invoice": ("portal.invoice", "invoice_id")}
    endpoints["quote"] = ("portal.quote", "quote_id")
    if conversation.context_type not in endpoints:
        return None
    endpoint, arg = endpoints[conversation.context_type]
    return url_for(endpoint, **{arg: conversation.context_id})


def _page_context(conversation: Conversation) -> dict:
    return {
        "conversation": conversation,
        "messages": _messages(conversation),
        "context_url": _context_url(conversation),
        "poll_seconds": current_app.config.get("CONVERSATION_POLL_SECONDS", 20),
        "body_max": BODY_MAX,
    }


def _thread_page(conversation: Conversation, form: MessageForm, status: int = 200):
    page = render_template("portal/messages_thread.html", form=form, **_page_context(conversation))
    return page, status


def _thread_block(conversation: Conversation, form: MessageForm, notice: str | None = None):
    """htmx: the thread block (the message list and the form) after a post."""
    return render_template(
        "portal/_message_thread.html", form=form, notice=notice, **_page_context(conversation)
    )
