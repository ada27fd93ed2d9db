"""The JSON shapes of the tickets API (``tickets_api.py``): a ticket with its deadlines and
breach flags, its comments (public and internal) and events, and the bodies of its actions.

Names are camelCase like the other shaped APIs (``clientId``, ``responseDueAt``). Input fields
are strict: a string where a number or a boolean belongs is refused, not converted.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from models.sla import PRIORITIES
from models.ticket_comments import BODY_MAX
from models.tickets import CATEGORIES, CHANNELS, DESCRIPTION_MAX, SUBJECT_MAX, WORKING_STATUSES

from .shaped_api import Choice, ContactRef, Id, Person, Text


class Strict(Schema):
    class Meta:
        unknown = RAISE


class Flag(fields.Boolean):
    """A JSON true or false (not "yes", not 1)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class AttachmentShape(Schema):
    id = fields.Integer()
    document_id = fields.Integer(data_key="documentId")
    filename = fields.Function(lambda a: a.document.original_filename)


class CommentShape(Schema):
    id = fields.Integer(dump_only=True)
    side = fields.String(dump_only=True)
    internal = fields.Boolean(dump_only=True)
    channel = fields.String(dump_only=True)
    author_name = fields.String(data_key="authorName", dump_only=True)
    author_user = fields.Nested(Person, data_key="authorUser", dump_only=True)
    author_contact = fields.Nested(ContactRef, data_key="authorContact", dump_only=True)
    body = fields.String(dump_only=True)
    created_at = fields.DateTime(data_key="createdAt", dump_only=True)
    attachments = fields.List(fields.Nested(AttachmentShape), dump_only=True)


class EventShape(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    kind = fields.String()
    detail = fields.String()
    actor_name = fields.String(data_key="actorName")
    level = fields.Integer(allow_none=True)


class TicketShape(Strict):
    """A ticket as read, and the fields staff give to log one (``POST /``)."""

    id = fields.Integer(dump_only=True)
    reference = fields.String(dump_only=True)
    client_id = Id(data_key="clientId", required=True)
    client_name = fields.Function(lambda t: t.client.name, data_key="clientName", dump_only=True)
    contact_id = Id(data_key="contactId", allow_none=True, load_default=None)
    contact = fields.Nested(ContactRef, dump_only=True, allow_none=True)
    channel = Choice(list(CHANNELS), load_default="phone", allow_none=False)
    category = Choice(list(CATEGORIES), load_default="general", allow_none=False)
    priority = Choice(list(PRIORITIES), load_default="medium", allow_none=False)
    subject = Text(SUBJECT_MAX, required=True, allow_none=False)
    description = Text(DESCRIPTION_MAX, load_default="", allow_none=False)
    crisis = Flag(load_default=False)
    status = fields.String(dump_only=True)
    status_label = fields.String(data_key="statusLabel", dump_only=True)
    assignee = fields.Nested(Person, dump_only=True, allow_none=True)
    logged_by = fields.Nested(Person, data_key="loggedBy", dump_only=True, allow_none=True)
    created_at = fields.DateTime(data_key="createdAt", dump_only=True)
    business_hours = fields.Boolean(data_key="businessHours", dump_only=True)
    response_due_at = fields.DateTime(data_key="responseDueAt", dump_only=True)
    resolution_due_at = fields.DateTime(data_key="resolutionDueAt", dump_only=True)
    first_response_at = fields.DateTime(data_key="firstResponseAt", dump_only=True)
    resolved_at = fields.DateTime(data_key="resolvedAt", dump_only=True)
    resolution_note = fields.String(data_key="resolutionNote", dump_only=True)
    closed_at = fields.DateTime(data_key="closedAt", dump_only=True)
    approved_at = fields.DateTime(data_key="approvedAt", dump_only=True)
    reopened_count = fields.Integer(data_key="reopenedCount", dump_only=True)
    rating = fields.Integer(dump_only=True)
    rating_comment = fields.String(data_key="ratingComment", dump_only=True)
    rated_at = fields.DateTime(data_key="ratedAt", dump_only=True)
    escalation_level = fields.Integer(data_key="escalationLevel", dump_only=True)
    escalated_at = fields.DateTime(data_key="escalatedAt", dump_only=True)
    response_breached = fields.Function(
        lambda t: t.response_breached(), data_key="responseBreached", dump_only=True
    )
    resolution_breached = fields.Function(
        lambda t: t.resolution_breached(), data_key="resolutionBreached", dump_only=True
    )
    comments = fields.List(fields.Nested(CommentShape), dump_only=True)
    events = fields.List(fields.Nested(EventShape), dump_only=True)


class TicketChange(Strict):
    """The body of ``PATCH /<id>``: any of these."""

    priority = Choice(list(PRIORITIES), allow_none=False)
    assignee_id = Id(data_key="assigneeId", allow_none=True)
    status = Choice(list(WORKING_STATUSES), allow_none=False)
    crisis = Flag(validate=validate.Equal(True, error="A crisis cannot be unflagged."))


class CommentBody(Strict):
    body = Text(BODY_MAX, required=True, allow_none=False)
    internal = Flag(load_default=False)


class ResolveBody(Strict):
    note = Text(DESCRIPTION_MAX, required=True, allow_none=False)


class ClientAnswer(Strict):
    """Staff recording the client's answer (by phone): which contact gave it."""

    contact_id = Id(data_key="contactId", required=True)


class ReopenBody(ClientAnswer):
    comment = Text(BODY_MAX, required=True, allow_none=False)


class RateBody(ClientAnswer):
    rating = fields.Integer(strict=True, required=True, validate=validate.Range(1, 5))
    remark = Text(BODY_MAX, allow_none=True, load_default=None)


class NoBody(Strict):
    """No body, or an empty object."""
