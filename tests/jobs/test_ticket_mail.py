"""Ticket emails over real SMTP (aiosmtpd on loopback): who hears of which step, with the
ticket's reference in the subject so replies can be matched."""

import re
from urllib.parse import urlsplit

import pytest

from extensions import db
from jobs.tickets import comment, escalate_tickets, raise_ticket, resolve
from models import Activity
from tests.factories import ClientContactFactory, ClientFactory, ContactFactory, make_user

from .test_mail import mail_to, smtp  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("ctx")


def a_client():
    owner = make_user("Account Manager", first_name="Olive", email="olive@agency.test")
    client = ClientFactory(name="Bayanihan Foods", owner=owner)
    maria = ClientContactFactory(
        client=client, contact=ContactFactory(first_name="Maria", email="maria@bayanihan.example")
    ).contact
    return client, maria, owner


def to(message) -> str:
    return message["To"].addresses[0].addr_spec


def test_raising_acknowledges_to_the_contact_and_alerts_the_account_manager(
    mail_to, monkeypatch  # noqa: F811
):
    from flask import current_app

    monkeypatch.setitem(current_app.config, "SUPPORT_EMAIL", "support@agency.test")
    client, maria, _owner = a_client()
    ticket = raise_ticket(client, "Payroll export fails", "It stops at row 40.", contact=maria)
    ref = f"T-{ticket.id:05d}"
    by_address = {to(m): m for m in mail_to.messages}
    assert set(by_address) == {"maria@bayanihan.example", "olive@agency.test"}
    ack = by_address["maria@bayanihan.example"]
    assert ack["Subject"].startswith(f"[{ref}] We received your request")
    assert "We will respond by" in ack.get_body(("plain",)).get_content()
    assert ack["Reply-To"] == "support@agency.test"  # replies come back to the intake


def test_each_email_links_to_the_tickets_page_on_its_side(app, mail_to):  # noqa: F811
    client, maria, _owner = a_client()
    ticket = raise_ticket(client, "Payroll export fails", contact=maria)
    routes = app.url_map.bind("localhost")
    opened = {}
    for message in mail_to.messages:
        [link] = re.findall(r"https?://\S+/(?:portal/support|tickets/show)/\d+", _text(message))
        endpoint, arguments = routes.match(urlsplit(link).path)
        opened[to(message)] = (endpoint, arguments)
    assert opened == {
        "maria@bayanihan.example": ("portal.ticket", {"ticket_id": ticket.id}),
        "olive@agency.test": ("TicketView.show", {"pk": str(ticket.id)}),
    }


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_a_staff_answer_reaches_the_contact_and_a_resolution_asks_for_approval(mail_to):  # noqa: F811
    client, maria, owner = a_client()
    ticket = raise_ticket(client, "Payroll export fails", contact=maria)
    mail_to.messages.clear()
    comment(ticket, "Fixed the mapping, please retry.", user=owner)
    [answer] = mail_to.messages
    assert to(answer) == "maria@bayanihan.example"
    assert "Fixed the mapping" in answer.get_body(("plain",)).get_content()
    mail_to.messages.clear()
    resolve(ticket, "Mapping fixed.", owner)
    [asked] = mail_to.messages
    assert f"/portal/support/{ticket.id}" in asked.get_body(("plain",)).get_content()


def test_a_contact_who_refuses_email_is_skipped_and_the_skip_is_on_the_timeline(mail_to):  # noqa: F811
    client, maria, _owner = a_client()
    maria.opt_out_email = True
    db.session.commit()
    raise_ticket(client, "Payroll export fails", contact=maria)
    assert [to(m) for m in mail_to.messages] == ["olive@agency.test"]
    skipped = db.session.query(Activity).filter(Activity.summary.like("Not emailed to%")).all()
    assert len(skipped) == 1


def test_an_escalation_mails_its_person_once(mail_to):  # noqa: F811
    from datetime import timedelta

    import time_machine

    client, maria, _owner = a_client()
    ticket = raise_ticket(client, "Payroll export fails", contact=maria)
    mail_to.messages.clear()
    with time_machine.travel(ticket.response_due_at + timedelta(seconds=1), tick=False):
        assert escalate_tickets() == 1
        assert escalate_tickets() == 0
    [alert] = mail_to.messages
    assert to(alert) == "olive@agency.test"
    assert "Escalation level 1" in alert["Subject"]
