"""Tickets from raising to the client's approval: deadlines, first response, the status rules,
internal notes, attachments by the document rules, approval, rejection and the rating."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from extensions import db
from models import Activity, Ticket, TicketComment, TicketError, TicketStateError
from models.access import ROLE_ACCOUNT_MANAGER
from models.documents import DocumentRefusedError
from models.sla import SlaPolicy
from models.ticket_comments import public_comments
from models.tickets import parse_reference
from tests.factories import ClientContactFactory, ClientFactory, make_user

RAISED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # a Tuesday


@pytest.fixture
def desk(ctx):
    manager = make_user(ROLE_ACCOUNT_MANAGER)
    link = ClientContactFactory()
    link.client.owner = manager
    db.session.commit()
    return link.client, link.contact, manager


def _raise(desk, **fields):
    client, contact, _ = desk
    fields.setdefault("contact", contact)
    ticket = Ticket.action_raise(
        client, "Portal is down", "Nobody can log in.", at=RAISED, **fields
    )
    db.session.commit()
    return ticket


def test_raising_fixes_the_deadlines_of_the_priority(desk):
    ticket = _raise(desk, priority="high")
    assert ticket.status == "new" and ticket.reference == f"T-{ticket.id:05d}"
    assert ticket.response_due_at == RAISED + timedelta(hours=24)
    assert ticket.resolution_due_at == RAISED + timedelta(hours=72)
    assert db.session.scalar(select(Activity.summary).where(Activity.kind == "ticket")).startswith(
        f"Ticket {ticket.reference} raised"
    )


def test_a_policy_row_overrides_the_default_targets(desk):
    db.session.add(SlaPolicy(priority="low", response_hours=8, resolution_hours=16))
    db.session.commit()
    ticket = _raise(desk, priority="low")
    assert ticket.response_due_at == RAISED + timedelta(hours=8)


def test_changing_the_priority_recounts_from_when_it_was_raised(desk):
    ticket = _raise(desk, priority="low")
    ticket.action_change_priority("critical", desk[2])
    assert ticket.response_due_at == RAISED + timedelta(hours=4)
    assert ticket.events[-1].detail == "Priority low → critical"


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"priority": "urgent"}, "priority"),
        ({"category": "gossip"}, "category"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_unknown_choices_are_refused_naming_the_field(desk, fields, field):
    with pytest.raises(TicketError) as refused:
        _raise(desk, **fields)
    assert refused.value.field == field


def test_a_ticket_needs_a_subject_and_someone_who_asked(desk):
    client, contact, _ = desk
    with pytest.raises(TicketError) as refused:
        Ticket.action_raise(client, "  ", contact=contact)
    assert refused.value.field == "subject"
    with pytest.raises(TicketError) as refused:
        Ticket.action_raise(client, "Help")
    assert refused.value.field == "contact"


def test_a_contact_of_another_client_cannot_raise_for_this_one(desk):
    stranger = ClientContactFactory().contact
    with pytest.raises(TicketError) as refused:
        Ticket.action_raise(desk[0], "Help", contact=stranger)
    assert refused.value.field == "contact"


def test_the_first_public_staff_comment_is_the_first_response(desk):
    ticket = _raise(desk)
    answered = RAISED + timedelta(hours=1)
    TicketComment.action_add(ticket, "Looking into it (internal)", user=desk[2], internal=True)
    assert ticket.first_response_at is None and ticket.status == "new"
    TicketComment.action_add(ticket, "We are on it.", user=desk[2], at=answered)
    assert ticket.first_response_at == answered and ticket.status == "acknowledged"
    assert [c.body for c in public_comments(ticket)] == ["We are on it."]


def test_the_client_cannot_write_internal_notes(desk):
    ticket = _raise(desk)
    with pytest.raises(TicketError) as refused:
        TicketComment.action_add(ticket, "secret", contact=desk[1], internal=True)
    assert refused.value.field == "internal"


def test_a_client_answer_puts_a_waiting_ticket_back_in_progress(desk):
    ticket = _raise(desk)
    ticket.action_set_status("waiting_on_client", desk[2])
    TicketComment.action_add(ticket, "Here is the screenshot.", contact=desk[1])
    assert ticket.status == "in_progress"


def test_resolved_and_closed_are_set_by_their_own_verbs(desk):
    ticket = _raise(desk)
    with pytest.raises(TicketError) as refused:
        ticket.action_set_status("closed", desk[2])
    assert refused.value.field == "status"


def test_resolving_needs_a_note_then_approval_closes_and_invites_a_rating(desk):
    client, contact, manager = desk
    ticket = _raise(desk)
    with pytest.raises(TicketError) as refused:
        ticket.action_resolve(" ", manager)
    assert refused.value.field == "resolution_note"
    ticket.action_resolve("Restarted the portal.", manager)
    assert ticket.status == "resolved" and ticket.first_response_at is not None
    ticket.action_approve(contact)
    assert ticket.status == "closed" and ticket.approved_at is not None
    with pytest.raises(TicketError) as refused:
        ticket.action_rate(contact, "6")
    assert refused.value.field == "rating"
    ticket.action_rate(contact, "4", "Fast")
    assert ticket.rating == 4
    with pytest.raises(TicketStateError):
        ticket.action_rate(contact, 5)


def test_a_rejection_reopens_with_the_clients_comment(desk):
    client, contact, manager = desk
    ticket = _raise(desk)
    ticket.action_resolve("Restarted the portal.", manager)
    with pytest.raises(TicketError) as refused:
        ticket.action_reject(contact, "")
    assert refused.value.field == "comment"
    ticket.action_reject(contact, "Still down for our Cebu office.")
    assert ticket.status == "in_progress" and ticket.resolved_at is None
    assert ticket.reopened_count == 1
    assert ticket.comments[-1].body == "Still down for our Cebu office."


def test_only_the_clients_contacts_approve(desk):
    ticket = _raise(desk)
    ticket.action_resolve("Done.", desk[2])
    with pytest.raises(TicketError):
        ticket.action_approve(ClientContactFactory().contact)


def test_a_closed_ticket_takes_no_more_comments(desk):
    ticket = _raise(desk)
    ticket.action_resolve("Done.", desk[2])
    ticket.action_approve(desk[1])
    with pytest.raises(TicketStateError):
        TicketComment.action_add(ticket, "One more thing", contact=desk[1])


def test_an_archived_client_takes_no_new_ticket(ctx):
    link = ClientContactFactory(client=ClientFactory(archived=True))
    with pytest.raises(TicketError) as refused:
        Ticket.action_raise(link.client, "Help", contact=link.contact)
    assert refused.value.field == "client"


def test_attachments_follow_the_document_rules(desk, app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    ticket = _raise(desk)
    pdf = FileStorage(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="screen.pdf")
    comment = TicketComment.action_add(ticket, "See attached.", contact=desk[1], files=[pdf])
    db.session.commit()
    (attachment,) = comment.attachments
    assert attachment.document.visible_to_client and attachment.document.client == desk[0]
    program = FileStorage(io.BytesIO(b"MZ\x90\x00 program"), filename="fix.pdf")
    with pytest.raises(DocumentRefusedError):
        TicketComment.action_add(ticket, "Run this.", contact=desk[1], files=[program])


def test_a_reference_is_read_from_a_reply_subject():
    assert parse_reference("Re: [T-00012] Portal is down") == 12
    assert parse_reference("Fwd: about t-7") == 7
    assert parse_reference("Portal is down") is None


def test_erasing_the_contact_removes_what_they_wrote_on_the_desk(desk):
    from models import erase_contact

    client, contact, manager = desk
    name = contact.first_name
    ticket = _raise(desk)
    TicketComment.action_add(ticket, f"Call me, {name} here", contact=contact)
    db.session.commit()
    erase_contact(contact, by=manager)
    db.session.commit()
    assert ticket.description.startswith("[removed")
    assert ticket.comments[0].body.startswith("[removed")
    assert all(name not in event.detail for event in ticket.events)


def test_a_crisis_goes_straight_to_level_three_without_waiting_for_a_target(desk):
    from models.ticket_escalation import escalate_all

    ticket = _raise(desk, priority="low", crisis=True)
    (event,) = escalate_all(RAISED + timedelta(minutes=1))
    assert ticket.escalation_level == 3 and event.level == 3
    assert escalate_all(RAISED + timedelta(hours=1)) == []


def test_raising_a_crisis_escalates_it_at_once(desk):
    from jobs.tickets import raise_ticket

    ticket = raise_ticket(desk[0], "Data breach", contact=desk[1], crisis=True)
    assert ticket.escalation_level == 3
    assert [e.kind for e in ticket.events] == ["raised", "escalated"]
