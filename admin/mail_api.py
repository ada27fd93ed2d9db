"""Email templates and messages in the REST API (JWT only).

``/api/v1/email-template/``: list, read, create, change (rules: ``EmailTemplate.violations``,
an unknown variable is a 422 naming ``subject`` or ``body``), ``POST /<id>/preview`` renders it
for a client, contact and record. ``/api/v1/message/``: the outgoing mail of the clients the
user may see, with its delivery and tracking figures; ``POST /send`` composes a message from a
template or a free text to contacts of one client (``jobs.client_messages.message_contacts``:
opt-outs and frequency limits skipped and named).
"""

from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from extensions import db
from models import Client, ClientContact, DomainError, EmailTemplate, MessageError, OutboxMessage
from models.mail_context import template_context, text_to_html
from models.mail_records import load_records
from models.mail_templates import CATEGORIES
from models.messaging import OUTBOX_STATUSES

from .base import READ_WRITE
from .roles import RESOURCE_PERMISSIONS
from .shaped_api import Choice, Id, ShapedApi, Text, db_id, flatten, one_of
from .visibility import acting_user, client_is_visible, visible_to_user_or_unassigned


class TemplateShape(Schema):
    id = fields.Integer(dump_only=True)
    key = Text(80, required=True, allow_none=False)
    name = Text(150, required=True, allow_none=False)
    category = Choice(list(CATEGORIES), required=True, allow_none=False)
    description = Text(500)
    subject = Text(300, required=True, allow_none=False)
    body = Text(20_000, required=True, allow_none=False)
    active = fields.Boolean(load_default=True)
    builtin = fields.Boolean(dump_only=True)
    needs = fields.List(fields.String(), dump_only=True)


class PreviewBody(Schema):
    client_id = Id(data_key="clientId", required=True)
    contact_id = Id(data_key="contactId", allow_none=True)
    about = Text(40, allow_none=True)


class SendBody(Schema):
    client_id = Id(data_key="clientId", required=True)
    contact_ids = fields.List(
        Id(), data_key="contactIds", required=True, validate=validate.Length(min=1, max=500)
    )
    template_id = Id(data_key="templateId", allow_none=True)
    subject = Text(300, allow_none=True)
    body = Text(20_000, allow_none=True)
    about = Text(40, allow_none=True)


class MessageShape(Schema):
    id = fields.Integer(dump_only=True)
    client_id = fields.Integer(data_key="clientId")
    contact_id = fields.Integer(data_key="contactId")
    template_id = fields.Integer(data_key="templateId")
    kind = fields.String()
    channel = fields.String()
    to = fields.String(attribute="recipient")
    to_name = fields.String(data_key="toName")
    subject = fields.String()
    body_text = fields.String(data_key="body")
    status = fields.String()
    attempts = fields.Integer()
    error = fields.String()
    created_at = fields.DateTime(data_key="createdAt")
    delivered_at = fields.DateTime(data_key="deliveredAt")
    next_attempt_at = fields.DateTime(data_key="nextAttemptAt")
    opened_at = fields.DateTime(data_key="openedAt")
    open_count = fields.Integer(data_key="openCount")
    clicked_at = fields.DateTime(data_key="clickedAt")
    click_count = fields.Integer(data_key="clickCount")
    responded_at = fields.DateTime(data_key="respondedAt")


PREVIEW, SEND = PreviewBody(), SendBody()
PREVIEW_ERRORS = {"client_id": "clientId", "contact_id": "contactId"}


