"""``flask clientdesk ...``: set-up commands, all safe to run twice."""

from __future__ import annotations

import click
from flask.cli import AppGroup

cli = AppGroup("clientdesk", help="ClientDesk set-up: roles and demo data.")


@cli.command("init-roles")
def init_roles() -> None:
    """Create the roles and set their permissions to the matrix in admin/roles.py."""
    from flask import current_app

    from .roles import sync_roles

    for role, count in sync_roles(current_app.appbuilder).items():
        click.echo(f"{role}: {count} permissions")


@cli.command("demo")
def demo() -> None:
    """Load the demo agency (idempotent): clients, contacts, staff and portal logins."""
    from flask import current_app

    from .demo import load_demo
    from .roles import sync_roles

    sync_roles(current_app.appbuilder)
    summary = load_demo()
    for line in summary:
        click.echo(line)


@cli.command("retention")
def retention() -> None:
    """Erase the contacts of clients archived longer than RETENTION_DAYS_AFTER_ARCHIVE."""
    from flask import current_app

    from jobs.privacy import anonymise_expired_contacts

    erased = anonymise_expired_contacts()
    days = current_app.config["RETENTION_DAYS_AFTER_ARCHIVE"]
    click.echo(
        f"{len(erased)} contact(s) of clients archived over {days} days erased"
        + (f": #{', #'.join(map(str, erased))}" if erased else ".")
    )
