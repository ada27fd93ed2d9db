"""The permission matrix: which role may do what, in one readable table.

Resources are the ``class_permission_name`` of the admin views and APIs; each view maps its
methods to the resource's actions (``read``, ``write``, ``archive``, ``invite``, ``privacy``:
a contact's data export and erasure). ``flask
clientdesk init-roles`` makes the database match this table exactly, and is safe to run twice.
"""

from __future__ import annotations

from models.access import (
    ROLE_ACCOUNT_MANAGER,
    ROLE_ADMIN,
    ROLE_CLIENT,
    ROLE_FINANCE,
    ROLE_RECRUITER,
)

ALL = "*"

# Every view and API sharing a resource declares the same permissions (FAB prunes the others).
RESOURCE_PERMISSIONS = {
    "Client": ["can_read", "can_write", "can_archive"],
    "Contact": ["can_read", "can_write", "can_invite", "can_privacy"],
    "Reference": ["can_read", "can_write"],
    # The outbox; ``send`` composes mail to a client's contacts through the API.
    "OutboxMessage": ["can_read", "can_send"],
    "PortalAccess": ["can_read"],
    "SavedFilter": ["can_read", "can_write"],
    # Job orders; ``approve`` is the approval step (its levels are checked by the model).
    "JobOrder": ["can_read", "can_write", "can_approve"],
    "Project": ["can_read", "can_write"],
    # Candidates, applications, interviews, placements and the client's evaluations.
    "Pipeline": ["can_read", "can_write"],
    # Quotes; ``send`` puts a draft in front of the client.
    "Quote": ["can_read", "can_write", "can_send"],
    # Contracts and their templates; ``send`` goes to the client for signature, ``approve`` is
    # the approval step (its levels are checked by the model).
    "Contract": ["can_read", "can_write", "can_send", "can_approve"],
    # Offers to candidates; ``approve`` lets an offer above the job order's budget go out.
    "Offer": ["can_read", "can_write", "can_approve"],
    # Invoices and credit notes; ``issue`` numbers a draft, voids or credits it, records a
    # dispute (which pauses collections) and re-sends it.
    "Invoice": ["can_read", "can_write", "can_issue"],
    # Payments received, client credit, statements of account and the aging report.
    "Payment": ["can_read", "can_write"],
    # Collection notices (seed 001: view, create/manage).
    "CollectionNotice": ["can_read", "can_write"],
    # Exchange rates and holidays.
    "BillingSettings": ["can_read", "can_write"],
    # Email templates (and their performance); ``write`` also composes from them.
    "MailTemplate": ["can_read", "can_write"],
    # Conversations with the clients (threads and their messages).
    "Conversation": ["can_read", "can_write"],
    # Automated workflows, their steps and runs; pause and resume are writes.
    "Workflow": ["can_read", "can_write"],
    # Satisfaction surveys and their results; ``send`` puts a survey out (and closes it).
    "Survey": ["can_read", "can_write", "can_send"],
    # KPI targets agreed with each client (issue 8: the portal dashboard, the monthly report).
    "KpiTarget": ["can_read", "can_write"],
    # Time entries (issue 8): a user without Utilization read sees and logs only their own.
    "TimeEntry": ["can_read", "can_write"],
    # The utilization and profitability report, its API, and staff capacity and cost rates.
    "Utilization": ["can_read", "can_write"],
}

MATRIX: dict[str, dict[str, set[str]] | str] = {
    ROLE_ADMIN: ALL,
    ROLE_ACCOUNT_MANAGER: {
        "Client": {"read", "write", "archive"},
        "Contact": {"read", "write", "invite", "privacy"},
        "Reference": {"read", "write"},
        "OutboxMessage": {"read", "send"},
        "PortalAccess": {"read"},
        "SavedFilter": {"read", "write"},
        "JobOrder": {"read", "write", "approve"},
        "Project": {"read", "write"},
        "Pipeline": {"read", "write"},
        "Quote": {"read", "write", "send"},
        "Contract": {"read", "write", "send", "approve"},
        "Offer": {"read", "write", "approve"},
        "Invoice": {"read", "write"},
        "Payment": {"read"},
        "CollectionNotice": {"read"},
        "BillingSettings": {"read"},
        "MailTemplate": {"read", "write"},
        "Conversation": {"read", "write"},
        "Workflow": {"read", "write"},
        "Survey": {"read", "write", "send"},
        "KpiTarget": {"read", "write"},
        "TimeEntry": {"read", "write"},
        "Utilization": {"read"},
    },
    ROLE_RECRUITER: {
        "Client": {"read"},
        "Contact": {"read"},
        "Reference": {"read"},
        "SavedFilter": {"read", "write"},
        "JobOrder": {"read", "write"},
        "Project": {"read", "write"},
        "Pipeline": {"read", "write"},
        "Offer": {"read", "write"},
        "MailTemplate": {"read"},
        "Conversation": {"read", "write"},
        "Workflow": {"read"},
        "Survey": {"read"},
        "KpiTarget": {"read"},
        "TimeEntry": {"read", "write"},
    },
    ROLE_FINANCE: {
        "Client": {"read", "write"},
        "Contact": {"read"},
        "Reference": {"read"},
        "OutboxMessage": {"read", "send"},
        "SavedFilter": {"read", "write"},
        "JobOrder": {"read"},
        "Project": {"read"},
        "Pipeline": {"read"},
        "Quote": {"read", "write"},
        "Contract": {"read"},
        "Invoice": {"read", "write", "issue"},
        "Payment": {"read", "write"},
        "CollectionNotice": {"read", "write"},
        "BillingSettings": {"read", "write"},
        "MailTemplate": {"read"},
        "Conversation": {"read", "write"},
        "Workflow": {"read"},
        "Survey": {"read"},
        "KpiTarget": {"read"},
        "TimeEntry": {"read"},
        "Utilization": {"read", "write"},
    },
    # Portal users reach no admin view and no staff API.
    ROLE_CLIENT: {},
}

