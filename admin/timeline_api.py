"""The client page's timeline and notes in the REST API: activities read-only, notes written
through the same rules and visibility as the admin."""

from __future__ import annotations

from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name

from models import Activity, Note

from .base import READ_WRITE, DomainModelApi
from .records_api import ClientScopedApi
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, visible_to_user

PERSON = ["first_name", "last_name"]


class ActivityApi(DomainModelApi):
    """The timeline, newest first. No route writes it."""

    resource_name = "activity"
    class_permission_name = "Client"
    base_permissions = RESOURCE_PERMISSIONS["Client"]
    method_permission_name = READ_WRITE
    include_route_methods = {"get", "get_list", "info"}
    datamodel = SQLAInterface(Activity)
    base_filters = [visible_to_user()]
    list_columns = show_columns = [
        "id",
        "at",
        "client.id",
        "client.name",
        "kind",
        "subject_type",
        "subject_id",
        "summary",
        "changes",
        *(f"actor.{f}" for f in PERSON),
    ]
    search_columns = ["client", "kind", "subject_type", "subject_id"]
    order_columns = ["at", "id"]
    base_order = ("at", "desc")


class NoteApi(ClientScopedApi):
    resource_name = "note"
    method_permission_name = {**READ_WRITE, "pin": "write", "unpin": "write"}
    include_route_methods = DomainModelApi.include_route_methods | {"pin", "unpin"}
    datamodel = SQLAInterface(Note)
    base_filters = [visible_to_user()]
    add_query_rel_fields = {"client": [visible_to_user("id")]}
    list_columns = show_columns = [
        "id",
        "client.id",
        "client.name",
        "body",
        "pinned",
        "created_at",
        "updated_at",
        *(f"author.{f}" for f in PERSON),
    ]
    add_columns = ["client", "body"]
    edit_columns = ["body"]
    search_columns = ["client", "pinned", "body"]
    base_order = ("created_at", "desc")

    def pre_add(self, item):
        item.author = acting_user()
        super().pre_add(item)  # a client the user may not see: 404

    @expose("/<int:pk>/pin", methods=["POST"])
    @protect()
    @safe
    @permission_name("pin")
    def pin(self, pk: int):
        """Pin a note to the top of the client's notes.
        ---
        post:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          responses:
            200: {description: Pinned}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        return self._verb(pk, Note.action_pin)

    @expose("/<int:pk>/unpin", methods=["POST"])
    @protect()
    @safe
    @permission_name("unpin")
    def unpin(self, pk: int):
        """Unpin a note.
        ---
        post:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          responses:
            200: {description: Unpinned}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        return self._verb(pk, Note.action_unpin)
