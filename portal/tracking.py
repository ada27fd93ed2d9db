"""Open and click tracking of outgoing mail: public, no sign-in (mail clients fetch them).

``/portal/t/<token>/o.gif`` answers a transparent pixel and counts an open;
``/portal/t/<token>/c?u=<address>&s=<signature>`` counts a click and redirects to the address
its signature vouches for (see ``models/mail_tracking.py``). Neither reveals anything: an
unknown token still gets the pixel, and a link whose signature does not match is a 404, so the
redirect cannot be used to send people elsewhere.
"""

from __future__ import annotations

import base64

from flask import abort, make_response, redirect, request

from extensions import db
from models import OutboxMessage
from models.mail_tracking import click_is_genuine

from . import bp

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@bp.route("/t/<token>/o.gif")
def open_pixel(token: str):
    """Count an open of the message with this token; always answer the pixel."""
    message = OutboxMessage.by_tracking_token(db.session, token)
    if message is not None:
        message.action_record_open()
        db.session.commit()
    response = make_response(PIXEL)
    response.headers["Content-Type"] = "image/gif"
    response.headers["Cache-Control"] = "no-store, max-age=0"
    return response


@bp.route("/t/<token>/c")
def click(token: str):
    """Count a click on a tracked link and go where it points.

    :raise 404: for a link whose signature does not match its address and token.
    """
    url = request.args.get("u", "")
    if not url.startswith(("http://", "https://")) or not click_is_genuine(
        token, url, request.args.get("s", "")
    ):
        abort(404)
    message = OutboxMessage.by_tracking_token(db.session, token)
    if message is not None:
        message.action_record_click()
        db.session.commit()
    response = redirect(url, code=302)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