class EmailTemplateApi(ShapedApi):
    """Email templates: read, write, preview."""

    resource_name = "email-template"
    allow_browser_login = False  # JWT only: FAB's APIs are exempt from CSRF
    class_permission_name = "MailTemplate"
    base_permissions = RESOURCE_PERMISSIONS["MailTemplate"]
    method_permission_name = {**READ_WRITE, "preview": "read"}
    include_route_methods = {"get", "get_list", "post", "put", "preview"}
    base_filters = []  # templates belong to the agency, not to a client
    datamodel = SQLAInterface(EmailTemplate)
    schema = TemplateShape
    openapi_spec_component_schemas = (PreviewBody,)
    search_columns = ["name", "key", "category", "active", "builtin"]
    order_columns = ["id", "name", "key", "category"]
    base_order = ("name", "asc")
    query_filters = {
        "category": (one_of(list(CATEGORIES)), lambda v: EmailTemplate.category == v),
        "active": (one_of(["true", "false"]), lambda v: EmailTemplate.active.is_(v == "true")),
    }

    def create(self, data: dict):
        template = EmailTemplate(**data, builtin=False)
        db.session.add(template)
        return template

    def update(self, item, data: dict) -> None:
        for name, value in data.items():
            setattr(item, name, value)

    @expose("/<int:pk>/preview", methods=["POST"])
    @protect()
    @safe
    @permission_name("preview")
    def preview(self, pk: int) -> Response:
        """The template rendered for a client, one of its contacts and a record (``about``).
        ---
        post:
          parameters:
          - {in: path, schema: {type: integer}, name: pk}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/PreviewBody'}
          responses:
            200: {description: The subject, text and HTML}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        template = self.visible(pk)
        if template is None:
            return self.response_404()
        body = self.body()
        if isinstance(body, Response):
            return body
        try:
            data = PREVIEW.load(body)
        except ValidationError as error:
            return self.response_422(message=flatten(error.messages))
        client_id = data["client_id"]
        if not client_is_visible(client_id):
            return self.response(404, message={"clientId": ["No such client."]})
        query = select(ClientContact).where(ClientContact.client_id == client_id)
        if data.get("contact_id"):
            query = query.where(ClientContact.contact_id == data["contact_id"])
        link = db.session.scalars(query.order_by(ClientContact.id).limit(1)).first()
        if data.get("contact_id") and link is None:
            return self.response(422, message={"contactId": ["Not a contact of this client."]})
        try:
            records = load_records(client_id, data.get("about"))
            client = db.session.get(Client, client_id)
            context = template_context(client, link.contact if link else None, None, records)
            subject, text = template.render(context)
        except DomainError as error:
            return self.domain_error(error)
        return self.response(200, subject=subject, body=text, html=text_to_html(text))


class MessageApi(ShapedApi):
    """Outgoing messages of the user's clients (read), and composing one (``send``)."""

    resource_name = "message"
    allow_browser_login = False
    class_permission_name = "OutboxMessage"
    base_permissions = RESOURCE_PERMISSIONS["OutboxMessage"]
    method_permission_name = {**READ_WRITE, "send": "send"}
    include_route_methods = {"get", "get_list", "send"}
    base_filters = [visible_to_user_or_unassigned()]
    datamodel = SQLAInterface(OutboxMessage)
    schema = MessageShape
    openapi_spec_component_schemas = (SendBody,)
    search_columns = ["client", "status", "channel", "kind"]
    order_columns = ["id", "created_at", "status"]
    base_order = ("id", "desc")
    query_filters = {
        "client_id": (db_id, lambda v: OutboxMessage.client_id == v),
        "contact_id": (db_id, lambda v: OutboxMessage.contact_id == v),
        "template_id": (db_id, lambda v: OutboxMessage.template_id == v),
        "status": (one_of(OUTBOX_STATUSES), lambda v: OutboxMessage.status == v),
    }
    more_error_paths = {
        "template": "templateId",
        "about": "about",
        "body_text": "body",
        "contact_ids": "contactIds",
    }

    @expose("/send", methods=["POST"])
    @protect()
    @safe
    @permission_name("send")
    def send(self) -> Response:
        """Compose a message to contacts of one client: a template (``templateId``) or a free
        text (``subject`` and ``body``, variables allowed), about a record (``about``:
        ``invoice:12``...). One message per contact; skipped contacts are named with the reason.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/SendBody'}
          responses:
            201: {description: The queued messages and the skipped contacts}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        from jobs.client_messages import message_contacts

        body = self.body()
        if isinstance(body, Response):
            return body
        try:
            data = SEND.load(body)
        except ValidationError as error:
            return self.response_422(message=flatten(error.messages))
        client_id = data["client_id"]
        if not client_is_visible(client_id):
            return self.response(404, message={"clientId": ["No such client."]})
        links = db.session.scalars(
            select(ClientContact).where(
                ClientContact.client_id == client_id,
                ClientContact.contact_id.in_(data["contact_ids"]),
            )
        ).all()
        missing = sorted(set(data["contact_ids"]) - {link.contact_id for link in links})
        if missing:
            return self.response(
                422,
                message={"contactIds": [f"Not contacts of this client: {missing}."]},
            )
        try:
            template = None
            if data.get("template_id"):
                template = db.session.get(EmailTemplate, data["template_id"])
                if template is None or not template.active:
                    raise MessageError("No active template with this id.", "template")
            records = load_records(client_id, data.get("about"))
            sending = message_contacts(
                links,
                "email",
                data.get("body"),
                data.get("subject"),
                template,
                records,
                sender=acting_user(),
            )
        except DomainError as error:
            db.session.rollback()
            return self.domain_error(error)
        return self.response(
            201,
            queued=[self.show_model_schema.dump(m) for m in sending.queued],
            skipped=[{"contactId": c.id, "reason": reason} for c, reason in sending.skipped],
        )
