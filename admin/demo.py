"""The demo agency behind ``flask clientdesk demo``: Northstar Talent Partners, Manila.

``load_demo()`` is safe to run any number of times: every record is looked up by its natural
key (a client's short name, a contact's email, a user's username, a tag's or industry's name)
and created only when missing; nothing that exists is changed (the built-in email templates
follow ``models/template_library.py``: an edited one is never touched). It commits once, at
the end.
The data (and the logins the README lists) are in ``admin/demo_data.py``.
"""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import func, select

from extensions import db
from models import Client, ClientContact, ClientTeamMember, Contact, Industry, Location, Tag, utcnow
from models.access import (
    ROLE_ACCOUNT_MANAGER,
    ROLE_ADMIN,
    ROLE_CLIENT,
    ROLE_FINANCE,
    ROLE_RECRUITER,
)
from models.template_library import load_builtin_templates
from models.workflow_defaults import load_default_workflows

from .demo_billing import load_billing
from .demo_commercial import load_commercial
from .demo_conversations import load_conversations
from .demo_data import (
    AGENCY,
    CITIES,
    CLIENTS,
    DIAL_CODES,
    INDUSTRIES,
    PORTAL_LOGINS,
    PRIMARY,
    SECONDARY,
    STAFF_DOMAIN,
    STAFF_LOGINS,
    TAGS,
    VAT_COUNTRIES,
    DemoClient,
)
from .demo_health import load_health
from .demo_onboarding import load_onboarding
from .demo_recruiting import load_recruiting
from .demo_surveys import load_surveys
from .demo_targets import load_targets
from .demo_tickets import load_tickets
from .demo_time import load_time

# ---------------------------------------------------------------- logins (listed in the README)
# ---------------------------------------------------------------- loading


def load_demo() -> list[str]:
    """Create whatever part of the demo agency is missing; return the lines to print.

    :raise RuntimeError: when the roles are missing (run ``flask clientdesk init-roles``).
    """
    sm = current_app.appbuilder.sm
    created: dict[str, int] = {}

    def count(kind: str, n: int = 1) -> None:
        if n:
            created[kind] = created.get(kind, 0) + n

    roles = {}
    for name in (*(s.role for s in STAFF_LOGINS), ROLE_CLIENT):
        roles[name] = sm.find_role(name)
        if roles[name] is None:
            raise RuntimeError(f"Role {name!r} is missing: run `flask clientdesk init-roles`.")

    staff = {}
    for login in STAFF_LOGINS:
        user = sm.find_user(username=login.username)
        if user is None:
            user = _add_user(
                sm,
                login.username,
                login.password,
                login.first_name,
                login.last_name,
                f"{login.first_name}.{login.last_name}@{STAFF_DOMAIN}".lower(),
                roles[login.role],
            )
            count("staff users")
        staff[login.role] = user

    industries = {name: _get_or_create(Industry, count, "industries", name) for name in INDUSTRIES}
    tags = {
        name: _get_or_create(Tag, count, "tags", name, colour=colour)
        for name, colour in TAGS.items()
    }

    clients = {}
    for index, row in enumerate(CLIENTS):
        clients[row.short_name] = _client(row, index, industries, tags, staff, count)

    for login in PORTAL_LOGINS:
        link = next(
            lk for lk in clients[login.client].contact_links if lk.contact.email == login.username
        )
        contact = link.contact
        if contact.user is not None or sm.find_user(username=login.username) is not None:
            continue
        contact.user = _add_user(
            sm,
            login.username,
            login.password,
            contact.first_name,
            contact.last_name,
            login.username,
            roles[ROLE_CLIENT],
        )
        link.portal_enabled = True
        link.action_set_areas(list(login.areas))
        count("portal users")

    load_recruiting(staff, count)
    load_commercial(staff, count)
    load_billing(staff, count)
    count("email templates", load_builtin_templates(db.session).created)
    db.session.flush()  # the default workflows find their templates by key
    # Shipped paused, as for a real agency: someone reads the templates before clients are mailed.
    count("workflows (paused)", len(load_default_workflows(db.session).created))
    load_conversations(staff, count)
    load_surveys(staff, count)
    load_health(count)  # client health snapshots of past days (issue 8)
    load_targets(count)  # the KPI targets agreed with the portal clients (issue 8)
    load_time(staff, count)
    load_tickets(staff, count)  # the service desk (issue 9)
    load_onboarding(staff, count)  # onboarding plans and a service review (issue 9)
    db.session.commit()
    return _summary(created)


def _client(row: DemoClient, index: int, industries, tags, staff, count) -> Client:
    """The demo client ``row``, created with its contacts and locations when missing."""
    client = db.session.scalar(
        select(Client)
        .where(func.lower(Client.short_name) == row.short_name.lower())
        .order_by(Client.archived, Client.id)
        .limit(1)
    )
    if client is None:
        client = _new_client(row, index, industries, tags, staff)
        db.session.add(client)
        count("clients")
    linked = {link.contact.email for link in client.contact_links}
    for first, last, title, department, role in row.contacts:
        email = _email(first, last, row.domain)
        if email in linked:
            continue
        contact = db.session.scalar(select(Contact).where(func.lower(Contact.email) == email))
        if contact is None:
            contact = Contact(
                first_name=first,
                last_name=last,
                title=title,
                department=department,
                email=email,
                phone=_phone(CITIES[row.billing][3], index, len(linked) + 1),
            )
            count("contacts")
        if role == PRIMARY and client.primary_contact is not None:
            role = SECONDARY  # someone made another contact primary since: keep theirs
        client.action_link_contact(contact, role)
        linked.add(email)
    kinds = {location.kind for location in client.locations}
    for kind, city in (("billing", row.billing), ("workplace", row.workplace)):
        if kind not in kinds:
            client.locations.append(_location(kind, city, index))
            count("locations")
    _team(client, row, staff, count)
    return client