# Menu entries (and their categories) are shown to roles that may read the resource behind them.
MENU_RESOURCES = {
    "Clients": "Client",
    "Archived clients": "Client",
    "Activity": "Client",
    "Contacts": "Contact",
    "Settings": "Reference",
    "Tags": "Reference",
    "Industries": "Reference",
    "Mail": "OutboxMessage",
    "Outbox": "OutboxMessage",
    "Portal": "PortalAccess",
    "Portal invitations": "PortalAccess",
    "Portal logins": "PortalAccess",
    "Import CSV": "Client",
    "Possible duplicates": "Client",
    "My saved filters": "SavedFilter",
    "Recruiting": "JobOrder",
    "Job orders": "JobOrder",
    "Projects": "Project",
    "Candidates": "Pipeline",
    "Applications": "Pipeline",
    "Evaluations": "Pipeline",
    "Feedback turnaround": "Pipeline",
    "Commercial": "Quote",
    "Quotes": "Quote",
    "Contracts": "Contract",
    "Contract templates": "Contract",
    "Offers": "Offer",
    "Finance": "Invoice",
    "Invoices": "Invoice",
    "Payments": "Payment",
    "Aging report": "Payment",
    "Collection notices": "CollectionNotice",
    "Exchange rates": "BillingSettings",
    "Holidays": "BillingSettings",
    "Email templates": "MailTemplate",
    "Template performance": "MailTemplate",
    "Communication": "Conversation",
    "Conversations": "Conversation",
    "Workflows": "Workflow",
    "Workflow runs": "Workflow",
    # The category: helper A maps it to "Conversation" (every staff role reads it); until
    # that merges, the surveys' readers open it.
    "Surveys": "Survey",
    "Survey results": "Survey",
    "KPI targets": "KpiTarget",
    # Reports (issue 8): the time and utilization pages (the category itself: "Kpi", below).
    "Time entries": "TimeEntry",
    "Import time entries": "TimeEntry",
    "Staff capacity": "Utilization",
    "Utilization": "Utilization",
}

# Client health (issue 8): the score, its factors, flags and snapshots, read-only; Account
# Managers and Finance read it (it shows payment behaviour), Recruiters do not.
RESOURCE_PERMISSIONS["ClientHealth"] = ["can_read"]
MATRIX[ROLE_ACCOUNT_MANAGER]["ClientHealth"] = {"read"}
MATRIX[ROLE_FINANCE]["ClientHealth"] = {"read"}
MENU_RESOURCES["Client health"] = "ClientHealth"
MENU_RESOURCES.setdefault("Reports", "ClientHealth")

# Client performance (issue 8): the KPIs, benchmarks and Reports pages are read-only figures
# every staff role may read (recruiters need the recruiting ones; the rest are agency figures).
RESOURCE_PERMISSIONS["Kpi"] = ["can_read"]
for _role in (ROLE_ACCOUNT_MANAGER, ROLE_RECRUITER, ROLE_FINANCE):
    MATRIX[_role]["Kpi"] = {"read"}
MENU_RESOURCES.update({"Reports": "Kpi", "KPIs": "Kpi"})

# Service desk (issue 9, the tickets API and the service reports): every staff role reads and
# works tickets (the steps are writes); the service reports are read-only figures for all staff
# (each sees only the clients they may see).
RESOURCE_PERMISSIONS.setdefault("Ticket", ["can_read", "can_write"])
RESOURCE_PERMISSIONS["ServiceReport"] = ["can_read"]
for _role in (ROLE_ACCOUNT_MANAGER, ROLE_RECRUITER, ROLE_FINANCE):
    MATRIX[_role].setdefault("Ticket", {"read", "write"})
    MATRIX[_role]["ServiceReport"] = {"read"}
