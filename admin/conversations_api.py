"""Conversations in the REST API (``/api/v1/conversation/``): list (filters ``client_id``,
``context_type``, ``context_id``), read with the messages, start one (a staff thread with its
first message) and reply (``POST /<id>/messages``, the staff side). Each new message emails
the client's people in the thread, like the admin's reply form.

JWT only: FAB's REST APIs are exempt from CSRF, so a browser session cookie never authorises a
write here. Reading a thread through the API does not mark it read (the admin page does).
Errors are JSON naming the field (422), a client the user may not see is a 404.
"""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, ValidationError, fields
from sqlalchemy.orm import selectinload

from extensions import db
from jobs.conversations import post_message, start_conversation
from models import Client, Contact, Conversation, ConversationError, DomainError
from models.conversations import BODY_MAX, CONTEXTS, SUBJECT_MAX

from .base import READ_WRITE
from .roles import RESOURCE_PERMISSIONS
from .shaped_api import Choice, ContactRef, Id, Person, ShapedApi, Text, db_id, flatten, one_of
from .visibility import acting_user


class MessageShape(Schema):
    id = fields.Integer(dump_only=True)
    side = fields.String(dump_only=True)
    author_name = fields.String(data_key="authorName", dump_only=True)
    author_user = fields.Nested(Person, data_key="authorUser", dump_only=True)
    author_contact = fields.Nested(ContactRef, data_key="authorContact", dump_only=True)
    body = fields.String(dump_only=True)
    created_at = fields.DateTime(data_key="createdAt", dump_only=True)


class ConversationShape(Schema):
    id = fields.Integer(dump_only=True)
    client_id = Id(data_key="clientId", required=True)
    client_name = fields.Function(lambda c: c.client.name, data_key="clientName", dump_only=True)
    context_type = Choice(
        list(CONTEXTS), data_key="contextType", load_default="client", allow_none=False
    )
    context_id = Id(data_key="contextId", allow_none=True, load_default=None)
    context_label = fields.String(data_key="contextLabel", dump_only=True)
    subject = Text(SUBJECT_MAX, required=True, allow_none=False)
    # The first message (write only: the messages are read under ``messages``).
    body = Text(BODY_MAX, required=True, allow_none=False, load_only=True)
    contact_id = Id(data_key="contactId", allow_none=True, load_default=None)
    contact = fields.Nested(ContactRef, dump_only=True)
    started_by_user = fields.Nested(Person, data_key="startedByUser", dump_only=True)
    started_by_contact = fields.Nested(ContactRef, data_key="startedByContact", dump_only=True)
    created_at = fields.DateTime(data_key="createdAt", dump_only=True)
    last_message_at = fields.DateTime(data_key="lastMessageAt", dump_only=True)
    staff_read_at = fields.DateTime(data_key="staffReadAt", dump_only=True)
    client_read_at = fields.DateTime(data_key="clientReadAt", dump_only=True)
    staff_unread = fields.Integer(data_key="staffUnread", dump_only=True)
    client_unread = fields.Integer(data_key="clientUnread", dump_only=True)
    messages = fields.List(fields.Nested(MessageShape), dump_only=True)


class Reply(Schema):
    """The body of ``POST /<id>/messages``: the staff answer."""

    body = Text(BODY_MAX, required=True, allow_none=False)


REPLY, MESSAGE = Reply(), MessageShape()


class ConversationApi(ShapedApi):
    """Conversations: list, read with messages, start (``POST /``), reply (``POST
    /<id>/messages``)."""

    resource_name = "conversation"
    allow_browser_login = False  # JWT only (see the module's docstring)
    class_permission_name = "Conversation"
    base_permissions = RESOURCE_PERMISSIONS["Conversation"]
    method_permission_name = {**READ_WRITE, "reply": "write"}
    include_route_methods = {"get", "get_list", "post", "reply"}
    datamodel = SQLAInterface(Conversation)
    schema = ConversationShape
    list_exclude = ("messages",)
    list_load_options = (selectinload(Conversation.started_by_user),)
    more_error_paths = {"author": "_schema", "started_by": "_schema", "contact": "contactId"}
    openapi_spec_component_schemas = (Reply, MessageShape)
    search_columns = ["client", "context_type", "subject", "last_message_at"]
    order_columns = ["id", "last_message_at", "staff_unread", "created_at"]
    base_order = ("last_message_at", "desc")
    query_filters = {
        "client_id": (db_id, lambda value: Conversation.client_id == value),
        "context_type": (one_of(CONTEXTS), lambda value: Conversation.context_type == value),
        "context_id": (db_id, lambda value: Conversation.context_id == value),
    }

    def post_headless(self) -> Response:
        """Start a thread as the signed-in staff user (201 with the thread and its message)."""
        data = self._load(self.add_model_schema)
        if isinstance(data, Response):
            return data
        try:
            self._check_client(Conversation(client_id=data["client_id"]))
            client = db.session.get(Client, data["client_id"])
            posting = start_conversation(
                client,
                data["subject"],
                data["body"],
                user=acting_user(),
                context_type=data["context_type"],
                context_id=data["context_id"],
                addressed=_contact(data["contact_id"]),
            )
        except DomainError as error:
            db.session.rollback()
            return self.domain_error(error)
        conversation = posting.conversation
        return self._posted(posting, conversation.id, self.show_model_schema.dump(conversation))

    @expose("/<int:pk>/messages", methods=["POST"])
    @protect()
    @safe
    @permission_name("reply")
    def reply(self, pk: int) -> Response:
        """Answer in the thread as the signed-in staff user; the client's people are emailed.
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Reply'}
          responses:
            201:
              description: The new message, with who was told and who was skipped
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id: {type: integer}
                      result: {$ref: '#/components/schemas/MessageShape'}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        conversation = self.visible(pk)
        if conversation is None:
            return self.response_404()
        data = self._load(REPLY)
        if isinstance(data, Response):
            return data
        try:
            posting = post_message(conversation, data["body"], user=acting_user())
        except DomainError as error:
            db.session.rollback()
            return self.domain_error(error)
        return self._posted(posting, posting.message.id, MESSAGE.dump(posting.message))

    def _load(self, schema: Schema) -> dict | Response:
        """The request's JSON object read by ``schema``, or the 400/422 answer."""
        body = self.body()
        if isinstance(body, Response):
            return body
        try:
            return schema.load(body)
        except ValidationError as error:
            return self.response_422(message=flatten(error.messages))

    def _posted(self, posting, pk: int, result: dict) -> Response:
        """201 with the record, how many people were emailed and who was skipped (why)."""
        return self.response(
            201,
            id=pk,
            result=result,
            notified=len(posting.queued),
            skipped=[{"who": who, "reason": reason} for who, reason in posting.skipped],
        )


def _contact(contact_id: int | None) -> Contact | None:
    """:raise ConversationError: naming ``contactId`` for a contact that does not exist (the
    model refuses one of another client)."""
    if contact_id is None:
        return None
    contact = db.session.get(Contact, contact_id)
    if contact is None:
        raise ConversationError(f"No contact with id {contact_id}.", "contact_id")
    return contact
