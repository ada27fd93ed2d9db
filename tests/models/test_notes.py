"""Notes on a client: text required, pin and unpin, each add and edit on the timeline."""

import pytest
from sqlalchemy import select

from extensions import db
from models import Activity, Note, NoteError
from tests.factories import ClientFactory

pytestmark = pytest.mark.usefixtures("ctx")


def note_rows(client_id) -> list[Activity]:
    query = select(Activity).where(Activity.client_id == client_id, Activity.kind == "note")
    return list(db.session.scalars(query.order_by(Activity.id)))


def test_a_note_needs_text():
    db.session.add(Note(client=ClientFactory(), body="   "))
    with pytest.raises(NoteError) as caught:
        db.session.commit()
    assert caught.value.field == "body"


def test_a_note_has_a_length_limit_named_in_the_message():
    note = Note(client=ClientFactory(), body="x" * 10_001)
    (error,) = note.violations()
    assert error.field == "body" and "10,000" in error.message


def test_adding_and_editing_a_note_land_on_the_clients_timeline():
    client = ClientFactory()
    note = Note(client=client, body="Called Ana about the Q3 roles.")
    db.session.add(note)
    db.session.commit()
    note.body = "Called Ana about the Q3 and Q4 roles."
    db.session.commit()
    added, edited = note_rows(client.id)
    assert added.summary == "Note added: Called Ana about the Q3 roles."
    assert added.subject_type == "note" and added.subject_id == note.id
    assert edited.summary.startswith("Note edited")
    assert edited.changes == {
        "body": ["Called Ana about the Q3 roles.", "Called Ana about the Q3 and Q4 roles."]
    }


def test_pin_and_unpin_are_recorded_and_refuse_a_repeat():
    client = ClientFactory()
    note = Note(client=client, body="Prefers calls after 3pm.")
    db.session.add(note)
    db.session.commit()
    note.action_pin()
    db.session.commit()
    with pytest.raises(NoteError):
        note.action_pin()
    note.action_unpin()
    db.session.commit()
    with pytest.raises(NoteError):
        note.action_unpin()
    summaries = [row.summary.split(":")[0] for row in note_rows(client.id)]
    assert summaries == ["Note added", "Note pinned", "Note unpinned"]
