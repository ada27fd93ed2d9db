"""Conversations: a thread of one client about a context of that client's, its messages by
staff or the client's contacts, read markers and unread counts per side, the timeline."""

import pytest
from sqlalchemy import select

from extensions import db
from models import Activity, Conversation, ConversationError, ConversationMessage
from models.conversations import BODY_MAX, contexts_for_areas
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    ContactFactory,
    JobOrderFactory,
    draft_invoice,
    issued_invoice,
    make_user,
    quote_with_lines,
)

pytestmark = pytest.mark.usefixtures("ctx")


def people():
    client = ClientFactory()
    link = ClientContactFactory(client=client, role="primary")
    staff = make_user("Account Manager")
    return client, link.contact, staff


def start(client, by_contact=None, by_user=None, **kwargs):
    kwargs.setdefault("subject", "Start dates for the warehouse roles")
    kwargs.setdefault("body", "Can the two hires start on the 5th?")
    conversation = Conversation.action_start(
        client,
        kwargs.pop("subject"),
        kwargs.pop("body"),
        user=by_user,
        contact=by_contact,
        **kwargs,
    )
    db.session.commit()
    return conversation


def test_a_contact_starts_a_general_thread_with_its_first_message():
    client, contact, _staff = people()
    conversation = start(client, by_contact=contact)
    (message,) = conversation.messages
    assert conversation.context_type == "client" and conversation.context_id is None
    assert conversation.context_label == "General"
    assert message.side == "client" and message.author_contact == contact
    assert conversation.started_by_name == str(contact)
    assert conversation.last_message_at == message.created_at


def test_a_thread_needs_a_subject_naming_the_field():
    client, contact, _staff = people()
    with pytest.raises(ConversationError) as caught:
        start(client, by_contact=contact, subject="   ")
    assert caught.value.field == "subject"


def test_a_subject_has_a_length_limit_naming_the_field():
    client, contact, _staff = people()
    with pytest.raises(ConversationError) as caught:
        start(client, by_contact=contact, subject="x" * 201)
    assert caught.value.field == "subject" and "200" in caught.value.message


def test_a_message_needs_text_naming_the_field():
    client, contact, _staff = people()
    conversation = start(client, by_contact=contact)
    with pytest.raises(ConversationError) as caught:
        conversation.action_post("  \n ", contact=contact)
    assert caught.value.field == "body" and "Message is required" in caught.value.message


def test_a_message_has_a_length_limit_named_in_the_message():
    client, contact, _staff = people()
    conversation = start(client, by_contact=contact)
    with pytest.raises(ConversationError) as caught:
        conversation.action_post("x" * (BODY_MAX + 1), contact=contact)
    assert caught.value.field == "body" and "5,000" in caught.value.message


def test_a_message_has_exactly_one_author():
    client, contact, staff = people()
    conversation = start(client, by_contact=contact)
    for authors in ({}, {"user": staff, "contact": contact}):
        with pytest.raises(ConversationError) as caught:
            conversation.action_post("Hello", **authors)
        assert caught.value.field == "author"


def test_a_contact_of_another_client_cannot_write():
    client, contact, _staff = people()
    conversation = start(client, by_contact=contact)
    stranger = ClientContactFactory(client=ClientFactory()).contact
    with pytest.raises(ConversationError) as caught:
        conversation.action_post("Hello", contact=stranger)
    assert caught.value.field == "author"


def test_the_context_must_belong_to_the_same_client():
    client, contact, _staff = people()
    other_job = JobOrderFactory(client=ClientFactory())
    with pytest.raises(ConversationError) as caught:
        start(client, by_contact=contact, context_type="job_order", context_id=other_job.id)
    assert (
        caught.value.field == "context_id"
        and f"No job order {other_job.id}" in caught.value.message
    )


def test_a_context_other_than_the_client_needs_its_record():
    client, contact, _staff = people()
    with pytest.raises(ConversationError) as caught:
        start(client, by_contact=contact, context_type="invoice")
    assert caught.value.field == "context_id"


def test_an_unknown_context_type_is_refused_naming_the_field():
    client, contact, _staff = people()
    with pytest.raises(ConversationError) as caught:
        start(client, by_contact=contact, context_type="contract", context_id=1)
    assert caught.value.field == "context_type"


def test_a_thread_about_a_job_order_of_the_client_is_labelled_with_it():
    client, contact, _staff = people()
    job = JobOrderFactory(client=client, title="Warehouse lead")
    conversation = start(client, by_contact=contact, context_type="job_order", context_id=job.id)
    assert conversation.context == job
    assert conversation.context_label == f"Job order {job.reference} Warehouse lead"
    assert conversation.context_area == "hiring"


def test_a_draft_invoice_or_quote_cannot_be_a_context_the_client_cannot_see():
    client, _contact, staff = people()
    for kind, record in (("invoice", draft_invoice(client)), ("quote", quote_with_lines(client))):
        with pytest.raises(ConversationError) as caught:
            start(client, by_user=staff, context_type=kind, context_id=record.id)
        db.session.rollback()
        assert caught.value.field == "context_id" and "draft" in caught.value.message


def test_an_issued_invoice_is_a_context():
    client, _contact, staff = people()
    invoice = issued_invoice(client)
    conversation = start(client, by_user=staff, context_type="invoice", context_id=invoice.id)
    assert conversation.context_label == str(invoice)