MENU_RESOURCES["Service reports"] = "ServiceReport"
# Onboarding (issue 9): clients' onboarding plans, their templates and the ongoing service
# reviews; Account Managers run them, Recruiters follow them.
RESOURCE_PERMISSIONS["Onboarding"] = ["can_read", "can_write"]
MATRIX[ROLE_ACCOUNT_MANAGER]["Onboarding"] = {"read", "write"}
MATRIX[ROLE_RECRUITER]["Onboarding"] = {"read"}
MENU_RESOURCES["Onboarding templates"] = "Onboarding"
# Service desk (issue 9): tickets of the clients one may see. ``comment`` adds a comment or an
# internal note; ``write`` logs tickets and takes their steps (acknowledge, assign, resolve...).
# The SLA policies and escalation levels are the Admin's alone.
RESOURCE_PERMISSIONS["Ticket"] = ["can_read", "can_write", "can_comment"]
RESOURCE_PERMISSIONS["ServiceDeskSettings"] = ["can_read", "can_write"]
MATRIX[ROLE_ACCOUNT_MANAGER]["Ticket"] = {"read", "write", "comment"}
MATRIX[ROLE_RECRUITER]["Ticket"] = {"read", "comment"}
MATRIX[ROLE_FINANCE]["Ticket"] = {"read"}
MENU_RESOURCES.update(
    {
        "Service desk": "Ticket",
        "Tickets": "Ticket",
        "SLA policies": "ServiceDeskSettings",
        "Escalation levels": "ServiceDeskSettings",
    }
)
# The email intake (issue 9): the mail it could not file waits in triage; whoever works tickets
# (write) triages it. The list and the mail's page are reads.
RESOURCE_PERMISSIONS["InboundMail"] = ["can_read", "can_write"]
MATRIX[ROLE_ACCOUNT_MANAGER]["InboundMail"] = {"read", "write"}
MENU_RESOURCES.update({"Mail triage": "InboundMail", "Received mail": "InboundMail"})
# Menu entries that open a form only writers may fill in, shown to the roles that may write.
MENU_WRITE_RESOURCES = {"Log a ticket": "Ticket"}

# Every staff user may see and edit their own profile and password, and read the API's docs.
SELF_SERVICE = [
    ("can_get", "OpenApi"),
    ("can_show", "SwaggerView"),
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    ("can_this_form_get", "UserInfoEditView"),
    ("can_this_form_post", "UserInfoEditView"),
    ("can_userinfo", "UserDBModelView"),
    ("resetmypassword", "UserDBModelView"),
    ("userinfoedit", "UserDBModelView"),
]


def grants(role: str) -> set[tuple[str, str]]:
    """The (permission, view) pairs a non-admin role holds."""
    table = MATRIX[role]
    assert table != ALL
    pairs = {
        (f"can_{action}", resource) for resource, actions in table.items() for action in actions
    }
    readable = {resource for resource, actions in table.items() if "read" in actions}
    pairs |= {
        ("menu_access", menu) for menu, resource in MENU_RESOURCES.items() if resource in readable
    }
    writable = {resource for resource, actions in table.items() if "write" in actions}
    pairs |= {
        ("menu_access", menu)
        for menu, resource in MENU_WRITE_RESOURCES.items()
        if resource in writable
    }
    if table:
        pairs |= set(SELF_SERVICE)
    return pairs


def sync_roles(appbuilder) -> dict[str, int]:
    """Create every permission the registered views declare, then set each role to the matrix.

    Returns the number of permissions each role ends up with.
    """
    sm = appbuilder.sm
    session = appbuilder.session
    for role_name in [*MATRIX, sm.auth_role_public]:
        if sm.find_role(role_name) is None:
            sm.add_role(role_name)
    appbuilder.add_permissions(update_perms=True)
    appbuilder._add_menu_permissions(update_perms=True)
    every = session.query(sm.permissionview_model).all()
    by_pair = {(pv.permission.name, pv.view_menu.name): pv for pv in every}
    counts = {}
    for role_name in MATRIX:
        role = sm.find_role(role_name)
        if MATRIX[role_name] == ALL:
            role.permissions = list(every)
        else:
            wanted = grants(role_name)
            missing = wanted - by_pair.keys()
            for permission, view in sorted(missing):
                by_pair[(permission, view)] = sm.add_permission_view_menu(permission, view)
            role.permissions = [by_pair[pair] for pair in sorted(wanted)]
        counts[role_name] = len(role.permissions)
    session.commit()
    return counts