def _team(client: Client, row: DemoClient, staff, count) -> None:
    """The demo recruiter works every active client; the manager leads the key accounts."""
    wanted = []
    if row.status == "active":
        wanted.append((staff[ROLE_RECRUITER], "recruiter"))
    if "key-account" in row.tags:
        wanted.append((staff[ROLE_ACCOUNT_MANAGER], "account lead"))
    db.session.flush()
    for user, role in wanted:
        member = db.session.scalar(
            select(ClientTeamMember.id).where(
                ClientTeamMember.client_id == client.id, ClientTeamMember.user_id == user.id
            )
        )
        if member is None:
            db.session.add(ClientTeamMember(client=client, user=user, role=role))
            count("team members")


def _new_client(row: DemoClient, index: int, industries, tags, staff) -> Client:
    label, days, remittance = _terms(row.terms)
    country = CITIES[row.billing][3]
    won = row.status in ("active", "inactive")
    if "key-account" in row.tags:
        owner = staff[ROLE_ADMIN]
    elif row.status == "inactive":
        owner = staff[ROLE_FINANCE]  # finance chases the last invoices of lapsed clients
    else:
        owner = staff[ROLE_ACCOUNT_MANAGER]
    if row.status == "lead":
        manager = None
    elif "volume-hiring" in row.tags:
        manager = staff[ROLE_RECRUITER]
    else:
        manager = staff[ROLE_ACCOUNT_MANAGER]
    return Client(
        name=row.name,
        short_name=row.short_name,
        status=row.status,
        location=row.location,
        industry=industries[row.industry],
        size_band=row.size,
        tags=[tags[name] for name in row.tags],
        email=f"{'accounts' if won else 'hr'}@{row.domain}",
        phone=_phone(country, index, 0),
        website=f"https://www.{row.domain}",
        address=_address(row.billing, index),
        tin=f"{100 + index:03d}-{index * 37 % 1000:03d}-{index * 91 % 1000:03d}-000"
        if row.location == "Local"
        else None,
        vat_number=f"{country}{index * 7919 % 10**9:09d}" if country in VAT_COUNTRIES else None,
        currency=row.currency,
        payment_term_label=label,
        payment_term_days=days,
        remittance_details=remittance,
        # the clock may lag the demo's newest year; stay within the model's rule
        new_business_year=min(row.year, utcnow().year) if row.year else None,
        engagement_manager=manager,
        owner=owner,
    )


def _location(kind: str, city: str, index: int) -> Location:
    street, region, postal_code, country = CITIES[city]
    return Location(
        kind=kind,
        label="Head office (billing)" if kind == "billing" else "Main workplace",
        address_line1=f"{'Floor' if kind == 'billing' else 'Building'} {index % 30 + 2}, {street}",
        city=city,
        region=region,
        postal_code=postal_code,
        country=country,
    )


def _add_user(sm, username, password, first_name, last_name, email, role):
    user = sm.add_user(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        role=role,
        password=password,
        commit=False,
    )
    if not user:
        raise RuntimeError(f"Could not create the demo user {username!r} (see the log).")
    return user


def _get_or_create(model, count, kind: str, name: str, **values):
    item = db.session.scalar(select(model).where(model.name == name))
    if item is None:
        item = model(name=name, **values)
        db.session.add(item)
        count(kind)
    return item


def _terms(terms: str | None) -> tuple[str | None, int | None, str | None]:
    """("Net", 30, None) from "Net 30"; ("Custom", None, "<how>") from "Custom: <how>"."""
    if terms is None:
        return None, None, None
    if terms.startswith("Custom:"):
        return "Custom", None, terms.removeprefix("Custom:").strip()
    label, _, days = terms.partition(" ")
    return label, int(days) if days else None, None


def _email(first: str, last: str, domain: str) -> str:
    local = re.sub(r"[^a-z.]", "", f"{first}.{last}".lower().replace(" ", ""))
    return f"{local}@{domain}"


def _phone(country: str, index: int, person: int) -> str:
    return f"{DIAL_CODES[country]} {5100 + index * 13:04d} {1000 + person * 211:04d}"


def _address(city: str, index: int) -> str:
    street, region, postal_code, country = CITIES[city]
    parts = [f"Floor {index % 30 + 2}, {street}", city, region, postal_code, country]
    return ", ".join(part for part in parts if part)


def _summary(created: dict[str, int]) -> list[str]:
    totals = {
        "clients": db.session.scalar(select(func.count(Client.id))),
        "contacts": db.session.scalar(select(func.count(Contact.id))),
        "client contacts": db.session.scalar(select(func.count(ClientContact.id))),
        "locations": db.session.scalar(select(func.count(Location.id))),
    }
    new = ", ".join(f"{n} {kind}" for kind, n in created.items()) or "nothing, all there already"
    public = current_app.config.get("PUBLIC_URL", "http://127.0.0.1:5000")
    lines = [
        f"Demo agency {AGENCY}: "
        + ", ".join(f"{n} {kind}" for kind, n in totals.items())
        + f" (created: {new}).",
        f"Admin login: {public}/login/",
    ]
    lines += [f"  {s.role:<16} {s.username:<38} {s.password}" for s in STAFF_LOGINS]
    lines.append(f"Portal login: {public}/portal/login")
    lines += [
        f"  {p.client:<16} {p.username:<38} {p.password}  ({', '.join(p.areas)})"
        for p in PORTAL_LOGINS
    ]
    return lines