def test_staff_address_the_primary_contact_by_default():
    client, contact, staff = people()
    conversation = start(client, by_user=staff)
    assert conversation.contact == contact
    assert conversation.participants() == [contact]


def test_staff_cannot_address_a_contact_of_another_client():
    client, _contact, staff = people()
    stranger = ClientContactFactory(client=ClientFactory()).contact
    with pytest.raises(ConversationError) as caught:
        start(client, by_user=staff, addressed=stranger)
    assert caught.value.field == "contact_id"


def test_posting_counts_unread_for_the_other_side_and_marks_the_authors_side_read():
    client, contact, staff = people()
    conversation = start(client, by_contact=contact)
    assert (conversation.staff_unread, conversation.client_unread) == (1, 0)
    conversation.action_post("Second thought: the 12th.", contact=contact)
    db.session.commit()
    assert conversation.unread_for("staff") == 2
    conversation.action_post("The 12th works.", user=staff)
    db.session.commit()
    assert (conversation.staff_unread, conversation.client_unread) == (0, 1)
    assert conversation.staff_read_at is not None


def test_marking_read_clears_the_sides_count_and_keeps_when():
    client, contact, _staff = people()
    conversation = start(client, by_contact=contact)
    conversation.action_mark_read("staff")
    db.session.commit()
    assert conversation.staff_unread == 0 and conversation.staff_read_at is not None


def test_marking_read_for_an_unknown_side_is_refused():
    client, contact, _staff = people()
    conversation = start(client, by_contact=contact)
    with pytest.raises(ConversationError) as caught:
        conversation.action_mark_read("robot")
    assert caught.value.field == "side"


def test_each_message_goes_on_the_clients_timeline():
    client, contact, staff = people()
    conversation = start(client, by_contact=contact)
    conversation.action_post("The 12th works.", user=staff)
    db.session.commit()
    rows = db.session.scalars(
        select(Activity).where(Activity.client_id == client.id, Activity.kind == "message")
    ).all()
    assert [row.subject_type for row in rows] == ["conversation_message"] * 2
    assert "wrote in “Start dates for the warehouse roles”" in rows[0].summary
    assert rows[1].actor == staff


def test_participants_are_the_starter_the_addressed_and_the_writers_once_each():
    client, contact, staff = people()
    colleague = ClientContactFactory(client=client, contact=ContactFactory()).contact
    conversation = start(client, by_user=staff, addressed=contact)
    conversation.action_post("Adding my view.", contact=colleague)
    conversation.action_post("And again.", contact=colleague)
    db.session.commit()
    assert conversation.participants() == [contact, colleague]
    assert conversation.staff_writers() == [staff]


def test_portal_areas_decide_the_context_types_a_user_reads():
    assert contexts_for_areas([]) == ["client"]
    assert contexts_for_areas(["billing"]) == ["client", "invoice"]
    assert contexts_for_areas(["hiring", "signatory"]) == ["client", "job_order", "quote"]


def test_messages_are_kept_in_order():
    client, contact, staff = people()
    conversation = start(client, by_contact=contact)
    conversation.action_post("Reply", user=staff)
    db.session.commit()
    db.session.expire_all()
    bodies = [m.body for m in db.session.get(Conversation, conversation.id).messages]
    assert bodies == ["Can the two hires start on the 5th?", "Reply"]
    assert db.session.scalar(select(ConversationMessage.id).limit(1)) is not None


def test_a_contacts_messages_are_in_their_export_and_blanked_on_erasure():
    from models import erase_contact, export_contact

    client, contact, staff = people()
    conversation = start(client, by_contact=contact, body="My mobile is 0917 555 0101.")
    conversation.action_post("Thanks, noted.", user=staff)
    db.session.commit()
    data = export_contact(contact)
    assert data["conversation_messages"][0]["body"] == "My mobile is 0917 555 0101."
    assert data["conversations"][0]["subject"] == "Start dates for the warehouse roles"
    erase_contact(contact, make_user("Admin"))
    db.session.commit()
    bodies = [m.body for m in db.session.get(Conversation, conversation.id).messages]
    assert "0917" not in " ".join(bodies) and bodies[1] == "Thanks, noted."


def test_the_timeline_keeps_no_excerpt_of_a_clients_words():
    client, contact, staff = people()
    conversation = start(client, by_contact=contact, body="My mobile is 0917 555 0101.")
    conversation.action_post("We will call you.", user=staff)
    db.session.commit()
    summaries = db.session.scalars(
        select(Activity.summary).where(Activity.kind == "message").order_by(Activity.id)
    ).all()
    assert "0917" not in summaries[0] and summaries[1].endswith(": We will call you.")


def test_nobody_writes_to_an_archived_client():
    client, contact, staff = people()
    conversation = start(client, by_contact=contact)
    client.archived = True
    db.session.commit()
    with pytest.raises(ConversationError) as caught:
        conversation.action_post("Still there?", user=staff)
    assert caught.value.field == "client" and "archived" in caught.value.message


def test_a_contacts_message_counts_as_their_answer_to_a_recent_mail():
    from models import OutboxMessage

    client, contact, _staff = people()
    mail = OutboxMessage(
        to_email="x@example.test",
        subject="Shortlist",
        body_text="b",
        status="sent",
        contact_id=contact.id,
        client_id=client.id,
    )
    db.session.add(mail)
    db.session.commit()
    start(client, by_contact=contact)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, mail.id).responded_at is not None
