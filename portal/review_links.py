"""One-click review links from the feedback reminders: no sign-in, the signed token names the
contact. A GET only shows the decision with one button (mail scanners fetch links); the POST
(with its CSRF token) records it as the contact's evaluation.

The token is this page's access check: ``ReviewLink.load`` reads only the application and the
contact it names, and ``ReviewLink.refusal`` refuses a contact who is not the application's
client's without showing anything of the candidate.
"""

from __future__ import annotations

from flask import make_response, render_template, request

from extensions import db
from models import DomainError
from models.feedback import ReviewLink, ReviewLinkError, ReviewLinkNotYoursError

from . import bp


@bp.route("/review/<token>", methods=["GET", "POST"])
def review_link(token: str):
    """Show a one-click decision to confirm (GET), record it (POST)."""
    try:
        link = ReviewLink.load(token)
    except ReviewLinkError as error:
        return _refused(error)
    refused = link.refusal()
    if refused is not None:
        return _refused(refused, None if isinstance(refused, ReviewLinkNotYoursError) else link)
    if request.method == "GET":
        return _page(render_template("portal/review.html", link=link, step="confirm"))
    try:
        evaluation, changed = link.action_record()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _refused(error, link)
    return _page(
        render_template(
            "portal/review.html", link=link, step="done", evaluation=evaluation, changed=changed
        )
    )


def _refused(error: DomainError, link: ReviewLink | None = None):
    """The reason a link cannot be used; the candidate is shown only to the client's own."""
    page = render_template("portal/review.html", link=link, step="refused", error=error)
    return _page(page, error.status_code)


def _page(body: str, status: int = 200):
    """The page, kept out of caches and without the token in any Referer it causes."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
