"""Invoice PDFs and their delivery: issuing renders the PDF and emails it, attached, to the
client's billing contacts over real SMTP (aiosmtpd on loopback); pypdf reads what it says."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pypdf
import pytest
from sqlalchemy import select

from extensions import db
from jobs.documents import document_preview, render_document_job
from jobs.invoice_documents import (
    deliver_invoice_job,
    invoice_pdf,
    issue_invoice,
    send_invoice_again,
)
from models import ClientDocument, OutboxMessage
from models.billing import BillingStateError
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    LocationFactory,
    draft_invoice,
    known_rates,
)
from tests.jobs.test_mail import mail_to, smtp  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def inbox(mail_to):  # noqa: F811
    """What a real SMTP server on loopback received (MAIL_SERVER points at it)."""
    return mail_to


def _text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _billing_client(**fields):
    """A Local client with two billing contacts and one hiring-only contact."""
    client = ClientFactory(name="Bayanihan Foods Corporation", vat_number="VAT-PH-0042", **fields)
    for email in ("ap@bayanihan.test", "cfo@bayanihan.test"):
        ClientContactFactory(client=client, contact__email=email, can_billing=True)
    ClientContactFactory(client=client, contact__email="hr@bayanihan.test", can_hiring=True)
    return client


def _pdf_attachment(mail) -> tuple[str, bytes]:
    [part] = [p for p in mail.iter_attachments()]
    assert part.get_content_type() == "application/pdf"
    return part.get_filename(), part.get_content()


def test_issuing_emails_the_pdf_to_each_billing_contact_and_no_one_else(inbox):
    known_rates()
    client = _billing_client()
    invoice = draft_invoice(client)
    invoice.add_line("Interview travel, Cebu", Decimal("3450.50"), kind="expense")
    db.session.commit()
    issue_invoice(invoice)
    assert sorted(m["To"].addresses[0].addr_spec for m in inbox.messages) == [
        "ap@bayanihan.test",
        "cfo@bayanihan.test",
    ]
    for mail in inbox.messages:
        assert invoice.number in mail["Subject"]
        filename, data = _pdf_attachment(mail)
        assert filename == f"invoice-{invoice.number}.pdf"
        text = _text(data)
        assert invoice.number in text and client.name in text
        assert "Placement fee: 20% of the annual salary" in text and "20%" in text
        assert "Interview travel, Cebu" in text and "3,450.50" in text
        assert f"Total (PHP) {invoice.total:,}" in text
        assert invoice.due_date.strftime("%d %b %Y") in text
        assert "VAT-PH-0042" in text
        assert f"(12%) {invoice.tax_amount:,}" in text  # the tax line


def test_running_the_delivery_job_again_sends_nothing_more(inbox):
    known_rates()
    invoice = draft_invoice(_billing_client())
    issue_invoice(invoice)
    assert len(inbox.messages) == 2
    assert deliver_invoice_job(invoice.id) == []
    assert len(inbox.messages) == 2
    documents = db.session.scalars(
        select(ClientDocument).where(ClientDocument.source == f"invoice:{invoice.id}")
    ).all()
    assert len(documents) == 1 and documents[0].visible_to_client


def test_staff_can_send_an_issued_invoice_again(inbox):
    known_rates()
    invoice = draft_invoice(_billing_client())
    issue_invoice(invoice)
    kind = send_invoice_again(invoice)
    assert len(inbox.messages) == 4
    assert deliver_invoice_job(invoice.id, kind) == []  # the same re-send, retried
    assert len(inbox.messages) == 4


def test_a_draft_is_not_sent_again():
    invoice = draft_invoice(ClientFactory())
    with pytest.raises(BillingStateError) as error:
        send_invoice_again(invoice)
    assert error.value.field == "status"


def test_the_invoices_own_contact_gets_it_too_and_erased_people_do_not(inbox):
    known_rates()
    client = ClientFactory()
    erased = ClientContactFactory(client=client, contact__email="gone@x.test", can_billing=True)
    erased.contact.erased_at = erased.contact.created_at
    named = ClientContactFactory(client=client, contact__email="named@x.test")
    db.session.commit()
    invoice = draft_invoice(client, contact=named.contact)
    issue_invoice(invoice)
    assert [m["To"].addresses[0].addr_spec for m in inbox.messages] == ["named@x.test"]


def test_without_billing_contacts_nothing_is_sent_and_the_timeline_says_so(inbox):
    known_rates()
    client = ClientFactory(name="Quiet Client")
    invoice = draft_invoice(client)
    issue_invoice(invoice)
    assert inbox.messages == []
    assert invoice_pdf(invoice.id) is not None
    from models.activity import Activity

    summaries = db.session.scalars(
        select(Activity.summary).where(Activity.client_id == client.id)
    ).all()
    assert any("not emailed" in s and "no billing contact" in s for s in summaries)


def test_the_pdf_prints_the_billing_location_and_the_remittance_details():
    known_rates()
    client = ClientFactory(
        address="Head office, 1 Main Street", remittance_details="Pay to BDO account 0042-1234"
    )
    LocationFactory(client=client, address_line1="Accounts Payable, 8 Paseo de Roxas")
    invoice = draft_invoice(client)
    issue_invoice(invoice)
    text = _text(invoice_pdf(invoice.id).path.read_bytes())
    assert "Accounts Payable, 8 Paseo de Roxas" in text
    assert "Head office" not in text
    assert "Pay to BDO account 0042-1234" in text
    assert "Bank transfer to the account on your contract" in text  # PAYMENT_INSTRUCTIONS


def test_a_credit_note_pdf_names_the_invoice_it_credits_and_the_reason(inbox):
    known_rates()
    client = _billing_client()
    invoice = draft_invoice(client)
    issue_invoice(invoice)
    note = invoice.draft_credit_note("Candidate left within the guarantee", amount="5000")
    db.session.commit()
    issue_invoice(note)
    assert note.number.startswith("CN-")
    text = _text(invoice_pdf(note.id).path.read_bytes())
    assert "Credit note" in text and note.number in text
    assert invoice.number in text
    assert "Reason: Candidate left within the guarantee" in text
    assert f"Total (PHP) {note.total:,}" in text
    notes = [m for m in inbox.messages if note.number in m["Subject"]]
    assert len(notes) == 2
    assert _pdf_attachment(notes[0])[0] == f"credit-note-{note.number}.pdf"


def test_a_foreign_invoice_is_zero_rated_with_the_reason_and_its_base_equivalent():
    known_rates()
    client = ClientFactory(location="Foreign", currency="EUR", name="Rheinland Logistik GmbH")
    invoice = draft_invoice(client, lines=[("Retained search, second stage", "12000")])
    issue_invoice(invoice)
    text = _text(invoice_pdf(invoice.id).path.read_bytes())
    assert "(0%) 0.00" in text  # the tax line
    assert "Zero-rated: services supplied to a client established outside" in text
    assert "Total (EUR) 12,000.00" in text
    # 12,000 EUR at the captured 1.08: 12,960.00 USD (the base currency).
    assert "USD 12,960.00 at 1 EUR = 1.08 USD" in text


def test_a_paid_invoice_re_rendered_shows_what_was_paid_and_the_balance():
    known_rates()
    invoice = draft_invoice(ClientFactory(), lines=[("Expense", "1000")])
    issue_invoice(invoice)
    invoice.register_payment(Decimal("500"), "bank_transfer", received_on=date.today())
    db.session.commit()
    deliver_invoice_job(invoice.id)  # re-renders (the invoice changed), sends nothing new
    text = _text(invoice_pdf(invoice.id).path.read_bytes())
    assert "Paid 500.00" in text and "Balance due (PHP) 620.00" in text
    assert db.session.scalar(select(db.func.count(OutboxMessage.id))) == 0


def test_a_drafts_preview_is_marked_draft_and_has_no_number_yet():
    invoice = draft_invoice(ClientFactory())
    html = document_preview("invoice", invoice)
    assert f"draft #{invoice.id}" in html and 'class="watermark"' in html and ">Draft<" in html
    assert "Balance due" in html


def test_a_message_whose_attachment_file_is_gone_fails_rather_than_going_out_without_it(inbox):
    known_rates()
    client = _billing_client()
    invoice = draft_invoice(client)
    invoice.issue()
    db.session.commit()
    render_document_job("invoice", invoice.id)
    invoice_pdf(invoice.id).path.unlink()
    deliver_invoice_job(invoice.id)  # inline: the failure is kept on the message (RQ retries)
    failed = db.session.scalars(select(OutboxMessage)).all()
    assert inbox.messages == []
    assert len(failed) == 2
    assert all(m.status == "failed" and "FileNotFoundError" in m.error for m in failed)
