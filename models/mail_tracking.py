"""Open and click tracking of the mails sent from templates and compose.

The HTML part of a tracked mail ends with a 1×1 pixel (``/portal/t/<token>/o.gif``) and its
links go through a redirect (``/portal/t/<token>/c?u=<address>&s=<signature>``). The signature
ties the address to the message's token, so the redirect cannot be used to send anyone
anywhere else. The plain-text part keeps the real addresses.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from flask import current_app

from .mail_context import text_to_html
from .messaging import OutboxMessage


def _signature(token: str, url: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"click|{token}|{url}".encode(), hashlib.sha256).hexdigest()[:24]


def click_url(token: str, url: str) -> str:
    query = urlencode({"u": url, "s": _signature(token, url)})
    return f"{current_app.config['PUBLIC_URL']}/portal/t/{token}/c?{query}"


def click_is_genuine(token: str, url: str, signature: str) -> bool:
    return bool(url) and hmac.compare_digest(_signature(token, url), signature or "")


def pixel_url(token: str) -> str:
    return f"{current_app.config['PUBLIC_URL']}/portal/t/{token}/o.gif"


def tracked_html(message: OutboxMessage, body_text: str) -> str:
    """The message's HTML part, made from its text, with tracked links and the open pixel."""
    token = message.start_tracking()
    body = text_to_html(body_text, link=lambda url: click_url(token, url))
    pixel = f'<img src="{pixel_url(token)}" width="1" height="1" alt="" style="border:0;">'
    return (
        '<!doctype html>\n<html lang="en">\n<body style="font-family: -apple-system, Segoe UI, '
        'Helvetica, Arial, sans-serif; color: #1f2933; line-height: 1.5;">\n'
        f"{body}\n{pixel}\n</body>\n</html>\n"
    )
