"""The portal's pages for every signed-in contact: the company dashboard."""

from __future__ import annotations

from datetime import date

from flask import g, render_template

from extensions import db
from models import ClientContact

from . import bp
from .access import client_query, current_client, current_link, portal_login_required
from .billing import open_totals
from .hiring_data import hiring_overview
from .kpis import my_scorecard
from .onboarding import my_onboarding
from .quotes import awaiting_answer
from .survey_links import my_open_surveys
from .tickets import my_support

# Dashboard cards of areas that later issues fill in: (area right, title, what it will hold).
UPCOMING_CARDS: tuple[tuple[str, str, str], ...] = ()


def _area_label(label: str) -> tuple[str, str]:
    """'Hiring: projects, candidates' -> ('Hiring', 'Projects, candidates')."""
    title, _, description = label.partition(": ")
    return title, description[:1].upper() + description[1:]


# Each portal area's short title and description, from ClientContact.AREAS' labels.
AREA_LABELS = {area: _area_label(label) for area, (_attr, label) in ClientContact.AREAS.items()}


@bp.context_processor
def portal_context() -> dict:
    """What every portal template may show: the signed-in contact's link and the area names."""
    return {"portal_link": g.get("portal_link"), "area_labels": AREA_LABELS}


@bp.errorhandler(403)
def forbidden(error):
    """A portal area the contact has no right to: say so inside the portal layout."""
    return render_template("portal/error.html", code=403, error=error), 403


@bp.errorhandler(404)
def not_found(error):
    """Missing and another client's record look the same: a plain 'not found' page."""
    return render_template("portal/error.html", code=404, error=error), 404


@bp.route("/")
@portal_login_required()
def dashboard():
    """The company's home page in the portal."""
    link = current_link()
    primary = db.session.scalar(client_query(ClientContact).where(ClientContact.role == "primary"))
    return render_template(
        "portal/dashboard.html",
        client=current_client(),
        link=link,
        primary_contact=primary.contact if primary else None,
        my_areas=[AREA_LABELS[area] for area in link.areas],
        upcoming=[card for card in UPCOMING_CARDS if link.may(card[0])],
        hiring=hiring_overview() if link.may("hiring") else None,
        quotes=awaiting_answer() if link.may("signatory") else None,
        billing=open_totals(date.today()) if link.may("billing") else None,
        surveys=my_open_surveys(),
        kpis=my_scorecard() if link.may("hiring") else None,
        onboarding=my_onboarding(),
        support=my_support(),
    )
