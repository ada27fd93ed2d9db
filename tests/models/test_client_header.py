"""The client page's header verbs (status, tags, ownership) and the organisation structure."""

import pytest

from extensions import db
from models import ClientArchivedError, ClientValidationError
from tests.factories import ClientFactory, TagFactory, make_user
from tests.models.rules import refused

pytestmark = pytest.mark.usefixtures("ctx")


def test_churned_is_a_status():
    client = ClientFactory(status="active")
    client.action_change_status("churned")
    db.session.commit()
    assert client.status == "churned"


@pytest.mark.parametrize("status", ["gone", "prospect"])
def test_change_status_refuses_an_unknown_or_unchanged_status(status):
    client = ClientFactory(status="prospect")
    with pytest.raises(ClientValidationError) as caught:
        client.action_change_status(status)
    assert caught.value.field == "status"


def test_an_archived_clients_status_cannot_change():
    client = ClientFactory()
    client.action_archive()
    with pytest.raises(ClientArchivedError):
        client.action_change_status("churned")


def test_toggle_tag_switches_a_tag_on_then_off():
    client, tag = ClientFactory(), TagFactory(name="vip")
    assert client.action_toggle_tag(tag) is True
    db.session.commit()
    assert [t.name for t in client.tags] == ["vip"]
    assert client.action_toggle_tag(tag) is False
    db.session.commit()
    assert client.tags == []


def test_ownership_goes_to_staff_only():
    client = ClientFactory()
    portal_user = make_user("Client")
    with pytest.raises(ClientValidationError) as caught:
        client.action_set_ownership(None, portal_user)
    assert caught.value.field == "engagement_manager"


def test_a_client_lists_its_live_children_and_its_ancestors():
    group = ClientFactory(name="Acme Group")
    branch = ClientFactory(name="Acme Manila", parent=group)
    shop = ClientFactory(name="Acme Shop", parent=branch)
    ClientFactory(name="Acme Old", parent=group).action_archive()
    db.session.commit()
    assert [c.name for c in group.children] == ["Acme Manila"]
    assert [c.name for c in shop.ancestors] == ["Acme Manila", "Acme Group"]


def test_a_client_cannot_be_its_own_parent():
    client = ClientFactory(name="Acme")
    client.parent = client
    assert "its own parent" in refused(client, "parent")


def test_a_client_cannot_be_its_own_ancestor():
    group = ClientFactory(name="Acme Group")
    branch = ClientFactory(name="Acme Manila", parent=group)
    group.parent = branch
    message = refused(group, "parent")
    assert "cannot be its own ancestor" in message and "Acme Manila" in message
