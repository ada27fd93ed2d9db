"""The Meetings tab: schedule from the client page (times in UTC), rules beside their fields with
the user's values kept, reschedule, the ``.ics`` download, and 404 for a Recruiter off the team."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select

from extensions import db
from models import Activity, Client, ClientTeamMember, Meeting, OutboxMessage
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientContactFactory, ClientFactory, ContactFactory, make_user
from tests.models.test_meetings import START, make_meeting


@pytest.fixture
def page(app, client):
    """An Account Manager signed in, owning a client with one contact: ids and username."""
    with app.app_context():
        manager = make_user("Account Manager", first_name="Ana", last_name="Cruz")
        customer = ClientFactory(name="Bayanihan Foods", owner=manager)
        contact = ClientContactFactory(
            client=customer, contact=ContactFactory(email="maria@bayanihan.test")
        ).contact
        ids = {"client": customer.id, "contact": contact.id, "manager": manager.id}
        username = manager.username
    login_staff(client, username)
    return ids


def schedule(client, client_id, **fields):
    url = f"/meetingview/add?_flt_0_client={client_id}"
    form = {
        "title": "Quarterly review",
        "starts_at": "2026-12-03 09:30",
        "ends_at": "2026-12-03 10:30",
        "location": "Ayala Tower One",
        "agenda": "Hiring plan",
        "csrf_token": csrf_token(client, url),
        **fields,
    }
    return client.post(url, data=form)


def test_a_meeting_scheduled_from_the_client_page_is_saved_in_utc_and_logged(app, client, page):
    response = schedule(client, page["client"], contacts=[page["contact"]], staff=[page["manager"]])
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        assert meeting.client_id == page["client"]
        assert meeting.starts_at == START and meeting.ends_at == START + timedelta(hours=1)
        assert [c.id for c in meeting.contacts] == [page["contact"]]
        assert meeting.organiser_id == page["manager"]
        activity = db.session.scalar(select(Activity).where(Activity.kind == "meeting"))
        assert activity.client_id == page["client"] and "Quarterly review" in activity.summary
        pk = meeting.id
    tab = client.get(f"/clientview/show/{page['client']}").get_data(as_text=True)
    assert "Quarterly review" in tab and f"/meetingview/ics/{pk}" in tab


def test_a_meeting_ending_before_it_starts_is_refused_beside_the_field(app, client, page):
    response = schedule(
        client, page["client"], contacts=[page["contact"]], ends_at="2026-12-03 08:00"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The meeting must end after it starts." in body
    assert 'value="Quarterly review"' in body and 'value="2026-12-03 08:00"' in body
    with app.app_context():
        assert db.session.scalar(select(Meeting)) is None


def test_a_meeting_without_attendees_is_refused(app, client, page):
    body = schedule(client, page["client"]).get_data(as_text=True)
    assert "Invite at least one attendee" in body


def test_rescheduling_from_the_edit_form_bumps_the_invitation(app, client, page):
    schedule(client, page["client"], contacts=[page["contact"]])
    with app.app_context():
        pk = db.session.scalar(select(Meeting.id))
    url = f"/meetingview/edit/{pk}"
    response = client.post(
        url,
        data={
            "title": "Quarterly review",
            "starts_at": "2026-12-04 09:30:00",
            "ends_at": "2026-12-04 10:30:00",
            "location": "Ayala Tower One",
            "agenda": "Hiring plan",
            "contacts": [page["contact"]],
            "outcome": "",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    (event,) = icalendar.Calendar.from_ical(client.get(f"/meetingview/ics/{pk}").data).walk(
        "VEVENT"
    )
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    with app.app_context():
        summaries = db.session.scalars(select(Activity.summary).order_by(Activity.id)).all()
        assert summaries[-1].startswith("Meeting rescheduled to 04 Dec 2026 09:30")


def test_the_ics_downloads_as_a_calendar_attachment_that_parses(app, client, page):
    schedule(client, page["client"], contacts=[page["contact"]], staff=[page["manager"]])
    with app.app_context():
        pk = db.session.scalar(select(Meeting.id))
    response = client.get(f"/meetingview/ics/{pk}")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == f'attachment; filename="meeting-{pk}.ics"'
    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == START
    assert {str(a) for a in event["ATTENDEE"]} == {
        "mailto:maria@bayanihan.test",
        f"mailto:{_email(app, page['manager'])}",
    }


def _email(app, user_id):
    with app.app_context():
        return app.appbuilder.sm.get_user_by_id(user_id).email


@pytest.fixture
def teamed_meeting(app):
    """A meeting of a client with one Recruiter on its team: (id, on team, off team)."""
    with app.app_context():
        customer = ClientFactory()
        on_team, off_team = make_user("Recruiter"), make_user("Recruiter")
        db.session.add(ClientTeamMember(client=customer, user=on_team, role="recruiter"))
        db.session.commit()
        meeting = make_meeting(client=customer, title="Confidential pay review")
        return meeting.id, on_team.username, off_team.username


def test_a_recruiter_off_the_team_gets_404_on_the_meeting_and_its_ics(app, teamed_meeting):
    pk, on_team, off_team = teamed_meeting
    outsider, insider = app.test_client(), app.test_client()
    login_staff(outsider, off_team)
    login_staff(insider, on_team)
    for url in (f"/meetingview/ics/{pk}", f"/meetingview/show/{pk}"):
        refused = outsider.get(url)
        assert refused.status_code == 404 and b"Confidential pay review" not in refused.data
        assert insider.get(url).status_code == 200
    listing = outsider.get("/meetingview/list/").get_data(as_text=True)
    assert "Confidential pay review" not in listing


def test_a_follow_up_action_is_added_on_the_meeting_page(app, client, page):
    schedule(client, page["client"], contacts=[page["contact"]])
    with app.app_context():
        pk = db.session.scalar(select(Meeting.id))
    url = f"/meetingactionview/add?_flt_0_meeting={pk}"
    response = client.post(
        url,
        data={
            "description": "Send the shortlist",
            "owner": page["manager"],
            "due_on": "2026-12-10",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "Send the shortlist" in client.get(f"/meetingview/show/{pk}").get_data(as_text=True)


def test_cancelling_a_meeting_leaves_a_line_on_the_timeline(app, client, page):
    schedule(client, page["client"], contacts=[page["contact"]])
    with app.app_context():
        pk = db.session.scalar(select(Meeting.id))
    token = csrf_token(client, f"/meetingview/add?_flt_0_client={page['client']}")
    client.post(
        "/meetingview/action_post",
        data={"action": "cancel", "rowid": [pk], "csrf_token": token},
    )
    with app.app_context():
        assert db.session.get(Meeting, pk) is None
        last = db.session.scalars(select(Activity.summary).order_by(Activity.id)).all()[-1]
        assert last.startswith("Meeting cancelled: Quarterly review")


def test_send_invitations_queues_one_mail_per_attendee_with_an_address(app, client, page):
    with app.app_context():
        no_email = ClientContactFactory(
            client=db.session.get(Client, page["client"]),
            contact=ContactFactory(first_name="Nomail", email=None),
        ).contact_id
    scheduled = schedule(
        client,
        page["client"],
        contacts=[page["contact"], no_email],
        staff=[page["manager"]],
        video_link="https://meet.example.test/abc",
    )
    assert scheduled.status_code == 302, scheduled.get_data(as_text=True)
    with app.app_context():
        pk = db.session.scalar(select(Meeting.id))
    token = csrf_token(client, f"/meetingview/add?_flt_0_client={page['client']}")
    done = client.post(
        "/meetingview/action_post",
        data={"action": "send_invitations", "rowid": [pk], "csrf_token": token},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "2 invitation(s) sent" in done and "No email address for Nomail Reyes" in done
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [m.to_email for m in messages] == [
            "maria@bayanihan.test",
            _email(app, page["manager"]),
        ]
        assert all(m.client_id == page["client"] for m in messages)
        assert messages[0].subject == "Quarterly review — 03 Dec 2026 09:30–10:30 UTC"
        assert "Join:  https://meet.example.test/abc" in messages[0].body_text
        assert "Ana Cruz invites you" in messages[0].body_text
        mails = db.session.scalars(select(Activity).where(Activity.kind == "mail")).all()
        assert len(mails) == 2 and all(a.client_id == page["client"] for a in mails)
