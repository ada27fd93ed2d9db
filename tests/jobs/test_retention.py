"""The retention sweep: contacts of clients archived longer than the period are erased."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import ConfigError, load_config
from extensions import db
from jobs.privacy import anonymise_expired_contacts
from models import Activity, Contact, utcnow
from tests.factories import ClientContactFactory, ClientFactory, ContactFactory


def archived_client(days_ago: int):
    client = ClientFactory()
    client.action_archive()
    client.archived_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return client


@pytest.fixture
def contacts(app):
    """Contacts in each situation the sweep must tell apart, by name -> id."""
    with app.app_context():
        long_ago, recently, live = archived_client(800), archived_client(100), ClientFactory()
        expired = ClientContactFactory(client=long_ago).contact
        also_live = ClientContactFactory(client=long_ago).contact
        ClientContactFactory(client=live, contact=also_live)
        recent = ClientContactFactory(client=recently).contact
        mixed = ClientContactFactory(client=long_ago).contact
        ClientContactFactory(client=recently, contact=mixed)
        unlinked = ContactFactory()
        ids = {
            "expired": expired.id,
            "also_live": also_live.id,
            "recent": recent.id,
            "mixed": mixed.id,
            "unlinked": unlinked.id,
        }
        db.session.remove()
        return ids


def erased(ids) -> set[str]:
    return {
        name
        for name, contact_id in ids.items()
        if db.session.get(Contact, contact_id).erased_at is not None
    }


def test_only_contacts_whose_every_client_is_archived_past_the_period_are_erased(app, contacts):
    with app.app_context():
        assert anonymise_expired_contacts() == [contacts["expired"]]
        assert erased(contacts) == {"expired"}
        contact = db.session.get(Contact, contacts["expired"])
        assert contact.email is None and str(contact) == f"Erased contact #{contact.id}"
        summary = db.session.scalar(select(Activity.summary).where(Activity.kind == "erased"))
        assert summary == f"Contact #{contact.id} erased by the retention policy"


def test_a_second_run_does_nothing(app, contacts):
    with app.app_context():
        anonymise_expired_contacts()
        rows = db.session.scalar(select(func.count()).select_from(Activity))
        assert anonymise_expired_contacts() == []
        assert db.session.scalar(select(func.count()).select_from(Activity)) == rows


def test_the_period_comes_from_the_configuration(app, contacts, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_DAYS_AFTER_ARCHIVE", 90)
    with app.app_context():
        anonymise_expired_contacts()
        assert erased(contacts) == {"expired", "recent", "mixed"}


def test_the_cli_command_runs_the_sweep(app, contacts):
    result = app.test_cli_runner().invoke(args=["clientdesk", "retention"])
    assert result.exit_code == 0, result.output
    assert f"1 contact(s) of clients archived over 730 days erased: #{contacts['expired']}" in (
        result.output
    )
    again = app.test_cli_runner().invoke(args=["clientdesk", "retention"])
    assert "0 contact(s)" in again.output


def test_the_retention_period_defaults_to_730_days():
    assert load_config({"SECRET_KEY": "x"})["RETENTION_DAYS_AFTER_ARCHIVE"] == 730


def test_the_retention_period_is_read_from_the_environment():
    config = load_config({"SECRET_KEY": "x", "RETENTION_DAYS_AFTER_ARCHIVE": "365"})
    assert config["RETENTION_DAYS_AFTER_ARCHIVE"] == 365


@pytest.mark.parametrize("value", ["0", "two years", "-5"])
def test_a_retention_period_that_is_not_a_positive_number_stops_the_app(value):
    with pytest.raises(ConfigError, match="RETENTION_DAYS_AFTER_ARCHIVE"):
        load_config({"SECRET_KEY": "x", "RETENTION_DAYS_AFTER_ARCHIVE": value})
