"""Conversation notifications: each new message emails the other side over real SMTP (aiosmtpd
on loopback), never its author; contacts who opted out are skipped and the skip is logged."""

import pytest
from sqlalchemy import select

from extensions import db
from jobs.conversations import post_message, start_conversation
from models import Activity, OutboxMessage
from tests.factories import ClientContactFactory, ClientFactory, ContactFactory, make_user

from .test_mail import mail_to, smtp  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("ctx")


def a_client():
    owner = make_user("Account Manager", first_name="Olive", email="olive@agency.test")
    manager = make_user("Account Manager", first_name="Emil", email="emil@agency.test")
    client = ClientFactory(name="Bayanihan Foods", owner=owner, engagement_manager=manager)
    primary = ClientContactFactory(
        client=client,
        role="primary",
        contact=ContactFactory(first_name="Maria", email="maria@bayanihan.example"),
    )
    return client, primary.contact, owner, manager


def addresses(inbox) -> list[str]:
    return sorted(m["To"].addresses[0].addr_spec for m in inbox.messages)


def test_a_client_message_reaches_the_owner_and_engagement_manager_over_smtp(mail_to):  # noqa: F811
    client, maria, _owner, _manager = a_client()
    posting = start_conversation(
        client, "Start dates", "Can the two hires start on the 5th?", contact=maria
    )
    assert addresses(mail_to) == ["emil@agency.test", "olive@agency.test"]
    received = mail_to.messages[0]
    assert received["Subject"] == "Bayanihan Foods: New message: Start dates"
    text = received.get_body(("plain",)).get_content()
    assert "Can the two hires start on the 5th?" in text
    assert f"http://portal.test/conversationview/show/{posting.conversation.id}" in text
    html = received.get_body(("html",)).get_content()
    assert "Answer in the admin" in html
    statuses = {m.status for m in db.session.scalars(select(OutboxMessage))}
    assert statuses == {"sent"}


def test_a_staff_reply_reaches_the_clients_people_with_the_portal_link(mail_to):  # noqa: F811
    client, maria, owner, _manager = a_client()
    posting = start_conversation(client, "Start dates", "The 5th?", contact=maria)
    mail_to.messages.clear()
    post_message(posting.conversation, "Yes, the 5th works.", user=owner)
    [received] = mail_to.messages
    assert received["To"].addresses[0].addr_spec == "maria@bayanihan.example"
    assert received["Subject"] == "New message: Start dates"
    text = received.get_body(("plain",)).get_content()
    assert "Hello Maria" in text and "Yes, the 5th works." in text
    assert f"http://portal.test/portal/messages/{posting.conversation.id}" in text


def test_staff_who_wrote_in_the_thread_hear_of_the_clients_answer(mail_to):  # noqa: F811
    client, maria, _owner, _manager = a_client()
    recruiter = make_user("Recruiter", email="rita@agency.test")
    posting = start_conversation(client, "Shortlist", "Three CVs attached.", user=recruiter)
    mail_to.messages.clear()
    post_message(posting.conversation, "Thanks, reading them.", contact=maria)
    assert addresses(mail_to) == ["emil@agency.test", "olive@agency.test", "rita@agency.test"]


def test_the_author_is_not_told_of_their_own_message(mail_to):  # noqa: F811
    client, maria, owner, _manager = a_client()
    posting = start_conversation(client, "Start dates", "The 5th?", contact=maria)
    mail_to.messages.clear()
    colleague = ClientContactFactory(
        client=client, contact=ContactFactory(email="ben@bayanihan.example")
    ).contact
    post_message(posting.conversation, "I agree with Maria.", contact=colleague)
    assert "ben@bayanihan.example" not in addresses(mail_to)
    mail_to.messages.clear()
    post_message(posting.conversation, "Noted, both.", user=owner)
    assert addresses(mail_to) == ["ben@bayanihan.example", "maria@bayanihan.example"]


def test_a_contact_who_opted_out_of_email_is_skipped_and_the_skip_is_logged(mail_to):  # noqa: F811
    client, maria, owner, _manager = a_client()
    maria.opt_out_email = True
    db.session.commit()
    posting = start_conversation(client, "Your invoice", "It is attached.", user=owner)
    assert mail_to.messages == []
    assert posting.skipped == [(str(maria), "opted out of email")]
    logged = db.session.scalars(
        select(Activity.summary).where(Activity.client_id == client.id, Activity.kind == "message")
    ).all()
    assert any(s.startswith(f"Not emailed to {maria} (opted out of email)") for s in logged)
    assert db.session.scalar(select(OutboxMessage)) is None


def test_a_contact_no_longer_linked_to_the_client_is_not_told(mail_to):  # noqa: F811
    client, maria, owner, _manager = a_client()
    posting = start_conversation(client, "Start dates", "The 5th?", contact=maria)
    for link in list(maria.client_links):
        db.session.delete(link)
    db.session.commit()
    mail_to.messages.clear()
    post_message(posting.conversation, "Anyone there?", user=owner)
    assert mail_to.messages == []


def test_without_a_mail_server_the_notification_stays_in_the_outbox():
    client, maria, _owner, _manager = a_client()
    start_conversation(client, "Start dates", "The 5th?", contact=maria)
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert {m.status for m in messages} == {"stored"}
    assert {m.kind for m in messages} == {"conversation_message"}
    assert {m.client_id for m in messages} == {client.id}
