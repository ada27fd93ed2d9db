"""Admin views: declarations over the models. Rules live on the models, not here."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface

from extensions import db
from models import (
    Client,
    ClientContact,
    ClientTeamMember,
    Contact,
    DomainError,
    Industry,
    Location,
    OutboxMessage,
    PortalInvitation,
    PortalLogin,
    Tag,
)
from models.clients import (
    CLIENT_STATUSES,
    CONTACT_ROLES,
    LATE_FEE_POLICIES,
    LOCATION_KINDS,
    LOCATIONS,
    PAYMENT_TERM_LABELS,
    SIZE_BANDS,
)
from models.segments import REVENUE_BANDS
from models.team import TEAM_ROLES

from .base import READ_WRITE, RulesModelView, apply_to_selected, selected_visible
from .client_page import ActivityView, ClientPage, NoteView
from .contacts import (
    CLIENT_CONTACT_FLAGS,
    CONTACT_PREFERENCE_CHOICES,
    CONTACT_PREFERENCE_DESCRIPTIONS,
    CONTACT_PREFERENCE_LABELS,
    CONTACT_PREFERENCES,
    CONTACTS_TAB_PERMISSIONS,
    ClientMailView,
    ContactRelationshipView,
    ContactsTabMixin,
)
from .conversations import ConversationView
from .documents import ClientDocumentView
from .fields import choice
from .formats import when
from .meetings import MeetingView
from .privacy import PRIVACY_METHODS, ConsentRecordView, ContactPrivacyActions
from .roles import RESOURCE_PERMISSIONS
from .visibility import (
    acting_user,
    contacts_visible_to_user,
    staff_users,
    visible_to_user,
    visible_to_user_or_unassigned,
)

# The client's fields, declared once: the add, edit and show pages and the API use them.
CLIENT_FIELDSETS = [
    ("Client", ["name", "short_name", "status", "location", "industry", "size_band", "tags"]),
    ("Organisation", ["parent"]),
    ("Contact details", ["email", "phone", "website", "address"]),
    (
        "Billing",
        [
            "tin",
            "vat_number",
            "currency",
            "payment_term_label",
            "payment_term_days",
            "remittance_details",
            "credit_limit",
            "late_fee_policy",
            "late_fee_amount",
        ],
    ),
    ("Segmentation", ["revenue_potential", "country", "region"]),
    ("Relationship", ["new_business_year", "engagement_manager", "owner"]),
]
CLIENT_FORM_COLUMNS = [field for _, fields in CLIENT_FIELDSETS for field in fields]
CONTACT_DETAILS = ["first_name", "last_name", "title", "department", "email", "phone"]
CONTACT_FIELDS = [*CONTACT_DETAILS, *CONTACT_PREFERENCES]


CLIENT_CHOICES = {
    "status": choice("Status", CLIENT_STATUSES, blank=None, default="lead"),
    "location": choice("Location", LOCATIONS, blank="Choose Local or Foreign"),
    "payment_term_label": choice("Payment term", PAYMENT_TERM_LABELS),
    "late_fee_policy": choice("Late fee policy", LATE_FEE_POLICIES, blank=None, default="none"),
    "size_band": choice("Size band", SIZE_BANDS),
    "revenue_potential": choice("Revenue potential", REVENUE_BANDS),
}


CLIENT_FORMATTERS = {
    "tags": lambda tags: ", ".join(str(tag) for tag in tags) or "—",
    "created_at": when,
    "updated_at": when,
    "archived_at": when,
}

CLIENT_LABELS = {
    "remittance_details": "Remittance details",
    "created_at": "Created",
    "updated_at": "Last changed",
    "short_name": "Short name",
    "tin": "TIN",
    "vat_number": "VAT number",
    "size_band": "Size band",
    "payment_term_label": "Payment term",
    "payment_term_days": "Payment term days",
    "credit_limit": "Credit limit (base currency)",
    "late_fee_policy": "Late fee policy",
    "late_fee_amount": "Late fee per notice",
    "new_business_year": "New business year",
    "engagement_manager": "Engagement manager",
    "archived_at": "Archived on",
    "revenue_potential": "Revenue potential",
    "parent": "Parent client",
}


class ClientContactView(ContactsTabMixin, RulesModelView):
    """A client's contacts (the client page's Contacts tab) with their role and portal areas."""

    datamodel = SQLAInterface(ClientContact)
    base_filters = [visible_to_user()]
    add_form_query_rel_fields = edit_form_query_rel_fields = search_form_query_rel_fields = {
        "client": [visible_to_user("id")],
        "contact": [contacts_visible_to_user("id")],
    }
    class_permission_name = "Contact"
    list_title = "Contacts"
    list_columns = [
        "contact",
        "contact.email",
        "role",
        "portal_enabled",
        "can_hiring",
        "can_billing",
        "can_sign",
        "is_client_admin",
    ]
    add_columns = edit_columns = [
        "client",
        "contact",
        "role",
        "can_hiring",
        "can_billing",
        "can_sign",
        "is_client_admin",
    ]
    show_columns = [*add_columns, "portal_enabled"]
    label_columns = {
        "contact.email": "Email",
        "portal_enabled": "Portal",
        "can_hiring": "Hiring",
        "can_billing": "Billing",
        "can_sign": "Signatory",
        "is_client_admin": "Client admin",
    }
    search_columns = ["client", "contact", "role"]
    add_form_extra_fields = edit_form_extra_fields = {
        "role": choice("Role", CONTACT_ROLES, blank=None, default="secondary"),
        **CLIENT_CONTACT_FLAGS,
    }
    base_permissions = RESOURCE_PERMISSIONS["Contact"]
    method_permission_name = {**READ_WRITE, "invite": "invite", **CONTACTS_TAB_PERMISSIONS}

    @action(
        "invite",
        "Invite to portal",
        "Email the selected contacts a link to set their portal password?",
        "fa-envelope",
        single=False,
    )
    def invite(self, items):
        from jobs.portal import invite_contact

        for link in selected_visible(items, self):
            try:
                invite_contact(link, acting_user())
            except DomainError as error:
                db.session.rollback()
                flash(f"{link.contact}: {error.message}", "danger")
            else:
                flash(f"Invitation sent to {link.contact.email}.", "success")
        return redirect(request.referrer or self.get_redirect())


class LocationView(RulesModelView):
    datamodel = SQLAInterface(Location)
    base_filters = [visible_to_user()]
    add_form_query_rel_fields = edit_form_query_rel_fields = search_form_query_rel_fields = {
        "client": [visible_to_user("id")]
    }
    list_title = "Locations"
    class_permission_name = "Client"
    list_columns = ["kind", "label", "address_line1", "city", "country"]
    add_columns = edit_columns = show_columns = [
        "client",
        "kind",
        "label",
        "address_line1",
        "address_line2",
        "city",
        "region",
        "postal_code",
        "country",
    ]
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": choice("Kind", LOCATION_KINDS, blank=None, default="billing")
    }
    label_columns = {
        "address_line1": "Address line 1",
        "address_line2": "Address line 2",
        "postal_code": "Postal code",
    }
    base_permissions = RESOURCE_PERMISSIONS["Client"]


class ClientTeamView(RulesModelView):
    """The Team tab: staff on the client's relationship, with their role (manage access)."""

    datamodel = SQLAInterface(ClientTeamMember)
    class_permission_name = "Client"
    method_permission_name = {**READ_WRITE, "remove": "write"}
    base_permissions = RESOURCE_PERMISSIONS["Client"]
    base_filters = [visible_to_user()]
    list_title = "Team"
    list_columns = ["user", "user.email", "role", "added_at"]
    add_columns = ["client", "user", "role"]
    edit_columns = ["role"]
    search_columns = ["user", "role"]
    show_columns = ["client", "user", "role", "added_at"]
    label_columns = {"user": "Staff member", "user.email": "Email", "added_at": "Added"}
    formatters_columns = {"added_at": lambda value: value.strftime("%d %b %Y") if value else ""}
    add_form_extra_fields = edit_form_extra_fields = {
        "role": choice("Role on the relationship", TEAM_ROLES, blank=None, default="recruiter")
    }
    add_form_query_rel_fields = search_form_query_rel_fields = {
        "client": [visible_to_user("id")],
        "user": [staff_users()],
    }

    @action(
        "remove",
        "Remove from team",
        "Take the selected people off this client's team?",
        "fa-user-times",
        single=False,
    )
    def remove(self, items):
        return apply_to_selected(
            items, ClientTeamMember.action_remove, "removed from the team", self
        )


