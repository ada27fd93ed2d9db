"""The portal's one way into the database.

Every portal route reads through ``client_query()`` or ``get_for_client()``, both bound to
the logged-in contact's client. Another client's record is answered exactly like a record that
does not exist: 404.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user
from htmx_flask import make_response
from sqlalchemy import select

from extensions import db
from models import Client, ClientContact, Contact
from models.access import is_portal_user

SESSION_KEY = "portal_link_id"
STAFF_MESSAGE = "This is a staff account: sign in at /login/ instead."
NO_ACCESS_MESSAGE = "Your portal access is not active. Please contact your account manager."


def portal_links(user) -> list[ClientContact]:
    """The client links through which ``user`` may use the portal, oldest first."""
    if not is_portal_user(user):
        return []
    query = (
        select(ClientContact)
        .join(ClientContact.contact)
        .join(ClientContact.client)
        .where(
            ClientContact.portal_enabled.is_(True),
            Client.archived.is_(False),
        )
        .where(Contact.user_id == user.id)
        .order_by(ClientContact.id)
    )
    return list(db.session.scalars(query))


def current_link() -> ClientContact:
    """The logged-in contact's link to their client (set by ``portal_login_required``).

    :raise 404: outside a portal request.
    """
    link = g.get("portal_link")
    if link is None:
        abort(404)
    return link


def current_client() -> Client:
    """The logged-in contact's client: the one every portal query is bound to.

    :raise 404: outside a portal request.
    """
    return current_link().client


def client_query(model, client_column=None):
    """``select(model)`` restricted to the logged-in client's rows.

    ``client_column`` defaults to ``model.client_id`` (``model.id`` for ``Client`` itself).
    """
    if client_column is None:
        client_column = model.id if model is Client else model.client_id
    return select(model).where(client_column == current_client().id)


def get_for_client(model, pk, client_column=None):
    """One record of the logged-in client's.

    :raise 404: when it does not exist or belongs to another client, alike.
    """
    if client_column is None:
        client_column = model.id if model is Client else model.client_id
    item = db.session.scalar(
        select(model).where(model.id == pk, client_column == current_client().id)
    )
    if item is None:
        abort(404)
    return item


def portal_login_required(area: str | None = None):
    """Route decorator: a signed-in portal user, bound to one client; optionally an area right.

    Anonymous users go to the portal login; staff and users without a live portal link too,
    with a message saying why. A user without the ``area`` right gets 403 (the area exists,
    it is not theirs).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return _to_login()
            if not is_portal_user(current_user):
                flash(STAFF_MESSAGE, "warning")
                return _to_login(keep_next=False)
            links = portal_links(current_user)
            link = next((lk for lk in links if lk.id == session.get(SESSION_KEY)), None)
            link = link or (links[0] if links else None)
            if link is None:
                # Access withdrawn (or the client archived) since they signed in.
                logout_user()
                session.pop(SESSION_KEY, None)
                flash(NO_ACCESS_MESSAGE, "warning")
                return _to_login(keep_next=False)
            session[SESSION_KEY] = link.id
            g.portal_link = link
            if area is not None and not link.may(area):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _to_login(keep_next: bool = True):
    """Send the browser to the portal login: an htmx request is told to load the whole page."""
    wants_next = keep_next and request.method == "GET" and not request.htmx
    target = url_for("portal.login", next=request.full_path.rstrip("?") if wants_next else None)
    if request.htmx:
        return make_response("", 204, redirect=target)
    return redirect(target)
