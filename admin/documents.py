"""The Documents tab of the client page: upload, list, download as an attachment, archive.

The rules (content check, size limit, storage, timeline) are ``ClientDocument.action_store``'s;
this view parses the form, calls it, and shows a refusal beside the field it names.
"""

from __future__ import annotations

from flask import abort, flash, request, send_file, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.urltools import get_filter_args
from flask_wtf.file import FileField
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from extensions import db
from models import Client, ClientDocument, DomainError
from models.documents import ALLOWED_SUMMARY, DOCUMENT_TYPES

from .base import READ_WRITE, RulesModelView, apply_to_selected
from .formats import when_or_blank
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, client_is_visible, visible_to_user


class FilterLiveDocument(BaseFilter):
    """Archived documents leave the client page (their rows and files are kept)."""

    name = "Not archived"
    arg_name = "live"

    def apply(self, query, value):
        return query.filter(ClientDocument.archived_at.is_(None))


def _download_link(pk) -> Markup:
    return Markup('<a href="{}"><i class="fa fa-download"></i> Download</a>').format(
        url_for("ClientDocumentView.download", pk=pk)
    )


class ClientDocumentView(RulesModelView):
    """A client's contracts, agreements, reports and other files."""

    datamodel = SQLAInterface(ClientDocument)
    class_permission_name = "Client"
    base_permissions = RESOURCE_PERMISSIONS["Client"]
    method_permission_name = {**READ_WRITE, "archive": "write"}
    base_filters = [visible_to_user(), ["archived_at", FilterLiveDocument, None]]
    exclude_route_methods = {"delete"}  # documents are archived, never deleted
    add_form_query_rel_fields = {"client": [visible_to_user("id")]}
    base_order = ("uploaded_at", "desc")

    list_title = "Documents"
    add_title = "Upload a document"
    list_columns = [
        "title",
        "type",
        "original_filename",
        "size_label",
        "visible_to_client",
        "uploaded_by",
        "uploaded_at",
        "id",
    ]
    search_columns = ["title", "type", "original_filename", "visible_to_client"]
    add_columns = ["client", "title", "type", "visible_to_client", "file"]
    edit_columns = ["title", "type", "visible_to_client"]
    show_columns = [
        "client",
        "title",
        "type",
        "visible_to_client",
        "original_filename",
        "content_type",
        "size_label",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "id",
    ]
    label_columns = {
        "original_filename": "File name",
        "size_label": "Size",
        "visible_to_client": "Visible to client",
        "uploaded_by": "Uploaded by",
        "uploaded_at": "Uploaded",
        "content_type": "Content type",
        "sha256": "SHA-256",
        "id": "File",
    }
    description_columns = {
        "file": f"{ALLOWED_SUMMARY}; checked by content. The name's extension must match.",
        "visible_to_client": "Clients will see it in their portal.",
    }
    formatters_columns = {"uploaded_at": when_or_blank, "id": _download_link}
    add_form_extra_fields = edit_form_extra_fields = {
        "type": SelectField(
            "Type",
            choices=[SelectChoice(value, value) for value in DOCUMENT_TYPES],
            default="other",
            widget=Select2Widget(),
        ),
        # FAB makes a NOT NULL boolean "required", which refuses an unticked box.
        "visible_to_client": BooleanField("Visible to client"),
    }
    add_form_extra_fields = {**add_form_extra_fields, "file": FileField("File")}

    def _add(self):
        """FAB's add, with the upload handed to the model's verb (one commit point)."""
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        if request.method == "POST":
            self._fill_form_exclude_cols(exclude_cols, form)
            if form.validate() and self._store(form):
                return None
        else:
            self.update_redirect()
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    def pre_update(self, item):
        item.action_update(acting_user())

    def _store(self, form) -> bool:
        client = form.client.data
        if client is None or not _client_visible(client):
            form.client.errors = [*form.client.errors, "Choose one of your clients."]
            return False
        try:
            document = ClientDocument.action_store(
                client,
                form.file.data,
                form.title.data,
                form.type.data,
                form.visible_to_client.data,
                acting_user(),
            )
        except DomainError as error:
            db.session.rollback()
            field = form._fields.get(error.field or "")
            if field is not None:
                field.errors = [*field.errors, error.message]
            else:
                flash(error.message, "danger")
            return False
        try:
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            document.discard()
            raise
        flash(f"{document.original_filename} uploaded.", "success")
        return True

    @expose("/download/<int:pk>")
    @has_access
    def download(self, pk):
        """The stored file as an attachment under its original name (404 if not yours)."""
        document = self.datamodel.get(pk, self._base_filters)
        if document is None or not document.path.is_file():
            abort(404)
        return attachment(document)

    @action(
        "archive",
        "Archive",
        "Archive the selected documents? They leave the client page; the files are kept.",
        "fa-archive",
        single=False,
    )
    def archive(self, items):
        return apply_to_selected(
            items, lambda document: document.action_archive(acting_user()), "archived", self
        )


def attachment(document: ClientDocument):
    """The stored file as a download under its original name, never rendered by the browser."""
    response = send_file(
        document.path,
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.original_filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _client_visible(client: Client) -> bool:
    """Whether the signed-in user may see ``client`` (a related tab's hidden client too)."""
    return client_is_visible(client.id)
