"""A local stand-in for Stripe's HTTP side, and webhook events signed the way Stripe signs them.

``StripeStub`` is a stdlib HTTP server on a loopback port, in a thread. It answers
``POST /v1/checkout/sessions`` like Stripe (id, url, amount_total, currency, metadata...) and
records every request it got (path, form fields, headers). Its checkout ``url`` is a page of
its own, ``/pay/<session id>``: pressing "Pay" there POSTs a correctly signed
``checkout.session.completed`` to ``webhook_url`` (the app, served by a real server) and
redirects the browser to the session's success URL, as Stripe does.

``signed(payload, secret)`` gives the body and the ``Stripe-Signature`` header
(``t=<unix time>,v1=<HMAC-SHA256(secret, f"{t}.{body}")>``), computed for real.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

SECRET_KEY = "sk_test_stub_0123456789"
WEBHOOK_SECRET = "whsec_test_stub_abcdef0123456789"
_ids = itertools.count(1)


def signed(payload: dict | bytes | str, secret: str = WEBHOOK_SECRET, timestamp=None):
    """``(body, header)``: ``payload`` as JSON bytes and its Stripe-Signature header."""
    if isinstance(payload, dict):
        body = json.dumps(payload).encode()
    elif isinstance(payload, str):
        body = payload.encode()
    else:
        body = payload
    t = int(time.time() if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={t},v1={mac}"


def completed_event(
    session: dict, event_id: str | None = None, payment_intent: str | None = None, **changes
) -> dict:
    """A ``checkout.session.completed`` event for ``session`` (as the stub created it), paid."""
    obj = dict(session)
    obj.update(
        status="complete",
        payment_status="paid",
        payment_intent=payment_intent or session.get("payment_intent") or f"pi_{next(_ids)}",
    )
    obj.update(changes)
    return {
        "id": event_id or f"evt_{next(_ids)}",
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }


def _nested(fields: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding (``a[b][0][c]=v``) back into nested dicts (lists as dicts)."""
    result: dict = {}
    for key, value in fields:
        parts = key.replace("]", "").split("[")
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return result


class StripeStub:
    """The stub server; ``requests`` holds what it received, ``sessions`` what it created."""

    def __init__(self):
        self.requests: list[dict] = []
        self.sessions: dict[str, dict] = {}
        self.webhook_url: str | None = None
        self.deliveries: list[tuple[int, str]] = []  # (status, body) the app answered
        self.fail_next: tuple[int, dict] | None = None
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                fields = parse_qsl(raw, keep_blank_values=True)
                stub.requests.append(
                    {"path": self.path, "form": _nested(fields), "headers": dict(self.headers)}
                )
                if self.path == "/v1/checkout/sessions":
                    return self._create_session(_nested(fields))
                if self.path.startswith("/pay/"):
                    return self._pay(self.path.removeprefix("/pay/"))
                return self._json(404, {"error": {"message": "Unrecognized request URL"}})

            def do_GET(self):
                session = stub.sessions.get(self.path.removeprefix("/pay/"))
                if session is None:
                    return self._json(404, {"error": {"message": "No such page"}})
                amount = session["amount_total"] / 100
                page = (
                    "<!doctype html><title>Stub checkout</title>"
                    f"<h1>Pay {session['currency'].upper()} {amount:,.2f}</h1>"
                    f'<form method="post" action="/pay/{session["id"]}">'
                    '<button type="submit">Pay now</button></form>'
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def _create_session(self, form: dict):
                if stub.fail_next is not None:
                    status, body = stub.fail_next
                    stub.fail_next = None
                    return self._json(status, body)
                item = form["line_items"]["0"]
                price = item["price_data"]
                session_id = f"cs_test_{next(_ids)}"
                session = {
                    "id": session_id,
                    "object": "checkout.session",
                    "mode": form.get("mode"),
                    "url": f"{stub.base_url}/pay/{session_id}",
                    "amount_total": int(price["unit_amount"]) * int(item.get("quantity", 1)),
                    "currency": price["currency"],
                    "metadata": form.get("metadata", {}),
                    "client_reference_id": form.get("client_reference_id"),
                    "success_url": form.get("success_url"),
                    "cancel_url": form.get("cancel_url"),
                    "payment_status": "unpaid",
                    "status": "open",
                    "payment_intent": None,
                }
                stub.sessions[session_id] = session
                return self._json(200, session)

            def _pay(self, session_id: str):
                session = stub.sessions[session_id]
                body, header = signed(completed_event(session))
                request = urllib.request.Request(
                    stub.webhook_url,
                    data=body,
                    headers={"Content-Type": "application/json", "Stripe-Signature": header},
                )
                with urllib.request.urlopen(request, timeout=10) as answer:
                    stub.deliveries.append((answer.status, answer.read().decode()))
                self.send_response(303)
                self.send_header("Location", session["success_url"])
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _json(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{next(_ids)}")
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def checkout_requests(self) -> list[dict]:
        return [r for r in self.requests if r["path"] == "/v1/checkout/sessions"]

    def start(self) -> StripeStub:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@contextmanager
def serving(app, monkeypatch) -> Iterator[StripeStub]:
    """The stub running, and the app configured to use it (keys and API base). A test module's
    fixture does ``with serving(app, monkeypatch) as stub: yield stub``."""
    stub = StripeStub().start()
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", SECRET_KEY)
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", stub.base_url)
    try:
        yield stub
    finally:
        stub.stop()
