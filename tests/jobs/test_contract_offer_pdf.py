"""Contract and offer-letter PDFs: rendered by the document job, stored as the client's
documents, readable (pypdf finds the number, the client, every line and the total)."""

from __future__ import annotations

import io

import pypdf
import pytest

from extensions import db
from jobs.contract_documents import convert_quote, extend_offer, send_contract
from models import ClientDocument
from tests.factories import accepted_quote, draft_offer, make_user

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
