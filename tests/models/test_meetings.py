"""Meetings: the scheduling rules, the timeline, the invitation's version, and an ``.ics`` that
calendar programs (here: the ``icalendar`` parser) read back field for field."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select

from extensions import db
from models import Activity, Meeting, MeetingAction, MeetingError
from tests.factories import ClientContactFactory, ClientFactory, ContactFactory, make_user

START = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


def make_meeting(client=None, contacts=None, staff=None, by=None, **fields) -> Meeting:
    """A scheduled (committed) meeting with one of the client's contacts unless told otherwise."""
    client = client or ClientFactory()
    if contacts is None:
        contacts = [ClientContactFactory(client=client).contact]
    values = {
        "title": "Quarterly review",
        "starts_at": START,
        "ends_at": START + timedelta(hours=1),
        "location": "Ayala Tower One, 12th floor",
        "agenda": "Hiring plan\nOpen roles",
        **fields,
    }
    meeting = Meeting(client=client, contacts=contacts, staff=staff or [], **values)
    meeting.action_schedule(by)
    db.session.commit()
    return meeting


def rules(meeting: Meeting) -> dict[str, str]:
    return {error.field: error.message for error in meeting.violations()}


def test_scheduling_saves_the_meeting_with_its_organiser_and_a_timeline_line(ctx):
    organiser = make_user("Account Manager", first_name="Ana", last_name="Cruz")
    meeting = make_meeting(by=organiser, staff=[organiser])
    assert meeting.id and meeting.organiser_id == organiser.id and meeting.sequence == 0
    assert meeting.starts_at == START and meeting.starts_at.tzinfo is not None
    activity = db.session.scalar(select(Activity).where(Activity.kind == "meeting"))
    assert activity.client_id == meeting.client_id and activity.actor_id == organiser.id
    assert activity.summary == "Meeting scheduled: Quarterly review, 03 Dec 2026 09:30–10:30 UTC"


def test_a_meeting_must_end_after_it_starts(ctx):
    client = ClientFactory()
    meeting = Meeting(client=client, title="Review", starts_at=START, ends_at=START)
    meeting.staff = [make_user("Recruiter")]
    assert rules(meeting) == {"ends_at": "The meeting must end after it starts."}


def test_a_meeting_needs_a_title_times_and_at_least_one_attendee(ctx):
    errors = rules(Meeting(client=ClientFactory(), title=" "))
    assert errors == {
        "title": "Title is required.",
        "starts_at": "Start time is required.",
        "ends_at": "End time is required.",
        "contacts": "Invite at least one attendee: a contact or a staff member.",
    }


def test_only_the_clients_own_contacts_can_attend(ctx):
    client, stranger = ClientFactory(), ContactFactory(first_name="Lee", last_name="Wong")
    meeting = Meeting(
        client=client, title="Review", starts_at=START, ends_at=START + timedelta(hours=1)
    )
    meeting.contacts = [stranger]
    assert rules(meeting) == {"contacts": "Lee Wong is not a contact of this client."}
    with pytest.raises(MeetingError):
        meeting.action_schedule(None)
    db.session.rollback()
    assert db.session.scalar(select(Meeting)) is None


def test_staff_attendees_are_staff_and_a_video_link_is_a_web_address(ctx):
    link = ClientContactFactory()
    portal_user = make_user("Client", first_name="Portal", last_name="Person")
    meeting = Meeting(
        client=link.client,
        title="Review",
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        video_link="zoom meeting 123",
    )
    meeting.staff = [portal_user]
    assert rules(meeting) == {
        "staff": "Portal Person is not an agency staff member.",
        "video_link": "Video link must be a web address (http:// or https://).",
    }


def test_moving_a_meeting_bumps_the_invitation_and_is_logged_as_a_reschedule(ctx):
    meeting = make_meeting()
    uid = meeting.uid
    meeting.starts_at, meeting.ends_at = (
        START + timedelta(days=1),
        START + timedelta(days=1, hours=2),
    )
    assert meeting.action_update(None) is True
    db.session.commit()
    assert meeting.sequence == 1 and meeting.uid == uid
    summaries = db.session.scalars(select(Activity.summary).order_by(Activity.id)).all()
    assert summaries[-1] == ("Meeting rescheduled to 04 Dec 2026 09:30–11:30 UTC: Quarterly review")


def test_a_new_attendee_bumps_the_invitation_but_outcome_notes_do_not(ctx):
    meeting = make_meeting()
    meeting.outcome = "Agreed on two new roles."
    assert meeting.action_update(None) is False
    db.session.commit()
    assert meeting.sequence == 0
    recruiter = make_user("Recruiter")
    meeting.staff.append(recruiter)
    assert meeting.action_update(None) is True
    db.session.commit()
    assert meeting.sequence == 1
    assert db.session.scalars(select(Activity.summary)).all()[-1] == (
        "Meeting changed (staff): Quarterly review"
    )


