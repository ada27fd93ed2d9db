"""Staff invite a client's contacts to the portal from the client page (Contacts tab)."""

from sqlalchemy import select

from extensions import db
from models import ClientTeamMember, OutboxMessage, PortalInvitation
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientContactFactory, make_user


def invite(app, role):
    browser = app.test_client()
    with app.app_context():
        user = make_user(role)
        login_staff(browser, user.username)
        link = ClientContactFactory(contact__email="ops.lead@example.test", client__owner=user)
        db.session.add(ClientTeamMember(client=link.client, user=user, role="recruiter"))
        db.session.commit()
        client_id, link_id = link.client_id, link.id
    token = csrf_token(browser, f"/clientview/show/{client_id}")
    return browser.post(
        "/clientcontactview/action_post",
        data={"action": "invite", "rowid": [link_id], "csrf_token": token},
    )


def test_an_account_manager_invites_a_contact_and_the_welcome_mail_is_stored(app):
    response = invite(app, "Account Manager")
    assert response.status_code == 302
    with app.app_context():
        invitation = db.session.scalar(select(PortalInvitation))
        assert invitation.email == "ops.lead@example.test" and invitation.state == "pending"
        assert invitation.link.portal_enabled
        message = db.session.get(OutboxMessage, invitation.outbox_message_id)
        assert message.status == "stored" and "/portal/invitation/" in message.body_text


def test_a_recruiter_may_not_invite(app):
    invite(app, "Recruiter")
    with app.app_context():
        assert db.session.scalar(select(PortalInvitation)) is None
        assert db.session.scalar(select(OutboxMessage)) is None


def test_a_contact_without_email_cannot_be_invited(app):
    browser = app.test_client()
    with app.app_context():
        user = make_user("Account Manager")
        login_staff(browser, user.username)
        link = ClientContactFactory(contact__email=None, client__owner=user)
        client_id, link_id = link.client_id, link.id
    token = csrf_token(browser, f"/clientview/show/{client_id}")
    browser.post(
        "/clientcontactview/action_post",
        data={"action": "invite", "rowid": [link_id], "csrf_token": token},
    )
    page = browser.get(f"/clientview/show/{client_id}").get_data(as_text=True)
    assert "has no email address" in page
    with app.app_context():
        assert db.session.scalar(select(PortalInvitation)) is None
