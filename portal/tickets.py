"""The employer's support requests (service desk tickets): the list, raising one, a ticket's page.

Every portal user of the client may use Support: the company's requests are shared by its
people, like its general messages. A ticket page shows the public conversation only (staff's
internal notes and the files attached to them never reach the portal), the answer targets of
its priority, and the step that is the client's: approve the resolution or say what is still
wrong, then rate the service (1 to 5).

Each change goes through ``jobs/tickets.py`` (the commit point, which also mails the agency).
Writing a comment is a form: with htmx it posts in place and the answer is the conversation
block alone (``templates/portal/_ticket_thread.html``, 422 with the reason beside the field
when refused); without JavaScript it posts normally and comes back to the page. The block
polls every ``CONVERSATION_POLL_SECONDS`` so that the agency's answer appears without a reload.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from admin.documents import attachment
from extensions import db
from jobs import tickets as desk
from models import Ticket, TicketComment
from models.base import DomainError
from models.documents import ALLOWED_SUMMARY
from models.sla import PRIORITIES, PRIORITY_LABELS, targets_for
from models.ticket_comments import BODY_MAX, TicketAttachment, public_comments
from models.tickets import CATEGORIES, DESCRIPTION_MAX, OPEN_STATUSES, SUBJECT_MAX

from . import bp
from .access import (
    client_query,
    current_client,
    current_link,
    get_for_client,
    portal_login_required,
)

FILTERS = {"open": "Open", "resolved": "Awaiting your approval", "closed": "Closed", "all": "All"}


class RaiseForm(FlaskForm):
    subject = StringField("Subject")
    category = SelectField(
        "Category", choices=[SelectChoice(c, c.capitalize()) for c in CATEGORIES]
    )
    priority = SelectField(
        "Priority", choices=[SelectChoice(p, PRIORITY_LABELS[p]) for p in PRIORITIES]
    )
    description = TextAreaField("What do you need?")
    file = MultipleFileField("Files (optional)")


class CommentForm(FlaskForm):
    body = TextAreaField("Your reply")
    file = MultipleFileField("Attach files (optional)")


class RejectForm(FlaskForm):
    comment = TextAreaField("What is still wrong?")


class RateForm(FlaskForm):
    rating = StringField("Rating")
    remark = TextAreaField("Anything to add? (optional)")


# ---------------------------------------------------------------- queries


def _filtered(status: str):
    query = client_query(Ticket)
    if status == "open":
        query = query.where(Ticket.status.in_(OPEN_STATUSES))
    elif status in ("resolved", "closed"):
        query = query.where(Ticket.status == status)
    return query


def awaiting_approval() -> int:
    """How many of the client's tickets wait for the client to approve (the nav's count)."""
    query = client_query(Ticket).where(Ticket.status == "resolved")
    return db.session.scalar(query.with_only_columns(func.count(Ticket.id))) or 0


def my_support() -> dict | None:
    """The dashboard card: open requests and those awaiting the client's approval (``None``
    when there is neither)."""
    counts = dict(
        db.session.execute(
            client_query(Ticket)
            .with_only_columns(Ticket.status, func.count(Ticket.id))
            .group_by(Ticket.status)
        ).all()
    )
    support = {
        "open": sum(counts.get(status, 0) for status in OPEN_STATUSES),
        "resolved": counts.get("resolved", 0),
    }
    return support if any(support.values()) else None


@bp.context_processor
def support_count() -> dict:
    return {"tickets_awaiting_approval": awaiting_approval}


# ---------------------------------------------------------------- pages


@bp.route("/support")
@portal_login_required()
def tickets():
    """The client's requests, the latest first, filtered by status (open by default)."""
    status = request.args.get("status", "open")
    if status not in FILTERS:
        status = "open"
    found = db.session.scalars(
        _filtered(status).order_by(Ticket.created_at.desc(), Ticket.id.desc())
    ).all()
    return render_template(
        "portal/tickets.html",
        tickets=found,
        status=status,
        filters=FILTERS,
        waiting=awaiting_approval(),
    )


@bp.route("/support/new", methods=["GET", "POST"])
@portal_login_required()
def new_ticket():
    """Raise a request: subject, category, priority, description and files."""
    form = RaiseForm()
    status = 200
    if request.method == "GET":
        form.priority.data = form.priority.data or "medium"
        form.category.data = form.category.data or "general"
    elif not form.validate_on_submit():
        abort(400)
    else:
        files = _uploads(form)
        try:
            raised = desk.raise_ticket(
                current_client(),
                form.subject.data or "",
                form.description.data or "",
                priority=form.priority.data,
                category=form.category.data,
                channel="portal",
                contact=current_link().contact,
                files=files,
            )
        except DomainError as error:
            db.session.rollback()
            _field_error(form, error, default="description")
            status = 422
        else:
            flash(f"Request {raised.reference} was sent to the agency.", "success")
            return redirect(url_for("portal.ticket", ticket_id=raised.id), 303)
    return render_template(
        "portal/ticket_new.html",
        form=form,
        targets={p: targets_for(p) for p in PRIORITIES},
        subject_max=SUBJECT_MAX,
        description_max=DESCRIPTION_MAX,
        allowed=ALLOWED_SUMMARY,
    ), status


@bp.route("/support/<int:ticket_id>")
@portal_login_required()
def ticket(ticket_id: int):
    """The request, its public conversation, and the client's step when it is theirs."""
    return _ticket_page(get_for_client(Ticket, ticket_id))


