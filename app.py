"""ClientDesk application factory.

``create_app(config=None)`` reads its configuration from the environment (see the README's
table); ``config`` overrides any of it, which is how the tests point it at their database.
"""

from __future__ import annotations

import os
import secrets
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, jsonify, redirect, request, url_for
from flask_appbuilder import AppBuilder
from flask_login import current_user

from extensions import csrf, db, htmx, migrate

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"


class ConfigError(SystemExit):
    """The configuration cannot be used: the app refuses to start, with a one-line reason."""


def _secret_key(env: dict, production: bool) -> str:
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"]
    if production:
        raise ConfigError(
            "clientdesk: SECRET_KEY must be set in production (CLIENTDESK_ENV=production)."
        )
    key_file = INSTANCE / "secret_key"
    if not key_file.exists():
        INSTANCE.mkdir(exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _positive_int(env: dict, name: str, default: int) -> int:
    raw = env.get(name) or str(default)
    if not raw.strip().isdigit() or int(raw) < 1:
        raise ConfigError(f"clientdesk: {name} must be a whole number of days, 1 or more.")
    return int(raw)


def _port(env: dict, name: str, default: int) -> int:
    raw = (env.get(name) or str(default)).strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ConfigError(f"clientdesk: {name} must be a port number from 1 to 65535.")
    return int(raw)


def _amount(env: dict, name: str, default: str) -> Decimal:
    raw = (env.get(name) or default).strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0:
        raise ConfigError(f"clientdesk: {name} must be an amount such as 50000 or 50000.00.")
    return value


def _words(env: dict, name: str, default: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in (env.get(name) or default).split(",") if w.strip())


def _days_list(env: dict, name: str, default: str) -> tuple[int, ...]:
    """Increasing whole numbers of days, e.g. ``1,15,30,60``."""
    raw = env.get(name) or default
    parts = [p.strip() for p in raw.split(",")]
    if not all(p.isdigit() and int(p) > 0 for p in parts) or len(parts) != 4:
        raise ConfigError(f"clientdesk: {name} must be four whole numbers of days, e.g. {default}.")
    days = tuple(int(p) for p in parts)
    if list(days) != sorted(set(days)):
        raise ConfigError(f"clientdesk: {name} must increase, e.g. {default}.")
    return days


def _desk_hours(env: dict) -> tuple[int, int]:
    """``SERVICE_DESK_HOURS``: the working window, ``9-17`` (opening and closing hour)."""
    raw = (env.get("SERVICE_DESK_HOURS") or "9-17").strip()
    opens, _, closes = raw.partition("-")
    if not (opens.strip().isdigit() and closes.strip().isdigit()) or not (
        0 <= int(opens) < int(closes) <= 24
    ):
        raise ConfigError(
            "clientdesk: SERVICE_DESK_HOURS must be an opening and a closing hour, e.g. 9-17."
        )
    return int(opens), int(closes)


def _time_zone(env: dict, name: str) -> str:
    raw = (env.get(name) or "UTC").strip()
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"clientdesk: {name} must be a time zone name such as Asia/Manila."
        ) from None
    return raw


def _flag(env: dict, name: str) -> bool:
    return (env.get(name) or "").strip().lower() in ("1", "true", "yes")


def _health_weights(env: dict) -> dict[str, Decimal]:
    """``HEALTH_WEIGHTS``: ``factor=weight`` pairs, comma-separated; unnamed factors keep
    their default weight (``models.health_factors.DEFAULT_WEIGHTS``)."""
    from models.health_factors import DEFAULT_WEIGHTS

    weights = {key: Decimal(value) for key, value in DEFAULT_WEIGHTS.items()}
    for part in (env.get("HEALTH_WEIGHTS") or "").split(","):
        if not part.strip():
            continue
        key, _, raw = part.partition("=")
        key = key.strip()
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            value = Decimal(-1)
        if key not in weights or not value.is_finite() or value < 0:
            raise ConfigError(
                "clientdesk: HEALTH_WEIGHTS must be factor=weight pairs (weights 0 or more) "
                f"of {', '.join(weights)}, e.g. payment=30,pipeline=5."
            )
        weights[key] = value
    if not any(weights.values()):
        raise ConfigError("clientdesk: HEALTH_WEIGHTS must give at least one factor a weight.")
    return weights


