"""Meetings and documents in the REST API, through the same model verbs as the client page.

Both follow the client's visibility (another client's record is a 404) and the Client
resource's permissions (reading needs ``read``; scheduling and uploading need ``write``).
Times without a zone are taken as UTC, as on the admin's forms.
"""

from __future__ import annotations

from datetime import UTC

from flask import request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from sqlalchemy.exc import SQLAlchemyError

from extensions import db
from models import Client, ClientDocument, DomainError, Meeting, NotFoundError

from .base import READ_WRITE
from .documents import ClientDocumentView, attachment
from .records_api import ClientScopedApi
from .visibility import (
    acting_user,
    client_is_visible,
    contacts_visible_to_user,
    staff_users,
    visible_to_user,
)

PERSON = ["id", "first_name", "last_name"]


class MeetingApi(ClientScopedApi):
    """Schedule, read and reschedule a client's meetings (cancelling stays on the admin page)."""

    resource_name = "meeting"
    datamodel = SQLAInterface(Meeting)
    add_query_rel_fields = edit_query_rel_fields = {
        "client": [visible_to_user("id")],
        "contacts": [contacts_visible_to_user("id")],
        "staff": [staff_users()],
    }
    list_columns = show_columns = [
        "id",
        "uid",
        "client.id",
        "client.name",
        "title",
        "starts_at",
        "ends_at",
        "location",
        "video_link",
        "agenda",
        "outcome",
        "sequence",
        *(f"organiser.{field}" for field in PERSON),
        *(f"contacts.{field}" for field in PERSON),
        *(f"staff.{field}" for field in PERSON),
    ]
    add_columns = [
        "client",
        "title",
        "starts_at",
        "ends_at",
        "location",
        "video_link",
        "agenda",
        "contacts",
        "staff",
    ]
    edit_columns = [column for column in add_columns if column != "client"] + ["outcome"]
    search_columns = ["client", "title"]
    order_columns = ["starts_at", "title"]
    base_order = ("starts_at", "desc")

    def pre_add(self, item):
        self._check_client(item)
        _as_utc(item)
        item.action_schedule(acting_user())

    def pre_update(self, item):
        self._check_client(item)
        _as_utc(item)
        item.action_update(acting_user())


def _as_utc(meeting: Meeting) -> None:
    for field in ("starts_at", "ends_at"):
        value = getattr(meeting, field)
        if value is not None and value.tzinfo is None:
            setattr(meeting, field, value.replace(tzinfo=UTC))


class DocumentApi(ClientScopedApi):
    """A client's documents: listed, uploaded (multipart, checked by content), downloaded."""

    resource_name = "document"
    datamodel = SQLAInterface(ClientDocument)
    method_permission_name = {**READ_WRITE, "upload": "write", "download": "read"}
    include_route_methods = {"get", "get_list", "info", "upload", "download"}
    base_filters = ClientDocumentView.base_filters  # the client's live documents
    list_columns = show_columns = [
        "id",
        "client.id",
        "client.name",
        "title",
        "type",
        "visible_to_client",
        "original_filename",
        "content_type",
        "size_bytes",
        "sha256",
        "uploaded_at",
        *(f"uploaded_by.{field}" for field in PERSON),
    ]
    search_columns = ["client", "title", "type", "visible_to_client"]
    order_columns = ["uploaded_at", "title"]
    base_order = ("uploaded_at", "desc")

    @expose("/upload", methods=["POST"])
    @protect()
    @safe
    @permission_name("upload")
    def upload(self):
        """Upload a document for a client (multipart form: client, file, title, type, visible).
        ---
        post:
          requestBody:
            content:
              multipart/form-data:
                schema:
                  type: object
                  properties:
                    client: {type: integer}
                    file: {type: string, format: binary}
                    title: {type: string}
                    type: {type: string, enum: [contract, agreement, report, other]}
                    visible_to_client: {type: boolean}
          responses:
            201: {description: Stored}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        form = request.form
        try:
            client = self._visible_client(form.get("client"))
            document = ClientDocument.action_store(
                client,
                request.files.get("file"),
                form.get("title"),
                form.get("type") or "other",
                form.get("visible_to_client", "").lower() in ("1", "true", "yes", "on", "y"),
                acting_user(),
            )
        except DomainError as error:
            db.session.rollback()
            return self.response(error.status_code, **error.as_json())
        try:
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            document.discard()
            raise
        return self.response(201, id=document.id, result=self.show_model_schema.dump(document))

    @expose("/<int:pk>/download", methods=["GET"])
    @protect()
    @safe
    @permission_name("download")
    def download(self, pk: int):
        """The stored file, as an attachment under its original name.
        ---
        get:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          responses:
            200: {description: The file}
            404: {$ref: '#/components/responses/404'}
        """
        document = self.datamodel.get(pk, self._base_filters)
        if document is None or not document.path.is_file():
            return self.response_404()
        return attachment(document)

    def _visible_client(self, client_id) -> Client:
        """:raise NotFoundError: for a missing id and for a client the user may not see."""
        try:
            pk = int(client_id)
        except (TypeError, ValueError):
            raise NotFoundError("No such client.", "client") from None
        if not client_is_visible(pk):
            raise NotFoundError("No such client.", "client")
        return db.session.get(Client, pk)
