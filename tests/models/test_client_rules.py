"""The client rules of seed 001, one test each: a broken rule names its field and is not saved."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Client, ClientArchivedError, ClientValidationError
from tests.factories import ClientFactory, make_user
from tests.models.rules import refused

pytestmark = pytest.mark.usefixtures("ctx")


def valid(**overrides) -> Client:
    values = dict(name="Acme Staffing Inc.", short_name="ACME", location="Local")
    values.update(overrides)
    return Client(**values)


def test_a_valid_client_is_saved():
    db.session.add(valid())
    db.session.commit()
    assert db.session.scalar(select(func.count(Client.id))) == 1


@pytest.mark.parametrize("field", ["name", "short_name"])
@pytest.mark.parametrize("blank", [None, "", "   "])
def test_name_and_short_name_are_required(field, blank):
    message = refused(valid(**{field: blank}), field)
    assert "required" in message


@pytest.mark.parametrize("field", ["name", "short_name"])
def test_name_and_short_name_have_at_least_two_characters(field):
    message = refused(valid(**{field: "X"}), field)
    assert "2 to 191 characters" in message


@pytest.mark.parametrize("field", ["name", "short_name"])
def test_name_and_short_name_have_at_most_191_characters(field):
    refused(valid(**{field: "N" * 192}), field)
    db.session.add(valid(**{field: "N" * 191}))
    db.session.commit()


@pytest.mark.parametrize("field", ["name", "short_name"])
def test_name_and_short_name_are_unique_among_live_clients_whatever_the_case(field):
    ClientFactory(name="Acme Staffing Inc.", short_name="ACME")
    other = {"name": "Other Name", "short_name": "OTHER"}
    taken = {"name": "ACME STAFFING INC.", "short_name": "acme"}[field]
    message = refused(valid(**{**other, field: taken}), field)
    assert "already used" in message


def test_an_archived_clients_names_may_be_reused():
    old = ClientFactory(name="Acme Staffing Inc.", short_name="ACME")
    old.action_archive()
    db.session.commit()
    db.session.add(valid())
    db.session.commit()
    assert db.session.scalar(select(func.count(Client.id))) == 2


def test_the_database_refuses_a_duplicate_live_name_too():
    """The partial unique index holds even when the model's check is bypassed."""
    from sqlalchemy.exc import IntegrityError

    ClientFactory(name="Acme Staffing Inc.", short_name="ACME")
    with pytest.raises(IntegrityError):
        with db.engine.begin() as connection:
            connection.execute(
                Client.__table__.insert().values(
                    name="acme staffing inc.",
                    short_name="ACME2",
                    status="lead",
                    location="Local",
                    archived=False,
                    created_at=datetime.now(UTC),
                    updated_at=datetime.now(UTC),
                )
            )


def test_status_is_one_of_lead_prospect_active_inactive():
    assert "Status must be one of" in refused(valid(status="churned-ish"), "status")


@pytest.mark.parametrize("location", [None, ""])
def test_location_is_required(location):
    assert "required" in refused(valid(location=location), "location")


def test_location_is_local_or_foreign():
    assert "Local or Foreign" in refused(valid(location="Domestic"), "location")


def test_currency_is_an_iso_4217_code():
    assert "ISO 4217" in refused(valid(currency="XYZ"), "currency")
    client = valid(currency="usd")
    db.session.add(client)
    db.session.commit()
    assert client.currency == "USD"


def test_payment_term_label_is_net_mfi_custom_or_immediate():
    refused(valid(payment_term_label="Net 30"), "payment_term_label")


@pytest.mark.parametrize("label", ["Custom", "Immediate", None])
def test_payment_term_days_are_allowed_only_for_net_and_mfi(label):
    message = refused(valid(payment_term_label=label, payment_term_days=30), "payment_term_days")
    assert "only with the Net or MFI" in message


@pytest.mark.parametrize("label", ["Net", "MFI"])
def test_payment_term_days_are_accepted_with_net_and_mfi(label):
    db.session.add(valid(payment_term_label=label, payment_term_days=45))
    db.session.commit()


def test_net_terms_need_their_number_of_days():
    assert "required with the Net" in refused(valid(payment_term_label="Net"), "payment_term_days")


@pytest.mark.parametrize("days", [0, -5, 366])
def test_payment_term_days_are_from_1_to_365(days):
    message = refused(valid(payment_term_label="Net", payment_term_days=days), "payment_term_days")
    assert "1 to 365" in message


@pytest.mark.parametrize("year", [2014, datetime.now(UTC).year + 1])
def test_new_business_year_is_from_2015_to_this_year(year):
    assert "from 2015" in refused(valid(new_business_year=year), "new_business_year")


@pytest.mark.parametrize("year", [2015, datetime.now(UTC).year])
def test_new_business_year_bounds_are_accepted(year):
    db.session.add(valid(new_business_year=year))
    db.session.commit()


@pytest.mark.parametrize("field", ["engagement_manager", "owner"])
def test_engagement_manager_and_owner_are_staff_users(field):
    portal_user = make_user("Client")
    assert "staff user" in refused(valid(**{field: portal_user}), field)
    db.session.rollback()
    db.session.add(valid(**{field: make_user("Account Manager")}))
    db.session.commit()


def test_size_band_is_one_of_the_bands():
    refused(valid(size_band="huge"), "size_band")


def test_client_email_must_look_like_an_email():
    refused(valid(email="not-an-email"), "email")


def test_an_edit_is_checked_like_a_new_client():
    client = ClientFactory()
    client.short_name = "Z"
    assert "2 to 191" in refused(client, "short_name")


def test_violations_lists_every_broken_rule_at_once():
    fields = [e.field for e in valid(name="X", short_name="", location="Mars").violations()]
    assert fields == ["name", "short_name", "location"]


# ---------------------------------------------------------------- archive and restore


def test_archiving_keeps_the_client_and_stamps_the_date():
    client = ClientFactory()
    client.action_archive()
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(Client, client.id)
    assert kept.archived and kept.archived_at.tzinfo is not None
    assert kept not in db.session.scalars(Client.live()).all()


def test_archiving_twice_is_refused():
    client = ClientFactory()
    client.action_archive()
    with pytest.raises(ClientArchivedError):
        client.action_archive()


def test_restoring_brings_the_client_back():
    client = ClientFactory()
    client.action_archive()
    db.session.commit()
    client.action_restore()
    db.session.commit()
    assert not client.archived and client.archived_at is None
    assert client in db.session.scalars(Client.live()).all()


def test_restoring_a_live_client_is_refused():
    with pytest.raises(ClientArchivedError):
        ClientFactory().action_restore()


def test_restoring_is_refused_when_a_live_client_took_the_name():
    old = ClientFactory(name="Acme Staffing Inc.", short_name="ACME")
    old.action_archive()
    db.session.commit()
    ClientFactory(name="Acme Staffing Inc.", short_name="ACME-NEW")
    with pytest.raises(ClientValidationError) as caught:
        old.action_restore()
    assert caught.value.field == "name"
