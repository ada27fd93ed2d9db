"""The email intake end to end: mail sent by the app over real SMTP (aiosmtpd), answered, put in
a real mbox file served by a standard-library IMAP server on loopback, and read by
`flask clientdesk fetch-mail`. A reply becomes a comment once, a new mail from a contact a
ticket; everything else waits in triage with its reason, and nothing is dropped."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import pytest
from sqlalchemy import func, select

from extensions import db
from jobs.mail_intake import make_ticket
from jobs.tickets import raise_ticket
from models import InboundMail, Ticket, TicketAttachment, TicketComment
from tests.factories import ClientContactFactory, ClientFactory, ContactFactory
from tests.imap_server import ImapStandIn
from tests.models.test_documents import pdf_bytes, uploads  # noqa: F401 (a fixture)

from .test_mail import mail_to, smtp  # noqa: F401 (fixtures)
from .test_ticket_mail import a_client, to

pytestmark = pytest.mark.usefixtures("ctx")
USER, PASSWORD = "support@agency.test", "imap-Passw0rd"


@pytest.fixture
def mbox_path(tmp_path):
    return tmp_path / "INBOX.mbox"


@pytest.fixture
def imap(app, mbox_path, monkeypatch):
    """The support mailbox on a loopback IMAP server; the app configured to read it."""
    with ImapStandIn(mbox_path, USER, PASSWORD) as server:
        settings = {
            "IMAP_HOST": "127.0.0.1",
            "IMAP_PORT": server.port,
            "IMAP_USER": USER,
            "IMAP_PASSWORD": PASSWORD,
            "IMAP_SSL": False,
            "IMAP_MAILBOX": "INBOX",
            "SUPPORT_EMAIL": USER,
        }
        for key, value in settings.items():
            monkeypatch.setitem(app.config, key, value)
        yield server


def arrives(path, message: EmailMessage) -> None:
    """``message`` lands in the mailbox file."""
    box = mailbox.mbox(path)
    box.lock()
    try:
        box.add(message)
        box.flush()
    finally:
        box.unlock()
        box.close()


def mail(sender: str, subject: str, text: str, **headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = USER
    message["Subject"] = subject
    message["Date"] = formatdate()
    message["Message-ID"] = make_msgid(domain="sender.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message


def fetch_mail(app):
    return app.test_cli_runner().invoke(args=["clientdesk", "fetch-mail"])


def comments_on(ticket_id: int) -> list[TicketComment]:
    return db.session.scalars(
        select(TicketComment).where(TicketComment.ticket_id == ticket_id)
    ).all()


def only_mail() -> InboundMail:
    [received] = db.session.scalars(select(InboundMail)).all()
    return received


# ---------------------------------------------------------------- the acceptance


def test_a_reply_to_a_ticket_notification_becomes_one_comment_on_that_ticket(
    app,
    mail_to,  # noqa: F811
    imap,
    mbox_path,
):
    client, maria, _owner = a_client()
    ticket = raise_ticket(client, "Payroll export fails", "It stops at row 40.", contact=maria)
    notice = next(m for m in mail_to.messages if to(m) == "maria@bayanihan.example")
    quoted = "\n".join(
        f"> {line}" for line in notice.get_body(("plain",)).get_content().split("\n")
    )
    reply = mail(
        "Maria Santos <Maria@Bayanihan.Example>",  # her address, in another case
        f"Re: {notice['Subject']}",
        "Thanks, the export runs through now.\n\n"
        f"On Mon, 7 Dec 2026 at 09:12, {notice['From']} wrote:\n{quoted}\n",
        In_Reply_To=notice["Message-ID"],
    )
    assert notice["Reply-To"] == USER and f"[{ticket.reference}]" in notice["Subject"]
    arrives(mbox_path, reply)
    mail_to.messages.clear()

    result = fetch_mail(app)

    assert result.exit_code == 0, result.output
    assert "0 new ticket(s), 1 comment(s), 0 in triage" in result.output
    [comment] = comments_on(ticket.id)
    assert comment.channel == "email" and comment.author_contact_id == maria.id
    assert comment.body == "Thanks, the export runs through now."  # the quote trimmed
    assert comment.message_id == reply["Message-ID"] and not comment.internal
    assert only_mail().status == "comment" and only_mail().comment_id == comment.id
    assert imap.seen(1)
    assert [to(m) for m in mail_to.messages] == ["olive@agency.test"]  # the owner hears of it

    assert "0 comment(s)" in fetch_mail(app).output  # read again: nothing unread
    imap.server.flags.clear()  # even with the flags lost, the mail is known
    again = fetch_mail(app)
    assert again.exit_code == 0 and "1 received before" in again.output
    assert len(comments_on(ticket.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(InboundMail)) == 1


# ---------------------------------------------------------------- what a mail becomes


def test_a_new_mail_from_a_known_contact_raises_a_ticket_for_their_client(app, imap, mbox_path):
    client, maria, _owner = a_client()
    arrives(
        mbox_path,
        mail(
            "maria@bayanihan.example",
            "Fwd: Login page is blank",
            "Since this morning the login page shows nothing.",
        ),
    )

    assert "1 new ticket(s)" in fetch_mail(app).output

    [ticket] = db.session.scalars(select(Ticket)).all()
    assert (ticket.client_id, ticket.contact_id, ticket.channel) == (client.id, maria.id, "email")
    assert ticket.subject == "Login page is blank"
    assert ticket.description == "Since this morning the login page shows nothing."
    assert only_mail().ticket_id == ticket.id and only_mail().status == "ticket"


def test_an_unknown_sender_waits_in_triage_until_staff_make_it_a_ticket(app, imap, mbox_path):
    client, maria, owner = a_client()
    arrives(
        mbox_path,
        mail(
            "Ben Cruz <ben@newhire.example>",
            "Access for the new HR lead",
            "Please give me portal access.",
        ),
    )

    assert "1 in triage" in fetch_mail(app).output
    waiting = only_mail()
    assert (waiting.status, waiting.reason) == ("triage", "unknown sender")
    assert waiting.from_address == "ben@newhire.example" and "portal access" in waiting.body
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0

    ticket = make_ticket(waiting, client, maria, owner)

    assert ticket.channel == "email" and ticket.subject == "Access for the new HR lead"
    assert (waiting.status, waiting.ticket_id, waiting.handled_by_id) == (
        "ticket",
        ticket.id,
        owner.id,
    )


def test_a_reference_to_another_clients_ticket_goes_to_triage_not_on_the_ticket(
    app, imap, mbox_path
):
    client, maria, _owner = a_client()
    ticket = raise_ticket(client, "Payroll export fails", contact=maria)
    stranger = ClientContactFactory(
        client=ClientFactory(name="Mabuhay Logistics"),
        contact=ContactFactory(email="jose@mabuhay.example"),
    )
    db.session.commit()
    arrives(
        mbox_path,
        mail(stranger.contact.email, f"Re: [{ticket.reference}] Payroll", "What is the status?"),
    )

    assert "1 in triage" in fetch_mail(app).output
    assert comments_on(ticket.id) == []
    assert only_mail().reason == (
        f"sender is not a contact of {ticket.reference}'s client (Bayanihan Foods)"
    )


def test_a_reference_naming_no_ticket_goes_to_triage(app, imap, mbox_path):
    a_client()
    arrives(mbox_path, mail("maria@bayanihan.example", "Re: [T-00099] Old matter", "Any news?"))
    fetch_mail(app)
    assert only_mail().reason == "reference T-00099 names no ticket"


def test_a_mails_files_are_attached_and_a_refused_one_is_named_not_lost(
    app,
    imap,
    mbox_path,
    uploads,  # noqa: F811
):
    client, maria, _owner = a_client()
    ticket = raise_ticket(client, "Payroll export fails", contact=maria)
    reply = mail(
        "maria@bayanihan.example",
        f"Re: [{ticket.reference}] Payroll",
        "The signed form is attached.",
    )
    reply.add_attachment(
        pdf_bytes(), maintype="application", subtype="pdf", filename="payroll-form.pdf"
    )
    reply.add_attachment(
        b"MZ\x90\x00 a program", maintype="application", subtype="octet-stream", filename="fix.exe"
    )
    arrives(mbox_path, reply)

    assert "1 comment(s)" in fetch_mail(app).output

    [comment] = comments_on(ticket.id)
    [attached] = db.session.scalars(select(TicketAttachment)).all()
    assert attached.comment_id == comment.id and attached.ticket_id == ticket.id
    assert attached.document.original_filename == "payroll-form.pdf"
    assert comment.body.startswith("The signed form is attached.")
    assert "fix.exe was not attached" in comment.body
    assert "fix.exe was not attached" in only_mail().note


def test_a_reply_to_a_closed_ticket_is_kept_in_triage_with_the_reason(app, imap, mbox_path):
    client, maria, owner = a_client()
    ticket = raise_ticket(client, "Payroll export fails", contact=maria)
    ticket.status = "closed"
    db.session.commit()
    arrives(mbox_path, mail("maria@bayanihan.example", f"Re: [{ticket.reference}]", "Again!"))
    assert "1 in triage" in fetch_mail(app).output
    assert only_mail().reason == f"{ticket.reference} is closed"


# ---------------------------------------------------------------- the mailbox


def test_a_nul_character_in_a_mail_does_not_stop_it_being_filed(app, imap, mbox_path):
    client, _maria, _owner = a_client()
    message = mail("maria@bayanihan.example", "Export\x00 broken", "Row 40\x00 is empty.")
    arrives(mbox_path, message)

    assert "1 new ticket(s)" in fetch_mail(app).output
    [ticket] = db.session.scalars(select(Ticket)).all()
    assert (ticket.subject, ticket.description) == ("Export broken", "Row 40 is empty.")


def test_a_mail_that_trips_a_fault_is_kept_in_triage_and_the_next_one_is_filed(
    app, imap, mbox_path, monkeypatch
):
    """A programming fault while filing one mail (simulated on its ticket) holds up nothing."""
    client, _maria, _owner = a_client()
    arrives(mbox_path, mail("maria@bayanihan.example", "Poison", "This one trips the fault."))
    arrives(mbox_path, mail("maria@bayanihan.example", "Login page blank", "Since 9:00."))
    real_raise = InboundMail._raise_for

    def faulty(self, *args, **kwargs):
        if self.subject == "Poison":
            raise RuntimeError("a bug in filing")
        return real_raise(self, *args, **kwargs)

    monkeypatch.setattr(InboundMail, "_raise_for", faulty)
    output = fetch_mail(app).output

    assert "1 new ticket(s)" in output and "1 in triage" in output
    held = db.session.scalar(select(InboundMail).where(InboundMail.subject == "Poison"))
    assert held.status == "triage" and "could not be filed" in held.reason
    assert [t.subject for t in db.session.scalars(select(Ticket))] == ["Login page blank"]
    assert imap.seen(1) and imap.seen(2)  # the poison waits in triage, not in the mailbox


def test_without_imap_host_the_command_says_so_and_fails(app, monkeypatch):
    monkeypatch.setitem(app.config, "IMAP_HOST", None)
    result = fetch_mail(app)
    assert result.exit_code != 0
    assert "IMAP_HOST is not set" in result.output and "Traceback" not in result.output


def test_a_wrong_password_is_a_clear_error_and_changes_nothing(app, imap, mbox_path, monkeypatch):
    a_client()
    arrives(mbox_path, mail("maria@bayanihan.example", "Login page is blank", "Nothing shows."))
    monkeypatch.setitem(app.config, "IMAP_PASSWORD", "wrong")

    result = fetch_mail(app)

    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"refused {USER}" in result.output and "Invalid credentials" in result.output
    assert db.session.scalar(select(func.count()).select_from(InboundMail)) == 0
    assert not imap.seen(1)
