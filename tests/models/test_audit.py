"""The audit trail: every create, update, archive and restore of a client or a contact lands on
the timeline by itself, with who, when, and the values before and after."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from models import Activity, Client, ClientContact, Contact, audit_paused
from models.audit import display
from tests.factories import ClientFactory, ContactFactory, TagFactory, make_user

pytestmark = pytest.mark.usefixtures("ctx")


def trail(**where) -> list[Activity]:
    query = select(Activity).order_by(Activity.id)
    for column, value in where.items():
        query = query.where(getattr(Activity, column) == value)
    return list(db.session.scalars(query))


def test_creating_a_client_records_created_with_its_initial_values():
    client = ClientFactory(name="Acme Staffing", status="lead")
    (row,) = trail(client_id=client.id)
    assert row.kind == "created" and row.subject_type == "client" and row.subject_id == client.id
    assert row.summary == "Client created: Acme Staffing"
    assert row.changes["name"] == [None, "Acme Staffing"]
    assert row.changes["status"] == [None, "lead"]
    assert "archived" not in row.changes  # empty defaults are not news
    assert row.at is not None and row.actor is None  # no request: the system did it


def test_an_update_records_each_changed_field_before_and_after():
    client = ClientFactory(name="Acme", email=None, payment_term_days=30)
    client.name = "Acme Group"
    client.email = "hello@acme.example"
    client.payment_term_days = 45
    db.session.commit()
    row = trail(client_id=client.id, kind="updated")[0]
    assert row.changes == {
        "name": ["Acme", "Acme Group"],
        "email": [None, "hello@acme.example"],
        "payment_term_days": [30, 45],
    }
    assert row.summary == "Client details changed: Name, Email, Payment term days"


def test_a_save_that_changes_nothing_leaves_no_row():
    client = ClientFactory(name="Acme", tin=None)
    before = len(trail())
    client.name = "Acme"
    client.tin = ""  # a form's blank is the same as nothing
    db.session.commit()
    assert len(trail()) == before


def test_a_status_change_has_its_own_kind_and_summary():
    client = ClientFactory(status="lead")
    client.action_change_status("prospect")
    db.session.commit()
    (row,) = trail(client_id=client.id, kind="status")
    assert row.summary == "Status changed from lead to prospect"
    assert row.changes == {"status": ["lead", "prospect"]}


def test_archive_and_restore_are_recorded_as_such():
    client = ClientFactory()
    client.action_archive()
    db.session.commit()
    client.action_restore()
    db.session.commit()
    kinds = [row.kind for row in trail(client_id=client.id)]
    assert kinds == ["created", "archived", "restored"]
    archived = trail(client_id=client.id, kind="archived")[0]
    assert archived.changes["archived"] == [False, True]
    assert archived.changes["archived_at"][0] is None
    assert isinstance(archived.changes["archived_at"][1], str)  # ISO, JSON-safe


def test_relations_are_recorded_by_name_and_the_actor_given_to_a_verb():
    old, new = (
        make_user("Account Manager", first_name="Olga"),
        make_user("Admin", first_name="Nina"),
    )
    client = ClientFactory(owner=old)
    client.action_set_ownership(new, None, by=new)
    db.session.commit()
    row = trail(client_id=client.id, kind="updated")[-1]
    assert row.changes == {"owner": ["Olga User", "Nina User"]}
    assert row.actor_id == new.id


def test_tags_are_recorded_as_the_list_before_and_after():
    client = ClientFactory()
    vip, hot = TagFactory(name="vip"), TagFactory(name="hot")
    client.tags.append(vip)
    db.session.commit()
    client.action_toggle_tag(hot)
    client.action_toggle_tag(vip)
    db.session.commit()
    rows = trail(client_id=client.id, kind="updated")
    assert [row.changes["tags"] for row in rows] == [[[], ["vip"]], [["vip"], ["hot"]]]


def test_a_contact_event_goes_on_each_linked_clients_timeline():
    first, second = ClientFactory(), ClientFactory()
    contact = ContactFactory(first_name="Ana", last_name="Cruz", phone=None)
    db.session.add_all(
        [
            ClientContact(client=first, contact=contact, role="secondary"),
            ClientContact(client=second, contact=contact, role="secondary"),
        ]
    )
    db.session.commit()
    contact.phone = "+63 2 8123 4567"
    db.session.commit()
    rows = trail(subject_type="contact", kind="updated")
    assert sorted(row.client_id for row in rows) == sorted([first.id, second.id])
    assert all(row.changes == {"phone": [None, "+63 2 8123 4567"]} for row in rows)
    assert rows[0].summary == "Contact Ana Cruz changed: Phone"


def test_a_contact_of_no_client_is_recorded_without_a_client():
    contact = Contact(first_name="Lone", last_name="Person", email="lone@example.test")
    db.session.add(contact)
    db.session.commit()
    (row,) = trail(subject_type="contact")
    assert row.kind == "created" and row.client_id is None and row.subject_id == contact.id


def test_audit_paused_writes_no_rows():
    with audit_paused(db.session):
        ClientFactory()
    assert trail() == []


def test_values_are_json_safe():
    from datetime import date

    assert display(Decimal("12.50")) == "12.50"
    assert display(date(2026, 1, 2)) == "2026-01-02"
    assert display(Client(name="Parent Co")) == "Parent Co"
