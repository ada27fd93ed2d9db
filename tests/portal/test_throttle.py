"""Password guessing on the portal is throttled like the staff login (AUTH_RATE_LIMIT)."""

import pytest

from extensions import db
from tests.conftest import PASSWORD, csrf_token


@pytest.fixture
def throttled_client(app):
    """A second app on the suite's database, with Flask-AppBuilder's login throttling on."""
    from app import create_app

    throttled = create_app(
        {
            **{
                key: app.config[key] for key in ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI")
            },
            "REDIS_URL": None,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "AUTH_RATE_LIMITED": True,
            "AUTH_RATE_LIMIT": "3 per minute",
        }
    )
    yield throttled.test_client()
    with throttled.app_context():
        db.engine.dispose()


def test_portal_sign_in_is_refused_after_too_many_attempts(throttled_client, member):
    token = csrf_token(throttled_client, "/portal/login")
    data = {"username": member.username, "password": "Wrong-Passw0rd!", "csrf_token": token}
    answers = [throttled_client.post("/portal/login", data=data).status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]
    data["password"] = PASSWORD
    assert throttled_client.post("/portal/login", data=data).status_code == 429


def test_reading_the_sign_in_form_is_not_throttled(throttled_client):
    assert {throttled_client.get("/portal/login").status_code for _ in range(5)} == {200}
