"""Portal routes (a first stub: the portal issue's helper fills these in)."""

from flask import render_template

from . import bp
from .access import current_client, portal_login_required


@bp.route("/")
@portal_login_required()
def dashboard():
    """The company's home page in the portal."""
    return render_template("portal/dashboard.html", client=current_client())


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Portal sign-in."""
    return "portal login"
