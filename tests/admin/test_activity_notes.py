"""The Activity tab (the read-only timeline) and the Notes tab of the client page."""

import re

import pytest
from sqlalchemy import select

from extensions import db
from models import Activity, ClientTeamMember, Note
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientFactory, make_user


@pytest.fixture
def admin(app, client):
    with app.app_context():
        user = make_user("Admin", first_name="Ada", last_name="Lim")
        login_staff(client, user.username)
        return user.id


def add_note(client, pk, body):
    url = f"/noteview/add?_flt_0_client={pk}"
    return client.post(
        url, data={"client": pk, "body": body, "csrf_token": csrf_token(client, url)}
    )


# ---------------------------------------------------------------- Activity tab


def test_an_edit_in_the_admin_is_on_the_activity_tab_with_who_and_before_after(app, client, admin):
    with app.app_context():
        pk = ClientFactory(name="Acme", short_name="ACME", status="lead").id
    url = f"/clientview/edit/{pk}"
    client.post(
        url,
        data={
            "name": "Acme Group",
            "short_name": "ACME",
            "status": "lead",
            "location": "Local",
            "currency": "PHP",
            "payment_term_label": "Net",
            "payment_term_days": "30",
            "csrf_token": csrf_token(client, url),
        },
    )
    with app.app_context():
        row = db.session.scalar(select(Activity).where(Activity.kind == "updated"))
        assert row.actor_id == admin and row.changes == {"name": ["Acme", "Acme Group"]}
        row_id = row.id
    tab = client.get(f"/activityview/list/?_flt_0_client={pk}").get_data(as_text=True)
    assert "Client details changed: Name" in tab and "Ada Lim" in tab
    page = client.get(f"/activityview/show/{row_id}").get_data(as_text=True)
    assert re.search(r"<th>Name</th><td>Acme</td>\s*<td>Acme Group</td>", page)


def test_the_activity_tab_lists_newest_first(app, client, admin):
    with app.app_context():
        acme = ClientFactory(status="lead")
        acme.action_change_status("prospect")
        db.session.commit()
        acme.action_change_status("active")
        db.session.commit()
        pk = acme.id
    tab = client.get(f"/activityview/list/?_flt_0_client={pk}").get_data(as_text=True)
    newest = tab.index("from prospect to active")
    assert newest < tab.index("from lead to prospect") < tab.index("Client created")


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/activityview/add"),
        ("post", "/activityview/add"),
        ("get", "/activityview/edit/{id}"),
        ("post", "/activityview/edit/{id}"),
        ("get", "/activityview/delete/{id}"),
        ("post", "/activityview/delete/{id}"),
        ("post", "/activityview/action_post"),
    ],
)
def test_the_trail_cannot_be_written_from_the_admin(app, client, admin, method, url):
    with app.app_context():
        ClientFactory()
        row_id = db.session.scalar(select(Activity.id))
    token = csrf_token(client, "/clientview/add")
    response = getattr(client, method)(
        url.format(id=row_id), data={"summary": "rewritten", "csrf_token": token}
    )
    assert response.status_code in (404, 405)
    with app.app_context():
        assert db.session.get(Activity, row_id).summary.startswith("Client created")


# ---------------------------------------------------------------- Notes tab


def test_a_note_is_added_from_the_client_page_with_its_author_and_logged(app, client, admin):
    with app.app_context():
        pk = ClientFactory().id
    assert add_note(client, pk, "Prefers calls after 3pm.").status_code == 302
    with app.app_context():
        note = db.session.scalar(select(Note))
        assert (note.client_id, note.author_id, note.pinned) == (pk, admin, False)
        row = db.session.scalar(select(Activity).where(Activity.kind == "note"))
        assert row.summary == "Note added: Prefers calls after 3pm." and row.actor_id == admin


def test_an_empty_note_is_refused_on_its_field(app, client, admin):
    with app.app_context():
        pk = ClientFactory().id
    response = add_note(client, pk, "   ")
    assert response.status_code == 200
    assert "A note needs some text." in response.get_data(as_text=True)


def test_a_note_is_edited_and_the_edit_logged(app, client, admin):
    with app.app_context():
        pk = ClientFactory().id
    add_note(client, pk, "First draft.")
    with app.app_context():
        note_id = db.session.scalar(select(Note.id))
    url = f"/noteview/edit/{note_id}"
    client.post(url, data={"body": "Second draft.", "csrf_token": csrf_token(client, url)})
    with app.app_context():
        assert db.session.get(Note, note_id).body == "Second draft."
        row = db.session.scalar(select(Activity).where(Activity.summary.startswith("Note edited")))
        assert row.changes == {"body": ["First draft.", "Second draft."]}


def test_pinned_notes_come_first_then_the_newest(app, client, admin):
    with app.app_context():
        pk = ClientFactory().id
    for body in ("Oldest note", "Middle note", "Newest note"):
        add_note(client, pk, body)
    with app.app_context():
        oldest = db.session.scalar(select(Note.id).where(Note.body == "Oldest note"))
    token = csrf_token(client, "/clientview/add")
    client.post(
        "/noteview/action_post", data={"action": "pin", "rowid": [oldest], "csrf_token": token}
    )
    with app.app_context():
        assert db.session.get(Note, oldest).pinned
    tab = client.get(f"/noteview/list/?_flt_0_client={pk}").get_data(as_text=True)
    order = sorted(("Oldest note", "Middle note", "Newest note"), key=tab.index)
    assert order == ["Oldest note", "Newest note", "Middle note"]
    client.post(
        "/noteview/action_post", data={"action": "unpin", "rowid": [oldest], "csrf_token": token}
    )
    with app.app_context():
        assert not db.session.get(Note, oldest).pinned
        kinds = db.session.scalars(
            select(Activity.summary).where(Activity.kind == "note").order_by(Activity.id)
        ).all()
        assert [k.split(":")[0] for k in kinds][-2:] == ["Note pinned", "Note unpinned"]


# ---------------------------------------------------------------- visibility


def test_a_recruiter_off_the_team_gets_404_on_the_new_tabs(app):
    with app.app_context():
        recruiter = make_user("Recruiter")
        mine, hidden = ClientFactory(name="Mine Co"), ClientFactory(name="Hidden Co")
        db.session.add(ClientTeamMember(client=mine, user=recruiter, role="recruiter"))
        note = Note(client=hidden, body="Confidential margin talk.")
        db.session.add(note)
        db.session.commit()
        note_id = note.id
        activity_id = db.session.scalar(select(Activity.id).where(Activity.client_id == hidden.id))
        hidden_id, username = hidden.id, recruiter.username
    browser = app.test_client()
    login_staff(browser, username)
    assert browser.get(f"/noteview/show/{note_id}").status_code == 404
    assert browser.get(f"/activityview/show/{activity_id}").status_code == 404
    assert browser.get(f"/clientview/show/{hidden_id}").status_code == 404
    activity = browser.get("/activityview/list/").get_data(as_text=True)
    assert "Client created: Mine Co" in activity and "Hidden Co" not in activity
    notes = browser.get(f"/noteview/list/?_flt_0_client={hidden_id}").get_data(as_text=True)
    assert "Confidential margin talk" not in notes