class ClientView(ClientPage, RulesModelView):
    """Live clients. Clients are never deleted: archive them, and restore from Archived clients."""

    datamodel = SQLAInterface(Client)
    class_permission_name = "Client"
    base_filters = [["archived", FilterEqual, False], visible_to_user("id")]
    exclude_route_methods = {"delete"}  # clients are never deleted: archive them
    base_order = ("name", "asc")
    base_permissions = RESOURCE_PERMISSIONS["Client"]
    method_permission_name = {**READ_WRITE, "archive": "archive", "merge": "archive"}
    list_template = "admin/client_list.html"

    list_columns = [
        "name",
        "short_name",
        "status",
        "location",
        "industry",
        "engagement_manager",
        "owner",
    ]
    search_columns = [
        "name",
        "short_name",
        "status",
        "location",
        "industry",
        "tags",
        "engagement_manager",
        "owner",
        "currency",
        "payment_term_label",
        "size_band",
        "revenue_potential",
        "country",
        "region",
    ]
    add_columns = edit_columns = CLIENT_FORM_COLUMNS
    add_form_extra_fields = edit_form_extra_fields = CLIENT_CHOICES
    # A parent client is a live client the user may see (the cycle rule is on the model).
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "parent": [["archived", FilterEqual, False], visible_to_user("id")]
    }
    add_fieldsets = edit_fieldsets = [
        (name, {"fields": fields}) for name, fields in CLIENT_FIELDSETS
    ]
    # The organisation is on the Summary tab, where a parent the user may not see stays unnamed.
    show_fieldsets = [
        *(group for group in add_fieldsets[:-1] if group[0] != "Organisation"),
        ("Relationship", {"fields": [*CLIENT_FIELDSETS[-1][1], "created_at", "updated_at"]}),
    ]
    label_columns = CLIENT_LABELS
    description_columns = {
        "short_name": "2 to 191 characters, unique among live clients.",
        "location": "Local or Foreign: Foreign clients get foreign-currency and tax handling.",
        "currency": "ISO 4217 code, e.g. PHP, USD, EUR.",
        "payment_term_days": "Only with Net or MFI payment terms (e.g. Net 30).",
        "credit_limit": "Open invoices above it (in the base currency) are flagged; blank: none.",
        "late_fee_policy": "none; flat: a fee per collection notice; interest: statutory, by day.",
        "late_fee_amount": "The flat fee charged per notice (with the flat policy).",
        "new_business_year": "The year the client was won, from 2015.",
        "revenue_potential": "What the client could bring in a year, in its own currency.",
        "country": "ISO 3166 two-letter code, e.g. PH, SG, GB.",
        "region": "Province, state or area within the country (needs the country).",
        "parent": "The group this client belongs to, if any (its children are on its Summary).",
    }
    related_views = [
        LocationView,
        ClientContactView,
        ActivityView,
        ClientMailView,
        NoteView,
        MeetingView,
        ClientDocumentView,
        ClientTeamView,
        ConversationView,
    ]
    formatters_columns = CLIENT_FORMATTERS
    list_title = "Clients"
    show_title = "Client"
    add_title = "New client"
    edit_title = "Edit client"

    def pre_add(self, item):
        item.action_take_ownership_if_unowned(acting_user())

    @action(
        "archive",
        "Archive",
        "Archive the selected clients? They are kept and can be restored from Archived clients.",
        "fa-archive",
        single=False,
    )
    def archive(self, items):
        return apply_to_selected(items, Client.action_archive, "archived", self)

    @action("merge", "Merge…", "", "fa-compress", single=False)
    def merge(self, items):
        """Open the merge page for the selected clients, to pick the one kept."""
        ids = ",".join(str(item.id) for item in selected_visible(items, self))
        return redirect(url_for("DuplicatesView.merge", ids=ids))

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            from .saved_filters import saved_filters

            kwargs["saved_filters"] = saved_filters("ClientView")
            kwargs["may_save_filter"] = self.appbuilder.sm.has_access("can_write", "SavedFilter")
        return super().render_template(template, **kwargs)


