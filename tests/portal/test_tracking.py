"""Open and click tracking: the pixel counts an open, a tracked link counts a click and goes
where it points, and a link whose address was changed is refused (no open redirect)."""

import html
import re
from urllib.parse import parse_qs, urlencode, urlsplit

from extensions import db
from jobs.client_messages import message_contacts
from models import OutboxMessage
from tests.factories import ClientContactFactory


def a_tracked_mail(app) -> tuple[int, str, str]:
    """A mail with one link; returns its id, token and the tracked link's path and query."""
    with app.app_context():
        link = ClientContactFactory()
        [message] = message_contacts(
            [link], "email", "The shortlist: https://example.test/shortlist", "Shortlist"
        ).queued
        message = db.session.get(OutboxMessage, message.id)
        href = html.unescape(re.search(r'<a href="([^"]+)"', message.body_html).group(1))
        return message.id, message.tracking_token, href.removeprefix("http://portal.test")


def figures(app, message_id):
    with app.app_context():
        m = db.session.get(OutboxMessage, message_id)
        return m.open_count, m.opened_at is not None, m.click_count, m.clicked_at is not None


def test_the_pixel_counts_each_open(app, client):
    message_id, token, _ = a_tracked_mail(app)
    for _ in range(2):
        response = client.get(f"/portal/t/{token}/o.gif")
        assert response.status_code == 200 and response.mimetype == "image/gif"
        assert response.headers["Cache-Control"].startswith("no-store")
    assert figures(app, message_id) == (2, True, 0, False)


def test_an_unknown_token_still_gets_the_pixel_and_counts_nothing(app, client):
    message_id, _, _ = a_tracked_mail(app)
    assert client.get("/portal/t/not-a-token/o.gif").status_code == 200
    assert figures(app, message_id) == (0, False, 0, False)


def test_a_tracked_link_counts_the_click_and_goes_to_its_address(app, client):
    message_id, token, href = a_tracked_mail(app)
    assert href.startswith(f"/portal/t/{token}/c?")
    response = client.get(href)
    assert response.status_code == 302
    assert response.headers["Location"] == "https://example.test/shortlist"
    assert figures(app, message_id) == (1, True, 1, True)  # a click shows it was opened too


def test_a_link_pointing_elsewhere_is_refused(app, client):
    message_id, token, href = a_tracked_mail(app)
    query = parse_qs(urlsplit(href).query)
    forged = urlencode({"u": "https://evil.test/", "s": query["s"][0]})
    assert client.get(f"/portal/t/{token}/c?{forged}").status_code == 404
    assert client.get(f"/portal/t/{token}/c").status_code == 404
    assert figures(app, message_id) == (0, False, 0, False)
