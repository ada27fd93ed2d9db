"""Portal sign-in, sign-out and invitation acceptance.

The portal shares Flask-AppBuilder's one user store with the admin: a contact signs in with
``auth_user_db`` like staff do, but only Client-role users with a live portal link get in here,
and every attempt is written to ``PortalLogin``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from extensions import db
from models import PortalAccessError, PortalInvitation, PortalLogin
from models.access import is_portal_user

from . import bp
from .access import NO_ACCESS_MESSAGE, SESSION_KEY, STAFF_MESSAGE, portal_links
from .forms import InvitationForm, LoginForm

BAD_CREDENTIALS = "The email or password is not correct."


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Portal sign-in: Client-role users with a live portal link only; every attempt recorded."""
    form = LoginForm()
    if request.method == "GET":
        if current_user.is_authenticated and portal_links(current_user):
            return redirect(_safe_next() or url_for("portal.dashboard"))
        return render_template("portal/login.html", form=form, next=_safe_next())
    if not form.validate():
        return _refused(form, form.username.data or "", None, "incomplete form", None, 422)

    username = form.username.data.strip()
    sm = current_app.appbuilder.sm
    user = sm.auth_user_db(username, form.password.data)
    if user is None:
        known = sm.find_user(username=username) or sm.find_user(email=username)
        reason = "unknown user" if known is None else "wrong password"
        if known is not None and not known.active:
            reason = "inactive account"
        return _refused(form, username, known, reason, BAD_CREDENTIALS, 401)
    if not is_portal_user(user):
        return _refused(form, username, user, "staff account", STAFF_MESSAGE, 403)
    links = portal_links(user)
    if not links:
        return _refused(form, username, user, "no portal access", NO_ACCESS_MESSAGE, 403)

    _record(username, user, links[0].client_id, "signed in", succeeded=True)
    db.session.commit()
    login_user(user)
    session[SESSION_KEY] = links[0].id
    return redirect(_safe_next() or url_for("portal.dashboard"))


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """Sign out on POST; GET asks for a click, so that a link elsewhere cannot sign you out."""
    if request.method == "GET":
        if not current_user.is_authenticated:
            return redirect(url_for("portal.login"))
        return render_template("portal/logout.html")
    logout_user()
    session.pop(SESSION_KEY, None)
    flash("You have signed out.", "info")
    return redirect(url_for("portal.login"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """Accept a portal invitation: choose a password, then straight into the portal."""
    try:
        invitation = PortalInvitation.find_usable(token)
    except PortalAccessError as error:
        return _invitation_gone(error)
    form = InvitationForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("portal/invitation.html", form=form, invitation=invitation), status
    try:
        user = invitation.action_accept(form.password.data)
    except PortalAccessError as error:
        db.session.rollback()
        if error.field == "token":
            return _invitation_gone(error)
        form.form_errors.append(error.message)
        return render_template("portal/invitation.html", form=form, invitation=invitation), 422
    db.session.flush()  # the new login needs its id before it is recorded and signed in
    link = invitation.link
    _record(user.username, user, link.client_id, "invitation accepted", succeeded=True)
    db.session.commit()
    login_user(user)
    session[SESSION_KEY] = link.id
    flash(f"Welcome, {user.first_name}: your password is set and you are signed in.", "success")
    return redirect(url_for("portal.dashboard"))


@bp.record_once
def _throttle_passwords(state) -> None:
    """Throttle password guessing on the portal the way Flask-AppBuilder throttles /login/.

    The limiter belongs to each app's security manager, so the views are wrapped when the
    blueprint is registered (their routes are in place by then).
    """
    config = state.app.config
    if config.get("AUTH_RATE_LIMITED"):
        limit = state.app.appbuilder.sm.limiter.limit(config["AUTH_RATE_LIMIT"], methods=["POST"])
        for view in (login, invitation):
            endpoint = f"{state.name}.{view.__name__}"
            state.app.view_functions[endpoint] = limit(view)


# ---------------------------------------------------------------- helpers


def _refused(form: LoginForm, username: str, user, reason: str, message: str | None, status):
    """Record the refused attempt, then show the sign-in form again with the username kept."""
    links = portal_links(user) if user is not None else []
    _record(username, user, links[0].client_id if links else None, reason)
    db.session.commit()
    form.password.data = None
    page = render_template("portal/login.html", form=form, error=message, next=_safe_next())
    return page, status


def _invitation_gone(error: PortalAccessError):
    return render_template("portal/invitation_gone.html", error=error), error.status_code


def _record(username: str, user, client_id: int | None, reason: str, succeeded=False) -> None:
    """Add one sign-in attempt to the audit trail (the caller commits)."""
    db.session.add(
        PortalLogin(
            username=username[:254],
            user_id=user.id if user is not None else None,
            client_id=client_id,
            succeeded=succeeded,
            reason=reason,
            ip=(request.remote_addr or "")[:45] or None,
            user_agent=(request.user_agent.string or "")[:300] or None,
        )
    )


def _safe_next() -> str | None:
    """The ``next`` parameter when it is a relative path inside the portal, else ``None``."""
    target = (request.values.get("next") or "").strip()
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not parts.path.startswith("/portal/")
        or "\\" in target
        or ".." in target
    ):
        return None
    return target
