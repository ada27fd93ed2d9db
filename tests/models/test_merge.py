"""Merging a duplicate client: every related record moves to the kept client, duplicate links are
dropped rather than broken, the duplicate is archived (never deleted), both timelines say so."""

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, select

from extensions import db
from models import (
    Activity,
    Client,
    ClientContact,
    ClientMergeError,
    ClientTeamMember,
    Location,
    OutboxMessage,
    record_activity,
)
from models.merge import client_references
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    ContactFactory,
    LocationFactory,
    TagFactory,
    make_user,
)


@pytest.fixture
def pair(ctx):
    kept = ClientFactory(name="Acme Inc", email=None, website=None)
    duplicate = ClientFactory(name="ACME Ltd", email="hello@acme.test", website="acme.test")
    return kept, duplicate


def test_merge_moves_contacts_locations_team_messages_and_activities(pair):
    kept, duplicate = pair
    shared, own = ContactFactory(), ContactFactory()
    ClientContactFactory(client=kept, contact=shared, role="primary")
    ClientContactFactory(client=duplicate, contact=shared, role="secondary")
    ClientContactFactory(client=duplicate, contact=own, role="primary")
    LocationFactory(client=duplicate)
    both, only = make_user("Recruiter"), make_user("Recruiter")
    tag = TagFactory()
    duplicate.tags.append(tag)
    db.session.add_all(
        [
            ClientTeamMember(client=kept, user=both, role="recruiter"),
            ClientTeamMember(client=duplicate, user=both, role="researcher"),
            ClientTeamMember(client=duplicate, user=only, role="recruiter"),
            OutboxMessage(
                to_email="a@b.test", subject="Hi", body_text="Hi", client_id=duplicate.id
            ),
        ]
    )
    record_activity(db.session, "note", "Called them", client_id=duplicate.id)
    db.session.commit()
    kept_id, duplicate_id = kept.id, duplicate.id

    moved = duplicate.action_merge_into(kept)
    db.session.commit()

    assert moved["client_contact"] == 1 and moved["location"] == 1
    links = db.session.scalars(select(ClientContact).where(ClientContact.client_id == kept_id))
    roles = sorted((link.contact_id, link.role) for link in links)
    assert roles == sorted([(shared.id, "primary"), (own.id, "secondary")])
    assert db.session.scalar(select(Location.client_id)) == kept_id
    team = db.session.scalars(
        select(ClientTeamMember.user_id).where(ClientTeamMember.client_id == kept_id)
    )
    assert sorted(team) == sorted([both.id, only.id])
    assert db.session.scalar(select(OutboxMessage.client_id)) == kept_id
    assert db.session.get(Client, kept_id).tags == [tag]
    note = db.session.scalar(select(Activity).where(Activity.kind == "note"))
    assert note.client_id == kept_id
    for model in (ClientContact, Location, ClientTeamMember, OutboxMessage):
        left = db.session.scalars(select(model).where(model.client_id == duplicate_id)).all()
        assert left == [], model


def test_the_duplicate_is_archived_with_a_reference_and_blanks_are_filled(pair):
    kept, duplicate = pair
    kept_id, duplicate_id = kept.id, duplicate.id
    duplicate.action_merge_into(kept)
    db.session.commit()
    merged = db.session.get(Client, duplicate_id)
    assert merged.archived and merged.archived_at and merged.merged_into_id == kept_id
    assert db.session.get(Client, kept_id).email == "hello@acme.test"


def test_an_invitation_on_a_dropped_link_moves_to_the_kept_link(pair):
    from models import PortalInvitation

    kept, duplicate = pair
    shared = ContactFactory(email="shared@acme.test")
    kept_link = ClientContactFactory(client=kept, contact=shared)
    dropped_link = ClientContactFactory(client=duplicate, contact=shared)
    invitation, _ = PortalInvitation.issue(dropped_link, None)
    db.session.commit()
    invitation_id, kept_link_id = invitation.id, kept_link.id
    duplicate.action_merge_into(kept, make_user("Account Manager"))
    db.session.commit()  # on PostgreSQL a dangling invitation would fail its foreign key here
    assert db.session.get(PortalInvitation, invitation_id).client_contact_id == kept_link_id


@pytest.mark.parametrize("depth", [1, 2])
def test_a_descendant_kept_client_takes_the_duplicates_place_in_the_group(pair, depth):
    kept, duplicate = pair
    group = ClientFactory(name="Acme Holdings")
    duplicate.parent = group
    middle = ClientFactory(name="Acme Branch", parent=duplicate) if depth == 2 else duplicate
    kept.parent = middle
    db.session.commit()
    duplicate.action_merge_into(kept, make_user("Account Manager"))
    db.session.commit()
    db.session.expire_all()
    assert kept.parent is group
    assert kept.structure_violations() == []
    if depth == 2:
        assert middle.parent is kept  # the duplicate's child moved under it, with no loop


def test_the_merge_is_on_both_timelines_with_what_moved(pair):
    kept, duplicate = pair
    LocationFactory(client=duplicate)
    kept_id, duplicate_id = kept.id, duplicate.id
    by = make_user("Account Manager")
    duplicate.action_merge_into(kept, by)
    db.session.commit()
    events = db.session.scalars(select(Activity).where(Activity.kind == "merged")).all()
    assert {e.client_id for e in events} == {kept_id, duplicate_id}
    assert all("1 locations" in e.summary and e.actor_id == by.id for e in events)
    assert events[0].changes["moved"]["location"] == 1


def test_a_client_cannot_be_merged_into_itself_or_an_archived_one(pair):
    kept, duplicate = pair
    with pytest.raises(ClientMergeError):
        kept.action_merge_into(kept)
    kept.action_archive()
    db.session.commit()
    with pytest.raises(ClientMergeError) as caught:
        duplicate.action_merge_into(kept)
    assert caught.value.field == "kept"


def test_every_foreign_key_to_client_is_found_including_new_tables():
    metadata = MetaData()
    Table("client", metadata, Column("id", Integer, primary_key=True))
    Table(
        "meeting",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("client_id", ForeignKey("client.id")),
        Column("title", String(10)),
    )
    assert [(t.name, c.name) for t, c in client_references(metadata)] == [("meeting", "client_id")]
    names = {(t.name, c.name) for t, c in client_references()}
    assert {("location", "client_id"), ("client_contact", "client_id"), ("activity", "client_id"),
            ("client_team_member", "client_id"), ("outbox_message", "client_id"),
            ("client_tag", "client_id")} <= names  # fmt: skip
