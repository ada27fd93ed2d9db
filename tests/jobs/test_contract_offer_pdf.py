"""Contract and offer-letter PDFs: rendered by the document job, stored as the client's
documents, readable (pypdf finds the number, the client, every line and the total)."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf
import pytest

from extensions import db
from jobs.contract_documents import convert_quote, extend_offer, send_contract
from jobs.documents import document_preview, enqueue_document
from models import ClientDocument
from tests.factories import accepted_quote, draft_contract, draft_offer, make_user

pytestmark = pytest.mark.usefixtures("ctx")


def _documents(client_id: int) -> list[ClientDocument]:
    return db.session.scalars(
        db.select(ClientDocument)
        .where(ClientDocument.client_id == client_id, ClientDocument.archived_at.is_(None))
        .order_by(ClientDocument.id)
    ).all()


def _text(document: ClientDocument) -> str:
    reader = pypdf.PdfReader(io.BytesIO(document.path.read_bytes()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_a_converted_contracts_pdf_holds_its_number_client_lines_and_total():
    quote = accepted_quote()
    contract = convert_quote(quote)
    [document] = [d for d in _documents(quote.client_id) if d.type == "contract"]
    text = _text(document)
    assert contract.number in text and quote.client.name in text
    for line in contract.lines:
        assert line.description in text
    assert "113,401.51" in text  # the quote's total, carried over
    assert not document.visible_to_client  # a draft stays with the agency


def test_sending_re_renders_the_contract_and_shows_it_to_the_client():
    contract = convert_quote(accepted_quote())
    contract.action_submit()
    contract.action_approve(make_user("Account Manager"))
    contract.action_approve(make_user("Admin"))
    send_contract(contract)
    documents = [d for d in _documents(contract.client_id) if d.type == "contract"]
    assert len(documents) == 1 and documents[0].visible_to_client  # the draft's is archived
    assert "Sent for signature" in _text(documents[0])


def test_an_offer_letter_holds_the_candidate_the_package_and_the_total_cash():
    offer = draft_offer()
    extend_offer(offer)
    [document] = [d for d in _documents(offer.client_id) if d.type == "offer"]
    text = _text(document)
    assert offer.number in text and offer.candidate.full_name in text
    assert offer.client.name in text and offer.job_order.title in text
    assert "USD 110,000.00" in text and "120,000.00" in text


def _pages(document: ClientDocument) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(document.path.read_bytes()))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _generated(source: str) -> list[ClientDocument]:
    """Every document rendered from ``source``, archived ones included, oldest first."""
    return db.session.scalars(
        db.select(ClientDocument).where(ClientDocument.source == source).order_by(ClientDocument.id)
    ).all()


def test_a_ten_line_contract_runs_over_pages_with_every_line_and_the_total():
    contract = convert_quote(accepted_quote())
    for n in range(3, 11):
        contract.add_line(
            "contingency recruitment",
            f"Regional sales manager {n}: hunting new accounts across the Visayas and Mindanao",
            Decimal("1"),
            Decimal("18250"),
        )
    contract.action_update(None, "Eight more roles", value=contract.total)
    db.session.commit()
    enqueue_document("contract", contract.id)
    [document] = [d for d in _documents(contract.client_id) if d.type == "contract"]
    pages = _pages(document)
    text = " ".join(pages)
    assert len(pages) >= 2
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))
    assert all(contract.number in page for page in pages)  # the running footer
    for line in contract.lines:
        assert line.description in text
    assert f"Total (USD) {contract.total:,}" in text


def test_a_change_re_renders_the_contract_as_a_new_version_and_archives_the_old_one():
    contract = convert_quote(accepted_quote())
    contract.action_update(None, "Retitled", title="Leadership hiring programme 2027")
    db.session.commit()
    enqueue_document("contract", contract.id)
    old, new = _generated(f"contract:{contract.id}")
    assert (old.title, new.title) == (
        f"Contract {contract.number} (version 1)",
        f"Contract {contract.number} (version 2)",
    )
    assert old.archived_at is not None and new.archived_at is None
    assert "Leadership hiring programme 2027" in _text(new)
    assert "Leadership hiring programme 2027" not in _text(old)


def test_the_offer_letter_after_a_counter_offer_shows_the_new_terms():
    offer = draft_offer(benefits="HMO for two dependants")
    extend_offer(offer)
    offer.action_propose(
        "candidate", None, "Asks for more", base_salary=Decimal("118000"), equity="0.1%"
    )
    db.session.commit()
    extend_offer(offer)
    old, new = _generated(f"offer:{offer.id}")
    assert old.archived_at is not None and new.archived_at is None
    text = _text(new)
    assert f"{offer.number} round 2" in text
    assert "USD 118,000.00" in text and "128,000.00" in text and "0.1%" in text
    assert "110,000.00" not in text
    assert "round 2 of our discussions" in text
    assert "HMO for two dependants" in text


def test_quantities_and_percentages_print_plainly():
    contract = convert_quote(accepted_quote(discount_percent=Decimal("20"), tax_rate=Decimal("10")))
    contract.add_line("volume recruitment", "Call-centre agents", Decimal("10"), Decimal("900"))
    contract.action_update(None, "Agents", value=contract.total)
    db.session.commit()
    html = document_preview("contract", contract)
    assert "Discount (20%)" in html and "Tax (10%)" in html
    assert '<td class="num">10</td>' in html and "E+" not in html


def test_a_contract_is_marked_draft_until_sent_and_shows_its_signature_once_signed():
    contract = draft_contract()  # within the approval limit
    draft = document_preview("contract", contract)
    assert 'class="watermark"' in draft
    assert f"For {contract.client.name}" in draft and "Signature" in draft
    send_contract(contract)
    assert 'class="watermark"' not in document_preview("contract", contract)
    contract.action_sign("Maria Santos")
    db.session.commit()
    enqueue_document("contract", contract.id)
    text = _text(_generated(f"contract:{contract.id}")[-1])
    assert "Signed electronically by Maria Santos" in text


def test_the_letterhead_carries_the_agencys_address_and_contacts_when_set(app, monkeypatch):
    for key, value in {
        "AGENCY_ADDRESS": "Floor 12, 6750 Ayala Avenue\nMakati City 1226",
        "AGENCY_PHONE": "+63 2 8123 4567",
        "AGENCY_EMAIL": "contracts@northstar.example",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    offer = draft_offer()
    extend_offer(offer)
    text = _text(_generated(f"offer:{offer.id}")[-1])
    assert "Floor 12, 6750 Ayala Avenue, Makati City 1226" in text
    assert "+63 2 8123 4567 · contracts@northstar.example" in text