class ArchivedClientView(RulesModelView):
    """Archived clients, read-only, with restore."""

    datamodel = SQLAInterface(Client)
    class_permission_name = "Client"
    base_filters = [["archived", FilterEqual, True], visible_to_user("id")]
    exclude_route_methods = {"delete", "add", "edit"}
    base_order = ("archived_at", "desc")
    base_permissions = RESOURCE_PERMISSIONS["Client"]
    method_permission_name = {**READ_WRITE, "restore": "archive"}
    list_title = "Archived clients"
    formatters_columns = CLIENT_FORMATTERS
    list_columns = ["name", "short_name", "status", "location", "archived_at"]
    search_columns = ["name", "short_name", "status", "location", "industry"]
    show_columns = ["name", "short_name", "status", "location", "industry", "archived_at"]
    label_columns = CLIENT_LABELS

    @action("restore", "Restore", "Restore the selected clients?", "fa-undo", single=False)
    def restore(self, items):
        return apply_to_selected(items, Client.action_restore, "restored", self)


class ContactView(ContactPrivacyActions, RulesModelView):
    datamodel = SQLAInterface(Contact)
    class_permission_name = "Contact"
    method_permission_name = {**READ_WRITE, **PRIVACY_METHODS}
    # Contacts of the user's clients, and contacts of no client yet.
    base_filters = [contacts_visible_to_user("id")]
    list_columns = [*CONTACT_DETAILS, "engagement_level"]
    search_columns = ["first_name", "last_name", "title", "department", "email", "engagement_level"]
    add_columns = edit_columns = CONTACT_FIELDS
    add_fieldsets = edit_fieldsets = [
        ("Contact", {"fields": CONTACT_DETAILS}),
        ("Communication preferences", {"fields": CONTACT_PREFERENCES}),
    ]
    show_fieldsets = [
        ("Contact", {"fields": [*CONTACT_DETAILS, "user", "created_at", "erased_at"]}),
        ("Communication preferences", {"fields": CONTACT_PREFERENCES}),
    ]
    add_form_extra_fields = edit_form_extra_fields = CONTACT_PREFERENCE_CHOICES
    label_columns = {"user": "Portal login", "erased_at": "Erased on", **CONTACT_PREFERENCE_LABELS}
    description_columns = CONTACT_PREFERENCE_DESCRIPTIONS
    related_views = [ClientContactView, ContactRelationshipView, ConsentRecordView]
    base_order = ("last_name", "asc")
    base_permissions = RESOURCE_PERMISSIONS["Contact"]