def load_config(env: dict | None = None) -> dict:
    """Configuration from the environment, as documented in the README."""
    env = dict(os.environ if env is None else env)
    production = env.get("CLIENTDESK_ENV", "development") == "production"
    redis_url = env.get("REDIS_URL") or None
    return {
        "CLIENTDESK_ENV": "production" if production else "development",
        "SECRET_KEY": _secret_key(env, production),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL")
        or f"sqlite:///{INSTANCE / 'clientdesk.db'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": _port(env, "MAIL_PORT", 25),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER")
        or "ClientDesk <no-reply@clientdesk.local>",
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes"),
        "SMS_PROVIDER": env.get("SMS_PROVIDER") or "outbox",
        # The service desk's mailbox: the Reply-To of ticket emails, read by fetch-mail (IMAP).
        "SUPPORT_EMAIL": env.get("SUPPORT_EMAIL") or None,
        "IMAP_HOST": env.get("IMAP_HOST") or None,
        # 993 is IMAP over TLS; with IMAP_SSL=false the server usually listens on 143.
        "IMAP_PORT": _port(env, "IMAP_PORT", 993),
        "IMAP_USER": env.get("IMAP_USER") or None,
        "IMAP_PASSWORD": env.get("IMAP_PASSWORD") or None,
        "IMAP_MAILBOX": env.get("IMAP_MAILBOX") or "INBOX",
        "IMAP_SSL": env.get("IMAP_SSL", "true").lower() in ("1", "true", "yes"),
        "PUBLIC_URL": (env.get("PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "RETENTION_DAYS_AFTER_ARCHIVE": _positive_int(env, "RETENTION_DAYS_AFTER_ARCHIVE", 730),
        # A relative UPLOAD_FOLDER is taken from the project's folder, not the current one.
        "UPLOAD_FOLDER": str(ROOT / (env.get("UPLOAD_FOLDER") or INSTANCE / "uploads")),
        "IMPORT_FOLDER": str(ROOT / (env.get("IMPORT_FOLDER") or INSTANCE / "imports")),
        # Job orders whose estimated fee is above this need a second approval (by an Admin).
        "JOB_ORDER_SECOND_APPROVAL_FEE": _amount(env, "JOB_ORDER_SECOND_APPROVAL_FEE", "50000"),
        # Days a presented candidate may wait for the client's review before a reminder goes.
        "FEEDBACK_REMINDER_DAYS": _positive_int(env, "FEEDBACK_REMINDER_DAYS", 3),
        "CONVERSATION_POLL_SECONDS": _positive_int(env, "CONVERSATION_POLL_SECONDS", 20),
        "DOCUMENT_MAX_BYTES": _positive_int(env, "DOCUMENT_MAX_BYTES", 10 * 1024 * 1024),
        # The letterhead of quotes, contracts and offer letters (the details only when set).
        "AGENCY_NAME": env.get("AGENCY_NAME") or "Northstar Talent Partners",
        **{
            f"AGENCY_{detail}": (env.get(f"AGENCY_{detail}") or "").strip() or None
            for detail in ("ADDRESS", "EMAIL", "PHONE", "WEBSITE")
        },
        # Contracts worth more than this need two approvals (Account Manager, then Admin)
        # before they are sent; the owner hears of a renewal this many days before it.
        "CONTRACT_APPROVAL_VALUE": _amount(env, "CONTRACT_APPROVAL_VALUE", "50000"),
        "CONTRACT_RENEWAL_NOTICE_DAYS": _positive_int(env, "CONTRACT_RENEWAL_NOTICE_DAYS", 30),
        # Days an extended offer stays open unless it names its own expiry date.
        "OFFER_VALID_DAYS": _positive_int(env, "OFFER_VALID_DAYS", 7),
        # Billing: amounts are also shown in the base currency (at the rate captured when an
        # invoice is issued); Local clients pay VAT_RATE %, Foreign ones are zero-rated.
        "BASE_CURRENCY": (env.get("BASE_CURRENCY") or "USD").strip().upper(),
        "VAT_RATE": _amount(env, "VAT_RATE", "12.00"),
        "DEFAULT_PAYMENT_TERM_DAYS": _positive_int(env, "DEFAULT_PAYMENT_TERM_DAYS", 30),
        "BUSINESS_UNITS": _words(env, "BUSINESS_UNITS", "Permanent,Contract,Executive,Consulting"),
        # Printed on every invoice: where and how to pay.
        "PAYMENT_INSTRUCTIONS": env.get("PAYMENT_INSTRUCTIONS")
        or "Bank transfer to the account on your contract, quoting the invoice number.",
        # Collections: days overdue at which the first, second, final notice and the legal
        # escalation are due; statutory late interest = reference rate + margin (% a year).
        "COLLECTION_LEVEL_DAYS": _days_list(env, "COLLECTION_LEVEL_DAYS", "1,15,30,60"),
        "LATE_INTEREST_REFERENCE_RATE": _amount(env, "LATE_INTEREST_REFERENCE_RATE", "4.00"),
        "LATE_INTEREST_MARGIN": _amount(env, "LATE_INTEREST_MARGIN", "8.00"),
        # Online payment (Stripe): off unless a secret key is set; the API base is for tests.
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY") or None,
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET") or None,
        "STRIPE_API_BASE": (env.get("STRIPE_API_BASE") or "https://api.stripe.com").rstrip("/"),
        # The client health score's factor weights (normalised by their sum).
        "HEALTH_WEIGHTS": _health_weights(env),
        # Utilization (issue 8): a staff user's hours a week and hourly cost (base currency)
        # when they have no staff capacity row; the hours an open job order takes a week.
        "DEFAULT_WEEKLY_CAPACITY_HOURS": _positive_int(env, "DEFAULT_WEEKLY_CAPACITY_HOURS", 40),
        "DEFAULT_COST_RATE": _amount(env, "DEFAULT_COST_RATE", "50.00"),
        "HOURS_PER_OPEN_ORDER_WEEK": _positive_int(env, "HOURS_PER_OPEN_ORDER_WEEK", 6),
        # The service desk (issue 9): the working window business-hour SLAs count in, and
        # whether the default SLA targets count business hours (a policy row says it itself).
        "SERVICE_DESK_HOURS": _desk_hours(env),
        "SERVICE_DESK_TIMEZONE": _time_zone(env, "SERVICE_DESK_TIMEZONE"),
        "SLA_BUSINESS_HOURS": _flag(env, "SLA_BUSINESS_HOURS"),
        # Flask-AppBuilder
        "APP_NAME": "ClientDesk",
        "FAB_CREATE_DB": False,  # tables come from Alembic migrations
        "FAB_UPDATE_PERMS": False,  # permissions come from `flask clientdesk init-roles`
        "FAB_API_SWAGGER_UI": True,
        "FAB_ADD_SECURITY_API": False,
        "FAB_PASSWORD_COMPLEXITY_ENABLED": True,
        "FAB_SECURITY_MANAGER_CLASS": "admin.security.ClientDeskSecurityManager",
        "AUTH_ROLE_ADMIN": "Admin",
        "AUTH_ROLE_PUBLIC": "Public",
        "AUTH_RATE_LIMITED": True,
        "AUTH_RATE_LIMIT": "10 per 20 second",
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
        "JWT_ACCESS_TOKEN_EXPIRES": 3600,
    }


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE), static_folder="static")
    app.config.update(load_config())
    if config:
        app.config.update(config)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:///:memory:"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    with app.app_context():
        import models  # noqa: F401  (registers every table on the metadata)
        from admin.index import HomeView

        appbuilder = AppBuilder(indexview=HomeView, update_perms=False)
        appbuilder.init_app(app, db.session)
        from admin import register as register_admin

        register_admin(appbuilder)
    from admin.kpis import figure

    # a KPI's value with its unit, the same in the admin, the portal and the PDFs
    app.jinja_env.filters["kpi_figure"] = figure

    from portal import bp as portal_bp

    app.register_blueprint(portal_bp)
    from portal.billing_webhook import bp as webhooks_bp  # the payment provider's, public

    app.register_blueprint(webhooks_bp)
    _register_guards(app)
    _register_error_handlers(app)

    from admin.commands import cli

    app.cli.add_command(cli)
    return app