@bp.route("/support/<int:ticket_id>/comments")
@portal_login_required()
def ticket_comments(ticket_id: int):
    """htmx: the conversation block (polled while the page is open)."""
    found = get_for_client(Ticket, ticket_id)
    if not request.htmx:
        return redirect(url_for("portal.ticket", ticket_id=found.id))
    return render_template("portal/_ticket_comments.html", **_context(found))


@bp.route("/support/<int:ticket_id>", methods=["POST"])
@portal_login_required()
def comment_on_ticket(ticket_id: int):
    """Reply on the ticket, with files; htmx gets the conversation block, a plain POST the page."""
    found = get_for_client(Ticket, ticket_id)
    form = CommentForm()
    if not form.validate_on_submit():
        abort(400)
    files = _uploads(form)
    try:
        desk.comment(
            found,
            form.body.data or "",
            contact=current_link().contact,
            channel="portal",
            files=files,
        )
    except DomainError as error:
        db.session.rollback()
        found = get_for_client(Ticket, ticket_id)
        _field_error(form, error, default="body")
        if request.htmx:
            return _thread_block(found, form), 422
        return _ticket_page(found, comment_form=form, status=422)
    if request.htmx:
        return _thread_block(found, CommentForm(formdata=None), notice="Reply sent.")
    flash("Reply sent.", "success")
    return redirect(url_for("portal.ticket", ticket_id=found.id, _anchor="reply"), 303)


@bp.route("/support/<int:ticket_id>/approve", methods=["POST"])
@portal_login_required()
def approve_ticket(ticket_id: int):
    """The client accepts the resolution: the ticket closes and the rating is asked for."""
    found = get_for_client(Ticket, ticket_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        desk.approve(found, current_link().contact)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(f"Thank you: {found.reference} is closed. How did we do?", "success")
    return redirect(url_for("portal.ticket", ticket_id=ticket_id, _anchor="next-step"), 303)


@bp.route("/support/<int:ticket_id>/reject", methods=["POST"])
@portal_login_required()
def reject_ticket(ticket_id: int):
    """The client does not accept the resolution: reopened with what is still wrong."""
    found = get_for_client(Ticket, ticket_id)
    form = RejectForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        desk.reject(found, current_link().contact, form.comment.data or "")
    except DomainError as error:
        db.session.rollback()
        _field_error(form, error, default="comment")
        return _ticket_page(get_for_client(Ticket, ticket_id), reject_form=form, status=422)
    flash(f"{found.reference} is reopened: the agency has your comment.", "success")
    return redirect(url_for("portal.ticket", ticket_id=ticket_id), 303)


@bp.route("/support/<int:ticket_id>/rate", methods=["POST"])
@portal_login_required()
def rate_ticket(ticket_id: int):
    """The client's satisfaction with the closed request, 1 to 5, once."""
    found = get_for_client(Ticket, ticket_id)
    form = RateForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        desk.rate(found, current_link().contact, form.rating.data, form.remark.data)
    except DomainError as error:
        db.session.rollback()
        _field_error(form, error, default="rating")
        return _ticket_page(get_for_client(Ticket, ticket_id), rate_form=form, status=422)
    flash("Thank you for your rating.", "success")
    return redirect(url_for("portal.ticket", ticket_id=ticket_id), 303)


@bp.route("/support/<int:ticket_id>/files/<int:attachment_id>")
@portal_login_required()
def ticket_file(ticket_id: int, attachment_id: int):
    """A file of the ticket's public conversation (never one of an internal note)."""
    found = get_for_client(Ticket, ticket_id)
    attached = db.session.scalar(
        select(TicketAttachment).where(
            TicketAttachment.id == attachment_id, TicketAttachment.ticket_id == found.id
        )
    )
    if attached is None or attached.internal or not attached.document.path.exists():
        abort(404)
    return attachment(attached.document)


# ---------------------------------------------------------------- rendering


def _uploads(form: FlaskForm) -> list:
    return [upload for upload in form.file.data or () if upload and upload.filename]


def _field_error(form: FlaskForm, error: DomainError, default: str) -> None:
    """Put the refusal beside its field (beside ``default`` when the form has no such field)."""
    field = getattr(form, error.field or default, None)
    if not hasattr(field, "errors"):
        field = getattr(form, default)
    field.errors = [error.message]


def _context(ticket: Ticket) -> dict:
    # The thread and its files in two queries, whatever its length (the page polls).
    db.session.scalars(
        select(Ticket)
        .where(Ticket.id == ticket.id)
        .options(selectinload(Ticket.comments).selectinload(TicketComment.attachments))
    ).first()
    return {
        "ticket": ticket,
        "comments": public_comments(ticket),
        "request_files": db.session.scalars(
            select(TicketAttachment)
            .where(TicketAttachment.ticket_id == ticket.id, TicketAttachment.comment_id.is_(None))
            .order_by(TicketAttachment.id)
        ).all(),
        "targets": targets_for(ticket.priority),
        "poll_seconds": current_app.config.get("CONVERSATION_POLL_SECONDS", 20),
        "body_max": BODY_MAX,
        "allowed": ALLOWED_SUMMARY,
    }


def _ticket_page(
    ticket: Ticket, *, comment_form=None, reject_form=None, rate_form=None, status: int = 200
):
    page = render_template(
        "portal/ticket.html",
        form=comment_form or CommentForm(formdata=None),
        reject_form=reject_form or RejectForm(formdata=None),
        rate_form=rate_form or RateForm(formdata=None),
        **_context(ticket),
    )
    return page, status


def _thread_block(ticket: Ticket, form: CommentForm, notice: str | None = None):
    return render_template(
        "portal/_ticket_thread.html", form=form, notice=notice, **_context(ticket)
    )