def test_cancelling_deletes_the_meeting_and_its_actions_but_keeps_a_timeline_line(ctx):
    meeting = make_meeting()
    meeting.actions.append(MeetingAction(description="Send the shortlist"))
    db.session.commit()
    client_id = meeting.client_id
    meeting.action_cancel(None)
    db.session.commit()
    assert db.session.scalar(select(Meeting)) is None
    assert db.session.scalar(select(MeetingAction)) is None
    last = db.session.scalars(select(Activity).order_by(Activity.id)).all()[-1]
    assert last.client_id == client_id and last.summary.startswith("Meeting cancelled")


def test_a_follow_up_action_needs_a_description_and_a_staff_owner(ctx):
    meeting = make_meeting()
    action = MeetingAction(meeting_id=meeting.id, description="", owner=make_user("Client"))
    assert {error.field for error in action.violations()} == {"description", "owner"}


def test_ticking_off_a_follow_up_is_on_the_timeline_once(ctx):
    meeting = make_meeting()
    action = MeetingAction(description="Send the shortlist")
    meeting.actions.append(action)
    db.session.commit()
    by = make_user("Account Manager")
    action.action_mark_done(by)
    action.action_mark_done(by)  # twice: nothing more happens
    db.session.commit()
    done = db.session.scalars(
        select(Activity).where(Activity.summary.startswith("Follow-up done"))
    ).all()
    assert action.done and len(done) == 1
    assert done[0].actor_id == by.id and done[0].client_id == meeting.client_id


# ---------------------------------------------------------------- the .ics invitation


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


@pytest.fixture
def invitation(ctx):
    """A meeting with awkward text (commas, semicolons, newlines, non-ASCII) and its .ics."""
    organiser = make_user(
        "Account Manager", first_name="Ana", last_name="Cruz", email="ana@agency.test"
    )
    client = ClientFactory()
    contact = ClientContactFactory(
        client=client,
        contact=ContactFactory(first_name="José", last_name="Rizal", email="jose@client.test"),
    ).contact
    recruiter = make_user("Recruiter", first_name="Ben", last_name="Lim", email="ben@agency.test")
    meeting = make_meeting(
        client=client,
        contacts=[contact],
        staff=[recruiter],
        by=organiser,
        title="Review; Q4, hiring",
        location="Ayala Tower One, 12/F; Room 3",
        agenda="1. Open roles, rates\n2. Next steps; owners\n" + "ñ" * 60,
        video_link="https://meet.example.test/abc-defg-hij",
    )
    return meeting, meeting.ics()


def test_the_ics_is_a_request_with_the_meetings_fields(invitation):
    meeting, data = invitation
    calendar = parse(data)
    assert calendar["METHOD"] == "REQUEST" and calendar["VERSION"] == "2.0"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{meeting.uid}@clientdesk"
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + timedelta(hours=1)
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert str(event["SUMMARY"]) == "Review; Q4, hiring"
    assert str(event["LOCATION"]) == "Ayala Tower One, 12/F; Room 3"
    assert str(event["DESCRIPTION"]).startswith("1. Open roles, rates\n2. Next steps; owners\n")
    assert "https://meet.example.test/abc-defg-hij" in str(event["DESCRIPTION"])
    assert int(event["SEQUENCE"]) == 0


def test_the_ics_names_the_organiser_and_every_attendee(invitation):
    _, data = invitation
    (event,) = parse(data).walk("VEVENT")
    assert str(event["ORGANIZER"]) == "mailto:ana@agency.test"
    assert event["ORGANIZER"].params["CN"] == "Ana Cruz"
    attendees = {str(a): a.params["CN"] for a in event["ATTENDEE"]}
    assert attendees == {
        "mailto:jose@client.test": "José Rizal",
        "mailto:ben@agency.test": "Ben Lim",
    }


def test_the_ics_is_crlf_terminated_folded_at_75_octets_and_times_are_utc(invitation):
    _, data = invitation
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long agenda was folded
    for line in lines:
        line.decode("utf-8")  # no UTF-8 character was cut in two
    assert b"DTSTART:20261203T093000Z" in lines and b"DTEND:20261203T103000Z" in lines
    assert b"SUMMARY:Review\\; Q4\\, hiring" in lines


def test_the_uid_is_stable_and_the_sequence_rises_when_the_meeting_moves(invitation):
    meeting, data = invitation
    before = parse(data).walk("VEVENT")[0]
    meeting.starts_at, meeting.ends_at = START + timedelta(hours=2), START + timedelta(hours=3)
    meeting.action_update(None)
    db.session.commit()
    after = parse(meeting.ics()).walk("VEVENT")[0]
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == 1
    assert after.decoded("DTSTART") == START + timedelta(hours=2)


def test_a_change_flushed_before_the_update_still_bumps_the_invitation(ctx):
    meeting = make_meeting()
    meeting.location = "Online"
    db.session.flush()  # as an autoflush does while a form loads the attendee lists
    assert meeting.action_update(None) is True
    db.session.commit()
    assert meeting.sequence == 1
    assert meeting.action_update(None) is False
