"""Service desk › Mail triage: staff see the mail the intake could not file, make a ticket of
it, attach it to a ticket by its reference, or dismiss it; a refusal comes back beside its field
with what was typed; only the roles that work tickets may triage."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from sqlalchemy import select

from extensions import db
from jobs.mail_intake import file_mail
from jobs.tickets import raise_ticket
from models import InboundMail, TicketComment
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientContactFactory, ClientFactory, ContactFactory, make_user


def unknown_senders_mail() -> bytes:
    message = EmailMessage()
    message["From"] = "Ben Cruz <ben@newhire.example>"
    message["To"] = "support@agency.test"
    message["Subject"] = "Access for the new HR lead"
    message["Message-ID"] = "<hr-lead-1@newhire.example>"
    message.set_content("Please give me portal access.")
    return message.as_bytes()


@pytest.fixture
def desk(app):
    """Bayanihan (Maria, an open ticket), Mabuhay (Jose), an account manager, and one mail
    from an unknown sender waiting in triage."""
    with app.app_context():
        manager = make_user("Account Manager", first_name="Ana")
        ours = ClientFactory(name="Bayanihan Foods", owner=manager)
        maria = ClientContactFactory(client=ours, contact=ContactFactory(first_name="Maria"))
        jose = ClientContactFactory(
            client=ClientFactory(name="Mabuhay Logistics"), contact=ContactFactory()
        )
        ticket = raise_ticket(ours, "Payroll export fails", contact=maria.contact)
        assert file_mail(unknown_senders_mail()) == "triage"
        mail = db.session.scalar(select(InboundMail))
        return {
            "manager": manager.username,
            "client": ours.id,
            "contact": maria.contact_id,
            "other_contact": jose.contact_id,
            "ticket": ticket.id,
            "reference": ticket.reference,
            "mail": mail.id,
        }


def signed_in(app, username):
    browser = app.test_client()
    assert login_staff(browser, username).status_code == 302
    return browser


def post(browser, desk, step, **data):
    page = f"/mailtriage/show/{desk['mail']}?client_id={desk['client']}"
    data["csrf_token"] = csrf_token(browser, page)
    return browser.post(f"/mailtriage/{desk['mail']}/{step}", data=data)


def the_mail(app, desk) -> InboundMail:
    with app.app_context():
        mail = db.session.get(InboundMail, desk["mail"])
        db.session.expunge(mail)
        return mail


def test_staff_see_the_mail_waiting_in_triage_with_the_reason(app, desk):
    page = signed_in(app, desk["manager"]).get("/mailtriage/list/").get_data(as_text=True)
    assert "Ben Cruz &lt;ben@newhire.example&gt;" in page
    assert "Access for the new HR lead" in page and "unknown sender" in page
    shown = signed_in(app, desk["manager"]).get(f"/mailtriage/show/{desk['mail']}")
    assert shown.status_code == 200 and "Please give me portal access." in shown.get_data(True)


def test_staff_make_a_ticket_of_it_for_a_client_and_its_contact(app, desk):
    response = post(
        signed_in(app, desk["manager"]),
        desk,
        "ticket",
        client_id=desk["client"],
        contact_id=desk["contact"],
    )
    assert response.status_code == 302 and "/tickets/show/" in response.headers["Location"]
    mail = the_mail(app, desk)
    assert mail.status == "ticket" and mail.ticket_id not in (None, desk["ticket"])
    assert mail.handled_by_id is not None


def test_staff_attach_it_to_a_ticket_by_its_reference_as_an_internal_note(app, desk):
    response = post(signed_in(app, desk["manager"]), desk, "attach", reference=desk["reference"])
    assert response.status_code == 302
    with app.app_context():
        [note] = db.session.scalars(
            select(TicketComment).where(TicketComment.ticket_id == desk["ticket"])
        ).all()
        assert note.internal and note.channel == "email"  # the sender is no contact of theirs
        assert "Email from Ben Cruz" in note.body and "portal access" in note.body
    assert the_mail(app, desk).status == "comment"


def test_a_reference_naming_no_ticket_comes_back_beside_the_field_with_what_was_typed(app, desk):
    response = post(signed_in(app, desk["manager"]), desk, "attach", reference="T-00099")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-field="reference">T-00099 names no ticket you may see.' in page
    assert 'value="T-00099"' in page
    assert the_mail(app, desk).status == "triage"


def test_a_contact_of_another_client_comes_back_beside_the_contact_field(app, desk):
    response = post(
        signed_in(app, desk["manager"]),
        desk,
        "ticket",
        client_id=desk["client"],
        contact_id=desk["other_contact"],
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-field="contact_id">' in page and "is not a contact of Bayanihan Foods" in page
    assert the_mail(app, desk).status == "triage"


def test_dismissing_needs_a_reason_and_keeps_the_mail(app, desk):
    browser = signed_in(app, desk["manager"])
    refused = post(browser, desk, "dismiss", reason=" ")
    assert refused.status_code == 422 and "Say why this mail is dismissed." in refused.get_data(
        True
    )
    assert post(browser, desk, "dismiss", reason="A newsletter").status_code == 302
    mail = the_mail(app, desk)
    assert (mail.status, mail.note) == ("dismissed", "A newsletter")


@pytest.mark.parametrize("role", ["Recruiter", "Finance"])
def test_a_role_that_does_not_work_tickets_may_not_triage(app, desk, role):
    with app.app_context():
        username = make_user(role).username
    browser = signed_in(app, username)
    listed = browser.get("/mailtriage/list/")
    assert listed.status_code in (302, 403)
    if listed.status_code == 302:
        assert "Access is Denied" in browser.get(listed.headers["Location"]).get_data(True)
    token = csrf_token(browser, "/resetmypassword/form")
    refused = browser.post(
        f"/mailtriage/{desk['mail']}/dismiss", data={"reason": "spam", "csrf_token": token}
    )
    assert refused.status_code in (302, 403)
    assert the_mail(app, desk).status == "triage"
