"""The daily collections job: each new notice is emailed once to the client's billing contacts,
through a real SMTP server, with the wording of its level; running it again sends nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from jobs.collections import NO_RECIPIENT, run_daily_collections, send_notice
from models import CollectionNotice, OutboxMessage
from models.base import utcnow
from tests.factories import ClientContactFactory, ClientFactory, issued_invoice
from tests.jobs.test_mail import mail_to, smtp  # noqa: F401  (fixtures: a real SMTP server)

pytestmark = pytest.mark.usefixtures("ctx")

ISSUED = date(2026, 6, 1)
DUE = date(2026, 7, 1)


def overdue_invoice(billing_emails=("ap@acme.example",), **client_fields):
    client = ClientFactory(location="Foreign", currency="EUR", name="Acme Trading", **client_fields)
    for email in billing_emails:
        ClientContactFactory(
            client=client, can_billing=True, contact__email=email, contact__first_name="Lena"
        )
    ClientContactFactory(client=client, can_billing=False, contact__email="hr@acme.example")
    invoice = issued_invoice(client, on=ISSUED, lines=[("Retained search", "12500")])
    assert invoice.due_date == DUE
    return invoice


def day(n: int) -> date:
    return DUE + timedelta(days=n)


def notices() -> list[CollectionNotice]:
    db.session.expire_all()
    return db.session.scalars(select(CollectionNotice).order_by(CollectionNotice.id)).all()


def test_a_new_notice_reaches_the_billing_contact_with_number_amount_and_days(mail_to):  # noqa: F811
    invoice = overdue_invoice()
    run = run_daily_collections(day(3))
    [received] = mail_to.messages
    [notice] = notices()
    assert run.created == run.sent == [notice.id]
    assert received["To"].addresses[0].addr_spec == "ap@acme.example"
    assert received["Subject"] == f"Reminder: invoice {invoice.number} is 3 days overdue"
    text = received.get_body(("plain",)).get_content()
    assert "Dear Lena" in text
    assert "Amount due: EUR 12,500.00" in text and "Days overdue: 3" in text
    assert "may simply have been overlooked" in text  # the first notice is polite
    assert notice.sent_at is not None and notice.status == "sent"
    message = db.session.get(OutboxMessage, notice.message_id)
    assert (message.status, message.kind, message.client_id) == (
        "sent",
        "collection_notice",
        invoice.client_id,
    )


def test_running_twice_sends_nothing_more(mail_to):  # noqa: F811
    overdue_invoice()
    run_daily_collections(day(3))
    second = run_daily_collections(day(3))
    third = run_daily_collections(day(4))
    assert second.created == second.sent == third.sent == []
    assert len(mail_to.messages) == 1


def test_each_billing_contact_gets_the_notice_and_others_do_not(mail_to):  # noqa: F811
    overdue_invoice(billing_emails=("ap@acme.example", "cfo@acme.example"))
    run = run_daily_collections(day(3))
    assert sorted(m["To"].addresses[0].addr_spec for m in mail_to.messages) == [
        "ap@acme.example",
        "cfo@acme.example",
    ]
    assert len(run.messages) == 2


@pytest.mark.parametrize(
    "days, subject, wording",
    [
        (15, "Second reminder", "Please pay the open balance within 7 days"),
        (30, "Final notice", "we will hand the debt over for collection"),
        (60, "Handed over for collection", "handed the debt over to our legal advisers"),
    ],
)
def test_each_level_has_its_wording(mail_to, days, subject, wording):  # noqa: F811
    invoice = overdue_invoice()
    run_daily_collections(day(days))
    [received] = mail_to.messages
    assert received["Subject"] == f"{subject}: invoice {invoice.number} is {days} days overdue"
    assert wording in received.get_body(("plain",)).get_content()


def test_a_flat_late_fee_is_in_the_notice(mail_to):  # noqa: F811
    overdue_invoice(late_fee_policy="flat", late_fee_amount=Decimal("40"))
    run_daily_collections(day(3))
    assert (
        "Late payment charge: EUR 40.00" in mail_to.messages[0].get_body(("plain",)).get_content()
    )


def test_without_a_billing_contact_the_notice_waits_and_goes_out_once_one_is_added(mail_to):  # noqa: F811
    invoice = overdue_invoice(billing_emails=())
    run = run_daily_collections(day(3))
    [notice] = notices()
    assert run.skipped == [("notice", notice.id, NO_RECIPIENT)] and not mail_to.messages
    assert notice.sent_at is None
    ClientContactFactory(client=invoice.client, can_billing=True, contact__email="ap@acme.example")
    db.session.commit()
    assert run_daily_collections(day(4)).sent == [notice.id]
    assert len(mail_to.messages) == 1


def test_an_erased_billing_contact_is_not_written_to(mail_to):  # noqa: F811
    invoice = overdue_invoice(billing_emails=("gone@acme.example",))
    for link in invoice.client.contact_links:
        link.contact.erased_at = utcnow()
    db.session.commit()
    run_daily_collections(day(3))
    assert mail_to.messages == []


def test_a_paused_or_closed_notice_is_not_sent(mail_to):  # noqa: F811
    invoice = overdue_invoice()
    run_daily_collections(day(0))
    from models.collections import run_collections

    [created] = run_collections(day(3)).created
    invoice.dispute("Hours disputed")
    db.session.commit()
    assert send_notice(created, day(3)) == []
    assert mail_to.messages == []


def test_the_cli_command_runs_as_of_a_day_and_reports(app, mail_to):  # noqa: F811
    invoice = overdue_invoice()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["clientdesk", "collections", "--today", day(15).isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 notice(s) opened, 0 superseded, 1 sent (1 message(s) queued)." in result.output
    assert f"invoice {invoice.number} is 15 days overdue" in mail_to.messages[0]["Subject"]
    again = runner.invoke(args=["clientdesk", "collections", "--today", day(15).isoformat()])
    assert "0 notice(s) opened, 0 superseded, 0 sent" in again.output
    bad = runner.invoke(args=["clientdesk", "collections", "--today", "15/07/2026"])
    assert bad.exit_code != 0 and "--today" in bad.output