def _register_guards(app: Flask) -> None:
    from models.access import is_portal_user

    open_prefixes = ("/portal", "/static", "/logout", "/lang")

    @app.before_request
    def keep_portal_users_in_the_portal():
        """Client-role users reach the portal and nothing else: 403 for admin views and APIs."""
        if request.path.startswith(open_prefixes):
            return None
        if current_user.is_authenticated and is_portal_user(current_user):
            if request.path in ("/", "/login/"):
                return redirect(url_for("portal.dashboard"))
            if request.path.startswith("/api/"):
                return jsonify(message="Forbidden: staff only."), 403
            return "Forbidden: this area is for agency staff. Use the client portal.", 403
        return None


def _register_error_handlers(app: Flask) -> None:
    from sqlalchemy.exc import DataError

    from models import DomainError

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        if request.path.startswith("/api/"):
            return jsonify(error.as_json()), error.status_code
        return error.message, error.status_code

    @app.errorhandler(DataError)
    def number_out_of_range(error: DataError):
        """An id in a URL past the database's integers names no record: 404, not a 500."""
        db.session.rollback()
        if type(error.orig).__name__ != "NumericValueOutOfRange":
            raise error
        if request.path.startswith("/api/"):
            return jsonify(message="Not found"), 404
        return "Not found", 404


if __name__ == "__main__":  # pragma: no cover
    try:
        create_app().run()
    except ConfigError as exc:
        sys.exit(str(exc))
