"""Templated mail over a real SMTP server (aiosmtpd on loopback): the headers and body that
arrive, a temporary refusal retried until it passes, a permanent one left failed, and
contacts who opted out receiving nothing (the skip logged)."""

from datetime import timedelta
from email import message_from_bytes
from email.policy import default as email_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from extensions import db
from jobs.client_messages import message_contacts
from jobs.mail import deliver, retry_due_mail
from models import Activity, EmailTemplate, OutboxMessage, utcnow
from models.messaging import MAX_ATTEMPTS
from tests.conftest import free_port
from tests.factories import ClientContactFactory, ClientFactory, issued_invoice, make_user

pytestmark = pytest.mark.usefixtures("ctx")


class FlakyInbox:
    """An SMTP server that answers ``refusals`` first (e.g. 451 twice), then accepts."""

    def __init__(self, refusals=()):
        self.refusals = list(refusals)
        self.messages = []
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.refusals:
            return self.refusals.pop(0)
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy))
        return "250 OK"


@pytest.fixture
def smtp_server(app, monkeypatch):
    servers = []

    def start(refusals=()):
        inbox = FlakyInbox(refusals)
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append(controller)
        monkeypatch.setitem(app.config, "MAIL_SERVER", controller.hostname)
        monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
        monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "Northstar <desk@northstar.test>")
        return inbox

    yield start
    for controller in servers:
        controller.stop()


def invoice_template() -> EmailTemplate:
    template = EmailTemplate(
        key="invoice-due",
        name="Invoice due",
        category="collections",
        subject="Invoice {{ invoice.number }} from {{ agency.name }}",
        body=(
            "Hello {{ contact.first_name }},\n\n"
            "Invoice {{ invoice.number }} for {{ invoice.total }} is due on "
            "{{ invoice.due_date }}.\n\nPay it here: {{ links.invoice }}\n\n{{ sender.full_name }}"
        ),
    )
    db.session.add(template)
    db.session.commit()
    return template


def maria(**contact):
    owner = make_user("Account Manager", first_name="Ana", last_name="Cruz")
    client = ClientFactory(name="Bayanihan Foods", owner_id=owner.id)
    return ClientContactFactory(
        client=client,
        contact__first_name="Maria",
        contact__email="maria@bayanihan.test",
        **{f"contact__{k}": v for k, v in contact.items()},
    )


def test_a_templated_message_arrives_with_its_headers_and_rendered_body(smtp_server):
    inbox = smtp_server()
    link = maria()
    invoice = issued_invoice(link.client)
    sending = message_contacts(
        [link], "email", None, template=invoice_template(), records={"invoice": invoice}
    )
    [received] = inbox.messages
    assert received["To"].addresses[0].addr_spec == "maria@bayanihan.test"
    assert received["To"].addresses[0].display_name == "Maria Reyes"
    assert received["From"].addresses[0].addr_spec == "desk@northstar.test"
    assert received["Subject"] == f"Invoice {invoice.number} from Northstar Talent Partners"
    assert received["Message-ID"]
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Hello Maria,\n\nInvoice " + invoice.number + " for PHP ")
    assert f"http://portal.test/portal/invoices/{invoice.id}" in text  # the real address
    assert text.rstrip().endswith("Ana Cruz")
    html = received.get_body(("html",)).get_content()
    message = sending.queued[0]
    assert f"/portal/t/{message.tracking_token}/o.gif" in html  # the open pixel
    assert f"/portal/t/{message.tracking_token}/c?u=" in html  # the link, through the redirect
    stored = db.session.get(OutboxMessage, message.id)
    assert (stored.status, stored.attempts, stored.template_id) == ("sent", 1, message.template_id)


def test_a_temporary_refusal_is_retried_and_the_message_ends_sent(smtp_server):
    inbox = smtp_server(refusals=["451 4.3.0 Mailbox busy, try again later"])
    link = maria()
    [message] = message_contacts([link], "email", "Your shortlist is ready.", "Shortlist").queued
    message = db.session.get(OutboxMessage, message.id)
    assert message.status == "failed" and "451" in message.error
    assert message.next_attempt_at is not None and inbox.messages == []
    # Not due yet: nothing is tried.
    assert retry_due_mail(now=utcnow()) == []
    # The retry sweep, a few minutes later, sends it.
    assert retry_due_mail(now=utcnow() + timedelta(minutes=2)) == [message.id]
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message.id)
    assert (message.status, message.attempts, message.error) == ("sent", 2, None)
    assert message.next_attempt_at is None
    assert len(inbox.messages) == 1 and inbox.attempts == 2


def test_a_server_that_keeps_refusing_leaves_the_message_failed_after_the_last_attempt(
    smtp_server,
):
    inbox = smtp_server(refusals=["451 4.3.0 Try again later"] * 10)
    [message] = message_contacts([maria()], "email", "Hello", "Hello").queued
    later = utcnow()
    for _ in range(MAX_ATTEMPTS + 2):
        later += timedelta(hours=1)
        retry_due_mail(now=later)
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message.id)
    assert message.status == "failed" and message.attempts == MAX_ATTEMPTS
    assert message.next_attempt_at is None
    assert f"gave up after {MAX_ATTEMPTS} attempts" in message.error
    assert inbox.attempts == MAX_ATTEMPTS and inbox.messages == []


def test_a_permanent_refusal_is_not_retried(smtp_server):
    inbox = smtp_server(refusals=["550 5.1.1 No such mailbox"])
    [message] = message_contacts([maria()], "email", "Hello", "Hello").queued
    message = db.session.get(OutboxMessage, message.id)
    assert message.status == "failed" and "550" in message.error
    assert message.next_attempt_at is None
    assert retry_due_mail(now=utcnow() + timedelta(days=1)) == []
    assert deliver(message.id) == "failed"  # a retried job changes nothing either
    assert inbox.attempts == 1


def test_a_contact_who_opted_out_receives_nothing_and_the_skip_is_logged(smtp_server):
    inbox = smtp_server()
    link = maria(opt_out_email=True)
    sending = message_contacts(
        [link],
        "email",
        None,
        template=invoice_template(),
        records={"invoice": issued_invoice(link.client)},
    )
    assert sending.queued == [] and sending.skipped == [(link.contact, "opted out of email")]
    assert inbox.messages == [] and db.session.scalar(select(OutboxMessage)) is None
    [logged] = db.session.scalars(
        select(Activity).where(Activity.kind == "mail", Activity.client_id == link.client_id)
    ).all()
    assert logged.summary == "Mail to Maria Reyes not sent: opted out of email"
