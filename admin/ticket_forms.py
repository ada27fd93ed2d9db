"""What the service desk's admin screens read from a request: the ticket list's filters and the
"Log a ticket" form. The rules are the ticket's (``models/tickets.py``); these functions turn
typed values into the verb's arguments and refuse what is no choice at all, naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import and_, case, func, literal, or_, select

from extensions import db
from models import Client, ClientContact, Contact, Ticket, TicketError, visible_client_ids
from models.base import UTCDateTime
from models.sla import PRIORITIES
from models.tickets import OPEN_STATUSES, STATUSES

from .base import id_fits
from .visibility import acting_user

# How staff log a request that did not come through the portal.
LOG_CHANNELS = ("phone", "whatsapp", "email", "staff")
CHANNEL_LABELS = {
    "phone": "Phone call",
    "whatsapp": "WhatsApp message",
    "email": "Email",
    "staff": "Staff (on their own behalf)",
    "portal": "Portal",
}
SORTS = {
    "due": "Response due, soonest first",
    "-due": "Response due, latest first",
    "resolution": "Resolution due, soonest first",
    "-created": "Newest first",
}
PAGE_SIZE = 50
# The log form's names for the fields the model names otherwise.
FORM_FIELDS = {"client": "client_id", "contact": "contact_id"}


# ---------------------------------------------------------------- the list


@dataclass(frozen=True)
class TicketFilters:
    status: str = ""  # "", "open" or one of STATUSES
    priority: str = ""
    client_id: int | None = None
    assignee: str = ""  # "", "none", or a user id
    breached: bool = False
    sort: str = "due"
    page: int = 1

    def as_args(self, **changes) -> dict:
        values = {
            "status": self.status,
            "priority": self.priority,
            "client": self.client_id or "",
            "assignee": self.assignee,
            "breached": "1" if self.breached else "",
            "sort": self.sort,
            **changes,
        }
        # the status stays when "any" (blank): left out, it would mean the default, open
        return {k: v for k, v in values.items() if k == "status" or v not in ("", None)}


def read_filters(args) -> TicketFilters:
    """The list's filters from the query string; a value that is no choice is ignored."""
    status = args.get("status", "open")
    priority = args.get("priority", "")
    client = args.get("client", "")
    assignee = args.get("assignee", "")
    sort = args.get("sort", "due")
    page = args.get("page", "1")
    return TicketFilters(
        status=status if status in ("", "open", *STATUSES) else "open",
        priority=priority if priority in PRIORITIES else "",
        client_id=int(client) if id_fits(client) else None,
        assignee=assignee if assignee == "none" or id_fits(assignee) else "",
        breached=args.get("breached") in ("1", "on", "true", "yes"),
        sort=sort if sort in SORTS else "due",
        page=int(page) if id_fits(page) else 1,
    )


def breached_condition(now: datetime):
    """SQL: the ticket missed (or is missing) its response or its resolution target."""
    return or_(
        Ticket.first_response_at > Ticket.response_due_at,
        and_(Ticket.first_response_at.is_(None), Ticket.response_due_at < now),
        Ticket.resolved_at > Ticket.resolution_due_at,
        and_(
            Ticket.resolved_at.is_(None),
            Ticket.status != "closed",
            Ticket.resolution_due_at < func.coalesce(Ticket.paused_at, literal(now, UTCDateTime())),
        ),
    )


def ticket_query(filters: TicketFilters, now: datetime):
    """The visible tickets the filters keep, in the chosen order."""
    query = select(Ticket).where(Ticket.client_id.in_(visible_client_ids(acting_user())))
    if filters.status == "open":
        query = query.where(Ticket.status.in_(OPEN_STATUSES))
    elif filters.status:
        query = query.where(Ticket.status == filters.status)
    if filters.priority:
        query = query.where(Ticket.priority == filters.priority)
    if filters.client_id:
        query = query.where(Ticket.client_id == filters.client_id)
    if filters.assignee == "none":
        query = query.where(Ticket.assignee_id.is_(None))
    elif filters.assignee:
        query = query.where(Ticket.assignee_id == int(filters.assignee))
    if filters.breached:
        query = query.where(breached_condition(now))
    order = {
        "due": [Ticket.response_due_at.asc()],
        "-due": [Ticket.response_due_at.desc()],
        "resolution": [Ticket.resolution_due_at.asc()],
        "-created": [Ticket.created_at.desc()],
    }[filters.sort]
    return query.order_by(*order, Ticket.id)


def client_tickets(client_id: int) -> list[Ticket]:
    """A client's tickets for its page: the open ones first (soonest due), then the rest."""
    still_open = case((Ticket.status.in_(OPEN_STATUSES), 0), else_=1)
    return list(
        db.session.scalars(
            select(Ticket)
            .where(Ticket.client_id == client_id)
            .order_by(still_open, Ticket.response_due_at, Ticket.id.desc())
            .limit(200)
        )
    )


# ---------------------------------------------------------------- the marks


def deadline_mark(due: datetime, done: datetime | None, now: datetime, closed=False):
    """(label, css class) of a deadline: met, breached (done late), overdue (not done, past)."""
    if done is not None:
        return ("breached", "warning") if done > due else ("met", "success")
    if closed:
        return ("", "default")
    return ("overdue", "danger") if now > due else ("", "default")


# ---------------------------------------------------------------- logging a ticket


def visible_clients() -> list[Client]:
    return list(
        db.session.scalars(
            select(Client)
            .where(Client.id.in_(visible_client_ids(acting_user())), Client.archived.is_(False))
            .order_by(Client.name)
        )
    )


def client_contacts(client: Client) -> list[Contact]:
    return list(
        db.session.scalars(
            select(Contact)
            .join(ClientContact, ClientContact.contact_id == Contact.id)
            .where(ClientContact.client_id == client.id)
            .order_by(Contact.last_name, Contact.first_name)
        )
    )


def log_arguments(client: Client, values, files) -> dict:
    """``raise_ticket``'s arguments from the log form (the client is chosen and visible).

    :raise TicketError: naming the form field, for a contact of another client or a channel,
        priority or category that is none of the choices.
    """
    contact = None
    raw = values.get("contact_id", "")
    if raw:
        contact = db.session.get(Contact, int(raw)) if id_fits(raw) else None
        if contact is None or contact not in client_contacts(client):
            raise TicketError(f"Choose one of {client.name}'s contacts.", "contact_id")
    channel = values.get("channel", "")
    if channel not in LOG_CHANNELS:
        raise TicketError("Channel must be phone, whatsapp, email or staff.", "channel")
    return {
        "subject": values.get("subject", ""),
        "description": values.get("description", ""),
        "priority": values.get("priority", ""),
        "category": values.get("category", ""),
        "channel": channel,
        "contact": contact,
        "crisis": values.get("crisis") in ("1", "on", "y", "true"),
        "files": [upload for upload in files.getlist("file") if upload and upload.filename],
    }


def staff_choice(raw, users: list[User]) -> User | None:
    """The staff user an assign form names ("" for nobody).

    :raise TicketError: naming ``assignee`` for someone who is not an active staff user.
    """
    if raw in ("", None):
        return None
    chosen = next((user for user in users if id_fits(raw) and user.id == int(raw)), None)
    if chosen is None:
        raise TicketError("Choose a staff user from the list.", "assignee")
    return chosen