class TagView(RulesModelView):
    datamodel = SQLAInterface(Tag)
    class_permission_name = "Reference"
    list_columns = add_columns = edit_columns = show_columns = ["name", "colour"]
    search_columns = ["name"]
    base_permissions = RESOURCE_PERMISSIONS["Reference"]


class IndustryView(RulesModelView):
    datamodel = SQLAInterface(Industry)
    class_permission_name = "Reference"
    list_columns = add_columns = edit_columns = show_columns = ["name"]
    search_columns = ["name"]
    base_permissions = RESOURCE_PERMISSIONS["Reference"]


class OutboxView(RulesModelView):
    """Mail as it leaves (or, without MAIL_SERVER, stays): read-only."""

    datamodel = SQLAInterface(OutboxMessage)
    class_permission_name = "OutboxMessage"
    base_filters = [visible_to_user_or_unassigned()]
    base_order = ("created_at", "desc")
    list_columns = ["created_at", "channel", "recipient", "subject", "kind", "status", "attempts"]
    show_columns = [
        "created_at",
        "delivered_at",
        "channel",
        "to_name",
        "to_email",
        "to_phone",
        "provider_ref",
        "subject",
        "kind",
        "status",
        "attempts",
        "error",
        "next_attempt_at",
        "template",
        "opened_at",
        "open_count",
        "clicked_at",
        "click_count",
        "responded_at",
        "body_text",
    ]
    search_columns = ["channel", "to_email", "to_phone", "subject", "kind", "status"]
    label_columns = {
        "recipient": "To",
        "to_email": "Email",
        "to_phone": "Phone",
        "to_name": "Recipient",
        "body_text": "Body",
        "provider_ref": "Provider id",
        "next_attempt_at": "Next attempt",
        "opened_at": "First opened",
        "open_count": "Opens",
        "clicked_at": "First click",
        "click_count": "Clicks",
        "responded_at": "Answered",
    }
    base_permissions = RESOURCE_PERMISSIONS["OutboxMessage"]


class PortalInvitationView(RulesModelView):
    datamodel = SQLAInterface(PortalInvitation)
    class_permission_name = "PortalAccess"
    base_order = ("created_at", "desc")
    list_columns = [
        "created_at",
        "email",
        "link",
        "invited_by",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    show_columns = list_columns
    search_columns = ["email"]
    base_permissions = RESOURCE_PERMISSIONS["PortalAccess"]


class PortalLoginView(RulesModelView):
    datamodel = SQLAInterface(PortalLogin)
    class_permission_name = "PortalAccess"
    base_order = ("at", "desc")
    list_columns = ["at", "username", "succeeded", "reason", "ip"]
    show_columns = [*list_columns, "user_agent", "client_id"]
    search_columns = ["username", "succeeded"]
    base_permissions = RESOURCE_PERMISSIONS["PortalAccess"]
