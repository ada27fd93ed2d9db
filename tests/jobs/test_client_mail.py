"""Mail and SMS to a client's selected contacts: one outbox message and one timeline row per
contact, skips with their reason, idempotent delivery jobs, and the SMS provider interface."""

import pytest
from sqlalchemy import func, select

from extensions import db
from jobs.client_messages import message_contacts
from jobs.mail import deliver
from jobs.sms import OutboxSmsProvider, deliver_sms, sms_provider
from models import Activity, MessageError, OutboxMessage
from tests.factories import ClientContactFactory, ClientFactory
from tests.jobs.test_mail import mail_to, smtp  # noqa: F401  (fixtures: a real SMTP server)

pytestmark = pytest.mark.usefixtures("ctx")


def three_contacts(**third):
    """Three contacts of one client; the third with ``third``'s preferences."""
    client = ClientFactory(name="Northwind Health")
    return [
        ClientContactFactory(client=client, contact__phone="+63 917 555 0101"),
        ClientContactFactory(client=client, contact__phone="+63 917 555 0102"),
        ClientContactFactory(client=client, **{"contact__phone": "+63 917 555 0103", **third}),
    ]


def count(model) -> int:
    """Rows of ``model`` (of the timeline: its message rows, not the audit trail's)."""
    query = select(func.count()).select_from(model)
    if model is Activity:
        query = query.where(Activity.kind.in_(("mail", "sms")))
    return db.session.scalar(query)


def test_mail_to_three_contacts_skips_the_one_who_opted_out(mail_to):  # noqa: F811
    links = three_contacts(contact__opt_out_email=True)
    sending = message_contacts(links, "email", "Your shortlist is ready.", "Shortlist")
    assert [m.contact_id for m in sending.queued] == [links[0].contact_id, links[1].contact_id]
    assert sending.skipped == [(links[2].contact, "opted out of email")]
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.channel, m.status, m.client_id) for m in messages] == [
        ("email", "sent", links[0].client_id)
    ] * 2
    assert sorted(m.to_email for m in messages) == sorted(link.contact.email for link in links[:2])
    assert len(mail_to.messages) == 2
    timeline = db.session.scalars(
        select(Activity).where(Activity.kind.in_(("mail", "sms"))).order_by(Activity.id)
    ).all()
    assert [(a.kind, a.client_id, a.subject_type) for a in timeline] == [
        ("mail", links[0].client_id, "outbox_message"),
        ("mail", links[0].client_id, "outbox_message"),
        ("mail", links[0].client_id, "contact"),  # the skip, with its reason
    ]
    assert timeline[0].summary == f"Mail to {links[0].contact}: Shortlist"
    assert timeline[2].summary == f"Mail to {links[2].contact} not sent: opted out of email"


def test_a_contact_without_an_email_address_is_skipped():
    links = three_contacts(contact__email=None)
    sending = message_contacts(links, "email", "Hello", "Hello")
    assert [reason for _, reason in sending.skipped] == ["has no email address"]
    assert count(OutboxMessage) == 2


def test_a_contact_over_their_frequency_limit_is_skipped():
    links = three_contacts(contact__frequency_limit=1)
    message_contacts(links, "email", "First", "First")
    sending = message_contacts(links, "email", "Second", "Second")
    assert [(c.id, reason) for c, reason in sending.skipped] == [
        (links[2].contact_id, "reached their limit of 1 messages per 7 days")
    ]
    assert count(OutboxMessage) == 5


def test_a_mail_without_a_subject_queues_nothing():
    with pytest.raises(MessageError) as caught:
        message_contacts(three_contacts(), "email", "Body only", "  ")
    assert caught.value.field == "subject"
    db.session.rollback()
    assert count(OutboxMessage) == 0 and count(Activity) == 0


def test_running_the_mail_job_twice_sends_once(mail_to):  # noqa: F811
    [message] = message_contacts(three_contacts()[:1], "email", "Once", "Once").queued
    assert len(mail_to.messages) == 1
    assert deliver(message.id) == "sent"
    assert len(mail_to.messages) == 1
    assert db.session.get(OutboxMessage, message.id).attempts == 1


@pytest.mark.redis
def test_with_redis_each_message_is_one_job_on_the_queue(app, redis_url, monkeypatch):
    from redis import Redis
    from rq import Queue

    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    queue = Queue("clientdesk", connection=Redis.from_url(redis_url))
    queue.empty()
    try:
        links = three_contacts(contact__opt_out_email=True)
        sending = message_contacts(links, "email", "Queued", "Queued")
        jobs = queue.get_jobs()
        assert sorted(job.args for job in jobs) == sorted((m.id,) for m in sending.queued)
        assert {job.func_name for job in jobs} == {"jobs.mail.deliver"}
        assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {"queued"}
        # What the worker would run; a retry of the same job sends nothing again.
        assert [deliver(*job.args) for job in jobs] == ["stored", "stored"]
        assert [deliver(*job.args) for job in jobs] == ["stored", "stored"]
        assert sum(m.attempts for m in db.session.scalars(select(OutboxMessage))) == 2
    finally:
        queue.empty()


# -- SMS


class RecordingProvider:
    """A gateway stand-in: remembers what it was asked to send."""

    sent: list[tuple[str, str]] = []

    def send(self, to_phone: str, text: str) -> str:
        self.sent.append((to_phone, text))
        return f"gw-{len(self.sent)}"


def test_sms_go_through_the_outbox_provider_by_default(app):
    assert isinstance(sms_provider(), OutboxSmsProvider)
    links = three_contacts(contact__opt_out_sms=True)
    sending = message_contacts(links, "sms", "Interview moved to 3 pm.")
    assert [reason for _, reason in sending.skipped] == ["opted out of SMS"]
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.channel, m.status, m.to_phone, m.to_email) for m in messages] == [
        ("sms", "stored", "+63 917 555 0101", None),
        ("sms", "stored", "+63 917 555 0102", None),
    ]
    assert messages[0].body_text == "Interview moved to 3 pm."
    assert {
        a.kind
        for a in db.session.scalars(select(Activity).where(Activity.kind.in_(("mail", "sms"))))
    } == {"sms"}
    assert count(Activity) == 3  # two SMS and the skip of the one who opted out


def test_a_contact_without_a_phone_gets_no_sms():
    links = three_contacts(contact__phone=None)
    sending = message_contacts(links, "sms", "Hi")
    assert [reason for _, reason in sending.skipped] == ["has no phone number"]


def test_a_configured_provider_sends_each_sms_once(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_PROVIDER", "tests.jobs.test_client_mail:RecordingProvider")
    RecordingProvider.sent.clear()
    [message] = message_contacts(three_contacts()[:1], "sms", "Reminder").queued
    assert deliver_sms(message.id) == "sent"  # the second run: nothing sent again
    assert RecordingProvider.sent == [("+63 917 555 0101", "Reminder")]
    saved = db.session.get(OutboxMessage, message.id)
    assert saved.provider_ref == "gw-1" and saved.attempts == 1


def test_an_sms_over_480_characters_is_refused():
    with pytest.raises(MessageError, match="at most 480 characters") as caught:
        message_contacts(three_contacts(), "sms", "x" * 481)
    assert caught.value.field == "body_text"


def test_an_unknown_sms_provider_name_is_a_clear_error(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_PROVIDER", "carrier-pigeon")
    with pytest.raises(ValueError, match="SMS_PROVIDER='carrier-pigeon'"):
        sms_provider()
