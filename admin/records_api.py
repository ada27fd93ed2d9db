"""The client page's records in the REST API, each scoped to the clients its user may see
(the timeline and notes are in timeline_api.py).

A record of a client outside the user's visibility answers 404 (read or write), exactly like
the admin's tabs; the permission matrix of the resource behind each API still applies.
"""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from models import Location, NotFoundError

from .base import DomainModelApi
from .roles import RESOURCE_PERMISSIONS
from .visibility import client_is_visible, visible_to_user

PERSON = ["id", "first_name", "last_name"]


class ClientScopedApi(DomainModelApi):
    """A ``DomainModelApi`` over rows with a ``client_id``, limited to the user's clients."""

    class_permission_name = "Client"
    base_permissions = RESOURCE_PERMISSIONS["Client"]
    base_filters = [visible_to_user()]
    # The choices /_info offers for the client (and its ``related`` lookups).
    add_query_rel_fields = edit_query_rel_fields = {"client": [visible_to_user("id")]}

    def _check_client(self, item) -> None:
        """A write naming a client the user may not see is a 404 (it does not exist for them)."""
        client_id = (
            item.client_id if item.client_id is not None else getattr(item.client, "id", None)
        )
        if not client_is_visible(client_id):
            raise NotFoundError("No such client.", "client")

    def pre_add(self, item):
        self._check_client(item)
        super().pre_add(item)

    def pre_update(self, item):
        self._check_client(item)
        super().pre_update(item)


LOCATION_FIELDS = [
    "kind",
    "label",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
]


class LocationApi(ClientScopedApi):
    """A client's addresses (billing, workplace, other)."""

    resource_name = "location"
    datamodel = SQLAInterface(Location)
    list_columns = show_columns = ["id", "client.id", "client.name", *LOCATION_FIELDS]
    add_columns = ["client", *LOCATION_FIELDS]
    edit_columns = LOCATION_FIELDS
    search_columns = ["client", "kind", "city", "country"]
