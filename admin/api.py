"""The staff REST API under /api/v1/: JWT login at /api/v1/security/login, no deletes."""

from __future__ import annotations

from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name

from models import Client, Contact, NotFoundError

from .base import DomainModelApi
from .roles import RESOURCE_PERMISSIONS
from .views import CLIENT_FORM_COLUMNS, CONTACT_FIELDS
from .visibility import acting_user, client_is_visible, contacts_visible_to_user, visible_to_user

RELATIONS = {"industry", "tags", "engagement_manager", "owner", "parent"}
CLIENT_FIELDS = [field for field in CLIENT_FORM_COLUMNS if field not in RELATIONS]
# Related users are shown by these fields only: never a whole user row (it holds the hash).
PERSON = ["id", "first_name", "last_name", "email"]
CLIENT_API_COLUMNS = [
    "id",
    *CLIENT_FIELDS,
    "industry.id",
    "industry.name",
    "parent.id",
    *(f"engagement_manager.{f}" for f in PERSON),
    *(f"owner.{f}" for f in PERSON),
    "archived",
    "archived_at",
]
CLIENT_WRITE_COLUMNS = [*CLIENT_FIELDS, "industry", "engagement_manager", "owner", "parent"]


class ClientApi(DomainModelApi):
    resource_name = "client"
    class_permission_name = "Client"
    base_permissions = RESOURCE_PERMISSIONS["Client"]
    datamodel = SQLAInterface(Client)
    method_permission_name = {
        **DomainModelApi.method_permission_name,
        "archive": "archive",
        "restore": "archive",
    }
    include_route_methods = DomainModelApi.include_route_methods | {"archive", "restore"}
    list_columns = show_columns = CLIENT_API_COLUMNS
    add_columns = edit_columns = CLIENT_WRITE_COLUMNS
    search_columns = ["name", "short_name", "status", "location", "industry", "archived"]
    order_columns = ["name", "short_name", "status", "created_at"]
    base_order = ("name", "asc")
    base_filters = [visible_to_user("id")]

    add_query_rel_fields = edit_query_rel_fields = {"parent": [visible_to_user("id")]}

    def pre_add(self, item):
        item.action_take_ownership_if_unowned(acting_user())
        _check_parent(item)
        super().pre_add(item)

    def pre_update(self, item):
        _check_parent(item)
        super().pre_update(item)

    @expose("/<int:pk>/archive", methods=["POST"])
    @protect()
    @safe
    @permission_name("archive")
    def archive(self, pk: int):
        """Archive a client (clients are never deleted).
        ---
        post:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          responses:
            200: {description: Archived}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        return self._verb(pk, Client.action_archive)

    @expose("/<int:pk>/restore", methods=["POST"])
    @protect()
    @safe
    @permission_name("restore")
    def restore(self, pk: int):
        """Restore an archived client.
        ---
        post:
          parameters:
          - in: path
            schema: {type: integer}
            name: pk
          responses:
            200: {description: Restored}
            404: {$ref: '#/components/responses/404'}
            422: {$ref: '#/components/responses/422'}
        """
        return self._verb(pk, Client.action_restore)


def _check_parent(client: Client) -> None:
    """A parent must be a live client the user may see (as the admin form offers)."""
    parent = client.parent
    if parent is not None and (parent.archived or not client_is_visible(parent.id)):
        raise NotFoundError("No such live client to be the parent.", "parent")


class ContactApi(DomainModelApi):
    resource_name = "contact"
    class_permission_name = "Contact"
    base_permissions = RESOURCE_PERMISSIONS["Contact"]
    datamodel = SQLAInterface(Contact)
    list_columns = show_columns = ["id", *CONTACT_FIELDS]
    add_columns = edit_columns = CONTACT_FIELDS
    search_columns = ["first_name", "last_name", "email"]
    base_order = ("last_name", "asc")
    base_filters = [contacts_visible_to_user("id")]
