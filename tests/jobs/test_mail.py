"""Mail jobs: the portal welcome email over real SMTP (aiosmtpd on loopback), through the outbox
without a mail server, and through a real RQ worker when Redis is there."""

import os
import subprocess
import sys
import time
from email import message_from_bytes
from email.policy import default as email_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from extensions import db
from jobs.mail import deliver
from jobs.portal import invite_contact
from models import OutboxMessage, PortalInvitation
from tests.conftest import free_port
from tests.factories import ClientContactFactory, make_user

ROOT = Path(__file__).resolve().parents[2]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def mail_to(app, smtp, monkeypatch):
    controller, inbox = smtp
    monkeypatch.setitem(app.config, "MAIL_SERVER", controller.hostname)
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    return inbox


def a_contact_to_invite():
    return ClientContactFactory(
        contact__email="maria.santos@example.test", contact__first_name="Maria"
    )


def test_without_a_mail_server_the_welcome_email_stays_in_the_outbox(ctx):
    link = a_contact_to_invite()
    invitation = invite_contact(link, make_user("Account Manager"))
    message = db.session.get(OutboxMessage, invitation.outbox_message_id)
    assert message.status == "stored" and message.to_email == "maria.santos@example.test"
    assert "/portal/invitation/" in message.body_text


def test_the_welcome_email_reaches_a_real_smtp_server(ctx, mail_to):
    link = a_contact_to_invite()
    invitation = invite_contact(link, make_user("Account Manager", first_name="Jo"))
    [received] = mail_to.messages
    assert received["To"].addresses[0].addr_spec == "maria.santos@example.test"
    assert link.client.name in received["Subject"]
    text = received.get_body(("plain",)).get_content()
    assert "Hello Maria" in text and "http://portal.test/portal/invitation/" in text
    token = text.split("/portal/invitation/")[1].split()[0]
    assert PortalInvitation.find_usable(token).id == invitation.id
    assert db.session.get(OutboxMessage, invitation.outbox_message_id).status == "sent"


def test_delivering_the_same_message_twice_sends_it_once(ctx, mail_to):
    invitation = invite_contact(a_contact_to_invite(), None)
    assert deliver(invitation.outbox_message_id) == "sent"
    assert deliver(invitation.outbox_message_id) == "sent"
    assert len(mail_to.messages) == 1


def test_an_unreachable_mail_server_marks_the_message_failed(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    invite_contact(a_contact_to_invite(), None)
    message = db.session.scalar(select(OutboxMessage))
    assert message.status == "failed" and "Connection" in message.error
    assert db.session.scalar(select(PortalInvitation)) is not None  # the invitation is kept


def test_a_new_invitation_revokes_the_previous_link(ctx):
    link = a_contact_to_invite()
    first = invite_contact(link, None)
    second = invite_contact(link, None)
    assert first.state == "revoked" and second.state == "pending"


@pytest.mark.redis
def test_a_real_rq_worker_delivers_the_welcome_email(
    app, ctx, redis_url, database_url, smtp, monkeypatch
):
    """With REDIS_URL set the job is queued, and `rq worker --burst` (a separate process,
    which creates its own app from the environment) sends it over SMTP."""
    from redis import Redis
    from rq import Queue

    controller, inbox = smtp
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    Queue("clientdesk", connection=Redis.from_url(redis_url)).empty()

    invitation = invite_contact(a_contact_to_invite(), None)
    message_id = invitation.outbox_message_id
    assert db.session.get(OutboxMessage, message_id).status == "queued"
    assert inbox.messages == []

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MAIL_SERVER": controller.hostname,
        "MAIL_PORT": str(controller.port),
        "SECRET_KEY": "worker-test-secret-0123456789abcdef",
        "PYTHONPATH": str(ROOT),
    }
    rq = Path(sys.executable).parent / "rq"
    result = subprocess.run(
        [
            str(rq),
            "worker",
            "--burst",
            "--worker-class",
            "rq.worker.SimpleWorker",
            "--url",
            redis_url,
            "clientdesk",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    deadline = time.monotonic() + 10
    while not inbox.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["To"].addresses[0].addr_spec == "maria.santos@example.test"
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message_id).status == "sent"
