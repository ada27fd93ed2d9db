"""The client admin's team page: colleagues, their portal access and their portal areas.

Each colleague is one row; ticking an area or inviting someone is an htmx POST that answers
with that row alone (``templates/portal/_team_row.html``). Without JavaScript the same forms
post normally and come back to the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case

from extensions import db
from jobs.portal import invite_contact
from models import (
    ClientContact,
    ClientValidationError,
    Contact,
    PortalAccessError,
    PortalInvitation,
    utcnow,
)

from . import bp
from .access import client_query, current_link, get_for_client, portal_login_required


@dataclass
class TeamRow:
    """What one row of the team page shows about one colleague."""

    link: ClientContact
    access: str  # "active", "invited" or "none"
    invitation: PortalInvitation | None
    is_me: bool
    error: str | None = None
    notice: str | None = None


@bp.route("/team")
@portal_login_required("client_admin")
def team():
    """The client's contacts with their portal access and areas (client admins only)."""
    links = db.session.scalars(
        client_query(ClientContact)
        .join(ClientContact.contact)
        .order_by(
            case((ClientContact.role == "primary", 0), else_=1),
            Contact.last_name,
            Contact.first_name,
        )
    ).all()
    pending = _pending_invitations()
    return render_template(
        "portal/team.html", rows=[_row(link, pending.get(link.id)) for link in links]
    )


@bp.route("/team/<int:link_id>/areas", methods=["POST"])
@portal_login_required("client_admin")
def set_areas(link_id: int):
    """Grant a colleague exactly the ticked portal areas; htmx gets their row back."""
    link = get_for_client(ClientContact, link_id)
    try:
        link.action_set_areas(request.form.getlist("areas"), by=current_link())
    except ClientValidationError as error:
        db.session.rollback()
        return _row_response(link, error=error.message)
    db.session.commit()
    return _row_response(link, notice=f"Areas of {link.contact} saved.")


@bp.route("/team/<int:link_id>/invite", methods=["POST"])
@portal_login_required("client_admin")
def invite(link_id: int):
    """Email a colleague a portal invitation; a new one replaces any earlier link."""
    link = get_for_client(ClientContact, link_id)
    try:
        invitation = invite_contact(link, current_user._get_current_object())
    except PortalAccessError as error:
        db.session.rollback()
        return _row_response(link, error=error.message)
    return _row_response(link, notice=f"Invitation sent to {invitation.email}.")


# ---------------------------------------------------------------- helpers


def _pending_invitations(link_id: int | None = None) -> dict[int, PortalInvitation]:
    """The usable invitation of each of the client's contacts, by link id (newest wins)."""
    query = (
        client_query(PortalInvitation, ClientContact.client_id)
        .join(ClientContact, PortalInvitation.client_contact_id == ClientContact.id)
        .where(
            PortalInvitation.accepted_at.is_(None),
            PortalInvitation.revoked_at.is_(None),
            PortalInvitation.expires_at > utcnow(),
        )
        .order_by(PortalInvitation.created_at)
    )
    if link_id is not None:
        query = query.where(PortalInvitation.client_contact_id == link_id)
    return {inv.client_contact_id: inv for inv in db.session.scalars(query)}


def _row(link: ClientContact, invitation: PortalInvitation | None, **messages) -> TeamRow:
    if link.portal_enabled and link.contact.user is not None:
        access = "active"
    elif invitation is not None:
        access = "invited"
    else:
        access = "none"
    return TeamRow(link, access, invitation, link.id == current_link().id, **messages)


def _row_response(link: ClientContact, error: str | None = None, notice: str | None = None):
    """htmx: the colleague's row alone (422 with the reason when refused); else the page."""
    if request.htmx:
        row = _row(link, _pending_invitations(link.id).get(link.id), error=error, notice=notice)
        return render_template("portal/_team_row.html", row=row), 422 if error else 200
    flash(error or notice, "error" if error else "success")
    return redirect(url_for("portal.team"), 303)
