"""The staff admin: Flask-AppBuilder views and APIs, registered in one place."""

from __future__ import annotations


def register(appbuilder) -> None:
    """Add every admin view and API to ``appbuilder`` (called by ``create_app``)."""
    from .api import ClientApi, ContactApi
    from .contacts import ClientMailView, ContactRelationshipView
    from .views import (
        ArchivedClientView,
        ClientContactView,
        ClientTeamView,
        ClientView,
        ContactView,
        IndustryView,
        LocationView,
        OutboxView,
        PortalInvitationView,
        PortalLoginView,
        TagView,
    )

    appbuilder.add_view(ClientView, "Clients", icon="fa-building", category="Clients")
    appbuilder.add_view(ContactView, "Contacts", icon="fa-address-book", category="Clients")
    appbuilder.add_view(
        ArchivedClientView, "Archived clients", icon="fa-archive", category="Clients"
    )
    appbuilder.add_view_no_menu(ClientContactView)
    appbuilder.add_view_no_menu(LocationView)
    appbuilder.add_view_no_menu(ClientTeamView)
    appbuilder.add_view_no_menu(ClientMailView)
    appbuilder.add_view_no_menu(ContactRelationshipView)
    appbuilder.add_view(TagView, "Tags", icon="fa-tags", category="Settings")
    appbuilder.add_view(IndustryView, "Industries", icon="fa-industry", category="Settings")
    appbuilder.add_view(OutboxView, "Outbox", icon="fa-envelope", category="Mail")
    appbuilder.add_view(
        PortalInvitationView, "Portal invitations", icon="fa-ticket", category="Portal"
    )
    appbuilder.add_view(PortalLoginView, "Portal logins", icon="fa-sign-in", category="Portal")
    appbuilder.add_api(ClientApi)
    appbuilder.add_api(ContactApi)
