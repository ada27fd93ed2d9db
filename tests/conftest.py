"""Test set-up: a real database and, where there is one, a real Redis.

In CI (``CI=true``) the suite runs on PostgreSQL and Redis and stops at once when either is
unreachable. On a laptop without them it falls back to a SQLite file and inline jobs.
``TEST_DATABASE_URL`` and ``TEST_REDIS_URL`` point the suite elsewhere.
"""

from __future__ import annotations

import os
import re
import socket
from urllib.parse import urlparse

import pytest
import redis as redis_lib
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PASSWORD = "Test-Passw0rd-2026!"
KEPT_TABLES = {
    "alembic_version",
    "ab_permission",
    "ab_view_menu",
    "ab_permission_view",
    "ab_role",
    "ab_permission_view_role",
}


def _postgres_reachable(url: str) -> str | None:
    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means "not reachable"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


def _redis_reachable(url: str) -> str | None:
    try:
        redis_lib.Redis.from_url(url, socket_connect_timeout=2).ping()
        return None
    except (redis_lib.RedisError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"


def pytest_configure(config):
    """Pick the services once, before any test; in CI their absence is a failure, not a skip."""
    pg_problem = _postgres_reachable(PG_URL)
    redis_problem = _redis_reachable(REDIS_URL)
    if IN_CI and (pg_problem or redis_problem):
        problems = [
            p
            for p in (
                pg_problem and f"PostgreSQL at {PG_URL}: {pg_problem}",
                redis_problem and f"Redis at {REDIS_URL}: {redis_problem}",
            )
            if p
        ]
        pytest.exit("CI needs PostgreSQL and Redis; " + "; ".join(problems), returncode=3)
    config.clientdesk_db = None if pg_problem else PG_URL
    config.clientdesk_redis = None if redis_problem else REDIS_URL


def pytest_report_header(config):
    return [
        f"clientdesk database: {config.clientdesk_db or 'SQLite (PostgreSQL not reachable)'}",
        f"clientdesk redis: {config.clientdesk_redis or 'none (jobs inline)'}",
    ]


@pytest.fixture(scope="session")
def database_url(pytestconfig, tmp_path_factory):
    if pytestconfig.clientdesk_db:
        engine = create_engine(pytestconfig.clientdesk_db)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return pytestconfig.clientdesk_db
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'clientdesk-test.db'}"


@pytest.fixture(scope="session")
def redis_url(pytestconfig):
    """The Redis URL, or a skip outside CI when there is none (in CI it is always there)."""
    if not pytestconfig.clientdesk_redis:
        pytest.skip("no Redis reachable (CI would fail here instead)")
    return pytestconfig.clientdesk_redis


@pytest.fixture(scope="session")
def app(database_url):
    """One app for the suite, on a freshly migrated database with the roles in place."""
    import flask_migrate

    from admin.roles import sync_roles
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-0123456789abcdef0123456789abcdef",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": None,
            "MAIL_SERVER": None,
            "RATELIMIT_ENABLED": False,
            "AUTH_RATE_LIMITED": False,
            "PUBLIC_URL": "http://portal.test",
            "SERVER_NAME": None,
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        sync_roles(app.appbuilder)
    return app


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Each test starts with no data but the roles and permissions."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    from flask_appbuilder import Model

    from extensions import db

    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(Model.metadata.sorted_tables) if t.name not in KEPT_TABLES]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                _truncate_used(connection, [t.name for t in tables])
            else:
                for table in tables:
                    connection.execute(table.delete())


def _truncate_used(connection, names: list[str]) -> None:
    """Empty the tables a test wrote to and restart the sequences it advanced, as if every
    table had been truncated with RESTART IDENTITY: a TRUNCATE costs the same whether a
    table holds rows or not, and a test touches a handful of the ~90 tables."""
    probe = " UNION ALL ".join(
        f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in names
    )
    written = connection.execute(text(probe)).scalars().all()
    if written:
        listed = ", ".join(f'"{name}"' for name in written)
        connection.execute(text(f"TRUNCATE {listed} CASCADE"))
    # every sequence owned by one of these tables that has handed out a value, even if the
    # rows it numbered were rolled back
    connection.execute(
        text(
            "SELECT setval(format('%I.%I', s.schemaname, s.sequencename), 1, false) "
            "FROM pg_sequences s "
            "JOIN pg_class seq ON seq.relname = s.sequencename "
            "JOIN pg_depend d ON d.objid = seq.oid AND d.deptype IN ('a', 'i') "
            "JOIN pg_class owner ON owner.oid = d.refobjid "
            "WHERE s.last_value IS NOT NULL AND owner.relname = ANY(:names)"
        ),
        {"names": names},
    )


@pytest.fixture
def ctx(app):
    """An app context for tests that talk to the models directly."""
    from extensions import db

    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form at ``url``."""
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    assert match, f"no CSRF token in {url}"
    return match.group(1)


def login_staff(client, username: str, password: str = PASSWORD):
    token = csrf_token(client, "/login/")
    return client.post(
        "/login/", data={"username": username, "password": password, "csrf_token": token}
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def host_port(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    return parsed.hostname, parsed.port


def api_token(app, username: str) -> dict:
    """The Authorization header of a JWT for ``username`` (the REST API's own login)."""
    response = app.test_client().post(
        "/api/v1/security/login",
        json={"username": username, "password": PASSWORD, "provider": "db", "refresh": False},
    )
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def api_for(app, username: str):
    """``call(method, path, json=None)``: REST API calls as ``username``."""
    headers = api_token(app, username)
    http = app.test_client()

    def call(method, path, json=None):
        return http.open(path, method=method, json=json, headers=headers)

    return call
